"""The checks: each auditing concern, the options a run gives them, and how they are built.

A check module exposes ``build(config, options) -> Check | None`` (None: not
enabled by this configuration). The rules each check emits are listed in
:mod:`..rulebook`; the batch-level checks (merge candidates, duplicates) run
over a whole batch, in :mod:`.merge`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..config import Config
    from ..model import CheckOutcome, Document

#: modules that provide a check (``build``), in report order
CHECK_MODULES: tuple[str, ...] = ("copying", "burden", "measures", "quota.check")


class Check(Protocol):
    """One auditing concern. Checks never print and never decide the exit code."""

    #: short id: the key of the check's JSON section and the prefix of its rule ids
    name: str

    def run(self, doc: Document) -> CheckOutcome: ...


@dataclass(frozen=True)
class AuditOptions:
    """Per-run choices that come from the command line rather than the config."""

    against: Path | None = None  # reference corpus folder or built index
    unit: str | None = None  # override the issuing unit found in the metadata
    kind: str | None = None  # override the document kind
    select: tuple[str, ...] = ()  # rule-id prefixes to keep (empty: all)
    ignore: tuple[str, ...] = ()  # rule-id prefixes to drop


def build_checks(config: Config, options: AuditOptions) -> list[Check]:
    checks = []
    for name in CHECK_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        check = module.build(config, options)
        if check is not None:
            checks.append(check)
    return checks
