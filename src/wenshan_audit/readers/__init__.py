"""Readers turn a file into one :class:`Document` (text, paragraphs, 公文 metadata).

One module per format; :func:`read_document` picks the reader by content
(magic bytes) first and by suffix second, so a misnamed file gets an honest
message instead of a parser traceback. What every reader returns then passes
the same tests: text size, the 密级 decision (``classified``) and mojibake
(``quality``); pages without usable text are read through OCR (``ocr``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import ClassifiedError, ReadError
from ..model import Document, Finding, Severity
from . import classified
from . import text as text_reader
from .limits import MAX_TEXT_CHARS, TextTooLong
from .quality import garbled

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".doc", ".wps", ".ofd")
MAX_BYTES = 50 * 1024 * 1024  # larger files are almost never a single 公文

Reader = Callable[[Path, bytes], Document]


# What a file really is, from its first bytes; keys name the format in messages.
_FORMAT_NAMES = {
    "zip": "ZIP 压缩包（.docx/.ofd 一类）",
    "ole": "Word 97-2003 (.doc) 或 WPS 二进制文件",
    "pdf": "PDF",
    "html": "网页（HTML）",
    "mht": "MHT 网页归档",
    "rtf": "RTF 富文本",
    "xml": "XML（如 Word 2003 XML）",
    "text": "纯文本",
    "binary": "无法识别的二进制数据",
}
# The formats each suffix may hold; "text" suffixes accept any text-like content.
_EXPECTED = {
    ".docx": ("zip",),
    ".ofd": ("zip",),
    ".pdf": ("pdf",),
    ".doc": ("ole",),
    ".wps": ("ole",),
    ".txt": ("text", "html", "mht", "rtf", "xml"),
    ".md": ("text", "html", "mht", "rtf", "xml"),
}
_RENAME_TO = {"zip": ".docx", "ole": ".doc", "pdf": ".pdf", "text": ".txt"}


def sniff(data: bytes) -> str:
    """The real format of ``data`` from its magic bytes (a key of ``_FORMAT_NAMES``)."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if b"%PDF-" in data[:1024]:  # the spec tolerates junk before the header
        return "pdf"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        return "html"
    if head.startswith(b"mime-version:") or b"multipart/related" in head:
        return "mht"
    if head.startswith(b"<?xml"):
        return "xml"
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    return "text" if utf16 or b"\x00" not in data[:4096] else "binary"


def _check_format(path: Path, data: bytes) -> None:
    """Raise ReadError when the content is not what the suffix promises."""
    expected = _EXPECTED[path.suffix.lower()]
    actual = sniff(data)
    if actual == "ole" and "EncryptedPackage".encode("utf-16-le") in data:
        # a password-protected .docx/.xlsx is an OLE container holding the encrypted package
        raise ReadError(
            path,
            "文档已加密（设置了打开密码）",
            "请在 Word/WPS 中取消密码（文件→信息→保护文档）后另存为 .docx 再试",
        )
    if actual in expected:
        return
    if path.suffix.lower() in (".txt", ".md"):
        remedy = f"请把扩展名改为与实际格式一致（{_RENAME_TO.get(actual, '.docx/.pdf')}）后重试"
    elif actual in _RENAME_TO:
        remedy = f"请把扩展名改为 {_RENAME_TO[actual]} 后重试，或用 Word/WPS 打开后“另存为”.docx"
    elif actual == "binary":
        remedy = "文件可能已损坏；请用 Word/WPS 打开确认，再“另存为”.docx 后重试"
    else:
        remedy = "请用 Word/WPS 打开后“另存为”.docx 再试"
    raise ReadError(
        path,
        f"扩展名是 {path.suffix}，但文件内容实际是{_FORMAT_NAMES[actual]}",
        remedy,
    )


def _reader_for(path: Path) -> Reader:
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


def _folder_problem(path: Path) -> ReadError:
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        return ReadError(
            path,
            f"名称以 {path.suffix} 结尾，但这是一个文件夹而不是文件",
            "请检查是否误把文件夹命名成了文件名；文件夹中的文件请按文件夹批量审核",
        )
    if path.is_symlink() and path.resolve() in path.parent.resolve().parents:
        return ReadError(path, "符号链接指向它所在的上级文件夹（循环链接），已跳过", "请删除该链接")
    if any(True for _ in _supported_in(path)):
        return ReadError(path, "这是一个文件夹而不是文件", "请逐个指定文件，或按文件夹批量审核")
    return ReadError(
        path,
        "文件夹中没有可审核的文件",
        "支持的格式：" + "、".join(SUPPORTED_SUFFIXES) + "；请检查路径是否正确",
    )


