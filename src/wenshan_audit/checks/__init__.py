"""The checks: each auditing concern, the options a run gives them, and how they are built.

A check module exposes ``build(config, options) -> Check | None`` (None: not
enabled by this configuration). A check that reads another's outcome on the
same document (the draft's own measures are those outside copied passages)
declares it in ``needs``; the auditor runs checks in dependency order and hands
it the outcomes it asked for (absent when that check is not enabled). The rules each check emits are listed in
:mod:`..rulebook`; the batch-level checks (merge candidates, duplicates) run
over a whole batch, in :mod:`.merge`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

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


#: outcomes of the checks already run on a document, by check name
Outcomes = Mapping[str, "CheckOutcome"]


@runtime_checkable
class DependentCheck(Protocol):
    """A check that reads the outcomes of other checks on the same document."""

    name: str
    needs: tuple[str, ...]  # names of the checks whose outcomes it reads

    def run(self, doc: Document, earlier: Outcomes | None = None) -> CheckOutcome: ...


def dependency_order(checks: list[Check]) -> list[Check]:
    """``checks`` with every check after the checks it needs (otherwise in given order)."""
    by_name = {c.name: c for c in checks}
    done: dict[str, Check] = {}

    def visit(check: Check, path: tuple[str, ...]) -> None:
        if check.name in done:
            return
        if check.name in path:
            raise ValueError(f"checks depend on each other: {' -> '.join((*path, check.name))}")
        for name in check.needs if isinstance(check, DependentCheck) else ():
            if name in by_name:
                visit(by_name[name], (*path, check.name))
        done[check.name] = check

    for check in checks:
        visit(check, ())
    return list(done.values())


def run_check(check: Check, doc: Document, earlier: Outcomes) -> CheckOutcome:
    if isinstance(check, DependentCheck):
        return check.run(doc, {n: earlier[n] for n in check.needs if n in earlier})
    return check.run(doc)


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
    return dependency_order(checks)
