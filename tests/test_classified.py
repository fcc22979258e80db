"""Documents marked with a 密级 are refused at read time and their text is stored nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from typer.testing import CliRunner

from wenshan_audit.cli import app
from wenshan_audit.errors import ClassifiedError
from wenshan_audit.readers import read_document

runner = CliRunner()
FORMATS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "formats"
# a phrase that occurs only in the classified test document
SECRET = "青龙湾水库移民安置补偿标准每人三万二千元"
ORDINARY = (
    "各乡镇人民政府：为做好2026年春季农业生产，现就有关事项通知如下。一、各乡镇于3月31日前完成"
    "春耕物资储备，县农业农村局负责检查。二、县财政局安排专项资金200万元。"
)


def _docx(path: Path, paragraphs: list[str], header: list[str] = ()) -> Path:
    doc = DocxDocument()
    for text in header:
        doc.sections[0].header.add_paragraph(text)
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def _classified(path: Path) -> Path:
    return _docx(
        path,
        [
            "000123",
            "机密★1年",
            "特急",
            "云岭县人民政府文件",
            "云政发〔2026〕3号",
            "云岭县人民政府关于移民安置的通知",
            "各乡镇人民政府：",
            f"经研究，{SECRET}，请遵照执行。",
        ],
    )


@pytest.mark.parametrize(
    ("lines", "header", "marking"),
    [
        (["000123", "机密★1年", "云岭县人民政府文件"], [], "机密★1年"),
        (["秘密★6个月", "特急"], [], "秘密★6个月"),
        (["绝密", "云岭县人民政府文件"], [], "绝密"),
        (["000123 机密★ 5 年 特急"], [], "机密★5年"),  # one visual line of a PDF
        (["云岭县人民政府文件"], ["机密★5年"], "机密★5年"),  # a Word header
    ],
)
def test_markings_where_gbt9704_puts_them(
    tmp_path: Path, lines: list[str], header: list[str], marking: str
) -> None:
    path = _docx(tmp_path / "x.docx", [*lines, "关于移民安置的通知", "各乡镇：", ORDINARY], header)
    with pytest.raises(ClassifiedError) as info:
        read_document(path)
    assert info.value.marking == marking
    assert f"密级“{marking}”" in info.value.message and "涉密计算机" in info.value.message


def test_secrecy_words_in_the_body_are_not_a_marking(tmp_path: Path) -> None:
    body = [
        "云岭县人民政府办公室关于加强保密工作的通知",
        "各乡镇人民政府：",
        "各单位要保守国家秘密，机密文件一律在涉密计算机上处理。" + ORDINARY,
        "秘密",  # a lone word far below the 版头 is not the 版头 marking
    ]
    doc = read_document(_docx(tmp_path / "保密.docx", ["BJTU机密文件", *body]))
    assert "保守国家秘密" in doc.text


@pytest.mark.parametrize("suffix", ["docx", "doc", "wps", "ofd", "pdf"])
def test_real_templates_with_a_marking_are_refused(suffix: str) -> None:
    path = FORMATS / suffix / f"lgtm_master_template.{suffix}"
    if not path.is_file():
        pytest.skip(f"real files not present: {FORMATS}")
    with pytest.raises(ClassifiedError) as info:
        read_document(path)
    assert info.value.marking == "机密★5年"


def _stored_anywhere(folder: Path, phrase: str) -> list[Path]:
    """Files under ``folder`` whose bytes hold ``phrase`` in any encoding we store text in."""
    needles = [phrase.encode(e) for e in ("utf-8", "utf-16-le", "gb18030")]
    return [
        p for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


def test_classified_text_is_stored_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the automatic index of --against lives in the cache directory: put it under work/ too
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "work" / "cache"))
    work = tmp_path / "work"
    refs, drafts, issued = work / "refs", work / "drafts", work / "issued"
    for folder in (refs, drafts, issued):
        folder.mkdir(parents=True)
        _classified(folder / "涉密.docx")
    _docx(refs / "普通.docx", ["关于春耕的通知", ORDINARY])
    _docx(drafts / "草稿.docx", ["云岭县农业农村局关于春耕生产的通知", ORDINARY])
    _docx(
        issued / "已发.docx",
        ["云政办发〔2026〕1号", "云岭县人民政府办公室关于春耕的通知", ORDINARY],
    )
    config = work / "wenshan-audit.toml"
    config.write_text(
        '[quota]\nyear = 2026\nledger = "db/ledger.sqlite"\n\n[[quota.units]]\n'
        'name = "云岭县人民政府办公室"\nnumber_prefixes = ["云政办发"]\nlimits = { "总量" = 9 }\n',
        encoding="utf-8",
    )
    built = runner.invoke(app, ["index", "build", str(refs), "-i", str(work / "idx"), "-j", "1"])
    assert built.exit_code == 0, built.output
    assert "涉密.docx" in built.output and "机密★1年" in built.output  # skipped with a warning
    imported = runner.invoke(app, ["ledger", "import", str(issued), "-c", str(config)])
    assert "机密★1年" in imported.output
    report = work / "report.json"
    checked = runner.invoke(
        app,
        [
            "check",
            str(drafts),
            "--against",
            str(refs),
            "-c",
            str(config),
            "-f",
            "json",
            "-o",
            str(report),
        ],
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [Path(d["path"]).name for d in data["documents"]] == ["草稿.docx"]
    assert "机密★1年" in data["failures"][0]["message"]
    assert checked.exit_code == 1  # the refused file counts as an error-level problem
    html = work / "report.html"
    runner.invoke(app, ["audit", str(drafts), "-c", str(config), "--report", str(html), "-j", "1"])
    assert html.is_file()
    assert any((work / "cache").rglob("meta.json"))  # the automatic index was built there
    # index, automatic index (cache), ledger, JSON and HTML reports: the secret text is nowhere
    # (the .docx sources themselves are compressed, so only a stored copy could match)
    assert _stored_anywhere(work, SECRET) == []
    assert SECRET not in checked.output
