"""What every reader returns is tested alike: mojibake, decompression limits, and every path
of a batch that cannot be audited is reported."""

from __future__ import annotations

import json
import random
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from typer.testing import CliRunner

from wenshan_audit.cli import app
from wenshan_audit.errors import ReadError
from wenshan_audit.readers import iter_files, ocr, read_document
from wenshan_audit.readers.limits import MAX_PART_BYTES
from wenshan_audit.readers.quality import garbled

SHARED = Path(__file__).parent.parent.parent / "shared" / "corpus"
GARBLED_PDF = SHARED / "formats" / "pdf" / "c5soft_GBT-39677-2020_garbled-text.pdf"
runner = CliRunner()


def _real_documents() -> list[Path]:
    found = [p for d in ("real", "real2") for p in sorted((SHARED / d / "docs").glob("*.*"))]
    if not found:
        pytest.skip(f"real documents not present: {SHARED}")
    return found


def test_no_false_alarm_on_real_documents() -> None:
    documents = _real_documents()
    alarms = [(p.name, garbled(read_document(p).text)) for p in documents]
    assert [a for a in alarms if a[1]] == []
    assert len(documents) >= 100


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wenshan_audit.readers.ocr.available", lambda: False)


def test_garbled_real_pdf_is_reported(no_ocr: None) -> None:
    if not GARBLED_PDF.is_file():
        pytest.skip(f"real files not present: {GARBLED_PDF}")
    with pytest.raises(ReadError) as info:
        read_document(GARBLED_PDF)
    message = info.value.message
    assert "文字层乱码" in message and "罕用汉字" in message and "犌" in message
    assert 'pip install "wenshan-audit[ocr]"' in message


@pytest.mark.slow
@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_garbled_real_pdf_falls_back_to_ocr() -> None:
    if not GARBLED_PDF.is_file():
        pytest.skip(f"real files not present: {GARBLED_PDF}")
    doc = read_document(GARBLED_PDF)
    assert doc.ocr_pages == tuple(range(1, 17))
    assert "GB/T 39677" in doc.text.replace("GB/T39677", "GB/T 39677")
    assert "文字层乱码" in doc.warnings[0]


def _random_ole(path: Path) -> Path:
    rng = random.Random(13)
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.getrandbits(8) for _ in range(20000))
    )
    return path


def test_random_bytes_behind_an_ole_header_without_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-soffice"))
    with pytest.raises(ReadError) as info:
        read_document(_random_ole(tmp_path / "随机.doc"))
    assert "文件结构已损坏" in info.value.message


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_random_bytes_converted_by_libreoffice_are_mojibake(tmp_path: Path) -> None:
    # LibreOffice "converts" such a file into thousands of characters of mojibake
    path = _random_ole(tmp_path / "随机.doc")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "文字层乱码" in info.value.message
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "文字层乱码" in result.output


def _bomb(path: Path, chars: int) -> Path:
    """A .docx whose document.xml holds one <w:t> of ``chars`` characters, written streaming."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            block = ("文" * 1_000_000).encode()
            for _ in range(chars // 1_000_000):
                part.write(block)
            part.write(("文" * (chars % 1_000_000)).encode())
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def test_decompression_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "炸弹.docx", 300_000_000)
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk, 900 MB of XML inside
    started = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_document(path)
    elapsed = time.perf_counter() - started
    assert "解压后过大" in info.value.message and "拆分" in info.value.message
    assert elapsed < 5, f"took {elapsed:.1f} s"


def test_part_under_the_limit_but_text_over_it_is_refused(tmp_path: Path) -> None:
    # 3.1 million characters: 9.3 MB of XML, under the part limit, over the text limit
    path = _bomb(tmp_path / "长.docx", 3_100_000)
    assert (3_100_000 * 3) < MAX_PART_BYTES
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "解压后过大" in info.value.message and "字" in info.value.message


def _docx(path: Path, text: str) -> Path:
    doc = DocxDocument()
    doc.add_paragraph(text)
    doc.save(str(path))
    return path


GOOD = "各乡镇人民政府：县农业农村局负责于3月31日前完成春耕物资储备，县财政局安排资金200万元。"


def test_every_entry_that_cannot_be_audited_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "季度"
    (folder / "子目录").mkdir(parents=True)
    _docx(folder / "正常.docx", GOOD)
    (folder / "像文件的文件夹.docx").mkdir()
    (folder / "坏.docx").write_bytes(b"PK\x03\x04broken")
    (folder / "子目录" / "回到上级").symlink_to("..")
    (folder / "自己.pdf").symlink_to("自己.pdf")
    (folder / "失效.txt").symlink_to("不存在.txt")
    (folder / "~$锁.docx").write_bytes(b"x")  # Office lock file: skipped without a word
    names = {p.name for p in iter_files([folder])}
    assert names == {
        "正常.docx",
        "像文件的文件夹.docx",
        "坏.docx",
        "回到上级",
        "自己.pdf",
        "失效.txt",
    }
    for command in (["check"], ["audit", "-j", "1"]):
        result = runner.invoke(
            app, [*command, str(folder), "-f", "json", "-o", str(tmp_path / "r.json")]
        )
        data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        messages = {Path(f["path"]).name: f["message"] for f in data["failures"]}
        assert "是一个文件夹而不是文件" in messages["像文件的文件夹.docx"]
        assert "循环链接" in messages["回到上级"]
        assert "符号链接循环" in messages["自己.pdf"]
        assert "指向的文件不存在" in messages["失效.txt"]
        assert "已损坏" in messages["坏.docx"]
        assert len(data["documents"]) == 1
        # documents were audited: exit 1 (failures are error-level), not 2; --fail-on never: 0
        assert result.exit_code == 1, result.output
    never = runner.invoke(app, ["check", str(folder), "--fail-on", "never"])
    assert never.exit_code == 0


def test_a_folder_without_documents_is_named(tmp_path: Path) -> None:
    (tmp_path / "空文件夹").mkdir()
    _docx(tmp_path / "有.docx", GOOD)
    result = runner.invoke(
        app, ["check", str(tmp_path / "有.docx"), str(tmp_path / "空文件夹"), "-f", "json"]
    )
    failures = json.loads(result.stdout)["failures"]
    assert len(failures) == 1 and "文件夹中没有可审核的文件" in failures[0]["message"]
    assert str(tmp_path / "空文件夹") in failures[0]["message"]
    alone = runner.invoke(app, ["audit", str(tmp_path / "空文件夹")])
    assert alone.exit_code == 2 and "空文件夹" in alone.output
