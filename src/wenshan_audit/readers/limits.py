"""Limits on what a reader expands, so a small file cannot hold a huge text.

The 50 MB limit applies to the file on disk; a 0.9 MB .docx can hold a
``<w:t>`` of 300 million characters (ZIP compresses repeated text ~1000:1).
The longest real documents here are ~35,000 characters; a book is ~1 million.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import ReadError

MAX_TEXT_CHARS = 3_000_000  # characters a reader returns
MAX_PART_BYTES = 32 * 1024 * 1024  # one XML part of a package, uncompressed (real: < 5 MB)


class TextTooLong(ReadError):
    def __init__(self, path: Path, size: int, unit: str = "字") -> None:
        limit = MAX_TEXT_CHARS if unit == "字" else MAX_PART_BYTES
        super().__init__(
            path,
            f"文件内容解压后过大（超过 {limit:,} {unit}，已读到 {size:,} {unit}），"
            "不像单份公文，可能是损坏文件或“压缩炸弹”",
            "请确认这是单份公文；如确需审核，请拆分后再试",
        )


def read_part(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    """One part of a ZIP package, refused beyond MAX_PART_BYTES (declared or real size)."""
    info = zf.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise TextTooLong(path, info.file_size, "字节")
    with zf.open(info) as stream:
        data = stream.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise TextTooLong(path, len(data), "字节")
    return data
