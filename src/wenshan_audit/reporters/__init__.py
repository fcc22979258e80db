"""Reporters render an AuditResult; they never decide anything.

Every reporter is ``render(result, options) -> str``; the CLI writes the string
to the terminal or to ``--output``. ``FORMATS`` is the one registry of names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ..model import AuditResult


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False  # ANSI colours (terminal only)
    explain: bool = False  # show every sentence's label and cues
    width: int = 100


Renderer = Callable[[AuditResult, ReportOptions], str]

#: format name -> module under reporters/ providing ``render``
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "csv": "csv_report",
    "sarif": "sarif",
    "github": "github",
}


def renderer(fmt: str) -> Renderer:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"{__package__}.{FORMATS[fmt]}")
    return module.render
