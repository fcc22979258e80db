"""read_document / iter_files: dispatch, magic-byte sniffing, bad input (real broken files)."""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from wenshan_audit.errors import ReadError
from wenshan_audit.readers import iter_files, read_document, sniff

DATA = Path(__file__).parent / "data"


def _docx(path: Path, *paragraphs: str) -> Path:
    doc = DocxDocument()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def _error(path: Path, **kwargs: int) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path, **kwargs)
    message = info.value.message
    assert str(path) in message  # every message names the file
    return message


def test_missing_path(tmp_path: Path) -> None:
    assert "文件不存在" in _error(tmp_path / "没有这个文件.docx")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.docx"
    path.write_bytes(b"")
    assert "文件为空" in _error(path)


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = _docx(tmp_path / "大.docx", "关于精简文件的通知" * 200)
    message = _error(path, max_bytes=1024)
    assert "文件过大" in message and "拆分" in message


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "表格.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    message = _error(path)
    assert "不支持的文件类型" in message and ".docx" in message


def test_directory_without_readable_files(tmp_path: Path) -> None:
    folder = tmp_path / "草稿"
    folder.mkdir()
    (folder / "说明.xlsx").write_bytes(b"x")
    (folder / "~$锁文件.docx").write_bytes(b"x")
    assert list(iter_files([folder])) == [folder]  # yielded itself, so that it is reported
    message = _error(folder)
    assert "文件夹中没有可审核的文件" in message and ".docx" in message


def test_directory_with_files_is_expanded(tmp_path: Path) -> None:
    _docx(tmp_path / "b.docx", "乙")
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("丙", encoding="utf-8")
    assert [p.name for p in iter_files([tmp_path])] == ["a.txt", "b.docx", "c.md"]
    assert "这是一个文件夹" in _error(tmp_path)


def test_sniff_recognises_real_formats(tmp_path: Path, pdf_writer) -> None:
    assert sniff((DATA / "sample.doc").read_bytes()) == "ole"
    assert sniff(_docx(tmp_path / "a.docx", "甲").read_bytes()) == "zip"
    assert sniff(pdf_writer(tmp_path / "a.pdf", ["正文"]).read_bytes()) == "pdf"
    assert sniff("\ufeff通知".encode()) == "text"
    assert sniff("通知".encode("utf-16")) == "text"


@pytest.mark.parametrize(
    ("content", "expected", "remedy"),
    [
        (
            b"<!DOCTYPE html><html><body>\xe9\x80\x9a\xe7\x9f\xa5</body></html>",
            "网页（HTML）",
            "另存为",
        ),
        ("关于精简文件的通知\n各单位：\n".encode(), "纯文本", ".txt"),
        (b"{\\rtf1\\ansi hello}", "RTF", "另存为"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF", ".pdf"),
        (bytes(range(256)) * 4, "无法识别的二进制数据", "损坏"),
    ],
)
def test_docx_that_is_really_something_else(
    tmp_path: Path, content: bytes, expected: str, remedy: str
) -> None:
    path = tmp_path / "通知.docx"
    path.write_bytes(content)
    message = _error(path)
    assert f"实际是{expected}" in message and remedy in message


def test_docx_that_is_really_an_ole_doc(tmp_path: Path) -> None:
    path = tmp_path / "通知.docx"
    path.write_bytes((DATA / "sample.doc").read_bytes())
    message = _error(path)
    assert "Word 97-2003" in message and "扩展名改为 .doc" in message


def test_password_protected_docx(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _docx(tmp_path / "plain.docx", "机密文件")
    path = tmp_path / "加密.docx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    message = _error(path)
    assert "已加密" in message and "取消密码" in message


def test_pdf_that_is_really_a_docx(tmp_path: Path) -> None:
    message = _error(_docx(tmp_path / "通知.pdf", "正文"))
    assert "实际是ZIP 压缩包" in message and "扩展名改为 .docx" in message


def test_txt_that_is_really_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    message = _error(path)
    assert "实际是PDF" in message and ".pdf" in message


def test_random_bytes_in_txt(tmp_path: Path) -> None:
    path = tmp_path / "乱码.txt"
    path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(1, 2000)).replace(b"\x00", b"\x01"))
    message = _error(path)
    assert "无法识别文件编码" in message and "另存为" in message


def test_docx_without_any_text(tmp_path: Path) -> None:
    path = _docx(tmp_path / "空白.docx", "", "   ")
    assert "未提取到任何文字" in _error(path)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "通知.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "这不是 Word 文档" in _error(path)


def test_metadata_is_filled(tmp_path: Path) -> None:
    path = _docx(
        tmp_path / "通知.docx",
        "文山县人民政府办公室文件",
        "文政办发〔2025〕12号",
        "关于精简文件会议的通知",
        "各乡（镇）人民政府：",
        "现将有关事项通知如下。",
        "文山县人民政府办公室",
        "2025年3月1日",
    )
    doc = read_document(path)
    assert doc.meta.doc_number == "文政办发〔2025〕12号"
    assert doc.meta.date == "2025-03-01"


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".doc", ".ofd"])
def test_damaged_files_never_raise_anything_but_read_error(
    tmp_path: Path, suffix: str, pdf_writer, ofd_writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes flipped, zeroed or cut at random (fixed seed) in real files of each format."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-soffice"))
    text = "关于精简文件的通知，各单位要严格控制发文数量。" * 3
    sources = {
        ".docx": lambda p: _docx(p, *[text] * 8),
        ".pdf": lambda p: pdf_writer(p, [text] * 4),
        ".doc": lambda p: Path(shutil.copyfile(DATA / "sample.doc", p)),
        ".ofd": lambda p: ofd_writer(p, [[text[:28]] * 6]),
    }
    original = sources[suffix](tmp_path / f"original{suffix}").read_bytes()
    rng = random.Random(20251123)
    for i in range(25):
        data = bytearray(original)
        mode = i % 3
        if mode == 0:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif mode == 1:
            data = data[: rng.randrange(8, len(data))]
        else:
            start = rng.randrange(len(data))
            data[start : start + 1500] = bytes(len(data[start : start + 1500]))
        path = tmp_path / f"damaged{i}{suffix}"
        path.write_bytes(bytes(data))
        try:
            read_document(path)
        except ReadError as exc:
            assert str(path) in exc.message
