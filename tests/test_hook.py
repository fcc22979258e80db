"""The hook in process: which staged file is a draft, issued or upper-level; ledger; output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wenshan_audit.cli import app
from wenshan_audit.cli.hook import render
from wenshan_audit.config import Config, load
from wenshan_audit.errors import ConfigError
from wenshan_audit.hook import HookResult, ReferenceStamp, Role, settings
from wenshan_audit.ledger import Ledger
from wenshan_audit.model import AuditResult, Document, DocumentResult, Finding, Paragraph, Severity

runner = CliRunner()

ISSUED = (
    "云岭市人民政府办公室文件\n"
    "云政办发〔2026〕3号\n"
    "云岭市人民政府办公室关于做好春节期间市场保供稳价工作的通知\n"
    "各县（市、区）人民政府，市直各部门：\n"
    "市商务局于2026年1月20日前完成重要民生商品储备，储备量不少于15天消费量。\n"
    "云岭市人民政府办公室\n"
    "2026年1月10日\n"
)
CONFIG = """
[hook]
drafts = ["drafts"]
issued = ["issued"]

[reference]
corpus = "upper"
cache_dir = ".wenshan-cache"

[quota]
year = 2026
ledger = ".wenshan/ledger.sqlite"

[[quota.units]]
name = "云岭市人民政府办公室"
number_prefixes = ["云政办发"]
limits = { "总量" = 40 }
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "wenshan-audit.toml").write_text(CONFIG, encoding="utf-8")
    for folder in ("drafts", "issued", "upper"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_roles_follow_the_configured_folders(repo: Path) -> None:
    hook = settings(load(repo / "wenshan-audit.toml"))
    assert hook.role_of(Path("drafts/a.docx")) is Role.DRAFT
    assert hook.role_of(Path("drafts/2026/一季度/b.pdf")) is Role.DRAFT
    assert hook.role_of(Path("issued/c.txt")) is Role.ISSUED
    assert hook.role_of(Path("upper/d.txt")) is Role.REFERENCE
    assert hook.role_of(Path("README.md")) is Role.OTHER
    assert hook.role_of(Path("draftsmanship/e.txt")) is Role.OTHER  # a prefix is not a folder


def test_without_drafts_every_file_but_issued_and_upper_is_a_draft(tmp_path: Path) -> None:
    config = Config(path=tmp_path / "wenshan-audit.toml", data={"hook": {"issued": "issued"}})
    hook = settings(config)
    assert hook.role_of(tmp_path / "README.md") is Role.DRAFT
    assert hook.role_of(tmp_path / "issued" / "x.txt") is Role.ISSUED


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"draft": ["drafts"]}, "hook.draft"),
        ({"drafts": [""]}, "hook.drafts"),
        ({"issued": 3}, "hook.issued"),
        ({"fail_on": "fatal"}, "hook.fail_on"),
        ({"max_reasons": 0}, "hook.max_reasons"),
    ],
)
def test_bad_hook_section_names_the_key(tmp_path: Path, section: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=f"键 {key}"):
        settings(Config(path=tmp_path / "wenshan-audit.toml", data={"hook": section}))


def test_issued_document_is_counted_once_in_the_ledger(repo: Path) -> None:
    (repo / "issued" / "保供稳价.txt").write_text(ISSUED, encoding="utf-8")
    first = runner.invoke(app, ["hook", "issued/保供稳价.txt", "README.md"])
    assert first.exit_code == 0, first.output
    assert "已计入发文台账" in first.output
    assert "云政办发〔2026〕3号" in first.output
    again = runner.invoke(app, ["hook", "issued/保供稳价.txt"])
    assert again.exit_code == 0, again.output
    assert "未重复计数" in again.output
    with Ledger.open(repo / ".wenshan" / "ledger.sqlite") as ledger:
        entries = list(ledger.entries())
    assert [(e.unit, e.doc_number) for e in entries] == [
        ("云岭市人民政府办公室", "云政办发〔2026〕3号")
    ]


