"""PDF with a text layer, via pdfplumber.

Fake-bold doubled chars are removed (``dedupe_chars``), page numbers and
running headers are dropped, and visual lines are re-joined into paragraphs
(see ``_lines``). Scanned, encrypted and corrupt PDFs get a clear message.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from ..errors import ReadError
from ..model import Document
from ._build import assemble
from ._lines import Line, clean, paragraphs, strip_furniture

_CID = re.compile(r"\(cid:\d+\)")
# pdfminer logs every repair it makes on a damaged file ("Could not get FontBBox ..."); office
# users get our Chinese message instead, so only its errors are let through.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _is_red(color: Any) -> bool:
    """RGB (1,0,0)-like or CMYK (0,1,1,0)-like fill colours."""
    if not isinstance(color, (tuple, list)):
        return False
    values = [float(v) for v in color if isinstance(v, (int, float))]
    if len(values) == 3:
        r, g, b = values
        return r >= 0.7 and g <= 0.3 and b <= 0.3
    if len(values) == 4:
        c, m, y, k = values
        return c <= 0.2 and m >= 0.7 and y >= 0.7 and k <= 0.3
    return False


def _line(raw: dict[str, Any]) -> Line | None:
    text = clean(raw["text"])
    chars = [c for c in raw["chars"] if c["text"].strip()]
    if not text or not chars:
        return None
    sizes = sorted(float(c["size"]) for c in chars)
    red = sum(_is_red(c.get("non_stroking_color")) for c in chars) * 2 > len(chars)
    return Line(text, float(raw["x0"]), float(raw["x1"]), sizes[len(sizes) // 2], red)


def _unique_char_ids(chars: list[dict[str, Any]], tolerance: float = 1.0) -> set[int]:
    """Chars left after dropping fake-bold copies: same glyph and font within ``tolerance`` pt.

    Same rule as ``Page.dedupe_chars``, which is quadratic (it re-sorts by
    ``list.index``): a page took ~50 ms. Here chars sit in a grid of
    ``tolerance`` cells and only neighbouring cells are compared.
    """
    grid: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    kept: set[int] = set()
    for char in chars:
        key = (char["text"], char.get("fontname"), char.get("size"), char.get("upright"))
        cx, cy = int(char["x0"] // tolerance), int(char["doctop"] // tolerance)
        near = (
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in grid.get((*key, cx + dx, cy + dy), ())
        )
        if any(
            abs(other["x0"] - char["x0"]) <= tolerance
            and abs(other["doctop"] - char["doctop"]) <= tolerance
            for other in near
        ):
            continue
        grid.setdefault((*key, cx, cy), []).append(char)
        kept.add(id(char))
    return kept


def _page_lines(page: Any) -> list[Line]:
    kept = _unique_char_ids(page.chars)
    unique = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in kept)
    raw_lines = unique.extract_text_lines(x_tolerance=1.5, y_tolerance=3)
    return [line for line in map(_line, raw_lines) if line is not None]


def _open_error(path: Path, exc: Exception) -> ReadError:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    name = type(cause).__name__
    if "Password" in name or "Encrypt" in name:
        return ReadError(
            path,
            "PDF 已加密（需要密码才能打开）",
            "请提供未加密的 PDF，或在阅读器中输入密码后“另存为”不加密的 PDF",
        )
    return ReadError(
        path,
        f"PDF 文件已损坏或格式不正确（{name}）",
        "请重新导出或重新下载该 PDF；也可以提供 Word 版本",
    )


def _listed(numbers: list[int]) -> str:
    return "、".join(map(str, numbers[:10])) + ("等" if len(numbers) > 10 else "")


def read(path: Path, data: bytes) -> Document:
    import pdfplumber

    pages: list[list[Line]] = []
    blank: list[int] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                lines = _page_lines(page)
                pages.append(lines)
                if not lines:
                    blank.append(number)
    except Exception as exc:  # pdfminer raises many types, wrapped or not
        raise _open_error(path, exc) from None
    if not pages or len(blank) == len(pages):
        raise ReadError(
            path,
            "扫描件，无文字层",
            "请先 OCR 或提供可复制文字的 PDF",
        )
    text = "".join(ln.text for page in pages for ln in page)
    if len("".join(_CID.findall(text))) > len(text) / 2:
        raise ReadError(
            path,
            "PDF 中的文字无法解码（字体缺少 Unicode 映射或文字受权限保护）",
            "请从原文件重新导出不加限制的 PDF，或提供 Word 版本",
        )
    warnings = []
    if blank:
        warnings.append(f"第 {_listed(blank)} 页没有文字层（可能是扫描页），已跳过")
    joined = paragraphs(strip_furniture(pages))
    return assemble(
        path,
        [(text, "body") for text, _ in joined],
        warnings=warnings,
        red=[i for i, (_, red) in enumerate(joined) if red],
        pages=len(pages),
    )
