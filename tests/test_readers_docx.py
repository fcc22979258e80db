""".docx reader: order, tables, text python-docx misses, red type, headers/footers, damage."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from docx.oxml import parse_xml
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

from wenshan_audit.errors import ReadError
from wenshan_audit.readers import read_document
from wenshan_audit.readers.docx import is_red, paragraph_elements

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def _texts(path: Path, part: str | None = None) -> list[str]:
    doc = read_document(path)
    return [p.text for p in doc.paragraphs if part is None or p.part == part]


def _append(doc, xml: str) -> None:
    doc.element.body.insert(len(doc.element.body) - 1, parse_xml(xml))  # before w:sectPr


def test_body_and_tables_in_document_order_with_merged_cells_once(tmp_path: Path) -> None:
    doc = DocxDocument()
    doc.add_paragraph("一、表格之前")
    table = doc.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并单元格"
    table.cell(0, 2).text = "C"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "纵向合并"
    table.cell(1, 1).text = "D"
    inner = table.cell(2, 2).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "嵌套表格"
    doc.add_paragraph("二、表格之后")
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    assert [(p.text, p.part) for p in got.paragraphs] == [
        ("一、表格之前", "body"),
        ("合并单元格", "table"),
        ("C", "table"),
        ("纵向合并", "table"),
        ("D", "table"),
        ("嵌套表格", "table"),
        ("二、表格之后", "body"),
    ]


def test_text_python_docx_misses(tmp_path: Path) -> None:
    doc = DocxDocument()
    _append(
        doc,
        f"<w:p {W}><w:r><w:t>见附件</w:t></w:r>"
        "<w:ins w:id='1' w:author='a'><w:r><w:t>（新增）</w:t></w:r></w:ins>"
        "<w:del w:id='2' w:author='a'><w:r><w:delText>删除的字</w:delText></w:r></w:del>"
        "<w:fldSimple w:instr='DATE'><w:r><w:t>2025年1月1日</w:t></w:r></w:fldSimple>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>3</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        "<w:smartTag w:uri='u' w:element='e'><w:r><w:t>智能标记</w:t></w:r></w:smartTag>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏文字</w:t></w:r>"
        "<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink></w:p>",
    )
    _append(
        doc,
        f"<w:sdt {W}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>内容控件中的段落。</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>",
    )
    # a modern text box (wps) with its VML fallback copy, which must not be read twice
    _append(
        doc,
        f"<w:p {W} {MC} {WPS} {V}><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent>"
        "<mc:Choice Requires='wps'><w:drawing><wps:wsp><wps:txbx><w:txbxContent>"
        "<w:p><w:r><w:t>文本框内：主动公开</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
        "<w:p><w:r><w:t>文本框内：主动公开</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
    )
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    assert [(p.text, p.part) for p in got.paragraphs] == [
        ("见附件（新增）2025年1月1日3智能标记链接", "body"),
        ("内容控件中的段落。", "body"),
        ("正文", "body"),
        ("文本框内：主动公开", "textbox"),
    ]


def test_headers_and_footers_come_after_the_body(tmp_path: Path) -> None:
    doc = DocxDocument()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "内部资料"
    section.footer.paragraphs[0].text = "联系电话：0871-1234567"
    section.footer.add_paragraph("— 1 —")  # a page number is page furniture, not text
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "首页页眉"
    doc.add_paragraph("正文第一段。")
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    assert [(p.text, p.part) for p in got.paragraphs] == [
        ("正文第一段。", "body"),
        ("内部资料", "header"),
        ("首页页眉", "header"),
        ("联系电话：0871-1234567", "footer"),
    ]
    assert [p.text for p in got.body] == ["正文第一段。"]


def test_red_paragraphs_from_runs_and_styles(tmp_path: Path) -> None:
    doc = DocxDocument()
    run = doc.add_paragraph().add_run("文山县人民政府文件")
    run.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    dark = doc.add_paragraph().add_run("中共文山县委办公室")
    dark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    style = doc.styles.add_style("红头", 1)
    style.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    doc.add_paragraph("文山县教育局文件", style="红头")
    mixed = doc.add_paragraph()
    mixed.add_run("红").font.color.rgb = RGBColor(0xFF, 0, 0)
    mixed.add_run("黑色为主的一段正文")
    doc.add_paragraph("普通正文")
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    assert [got.paragraphs[i].text for i in got.red_paragraphs] == [
        "文山县人民政府文件",
        "中共文山县委办公室",
        "文山县教育局文件",
    ]


def test_red_masthead_in_a_text_box_feeds_metadata(tmp_path: Path) -> None:
    doc = DocxDocument()
    _append(
        doc,
        f"<w:p {W} {V}><w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:rPr>"
        "<w:color w:val='FF0000'/></w:rPr><w:t>文山县人民政府办公室文件</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>",
    )
    for text in ("关于精简会议的通知", "各单位：", "现就有关事项通知如下。"):
        doc.add_paragraph(text)
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    assert got.paragraphs[0].part == "textbox" and got.red_paragraphs == (0,)
    assert got.meta.red_header


@pytest.mark.parametrize(
    ("color", "red"),
    [("FF0000", True), ("C00000", True), ("E60012", True), ("000000", False), ("auto", False)],
)
def test_is_red(color: str, red: bool) -> None:
    assert is_red(color) is red


def test_paragraph_elements_map_offsets_back_to_w_p(tmp_path: Path) -> None:
    doc = DocxDocument()
    doc.add_paragraph("第一段")
    doc.add_paragraph("")
    doc.add_table(rows=1, cols=2).cell(0, 1).text = "单元格"
    doc.add_paragraph("第三段")
    doc.sections[0].header.paragraphs[0].text = "页眉"
    doc.save(str(tmp_path / "t.docx"))
    got = read_document(tmp_path / "t.docx")
    reopened = DocxDocument(str(tmp_path / "t.docx"))
    elements = paragraph_elements(reopened.element)
    body = [p for p in got.paragraphs if p.part not in ("header", "footer")]
    assert len(elements) == len(body)
    for element, para in zip(elements, body, strict=True):
        assert Paragraph(element, None).text == para.text == got.text[para.start : para.end]


def test_truncated_docx(tmp_path: Path) -> None:
    doc = DocxDocument()
    doc.add_paragraph("关于精简文件的通知")
    full = tmp_path / "full.docx"
    doc.save(str(full))
    path = tmp_path / "截断.docx"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "文件已损坏" in info.value.message and "另存为" in info.value.message


def test_docx_with_corrupt_member(tmp_path: Path) -> None:
    doc = DocxDocument()
    doc.add_paragraph("关于精简文件的通知" * 50)
    full = tmp_path / "full.docx"
    doc.save(str(full))
    data = bytearray(full.read_bytes())
    with zipfile.ZipFile(full) as z:
        info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 60):
        data[i] ^= 0x5A  # damage the compressed body in place
    path = tmp_path / "损坏.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError) as info_:
        read_document(path)
    assert "损坏" in info_.value.message


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    doc = DocxDocument()
    doc.add_paragraph("正文")
    full = tmp_path / "full.docx"
    doc.save(str(full))
    path = tmp_path / "坏XML.docx"
    with zipfile.ZipFile(full) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "XML 已损坏" in info.value.message


def test_ofd_named_docx(tmp_path: Path, ofd_writer) -> None:
    path = ofd_writer(tmp_path / "通知.docx", [["正文"]])
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "OFD" in info.value.message and ".ofd" in info.value.message