def test_issued_folder_without_quota_section_uses_the_default_ledger(repo: Path) -> None:
    """The hook records where `ledger add` records: the one default ledger."""
    (repo / "wenshan-audit.toml").write_text('[hook]\nissued = ["issued"]\n', encoding="utf-8")
    (repo / "issued" / "保供稳价.txt").write_text(ISSUED, encoding="utf-8")
    result = runner.invoke(app, ["hook", "issued/保供稳价.txt"])
    assert result.exit_code == 0, result.output
    assert "已计入发文台账" in result.output
    listed = runner.invoke(app, ["ledger", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert "云政办发〔2026〕3号" in listed.output


def test_unreadable_issued_file_stops_the_commit_with_a_reason(repo: Path) -> None:
    (repo / "issued" / "空白.txt").write_bytes(b"")
    result = runner.invoke(app, ["hook", "issued/空白.txt"])
    assert result.exit_code == 2
    assert "issued/空白.txt" in result.output
    assert "文件为空" in result.output


def test_nothing_to_check_is_silent_and_clean(repo: Path) -> None:
    result = runner.invoke(app, ["hook", "README.md", "notes/会议记录.md"])
    assert result.exit_code == 0
    assert result.output == ""
    assert runner.invoke(app, ["hook"]).exit_code == 0


def _document_result(
    path: str, findings: list[Finding], waived: list[Finding] = ()
) -> DocumentResult:
    text = "云岭市人民政府办公室关于转发省政府文件的通知\n各地要高度重视，切实加强领导。\n"
    doc = Document(path=Path(path), text=text, paragraphs=(Paragraph(0, len(text), text),))
    return DocumentResult(document=doc, findings=tuple(findings), waived=tuple(waived))


def _f(rule: str, severity: Severity, message: str = "问题说明") -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        start=23,
        end=44,
        text="各地要高度重视，切实加强领导",
    )


def test_refused_block_shows_top_reasons_and_the_ways_forward() -> None:
    findings = [
        _f("measures.none", Severity.ERROR, "全文没有具体落实措施"),
        _f("copy.upper", Severity.ERROR, "复制比 82.0%"),
        _f("copy.upper", Severity.ERROR, "复制比 82.0%"),
        _f("burden.photo_evidence", Severity.ERROR),
        _f("burden.daily_checkin", Severity.ERROR),
        _f("measures.slogan", Severity.WARNING),
    ]
    refused = _document_result("drafts/转发稿.txt", findings)
    passed = _document_result("drafts/落实稿.txt", [_f("measures.slogan", Severity.WARNING)])
    audit = AuditResult(documents=(refused, passed))
    text = render(HookResult(audit=audit, fail_on="error", max_reasons=3))
    lines = text.splitlines()
    assert lines[0] == "× drafts/转发稿.txt：不能提交（错误 5）"
    assert "【具体落实措施】全文没有具体落实措施  [measures.none]" in lines[1]
    assert "【照搬上级文件】复制比 82.0%（共 2 处）  [copy.upper]" in text
    assert "…另有 1 类问题" in text
    assert 'wenshan-audit check "drafts/转发稿.txt"' in text
    assert 'rules = ["burden", "copy", "measures"]' in text
    assert "√ drafts/落实稿.txt：通过（另有 1 项提示/警告）" in text
    assert "1 份草稿不能提交" in lines[-1]
    assert HookResult(audit=audit, fail_on="error").exit_code == 1
    assert HookResult(audit=audit, fail_on="never").exit_code == 0


def test_waived_findings_are_listed_on_a_passing_file() -> None:
    waiver = {"approval": "云政办批〔2026〕5号", "approved_by": "王明"}
    waived = Finding(
        "copy.upper", Severity.ERROR, "复制比 82.0%", 0, 4, "云岭市人", {"waiver": waiver}
    )
    result = _document_result("drafts/转发稿.txt", [], [waived])
    text = render(HookResult(audit=AuditResult(documents=(result,)), fail_on="error"))
    assert text == "√ drafts/转发稿.txt：通过（已豁免 copy.upper（云政办批〔2026〕5号，王明批准））"


def test_hook_is_registered_and_documented_in_chinese() -> None:
    result = runner.invoke(app, ["hook", "--help"], env={**os.environ, "COLUMNS": "200"})
    assert result.exit_code == 0
    assert "提交前检查" in result.output


def test_issued_papers_of_the_same_commit_count_before_the_draft_is_checked(repo: Path) -> None:
    config = CONFIG.replace('limits = { "总量" = 40 }', 'limits = { "总量" = 1 }')
    (repo / "wenshan-audit.toml").write_text(config, encoding="utf-8")
    (repo / "issued" / "保供稳价.txt").write_text(ISSUED, encoding="utf-8")
    draft = ISSUED.replace("云政办发〔2026〕3号", "云政办发〔2026〕4号").replace(
        "市场保供稳价", "农民工工资支付"
    )
    (repo / "drafts" / "工资支付.txt").write_text(draft, encoding="utf-8")
    alone = runner.invoke(app, ["hook", "drafts/工资支付.txt"])
    assert alone.exit_code == 0, alone.output
    result = runner.invoke(app, ["hook", "drafts/工资支付.txt", "issued/保供稳价.txt"])
    assert result.exit_code == 1, result.output
    assert "× drafts/工资支付.txt：不能提交" in result.output
    assert "[quota.exceeded]" in result.output
    assert "→ issued/保供稳价.txt：已计入发文台账" in result.output


def test_reference_stamp_skips_the_refresh_only_while_nothing_changed(repo: Path) -> None:
    upper = repo / "upper" / "省级文件.txt"
    upper.write_text(ISSUED.replace("云岭市", "江川省"), encoding="utf-8")
    (repo / "drafts" / "草稿.txt").write_text(ISSUED, encoding="utf-8")
    config = load(repo / "wenshan-audit.toml")
    assert ReferenceStamp.of(config).unchanged_index() is None  # never refreshed by the hook
    assert runner.invoke(app, ["hook", "drafts/草稿.txt"]).exit_code in (0, 1)
    stamp = ReferenceStamp.of(config)
    assert stamp.unchanged_index() == stamp.index
    assert (stamp.index / "meta.json").is_file()

    for change in (
        lambda: upper.write_text(upper.read_text("utf-8") + "补充。", encoding="utf-8"),
        lambda: (
            (repo / "upper" / "新增").mkdir()
            or (repo / "upper" / "新增" / "二.txt").write_text(ISSUED, "utf-8")
        ),
        lambda: upper.unlink(),
    ):
        change()
        assert ReferenceStamp.of(config).unchanged_index() is None
        assert runner.invoke(app, ["hook", "drafts/草稿.txt"]).exit_code in (0, 1)
        assert ReferenceStamp.of(config).unchanged_index() == stamp.index
