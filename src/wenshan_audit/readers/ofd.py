"""OFD (GB/T 33190), the format of many issued 公文, via ofdkit.

ofdkit (stdlib only) orders text by position, which real producers need (some
write one character per TextObject). Its lines then go through the same
furniture removal and line re-joining as PDF; line widths are measured in
characters (a CJK char is 1, a Latin char 0.5) since only the text is used.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..errors import ReadError
from ..model import Document
from ._build import assemble
from ._lines import Line, clean, paragraphs, strip_furniture


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _page_lines(text: str) -> list[Line]:
    """Lines of a page; ofdkit puts a blank line where a wide vertical gap separates paragraphs."""
    lines: list[Line] = []
    gap = False
    for raw in text.split("\n"):
        line = clean(raw)
        if line:
            lines.append(Line(line, 0.0, _width(line), 1.0, starts=gap))
        gap = not line
    return lines


def read(path: Path, data: bytes) -> Document:
    import ofdkit

    try:
        with ofdkit.open(data) as ofd:
            pages = [_page_lines(page.text()) for page in ofd.pages]
            problems = list(ofd.warnings)
    except Exception as exc:  # OFDError, XML errors, zip errors
        raise ReadError(
            path,
            f"OFD 文件已损坏或格式不正确（{exc}）",
            "请用 OFD 阅读器（如数科、福昕）打开确认，或提供 PDF/Word 版本",
        ) from None
    if not any(pages):
        raise ReadError(
            path,
            "OFD 文件没有文字层（可能是扫描件或纯图形）",
            "请先 OCR，或提供可复制文字的 OFD/PDF 或 Word 版本",
        )
    warnings = [f"OFD 部分内容无法读取：{problem}" for problem in problems]
    joined = paragraphs(strip_furniture(pages))
    return assemble(
        path, [(text, "body") for text, _ in joined], warnings=warnings, pages=len(pages)
    )
