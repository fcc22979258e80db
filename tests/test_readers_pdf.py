"""PDF reader on real PDFs written with reportlab: paragraphs, page furniture, damage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from wenshan_audit.errors import ReadError
from wenshan_audit.readers import ocr, read_document

SENTENCE = "各单位要严格控制发文数量，凡是法律法规已作出明确规定的，一律不再制发文件。"
LONG = SENTENCE * 4  # five lines of 28 chars


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in read_document(path).paragraphs]


def _canvas(path: Path) -> canvas.Canvas:
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), pagesize=(595, 842))


def test_a_sentence_broken_across_lines_and_pages_is_one_paragraph(
    tmp_path: Path, pdf_writer
) -> None:
    items = [
        ("red", "文山县人民政府办公室文件"),
        ("center", "文政办发〔2025〕12号"),
        ("center", "关于精简文件会议的通知"),
        "各乡（镇）人民政府，县直各部门：",
        LONG,
        "一、严格控制发文数量",
        LONG + LONG,
        "（一）压减简报",
        "1.各单位每季度报送简报不超过2期。",
        "文山县人民政府办公室",
        "2025年3月1日",
    ]
    path = pdf_writer(tmp_path / "通知.pdf", items, lines_per_page=9, header="文山县人民政府办公室")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == [
        "文山县人民政府办公室文件",
        "文政办发〔2025〕12号",
        "关于精简文件会议的通知",
        "各乡（镇）人民政府，县直各部门：",
        LONG,
        "一、严格控制发文数量",
        LONG + LONG,  # runs from page 2 into page 3
        "（一）压减简报",
        "1.各单位每季度报送简报不超过2期。",
        "文山县人民政府办公室",
        "2025年3月1日",
    ]
    assert doc.pages == 3
    assert doc.red_paragraphs == (0,)
    assert doc.meta.doc_number == "文政办发〔2025〕12号"


@pytest.mark.parametrize(
    "footer", ["— {n} —", "- {n} -", "第{n}页", "第 {n} 页 共 {total} 页", "{n}/{total}"]
)
def test_page_numbers_are_removed(tmp_path: Path, pdf_writer, footer: str) -> None:
    path = pdf_writer(tmp_path / "p.pdf", [LONG, LONG], lines_per_page=4, page_number=footer)
    assert _paragraphs(path) == [LONG, LONG]


def test_running_header_is_removed_but_a_repeated_body_line_is_not(
    tmp_path: Path, pdf_writer
) -> None:
    items = [LONG, "各单位要认真执行。", LONG, "各单位要认真执行。"]
    path = pdf_writer(tmp_path / "p.pdf", items, lines_per_page=6, header="2025年第3期 内部资料")
    assert _paragraphs(path) == items


def test_fake_bold_and_letter_spaced_title(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    c = _canvas(path)
    c.setFont("STSong-Light", 22)
    for dx in (0, 0.4):  # fake bold: the title drawn twice
        c.drawString(120 + dx, 760, "关于进一步精简文件的通知")
    text = c.beginText(200, 720)
    text.setFont("STSong-Light", 16)
    text.setCharSpace(8)
    text.textLine("市 政 府 办 公 室")
    text.setCharSpace(0)  # reportlab's Tc would otherwise persist into the next text object
    c.drawText(text)
    c.setFont("STSong-Light", 16)
    c.drawString(104, 680, "Hello world，中文和 English 混排。")
    body = LONG[:26], LONG[26:54], LONG[54:82]
    for row, line in enumerate(body):
        c.drawString(104 if row == 0 else 72, 650 - 28 * row, line)
    c.showPage()
    c.save()
    assert _paragraphs(path) == [
        "关于进一步精简文件的通知",
        "市政府办公室",
        "Hello world，中文和 English 混排。",
        "".join(body),
    ]


def test_a_title_in_larger_type_wrapping_onto_two_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    c = _canvas(path)
    c.setFont("STSong-Light", 22)
    c.drawString(80, 760, "文山县人民政府办公室关于进一步精简文件")
    c.drawString(150, 730, "会议切实为基层减负的通知")
    c.setFont("STSong-Light", 16)
    c.drawString(72, 690, "各乡（镇）人民政府：")
    for row in range(3):
        c.drawString(104 if row == 0 else 72, 660 - 28 * row, LONG[row * 27 : row * 27 + 27])
    c.showPage()
    c.save()
    assert _paragraphs(path)[:2] == [
        "文山县人民政府办公室关于进一步精简文件会议切实为基层减负的通知",
        "各乡（镇）人民政府：",
    ]


def test_latin_words_are_not_glued_when_lines_are_joined(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    c = _canvas(path)
    c.setFont("STSong-Light", 16)
    lines = ["依据 GB/T 9704-2012 的要求，公文用纸采用 A4 型纸，版心尺寸为", "156mm x 225mm。"]
    c.drawString(72, 760, "  " + lines[0])
    c.drawString(72, 730, lines[1])
    c.drawString(72, 700, "另起一段。")
    c.showPage()
    c.save()
    assert _paragraphs(path)[0] == lines[0] + lines[1]


def test_encrypted_pdf(tmp_path: Path, pdf_writer) -> None:
    path = pdf_writer(tmp_path / "加密.pdf", [LONG], encrypt="secret")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "已加密" in info.value.message and "未加密" in info.value.message


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without the [ocr] extra (the dev install has it)."""
    monkeypatch.setattr("wenshan_audit.readers.ocr.available", lambda: False)


