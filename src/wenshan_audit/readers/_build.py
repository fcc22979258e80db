"""Shared helper: assemble a Document from extracted paragraphs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..model import Document, Paragraph
from ._lines import is_page_number


def assemble(
    path: Path,
    parts: Iterable[tuple[str, str]],
    warnings: Iterable[str] = (),
    red: Iterable[int] = (),
    pages: int = 0,
) -> Document:
    """Join ``(text, part)`` pairs with newlines, recording each paragraph's offsets.

    Empty paragraphs and page numbers in headers and footers (a PAGE field's
    result, "— 2 —") are dropped; ``red`` lists indexes into ``parts`` of
    paragraphs in red type and is re-mapped to the kept paragraphs.
    """
    red_set = set(red)
    chunks: list[str] = []
    paragraphs: list[Paragraph] = []
    kept_red: list[int] = []
    pos = 0
    for index, (raw, part) in enumerate(parts):
        text = raw.strip()
        if not text or (part in ("header", "footer") and is_page_number(text)):
            continue
        if chunks:
            chunks.append("\n")
            pos += 1
        if index in red_set:
            kept_red.append(len(paragraphs))
        paragraphs.append(Paragraph(pos, pos + len(text), text, part))
        chunks.append(text)
        pos += len(text)
    return Document(
        path=path,
        text="".join(chunks),
        paragraphs=tuple(paragraphs),
        warnings=tuple(warnings),
        red_paragraphs=tuple(kept_red),
        pages=pages,
    )
