"""Offline OCR of page images (scanned or outlined PDF pages, garbled text layers).

The optional extra ``[ocr]`` installs rapidocr, which ships its Chinese PP-OCR
detection and recognition models inside its wheel and runs them on onnxruntime:
nothing is downloaded. Loading the models is the slow part, so the engine is
built once per process, on first use. Pages are rendered with pypdfium2
(pdfplumber's own renderer). Recognised boxes become :class:`Line` objects, so
OCR'd pages go through the same furniture removal and line re-joining as a
text layer.

Progress on long documents goes to a callback set with :func:`progress`
(the CLI shows it on stderr); the library itself never prints.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ._lines import Line, clean

INSTALL = 'pip install "wenshan-audit[ocr]"'
DPI = 150  # measured: 文号 and body text recognised correctly; higher only costs time
#: called with (file, pages done, pages in all) after each recognised page
PageProgress = Callable[[Path, int, int], None]

_PROGRESS: ContextVar[PageProgress | None] = ContextVar("ocr_progress", default=None)
_ENGINE: Any = None


def available() -> bool:
    """Whether the ``[ocr]`` extra is installed."""
    return all(importlib.util.find_spec(name) for name in ("rapidocr", "onnxruntime"))


@contextmanager
def progress(callback: PageProgress | None) -> Iterator[None]:
    """Report recognised pages to ``callback`` while the block runs."""
    token = _PROGRESS.set(callback)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from rapidocr import RapidOCR

        # detection on at most 1280 px (measured: 2.8 s -> 0.6 s per A4 page at 150 dpi, same
        # text); recognition still reads the crops of the full 150 dpi image
        _ENGINE = RapidOCR(
            params={
                "Global.log_level": "error",
                "Det.limit_type": "max",
                "Det.limit_side_len": 1280,
            }
        )
    return _ENGINE


def _joined(texts: list[str]) -> str:
    out = ""
    for text in texts:
        space = out and out[-1].isascii() and out[-1].isalnum() and text[0].isascii()
        out += (" " if space else "") + text
    return out


def image_lines(image: Any) -> list[Line]:
    """The text lines of one page image (an RGB numpy array), top to bottom.

    Boxes on the same visual row are one line. Heights near the page's median
    are set to that median, so that body lines compare as one type size.
    """
    result = _engine()(image)
    if result.boxes is None or not result.txts:
        return []
    boxes = []
    for box, text in zip(result.boxes, result.txts, strict=True):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        if any(c.isalnum() for c in text):  # a lone "■" is a recognised stain, not text
            boxes.append((min(xs), max(xs), min(ys), max(ys), clean(text)))
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for box in sorted(boxes, key=lambda b: (b[2] + b[3]) / 2):
        centre, height = (box[2] + box[3]) / 2, box[3] - box[2]
        last = rows[-1] if rows else None
        if last and abs(centre - (last[-1][2] + last[-1][3]) / 2) < 0.5 * min(
            height, last[-1][3] - last[-1][2]
        ):
            last.append(box)
        else:
            rows.append([box])
    heights = sorted(b[3] - b[2] for b in boxes)
    median = heights[len(heights) // 2] if heights else 1.0
    lines = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        height = max(b[3] - b[2] for b in row)
        size = median if 0.8 * median <= height <= 1.2 * median else float(round(height))
        lines.append(Line(_joined([b[4] for b in row]), row[0][0], row[-1][1], size))
    return lines


def image_pages(path: Path, images: Sequence[bytes | None]) -> list[list[Line]]:
    """OCR page images given as encoded files (PNG, JPEG, ...); None is a page without one."""
    import io

    import numpy as np
    from PIL import Image

    report = _PROGRESS.get()
    found: list[list[Line]] = []
    for done, data in enumerate(images, start=1):
        lines: list[Line] = []
        if data is not None:
            with Image.open(io.BytesIO(data)) as image:
                lines = image_lines(np.asarray(image.convert("RGB")))
        found.append(lines)
        if report is not None:
            report(path, done, len(images))
    return found


def pdf_pages(path: Path, data: bytes, numbers: Sequence[int]) -> dict[int, list[Line]]:
    """OCR the given 1-based page numbers of a PDF: page number -> lines."""
    import numpy as np
    import pypdfium2

    report = _PROGRESS.get()
    found: dict[int, list[Line]] = {}
    pdf = pypdfium2.PdfDocument(data)
    try:
        for done, number in enumerate(numbers, start=1):
            page = pdf[number - 1]
            try:
                bitmap = page.render(scale=DPI / 72)
                image = np.asarray(bitmap.to_pil().convert("RGB"))
            finally:
                page.close()
            found[number] = image_lines(image)
            if report is not None:
                report(path, done, len(numbers))
    finally:
        pdf.close()
    return found