def _restricted(tmp_path: Path, pdf_writer) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption

    # An owner-password-only PDF opens without a password, but pdfminer gets (cid:N) codes.
    protected = StandardEncryption("", ownerPassword="owner", canCopy=0)
    return pdf_writer(tmp_path / "受限.pdf", [LONG], encrypt=protected)


def test_pdf_whose_text_cannot_be_decoded(tmp_path: Path, pdf_writer, no_ocr: None) -> None:
    with pytest.raises(ReadError) as info:
        read_document(_restricted(tmp_path, pdf_writer))
    message = info.value.message
    assert "文字层乱码" in message and "文字无法解码" in message and "Word 版本" in message
    assert 'pip install "wenshan-audit[ocr]"' in message


def _strokes_only(path: Path) -> Path:
    c = _canvas(path)
    for page in range(2):
        c.rect(72, 100, 450, 600, fill=0)
        for row in range(20):  # strokes where the text of a scanned page would be
            c.line(90, 680 - row * 28, 500 - page * 40, 680 - row * 28)
        c.showPage()
    c.save()
    return path


def test_scanned_pdf_without_text_layer(tmp_path: Path, no_ocr: None) -> None:
    with pytest.raises(ReadError) as info:
        read_document(_strokes_only(tmp_path / "扫描件.pdf"))
    assert "扫描件，无文字层" in info.value.message
    assert 'pip install "wenshan-audit[ocr]"' in info.value.message


def _mixed(path: Path) -> Path:
    c = _canvas(path)
    c.setFont("STSong-Light", 16)
    c.drawString(72, 760, "第一页有文字。")
    c.showPage()
    c.rect(72, 100, 450, 600, fill=1)
    c.showPage()
    c.save()
    return path


def test_a_scanned_page_among_text_pages_is_a_warning(tmp_path: Path, no_ocr: None) -> None:
    doc = read_document(_mixed(tmp_path / "混合.pdf"))
    assert doc.text == "第一页有文字。"
    assert doc.warnings == (
        '第 2 页没有文字层（可能是扫描页），已跳过；安装 OCR 组件（pip install "wenshan-audit[ocr]"）后可识别',
    )


needs_ocr = pytest.mark.skipif(
    not ocr.available(), reason='OCR extra not installed (pip install "wenshan-audit[ocr]")'
)


@needs_ocr
def test_ocr_finds_no_text_in_strokes(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_document(_strokes_only(tmp_path / "扫描件.pdf"))
    assert "OCR 也未识别出文字" in info.value.message


@needs_ocr
def test_ocr_reads_the_black_page_as_nothing(tmp_path: Path) -> None:
    doc = read_document(_mixed(tmp_path / "混合.pdf"))
    assert doc.text == "第一页有文字。" and doc.ocr_pages == ()
    assert doc.warnings == ("第 2 页没有文字层，OCR 也未识别出文字，已跳过",)


def test_truncated_pdf(tmp_path: Path, pdf_writer) -> None:
    full = pdf_writer(tmp_path / "full.pdf", [LONG] * 5)
    path = tmp_path / "截断.pdf"
    path.write_bytes(full.read_bytes()[:400])
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "PDF 文件已损坏" in info.value.message and "重新导出" in info.value.message


def test_pdf_header_followed_by_garbage(tmp_path: Path) -> None:
    path = tmp_path / "坏.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(1, 256)) * 20)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "PDF 文件已损坏" in info.value.message


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "docs"


@pytest.mark.slow
@pytest.mark.skipif(
    not CORPUS.is_dir(), reason="real corpus ../shared/corpus/real/docs not present"
)
def test_real_documents_round_trip_through_pdf(tmp_path: Path, pdf_writer) -> None:
    """Real 公文 typeset as PDF (lines filled by width) read back paragraph for paragraph.

    Measured: 66 of 66 documents come back exactly. Spaces are compared away
    (CJK spaces are removed on purpose, "第一条　为" -> "第一条为"), and dots the
    STSong-Light font cannot draw ("·", "•") are left out of the PDF.
    """
    exact = 0
    paths = sorted(CORPUS.glob("*.txt"))
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        paragraphs = [re.sub(r"[\s·•]+", "", ln) for ln in lines if ln.strip()][:60]
        items = [p if len(p) > 20 else ("center", p) for p in paragraphs]
        doc = read_document(pdf_writer(tmp_path / f"{path.stem}.pdf", items))
        exact += [re.sub(r"\s+", "", p.text) for p in doc.paragraphs] == paragraphs
    assert exact >= len(paths) * 0.95
