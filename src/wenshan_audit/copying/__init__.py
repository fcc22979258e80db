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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..audit import AuditOptions
    from ..config import Config
    from .check import CopyCheck


def build(config: Config, options: AuditOptions) -> CopyCheck | None:
    from .check import build as build_check

    return build_check(config, options)
