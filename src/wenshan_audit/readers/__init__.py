"""Readers turn a file into one :class:`Document` (text, paragraphs, 公文 metadata).

One module per format; :func:`read_document` picks the reader by content
(magic bytes) first and by suffix second, so a misnamed file gets an honest
message instead of a parser traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import ReadError
from ..model import Document
from . import text as text_reader

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".doc", ".wps", ".ofd")
MAX_BYTES = 50 * 1024 * 1024  # larger files are almost never a single 公文

Reader = Callable[[Path, bytes], Document]


def _reader_for(path: Path, head: bytes) -> Reader:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return text_reader.read
    if suffix == ".docx":
        from . import docx as docx_reader

        return docx_reader.read
    if suffix == ".pdf":
        from . import pdf as pdf_reader

        return pdf_reader.read
    if suffix in (".doc", ".wps"):
        from . import legacy as legacy_reader

        return legacy_reader.read
    if suffix == ".ofd":
        from . import ofd as ofd_reader

        return ofd_reader.read
    raise ReadError(
        path,
        f"不支持的文件类型“{path.suffix or '无扩展名'}”",
        "支持的格式：" + "、".join(SUPPORTED_SUFFIXES),
    )


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a Document with metadata; raise ReadError when impossible."""
    from ..metadata import extract

    if not path.exists():
        raise ReadError(path, "文件不存在", "请检查路径是否正确")
    if path.is_dir():
        raise ReadError(path, "这是一个文件夹而不是文件")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                path,
                f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB）",
                "请确认这是单份公文；如确需审核，请拆分后再试",
            )
        if size == 0:
            raise ReadError(path, "文件为空（0 字节）", "请确认文件已正确保存")
        data = path.read_bytes()
    except PermissionError:
        raise ReadError(path, "没有读取权限", "请检查文件权限或关闭占用该文件的程序") from None
    except OSError as exc:
        raise ReadError(path, f"读取失败（{exc.strerror}）") from None
    doc = _reader_for(path, data[:8])(path, data)
    if not doc.text.strip():
        raise ReadError(path, "未提取到任何文字", "请确认文件内容不为空")
    return replace(doc, meta=extract(doc))


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders recursively into supported files, in a stable order.

    Explicit file arguments are yielded as given (so an unsupported file gets
    its message); inside folders, only supported suffixes are taken and
    Office lock files (``~$x.docx``) are skipped.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not child.name.startswith(("~$", "."))
                ):
                    yield child
        else:
            yield path
