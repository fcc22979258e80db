"""The auditing service: documents in, findings out.

Each concept module (``burden``, ``copying``, ``measures``, ``quota``) exposes
``build(config, options) -> Check | None``; the auditor builds the enabled
checks once (opening indexes, ledgers and models once) and runs them over
every document. A check that reads another's outcome on the same document
(the draft's own measures are those outside copied passages) declares it in
``needs``; the auditor runs checks in dependency order and hands it the
outcomes it asked for (absent when that check is not enabled). Read failures are data (:class:`ReadFailure`), not exceptions,
so one bad file never stops a batch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from . import waivers
from .config import Config
from .errors import ReadError
from .model import AuditResult, CheckOutcome, Document, DocumentResult, Finding, ReadFailure
from .readers import iter_files, read_document

#: concept modules that provide a check, in report order
CHECK_MODULES: tuple[str, ...] = ("copying", "burden", "measures", "quota")


class Check(Protocol):
    """One auditing concern. Checks never print and never decide the exit code."""

    #: short id: the key of the check's JSON section and the prefix of its rule ids
    name: str

    def run(self, doc: Document) -> CheckOutcome: ...


#: outcomes of the checks already run on a document, by check name
Outcomes = Mapping[str, CheckOutcome]


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
    extra: dict[str, object] = field(default_factory=dict)


def build_checks(config: Config, options: AuditOptions) -> list[Check]:
    checks = []
    for name in CHECK_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        check = module.build(config, options)
        if check is not None:
            checks.append(check)
    return checks


def _selected(rule: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    keep = not select or any(rule.startswith(p) for p in select)
    return keep and not any(rule.startswith(p) for p in ignore)


class Auditor:
    """Runs the enabled checks over documents."""

    def __init__(self, config: Config, options: AuditOptions | None = None) -> None:
        self.config = config
        self.options = options or AuditOptions()
        self.checks = dependency_order(build_checks(config, self.options))
        self.select = self.options.select or tuple(config.get_list("", "select"))
        self.ignore = self.options.ignore or tuple(config.get_list("", "ignore"))
        self.waivers = waivers.load(config)

    def audit_document(self, doc: Document) -> DocumentResult:
        findings: list[Finding] = []
        sections: dict[str, dict] = {}
        outcomes: dict[str, CheckOutcome] = {}
        for check in self.checks:
            outcome = outcomes[check.name] = run_check(check, doc, outcomes)
            findings.extend(
                f for f in outcome.findings if _selected(f.rule, self.select, self.ignore)
            )
            if outcome.data is not None:
                sections[check.name] = outcome.data
        findings.sort(key=lambda f: (f.start, -f.severity.rank))
        kept, waived = self.waivers.apply(doc, findings)
        return DocumentResult(document=doc, findings=kept, sections=sections, waived=waived)

    def audit_path(self, path: Path) -> DocumentResult | ReadFailure:
        """Read and audit one file; any failure on this file is data, never an exception."""
        try:
            return self.audit_document(read_document(path))
        except ReadError as exc:
            return ReadFailure(path, exc.message)
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop a batch
            return ReadFailure(
                path,
                f"审核 {path} 时出错（{type(exc).__name__}：{exc}）。"
                "请确认文件未损坏；如问题持续，请将该文件反馈给维护者",
            )

    def audit_paths(
        self, paths: Iterable[Path], progress: Callable[[Path], None] | None = None
    ) -> AuditResult:
        results: list[DocumentResult] = []
        failures: list[ReadFailure] = []
        for path in iter_files(paths):
            outcome = self.audit_path(path)
            (failures if isinstance(outcome, ReadFailure) else results).append(outcome)
            if progress:
                progress(path)
        return AuditResult(documents=tuple(results), failures=tuple(failures))
