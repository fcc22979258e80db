"""Waivers (一事一议): which findings an approved exception moves aside, and bad entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wenshan_audit.config import Config
from wenshan_audit.errors import ConfigError
from wenshan_audit.model import Finding, Severity
from wenshan_audit.readers import read_document
from wenshan_audit.waivers import content_hash, load

DRAFT = (
    "云岭市人民政府办公室文件\n"
    "云政办发〔2026〕7号\n"
    "云岭市人民政府办公室关于转发省政府数字政府建设实施意见的通知\n"
    "各县（市、区）人民政府，市直各部门：\n"
    "现将《省政府关于加快推进数字政府建设的实施意见》转发给你们，请认真贯彻执行。\n"
)
APPROVAL = {"approved_by": "王明", "approval": "云政办批〔2026〕5号", "date": dt.date(2026, 3, 2)}


def _finding(rule: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, severity=severity, message="测试", start=0, end=4, text="云岭市人")


@pytest.fixture
def draft(tmp_path: Path):
    path = tmp_path / "drafts" / "转发通知.txt"
    path.parent.mkdir()
    path.write_text(DRAFT, encoding="utf-8")
    return read_document(path)


def _waivers(tmp_path: Path, *entries: dict, today: dt.date = dt.date(2026, 6, 1)):
    config = Config(path=tmp_path / "wenshan-audit.toml", data={"waivers": list(entries)})
    return load(config, today=today)


OK = {"path": "a.txt", "rules": ["copy"], **APPROVAL}
FINDINGS = (_finding("copy.upper"), _finding("copy.forwarding"), _finding("measures.none"))


@pytest.mark.parametrize(
    "match",
    [
        {"path": "drafts/*.txt"},
        {"path": "转发通知.txt"},
        {"doc_number": "云政办发[2026]07号"},  # written differently from the document, same number
    ],
)
def test_waiver_moves_named_rules_aside(tmp_path: Path, draft, match: dict) -> None:
    waivers = _waivers(tmp_path, {**match, "rules": ["copy"], **APPROVAL})
    kept, waived = waivers.apply(draft, FINDINGS)
    assert [f.rule for f in kept] == ["measures.none"]
    assert [f.rule for f in waived] == ["copy.upper", "copy.forwarding"]
    assert waived[0].evidence["waiver"]["approval"] == "云政办批〔2026〕5号"


def test_waiver_by_content_hash_prefix_survives_whitespace_edits(tmp_path: Path, draft) -> None:
    prefix = content_hash(draft)[:16]
    (tmp_path / "drafts" / "转发通知.txt").write_text(DRAFT.replace("\n", "\r\n  "), "utf-8")
    resaved = read_document(tmp_path / "drafts" / "转发通知.txt")
    waivers = _waivers(tmp_path, {"sha256": prefix.upper(), "rules": "copy.upper", **APPROVAL})
    kept, waived = waivers.apply(resaved, FINDINGS)
    assert [f.rule for f in waived] == ["copy.upper"]
    assert len(kept) == 2


def test_waiver_for_another_document_or_rule_waives_nothing(tmp_path: Path, draft) -> None:
    waivers = _waivers(
        tmp_path,
        {"path": "drafts/其他.txt", "rules": ["copy"], **APPROVAL},
        {"doc_number": "云政办发〔2026〕8号", "rules": ["copy"], **APPROVAL},
        # all keys of one entry must match: right path, wrong number
        {"path": "drafts/*", "doc_number": "云政办发〔2026〕9号", "rules": ["copy"], **APPROVAL},
        # a prefix stops at a dot: "copy.up" is not "copy.upper"
        {"path": "drafts/*", "rules": ["copy.up", "measure"], **APPROVAL},
    )
    kept, waived = waivers.apply(draft, FINDINGS)
    assert kept == FINDINGS
    assert waived == ()


def test_expired_waiver_keeps_findings_and_says_so(tmp_path: Path, draft) -> None:
    entry = {"path": "drafts/*.txt", "rules": ["copy"], **APPROVAL, "expires": "2026-05-31"}
    kept, waived = _waivers(tmp_path, entry, today=dt.date(2026, 6, 1)).apply(draft, FINDINGS)
    assert waived == ()
    assert kept[0].rule == "waiver.expired"
    assert "2026-05-31" in kept[0].message
    assert [f.rule for f in kept[1:]] == [f.rule for f in FINDINGS]
    kept, waived = _waivers(tmp_path, entry, today=dt.date(2026, 5, 31)).apply(draft, FINDINGS)
    assert len(waived) == 2


@pytest.mark.parametrize(
    ("entry", "key", "problem"),
    [
        ({"rules": ["copy"], **APPROVAL}, "path", "必须指明文件"),
        ({"path": "a.txt", **APPROVAL}, "rules", "规则编号"),
        ({"path": "a.txt", "rules": [], **APPROVAL}, "rules", "规则编号"),
        ({**OK, "approved_by": " "}, "approved_by", "批准人"),
        ({**OK, "approval": None}, "approval", "批准文号"),
        ({**OK, "date": "3月2日"}, "date", "日期"),
        ({**OK, "expires": 20261231}, "expires", "日期"),
        ({"doc_number": "第七号", "rules": ["copy"], **APPROVAL}, "doc_number", "不是发文字号"),
        ({"sha256": "abc123", "rules": ["copy"], **APPROVAL}, "sha256", "内容哈希"),
        ({**OK, "approver": "李"}, "approver", "未知的键"),
    ],
)
def test_bad_waiver_names_entry_and_key(tmp_path: Path, entry: dict, key: str, problem: str):
    with pytest.raises(ConfigError) as info:
        _waivers(tmp_path, OK, {k: v for k, v in entry.items() if v is not None})
    message = str(info.value)
    assert f"waivers 第 2 条的 {key}" in message
    assert problem in message


def test_waivers_must_be_an_array_of_tables(tmp_path: Path) -> None:
    config = Config(path=tmp_path / "wenshan-audit.toml", data={"waivers": {"path": "a.txt"}})
    with pytest.raises(ConfigError, match=r"\[\[waivers\]\]"):
        load(config)
