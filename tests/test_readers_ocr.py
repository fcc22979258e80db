"""OCR end to end on a real scanned page: a 公文 written here, typeset with a CJK font into a
150 dpi image with scanner noise, wrapped in a PDF without any text layer (tests/scans.py)."""

from __future__ import annotations

import difflib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from scans import NUMBER, PAGES, cjk_font, render_page, source_text, write_scanned_pdf
from typer.testing import CliRunner

from wenshan_audit.audit import Auditor
from wenshan_audit.cli import app
from wenshan_audit.config import Config
from wenshan_audit.readers import ocr, read_document

pytestmark = [
    pytest.mark.skipif(not ocr.available(), reason='OCR extra not installed: pip install ".[ocr]"'),
    pytest.mark.skipif(cjk_font() is None, reason="no CJK font to typeset the scanned page"),
]
FORMATS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "formats"


def accuracy(source: str, recognised: str) -> float:
    """Character accuracy: matched characters over source characters (whitespace ignored)."""
    a, b = re.sub(r"\s+", "", source), re.sub(r"\s+", "", recognised)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scanned_pdf(tmp_path_factory.mktemp("scan") / "扫描件.pdf", PAGES[:1])


def test_scanned_page_is_read_through_ocr(scanned: Path) -> None:
    import pdfplumber

    with pdfplumber.open(scanned) as pdf:
        assert not pdf.pages[0].chars  # really no text layer
    doc = read_document(scanned)
    assert doc.ocr_pages == (1,)
    assert doc.meta.doc_number == NUMBER
    assert doc.meta.title == "云山市人民政府办公室关于精简会议文件的通知"
    assert doc.meta.issuer == "云山市人民政府办公室"
    assert doc.meta.date == "2026-03-15"
    assert doc.meta.recipients == ("各县（市、区）人民政府", "市政府各部门")
    assert accuracy(source_text(PAGES[:1]), doc.text) >= 0.98
    # wrapped lines are joined back into the paragraphs that were written
    assert PAGES[0][5] in doc.text.split("\n")
    assert "OCR 识别" in doc.warnings[0]


def test_ocr_text_carries_a_notice_in_the_audit(scanned: Path) -> None:
    (result,) = Auditor(Config()).audit_paths([scanned]).documents
    notices = [f for f in result.findings if f.rule == "read.ocr"]
    assert len(notices) == 1 and notices[0].severity.value == "info"
    assert "OCR" in notices[0].message and notices[0].evidence == {"ocr_pages": [1]}


def test_cli_shows_ocr_progress_on_long_documents(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "两页.pdf")
    result = CliRunner().invoke(
        app, ["check", str(path), "--format", "json", "-o", str(tmp_path / "r.json")]
    )
    assert result.exit_code in (0, 1), result.output
    assert "第 1/2 页" in result.output and "第 2/2 页" in result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert any(f["rule"] == "read.ocr" for f in data["documents"][0]["findings"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("moe_jiaokeji-2020-2_sci-yijian_outlined.pdf", "教科技〔2020〕2号"),
        ("moe_zhuanli-zhiliang-yijian_outlined.pdf", "教科技〔2020〕1号"),
    ],
)
def test_real_outlined_pdfs_give_their_document_number(name: str, number: str) -> None:
    path = FORMATS / "pdf" / name
    if not path.is_file():
        pytest.skip(f"real files not present: {FORMATS}")
    doc = read_document(path)
    assert doc.ocr_pages and doc.meta.doc_number == number


def _image_ofd(path: Path, png: bytes) -> Path:
    """An OFD whose only page is a scanned image (ImageObject -> MultiMedia -> Res/scan.png)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'{head}<ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            "<ofd:DocID>6f2c3d1e0a0b4c5d8e9f000000000002</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        z.writestr(
            "Doc_0/Document.xml",
            f"{head}<ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID>"
            "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
            '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
            "</ofd:Document>",
        )
        z.writestr(
            "Doc_0/DocumentRes.xml",
            f'{head}<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias><ofd:MultiMedia ID="5" '
            'Type="Image"><ofd:MediaFile>scan.png</ofd:MediaFile></ofd:MultiMedia>'
            "</ofd:MultiMedias></ofd:Res>",
        )
        z.writestr("Doc_0/Res/scan.png", png)
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'{head}<ofd:Page {ns}><ofd:Content><ofd:Layer ID="3"><ofd:ImageObject ID="6" '
            'ResourceID="5" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/></ofd:Layer>'
            "</ofd:Content></ofd:Page>",
        )
    return path


def test_image_only_ofd_is_read_through_ocr(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    render_page(PAGES[0]).save(buffer, "PNG")
    doc = read_document(_image_ofd(tmp_path / "扫描件.ofd", buffer.getvalue()))
    assert doc.ocr_pages == (1,) and doc.meta.doc_number == NUMBER
    assert accuracy(source_text(PAGES[:1]), doc.text) >= 0.98
