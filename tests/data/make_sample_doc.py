"""Regenerate tests/data/sample.doc, a real Word 97-2003 file written by LibreOffice.

    .venv/bin/python tests/data/make_sample_doc.py   # needs soffice (LibreOffice) on PATH

It writes a .docx with python-docx (red masthead, body, a table with a merged
row, a text box, a header and a footer), then runs
``soffice --headless --convert-to doc:"MS Word 97" --outdir tests/data sample.docx``.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.shared import RGBColor

TEXTBOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
    '<v:shape id="tb1" style="width:200pt;height:40pt" type="#_x0000_t202"><v:textbox>'
    "<w:txbxContent><w:p><w:r><w:t>文本框：抄送县委办公室</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></w:r>"
)


def build_docx(path: Path) -> None:
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "内部资料 注意保存"
    doc.sections[0].footer.paragraphs[0].text = "文山县人民政府办公室印发"
    run = doc.add_paragraph().add_run("文山县人民政府办公室文件")
    run.font.color.rgb = RGBColor(0xFF, 0, 0)
    doc.add_paragraph("文政办发〔2025〕12号")
    doc.add_paragraph("关于精简文件会议切实为基层减负的通知")
    doc.add_paragraph("各乡（镇）人民政府，县直各部门：")
    doc.add_paragraph(
        "为深入贯彻落实上级关于精简文件会议的部署，县政府办公室每季度通报各单位发文数量，"
        "2025年发文总量较上年压减15%以上。"
    )
    table = doc.add_table(rows=3, cols=2)
    for (row, col), text in {
        (0, 0): "单位",
        (0, 1): "限额",
        (1, 0): "县政府办公室",
        (1, 1): "30份",
    }.items():
        table.cell(row, col).text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "合计30份"
    doc.add_paragraph("文山县人民政府办公室")._p.append(parse_xml(TEXTBOX))
    doc.add_paragraph("2025年3月1日")
    doc.save(str(path))


def main() -> None:
    out = Path(__file__).parent
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sample.docx"
        build_docx(source)
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
