"""Copy detection (照搬上级文件): which passages of a draft come from which upper document.

``build(config, options)`` returns the ``copy`` check when a reference corpus
is known (``--against`` or ``[reference]`` in the config), else None. numpy and
the index are imported only then, so a CLI run without copy detection stays
fast.

Config (``[reference]``)::

    corpus = "上级文件"        # folder of upper-level documents (indexed automatically)
    index = "索引目录"          # or a prebuilt index (wenshan-audit index build)
    cache_dir = ".wenshan-cache"  # where automatic indexes live
    warning = 0.3               # copy ratio (excluding citations) for a warning
    error = 0.5                 # ... and for an error
    min_passage = 13            # shortest reported passage, in text characters
    forwarding = 0.6            # single-source ratio that makes a forwarding wrapper
    forwarding_note = 300       # at most this many own characters in such a wrapper
    max_sources = 20            # candidate sources aligned per draft
    boilerplate = "套话.yaml"    # an office's own boilerplate, added to rules/boilerplate.yaml
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...audit import AuditOptions
    from ...config import Config
    from .check import CopyCheck


def build(config: Config, options: AuditOptions) -> CopyCheck | None:
    from .check import build as build_check

    return build_check(config, options)


def copied_spans(section: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, source label) of every copied passage of a ``copy`` section;
    the label is 《title》, else the file name."""
    return [
        (
            p["start"],
            p["end"],
            f"《{source['title']}》" if source.get("title") else Path(source["path"]).name,
        )
        for source in section.get("sources", ())
        for p in source["passages"]
    ]
