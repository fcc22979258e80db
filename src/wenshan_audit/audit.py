"""The auditing service: documents in, findings out.

Each concept module (``burden``, ``copying``, ``measures``, ``quota``) exposes
``build(config, options) -> Check | None``; the auditor builds the enabled
checks once (opening indexes, ledgers and models once) and runs them over
every document. Read failures are data (:class:`ReadFailure`), not exceptions,
so one bad file never stops a batch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import waivers
from .config import Config
from .errors import ReadError
from .model import AuditResult, CheckOutcome, Document, DocumentResult, Finding, ReadFailure
from .readers import iter_files, read_document, reading_findings

#: concept modules that provide a check, in report order
CHECK_MODULES: tuple[str, ...] = ("copying", "burden", "measures", "quota")


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
        self.checks = build_checks(config, self.options)
        self.select = self.options.select or tuple(config.get_list("", "select"))
        self.ignore = self.options.ignore or tuple(config.get_list("", "ignore"))
        self.waivers = waivers.load(config)

    def audit_document(self, doc: Document) -> DocumentResult:
        findings: list[Finding] = [
            f for f in reading_findings(doc) if _selected(f.rule, self.select, self.ignore)
        ]
        sections: dict[str, dict] = {}
        for check in self.checks:
            outcome = check.run(doc)
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