def _missing(path: Path) -> ReadError:
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except (RuntimeError, OSError) as exc:  # 3.11 raises RuntimeError on a loop
            if "loop" in str(exc).lower() or getattr(exc, "errno", None) == 40:
                return ReadError(
                    path, "符号链接循环（链接指向自己）", "请删除该链接或改为指向真实文件"
                )
        return ReadError(path, "符号链接指向的文件不存在", "请删除该链接或改为指向真实文件")
    return ReadError(path, "文件不存在", "请检查路径是否正确")


def _check_text(doc: Document) -> None:
    """What every reader returns passes the same tests: size, 密级, mojibake."""
    if len(doc.text) > MAX_TEXT_CHARS:
        raise TextTooLong(doc.path, len(doc.text))
    if not doc.text.strip():
        raise ReadError(doc.path, "未提取到任何文字", "请确认文件内容不为空")
    level = classified.marking(doc)
    if level is not None:
        raise ClassifiedError(doc.path, level)
    problem = garbled(doc.text)
    if problem is not None:
        raise ReadError(
            doc.path,
            f"文字层乱码（{problem}），无法据此审核",
            "请用 Word/WPS 打开确认内容正常后“另存为”.docx 再试，或提供 PDF/Word 原件",
        )


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a Document with metadata; raise ReadError when impossible.

    A document marked with a 密级 raises :class:`ClassifiedError` here, before any
    consumer sees its text.
    """
    from ..metadata import extract

    if not path.exists():
        raise _missing(path)
    if path.is_dir():
        raise _folder_problem(path)
    reader = _reader_for(path)  # unsupported suffixes fail before the file is read
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
    _check_format(path, data)
    doc = reader(path, data)
    _check_text(doc)
    return replace(doc, meta=extract(doc))


def _skipped(name: str) -> bool:
    """Office lock files (~$x.docx), hidden files and README files are not documents."""
    return name.startswith(("~$", ".", "README"))


def _supported_in(folder: Path) -> Iterator[Path]:
    """Every entry under ``folder`` named like a document, in a stable order.

    Besides real files this yields what cannot be audited but must be reported:
    a directory or a dangling or looping symlink named ``x.docx``, and a
    symlinked folder that loops back to one of its parents. Other symlinked
    folders are followed once.
    """
    seen = {folder.resolve()}
    pending = [folder]
    found: list[Path] = []
    while pending:
        current = pending.pop()
        try:
            children = list(current.iterdir())
        except OSError:
            continue  # unreadable folder: its parent listing is all we can know
        for child in children:
            if _skipped(child.name):
                continue
            if child.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(child)
            elif child.is_dir():
                target = child.resolve()
                if child.is_symlink() and target in child.parent.resolve().parents:
                    found.append(child)  # a loop: reported, not followed
                elif target not in seen:
                    seen.add(target)
                    pending.append(child)
    yield from sorted(found)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders recursively into supported files, in a stable order.

    Explicit file arguments are yielded as given (so an unsupported file gets
    its message); inside folders, only supported suffixes are taken and
    Office lock files (``~$x.docx``), hidden files and README files are skipped.
    Entries that cannot be audited are yielded too, so that reading them gives
    their message (see ``_supported_in``); a folder the caller named that holds
    no document at all is yielded itself, for the same reason.
    """
    for path in paths:
        if path.is_dir():
            found = list(_supported_in(path))
            yield from found or [path]
        else:
            yield path


def reading_findings(doc: Document) -> tuple[Finding, ...]:
    """What a reviewer must know about how the text was obtained (rule ``read.ocr``)."""
    if not doc.ocr_pages:
        return ()
    first = doc.paragraphs[0] if doc.paragraphs else None
    pages = "、".join(map(str, doc.ocr_pages[:10])) + ("等" if len(doc.ocr_pages) > 10 else "")
    return (
        Finding(
            rule="read.ocr",
            severity=Severity.INFO,
            message=(
                f"第 {pages} 页没有可用的文字层，文字由 OCR 识别：可能有个别错字，"
                "引文位置以识别文字为准，请对照原件核对"
            ),
            start=first.start if first else 0,
            end=first.end if first else 0,
            text=first.text if first else "",
            evidence={"ocr_pages": list(doc.ocr_pages)},
        ),
    )
