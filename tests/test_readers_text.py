""".txt / .md reader: the strict decode cascade (BOM -> UTF-8 -> GB18030) on real encoded files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from wenshan_audit.errors import ReadError
from wenshan_audit.readers import read_document

TEXT = (
    "文山县人民政府办公室\n关于精简文件会议切实为基层减负的通知\n\n"
    "各乡（镇）人民政府：\n  各单位要严格控制发文数量，2025年发文总量压减15%以上。\n"
)
GBK_ONLY = "朱镕基、王喆、李堃同志参加。"  # chars outside GB2312
GB18030_ONLY = "𠮷䶮"  # outside GBK


def _write(tmp_path: Path, data: bytes, name: str = "通知.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_lf_text_is_the_file_content(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, TEXT.encode("utf-8")))
    assert doc.text == TEXT
    assert doc.warnings == ()
    for para in doc.paragraphs:
        assert doc.text[para.start : para.end] == para.text
    assert [p.text for p in doc.paragraphs][
        -1
    ] == "各单位要严格控制发文数量，2025年发文总量压减15%以上。"


def test_utf8_with_bom(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, codecs.BOM_UTF8 + TEXT.encode("utf-8")))
    assert doc.text == TEXT


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gb_encodings(tmp_path: Path, encoding: str) -> None:
    text = TEXT + GBK_ONLY + "\n"
    doc = read_document(_write(tmp_path, text.encode(encoding), "工作提示.md"))
    assert doc.text == text
    assert doc.warnings == ("文件编码为 GB18030，已自动转换",)


def test_gb18030_only_characters(tmp_path: Path) -> None:
    text = TEXT + GB18030_ONLY
    assert read_document(_write(tmp_path, text.encode("gb18030"))).text == text


def test_short_gb18030_text(tmp_path: Path) -> None:
    assert read_document(_write(tmp_path, "精简文件".encode("gb18030"))).text == "精简文件"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, encoding: str) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert read_document(_write(tmp_path, data)).text == TEXT


def test_crlf_and_cr_line_endings(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, TEXT.replace("\n", "\r\n").encode("gb18030")))
    assert doc.text == TEXT
    doc = read_document(_write(tmp_path, TEXT.replace("\n", "\r").encode("utf-8")))
    assert doc.text == TEXT


def test_big5_is_not_passed_off_as_gb18030(tmp_path: Path) -> None:
    text = (
        "為深入貫徹落實中央關於精簡文件會議的決策部署，"
        "現就有關事項通知如下：各單位要嚴格控制發文數量。"
    )
    with pytest.raises(ReadError) as info:
        read_document(_write(tmp_path, text.encode("big5")))
    assert "无法识别文件编码" in info.value.message


def test_binary_content_in_txt(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_document(_write(tmp_path, b"\x00\x01\x02\x03binary\x00" * 50))
    assert "二进制" in info.value.message
