"""PDF with a text layer, via pdfplumber.

Fake-bold doubled chars are removed (``dedupe_chars``), page numbers and
running headers are dropped, and visual lines are re-joined into paragraphs
(see ``_lines``). Pages without a text layer (scans, glyphs drawn as outlines)
and garbled text layers are read through OCR when the ``[ocr]`` extra is
installed (see ``ocr``); otherwise, and for encrypted and corrupt PDFs, the
message says what to do.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ReadError
from ..model import Document
from . import ocr
from ._build import assemble
from ._lines import Line, clean, paragraphs, strip_furniture
from .limits import MAX_TEXT_CHARS, TextTooLong
from .quality import garbled

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


def _char_counts(data: bytes) -> list[int] | None:
    """Characters per page as pdfium sees them, or None when pdfium cannot open the file.

    Counting is fast (C), while pdfminer spends seconds parsing a page whose glyphs
    are drawn as outlines only to find no text: such pages are not given to it.
    """
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except Exception:  # noqa: BLE001 - pdfplumber then gives the precise message
        return None
    try:
        counts = []
        for page in pdf:
            text_page = page.get_textpage()
            counts.append(text_page.count_chars())
            text_page.close()
            page.close()
        return counts
    finally:
        pdf.close()


def _text_layer(path: Path, data: bytes) -> list[list[Line]]:
    import pdfplumber

    counts = _char_counts(data)
    pages: list[list[Line]] = []
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index, page in enumerate(pdf.pages):
                empty = counts is not None and index < len(counts) and counts[index] == 0
                lines = [] if empty else _page_lines(page)
                pages.append(lines)
                chars += sum(len(ln.text) for ln in lines)
                if chars > MAX_TEXT_CHARS:
                    raise TextTooLong(path, chars)
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many types, wrapped or not
        raise _open_error(path, exc) from None
    return pages


def _garbled(pages: list[list[Line]]) -> str | None:
    text = "".join(ln.text for page in pages for ln in page)
    if len("".join(_CID.findall(text))) > len(text) / 2:
        return "字体缺少 Unicode 映射，文字无法解码"
    return garbled(text)


def read(path: Path, data: bytes) -> Document:
    pages = _text_layer(path, data)
    blank = [number for number, lines in enumerate(pages, start=1) if not lines]
    if not pages:
        raise ReadError(path, "PDF 没有任何页面", "请重新导出该 PDF")
    problem = _garbled(pages)
    to_ocr = list(range(1, len(pages) + 1)) if problem else blank
    warnings = []
    recognised: tuple[int, ...] = ()
    if to_ocr and ocr.available():
        for number, lines in ocr.pdf_pages(path, data, to_ocr).items():
            pages[number - 1] = lines
        recognised = tuple(n for n in to_ocr if pages[n - 1])
        why = f"文字层乱码（{problem}）" if problem else "没有文字层（扫描件或文字已转为曲线）"
        if not any(pages):
            raise ReadError(
                path, f"{why}，OCR 也未识别出文字", "请提供可复制文字的 PDF 或 Word 版本"
            )
        if recognised:
            warnings.append(f"第 {_listed(list(recognised))} 页{why}，已用 OCR 识别")
        empty = [n for n in to_ocr if not pages[n - 1]]
        if empty:
            warnings.append(f"第 {_listed(empty)} 页没有文字层，OCR 也未识别出文字，已跳过")
    elif problem:
        raise ReadError(
            path,
            f"文字层乱码（{problem}），无法据此审核",
            f"请从原文件重新导出 PDF 或提供 Word 版本；安装 OCR 组件（{ocr.INSTALL}）后可自动识别",
        )
    elif len(blank) == len(pages):
        raise ReadError(
            path,
            "扫描件，无文字层",
            f"请安装 OCR 组件（{ocr.INSTALL}）后重试，或提供可复制文字的 PDF",
        )
    elif blank:
        warnings.append(
            f"第 {_listed(blank)} 页没有文字层（可能是扫描页），已跳过；"
            f"安装 OCR 组件（{ocr.INSTALL}）后可识别"
        )
    joined = paragraphs(strip_furniture(pages))
    doc = assemble(
        path,
        [(text, "body") for text, _ in joined],
        warnings=warnings,
        red=[i for i, (_, red) in enumerate(joined) if red],
        pages=len(pages),
    )
    return replace(doc, ocr_pages=recognised)
