"""Word 97-2003 ``.doc`` and WPS ``.wps`` files (OLE compound files with a WordDocument stream).

The OLE container is read with legacy-doc's ``OleReader`` (pure Python, with
limits against cyclic or oversized chains). The text itself is taken from the
piece table by story, following the FIB ([MS-DOC] 2.5), because legacy-doc's
``extract_text`` merges all stories: it appends headers to the body and glues a
table's last cell to the next paragraph, which hides the signature block.
Here the main story gives body and table paragraphs (a cell ends with 0x07),
the header story is split into headers and footers by PlcfHdd, and text boxes
come from their own story. Field codes are dropped, field results kept.

Files this cannot read (WPS proprietary format, Microsoft Works, Word 6/95) are
converted with LibreOffice when ``soffice`` is on PATH; otherwise the message
says how to save them as .docx. Encrypted files are never converted.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from array import array
from dataclasses import replace
from pathlib import Path

from legacy_doc.exceptions import LegacyDocError
from legacy_doc.ole import OleReader
from legacy_doc.types import ExtractionOptions

from ..errors import ReadError
from ..model import Document
from ._build import assemble

_SAVE_AS = "请用 WPS/Word 打开后“另存为”.docx 再试"
_SOFFICE_TIMEOUT = 120  # seconds; a first LibreOffice start can be slow
_HDD_KIND = ("header", "header", "footer", "footer", "header", "footer")  # PlcfHdd story order


class _Unreadable(Exception):
    """A format this parser does not handle (LibreOffice may still read it)."""


class _Encrypted(Exception):
    pass


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def _piece_text(word: bytes, clx: bytes) -> str:
    """The whole document text, one Python char per character position (CP)."""
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + _u16(clx, pos + 1)
    if pos >= len(clx) or clx[pos] != 0x02:
        raise LegacyDocError("piece table not found")
    plc = clx[pos + 5 : pos + 5 + _u32(clx, pos + 1)]
    count = (len(plc) - 4) // 12
    cps = [_u32(plc, 4 * k) for k in range(count + 1)]
    chunks = []
    for k in range(count):
        chars = cps[k + 1] - cps[k]
        fc = _u32(plc, 4 * (count + 1) + 8 * k + 2)
        if fc & 0x40000000:  # "compressed": one cp1252 byte per char
            start = (fc & 0x3FFFFFFF) // 2
            chunks.append(word[start : start + chars].decode("cp1252", errors="replace"))
        else:  # UTF-16LE; surrogates kept as two chars so that CPs stay aligned
            units = array("H")
            units.frombytes(word[fc : fc + 2 * chars])
            chunks.append("".join(map(chr, units)))
    return "".join(chunks)


def _paragraphs(story: str, part: str) -> list[tuple[str, str]]:
    """Split a story into paragraphs; drop field codes and control chars."""
    out: list[tuple[str, str]] = []
    fields: list[bool] = []  # per open field: whether its result part has started
    current: list[str] = []
    for char in story:
        if char == "\x13":
            fields.append(False)
        elif char == "\x14" and fields:
            fields[-1] = True
        elif char == "\x15" and fields:
            fields.pop()
        elif not all(fields):
            continue  # inside a field code such as PAGE or HYPERLINK "..."
        elif char in "\r\x07\x0c":
            cell = char == "\x07" and part == "body"
            out.append(("".join(current), "table" if cell else part))
            current = []
        elif char == "\x0b":
            current.append("\n")
        elif char == "\t" or char >= " ":
            current.append(char)
    out.append(("".join(current), part))
    return [(_fix_surrogates(text), kind) for text, kind in out]


def _fix_surrogates(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _stories(ole: OleReader) -> list[tuple[str, str]]:
    """Paragraphs of the body (with tables), text boxes, headers and footers."""
    word = ole.read_stream("WordDocument")
    if len(word) < 0x22 or _u16(word, 0) != 0xA5EC:
        raise _Unreadable("不是 Word 97-2003 格式（可能是 Word 6.0/95 或 WPS 早期格式）")
    if _u16(word, 2) < 0xC1:
        raise _Unreadable("文件为 Word 6.0/95 旧格式")
    flags = _u16(word, 0x0A)
    if flags & 0x0100:
        raise _Encrypted
    table = ole.read_stream("1Table" if flags & 0x0200 else "0Table")
    pos = 0x20
    pos += 2 + 2 * _u16(word, pos)  # FibRgW97
    lw = pos + 2  # FibRgLw97: ccpText is its 4th field
    pos = lw + 4 * _u16(word, pos)
    blob = pos + 2  # FibRgFcLcb97: pairs of (fc, lcb)
    ccp_text, ccp_ftn, ccp_hdd, ccp_mcr, ccp_atn, ccp_edn, ccp_txbx = (
        _u32(word, lw + 4 * k) for k in range(3, 10)
    )
    fc_clx, lcb_clx = _u32(word, blob + 33 * 8), _u32(word, blob + 33 * 8 + 4)
    fc_hdd, lcb_hdd = _u32(word, blob + 11 * 8), _u32(word, blob + 11 * 8 + 4)
    text = _piece_text(word, table[fc_clx : fc_clx + lcb_clx])
    found = _paragraphs(text[:ccp_text], "body")
    start = ccp_text + ccp_ftn + ccp_hdd + ccp_mcr + ccp_atn + ccp_edn
    found += _paragraphs(text[start : start + ccp_txbx], "textbox")
    header_story = text[ccp_text + ccp_ftn : ccp_text + ccp_ftn + ccp_hdd]
    cps = [_u32(table, fc_hdd + 4 * k) for k in range(lcb_hdd // 4)]
    by_kind: dict[str, list[tuple[str, str]]] = {"header": [], "footer": []}
    for k in range(6, len(cps) - 1):
        kind = _HDD_KIND[(k - 6) % 6]
        for para in _paragraphs(header_story[cps[k] : cps[k + 1]], kind):
            if para not in by_kind[kind]:  # sections repeat the same header
                by_kind[kind].append(para)
    return found + by_kind["header"] + by_kind["footer"]


def _with_soffice(path: Path, problem: str) -> Document:
    """Convert with LibreOffice to .docx and read that, or explain how to convert by hand."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReadError(
            path, f"{problem}，无法直接读取", _SAVE_AS + "（或安装 LibreOffice 后可自动转换）"
        )
    from . import docx as docx_reader

    with tempfile.TemporaryDirectory(prefix="wenshan-") as tmp:
        work = Path(tmp)
        # a private profile, so conversion works while the user has LibreOffice open
        profile = (work / "profile").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(work),
            str(path),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=_SOFFICE_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            raise ReadError(path, f"{problem}，LibreOffice 转换失败", _SAVE_AS) from None
        converted = work / (path.stem + ".docx")
        if not converted.is_file():
            raise ReadError(path, f"{problem}，LibreOffice 也无法转换", _SAVE_AS)
        doc = docx_reader.read(path, converted.read_bytes())
    note = f"{problem}，已用 LibreOffice 转换为 .docx 后读取"
    return replace(doc, warnings=(note, *doc.warnings))


def read(path: Path, data: bytes) -> Document:
    options = ExtractionOptions(max_file_bytes=max(len(data), ExtractionOptions.max_file_bytes))
    try:
        ole = OleReader(data, options=options)
        if ole.has_stream("EncryptedPackage"):
            raise _Encrypted
        if not ole.has_stream("WordDocument"):
            raise _Unreadable(
                "不是 Word 97-2003 格式（OLE 中无 WordDocument 流，"
                "可能是 WPS 专有格式或 Microsoft Works 文件）"
            )
        paragraphs = _stories(ole)
    except _Encrypted:
        raise ReadError(
            path, "文档已加密（设置了打开密码）", "请在 WPS/Word 中取消密码后另存为 .docx 再试"
        ) from None
    except _Unreadable as exc:
        return _with_soffice(path, str(exc))
    except Exception:  # LegacyDocError, struct.error, IndexError, ... from a damaged file
        return _with_soffice(path, "文件结构已损坏")
    return assemble(path, paragraphs)
