"""OFD reader on hand-built OFD packages (GB/T 33190 layout: OFD.xml, Document.xml, Content.xml)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from wenshan_audit.errors import ReadError
from wenshan_audit.readers import read_document

BODY = "为深入贯彻落实党中央关于精简文件简报的决策部署，严格控制发文数量，现就有关事项通知如下。"


def test_lines_pages_and_furniture(tmp_path: Path, ofd_writer) -> None:
    page1 = [
        "文山县人民政府办公室文件",
        "文政办发〔2025〕12号",
        "关于精简文件会议的通知",
        "各乡（镇）人民政府：",
        BODY[:30],
        BODY[30:],
        "一、严格控制发文数量",
        "各单位发文总量较上年压减15%以上，县政府办公室每季度通报",
        "— 1 —",
    ]
    page2 = ["各单位发文情况。", "文山县人民政府办公室", "2025年3月1日", "— 2 —"]
    doc = read_document(ofd_writer(tmp_path / "通知.ofd", [page1, page2]))
    assert [p.text for p in doc.paragraphs] == [
        "文山县人民政府办公室文件",
        "文政办发〔2025〕12号",
        "关于精简文件会议的通知",
        "各乡（镇）人民政府：",
        BODY,
        "一、严格控制发文数量",
        "各单位发文总量较上年压减15%以上，县政府办公室每季度通报各单位发文情况。",
        "文山县人民政府办公室",
        "2025年3月1日",
    ]
    assert doc.pages == 2
    assert doc.meta.doc_number == "文政办发〔2025〕12号"


def test_a_wide_gap_separates_paragraphs(tmp_path: Path, ofd_writer) -> None:
    full = BODY[:28]  # a full line without end punctuation
    joined = read_document(ofd_writer(tmp_path / "a.ofd", [[full, "各单位要认真执行。"]]))
    assert [p.text for p in joined.paragraphs] == [full + "各单位要认真执行。"]
    apart = read_document(ofd_writer(tmp_path / "b.ofd", [[full, "", "各单位要认真执行。"]]))
    assert [p.text for p in apart.paragraphs] == [full, "各单位要认真执行。"]


def test_ofd_without_text(tmp_path: Path, ofd_writer) -> None:
    path = ofd_writer(tmp_path / "扫描.ofd", [[], []])
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "没有文字层" in info.value.message and "OCR" in info.value.message


def test_zip_without_ofd_xml(tmp_path: Path) -> None:
    path = tmp_path / "坏.ofd"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Doc_0/Document.xml", "<x/>")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "OFD 文件已损坏" in info.value.message and "PDF/Word" in info.value.message


def test_truncated_ofd(tmp_path: Path, ofd_writer) -> None:
    full = ofd_writer(tmp_path / "full.ofd", [[BODY] * 20])
    path = tmp_path / "截断.ofd"
    path.write_bytes(full.read_bytes()[:300])
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "OFD 文件已损坏" in info.value.message
