"""Offsets into ``Document.text`` as the line/column positions CI systems expect."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of ``offset``; lines split at ``\\n``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def relative_uri(path: Path, encode: bool = True) -> str:
    """The path relative to the working directory when inside it (else absolute), ``/``-separated.

    ``encode`` gives a URI reference (percent-encoded; ``file://`` when absolute), as SARIF wants.
    """
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri() if encode else path.resolve().as_posix()
    return quote(shown, safe="/") if encode else shown
