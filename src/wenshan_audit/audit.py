"""The auditing service: documents in, findings out.

Each check module (:data:`.checks.CHECK_MODULES`) exposes ``build(config, options) ->
Check | None``; the auditor builds the enabled checks once (opening indexes,
ledgers and models once) and runs them over every document. Auditing is two
steps: :meth:`Auditor.examine` runs the checks, :meth:`Auditor.settle` applies
the rule selection and the waivers, so that batch-level findings (merge
candidates, duplicates) added in between are selected and waived like any
other. Read failures are data (:class:`ReadFailure`), not exceptions, so one
bad file never stops a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from . import rulebook
from .checks import AuditOptions, build_checks, run_check
from .config import Config
from .errors import ReadError, WenshanError
from .model import (
    AuditResult,
    CheckOutcome,
    Document,
    DocumentResult,
    Finding,
    ReadFailure,
    Severity,
)
from .readers import iter_files, read_document, reading_findings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def blocking(findings: Iterable[Finding], fail_on: str) -> tuple[Finding, ...]:
    """The findings that reach the ``fail_on`` threshold (``never``: none)."""
    if fail_on == "never":
        return ()
    threshold = Severity(fail_on).rank
    return tuple(f for f in findings if f.severity.rank >= threshold)


def exit_code(result: AuditResult, fail_on: str) -> int:
    """2 if nothing could be audited, else 1 if a problem reaches ``fail_on``, else 0.

    A file that could not be audited counts as an error-level problem, so a hook
    still refuses it, while the documents that were audited keep their verdict.
    """
    if result.failures and not result.documents:
        return EXIT_ERROR
    hit = any(blocking(d.findings, fail_on) for d in result.documents)
    unreadable = bool(result.failures) and fail_on != "never"  # error reaches every threshold
    return EXIT_FINDINGS if hit or unreadable else EXIT_CLEAN


def no_documents(
    paths: Iterable[Path], found: Iterable[Path], hint: str = ""
) -> WenshanError | None:
    """The error when ``paths`` hold no document at all (only empty folders), else None.

    :func:`.readers.iter_files` yields a named folder without documents itself,
    so that the message can name it.
    """
    paths, found = list(paths), list(found)
    if found and not all(p in paths and p.is_dir() for p in found):
        return None
    folders = "、".join(str(p) for p in found or paths)
    return WenshanError(
        f"{folders} 中没有找到可审核的文件（支持 .docx .pdf .txt .md .doc .wps .ofd），"
        f"请检查路径{hint}。"
    )


def _selectors(
    book: rulebook.Rulebook, config: Config, given: tuple[str, ...], key: str
) -> tuple[str, ...]:
    """The command line's selectors, else the config's; each must select a rule."""
    if given:
        return book.validate(given, f"--{key}")
    return book.validate(config.get_list("", key), key, config.source)


class Auditor:
    """Runs the enabled checks over documents."""

    def __init__(self, config: Config, options: AuditOptions | None = None) -> None:
        self.config = config
        self.options = options or AuditOptions()
        self.rulebook = rulebook.load(config)
        self.select = _selectors(self.rulebook, config, self.options.select, "select")
        self.ignore = _selectors(self.rulebook, config, self.options.ignore, "ignore")
        self.waivers = config.parsed("waivers")
        for waiver in self.waivers.items:
            where = f"waivers 第 {waiver.index} 条的 rules"
            self.rulebook.validate(waiver.rules, where, config.source)
        self.checks = build_checks(config, self.options)

    def examine(self, doc: Document) -> DocumentResult:
        """Every finding of every check, before selection and waivers."""
        findings: list[Finding] = list(reading_findings(doc))
        sections: dict[str, dict] = {}
        outcomes: dict[str, CheckOutcome] = {}
        for check in self.checks:
            outcome = outcomes[check.name] = run_check(check, doc, outcomes)
            findings.extend(outcome.findings)
            if outcome.data is not None:
                sections[check.name] = outcome.data
        return DocumentResult(document=doc, findings=tuple(findings), sections=sections)

    def settle(self, result: DocumentResult) -> DocumentResult:
        """Keep the selected findings, in text order, and move the waived ones aside."""
        findings = sorted(
            (f for f in result.findings if self.selects(f.rule)),
            key=lambda f: (f.start, -f.severity.rank),
        )
        kept, waived = self.waivers.apply(result.document, findings)
        return replace(result, findings=kept, waived=waived)

    def selects(self, rule: str) -> bool:
        keep = not self.select or any(rulebook.matches(rule, p) for p in self.select)
        return keep and not any(rulebook.matches(rule, p) for p in self.ignore)

    def audit_document(self, doc: Document) -> DocumentResult:
        return self.settle(self.examine(doc))

    def examine_path(self, path: Path) -> DocumentResult | ReadFailure:
        """Read and examine one file; any failure on this file is data, never an exception."""
        try:
            return self.examine(read_document(path))
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
        """Audit every file under ``paths`` one by one (``check``; a batch is :mod:`.batch`)."""
        from .checks.merge import unit_summary

        results: list[DocumentResult] = []
        failures: list[ReadFailure] = []
        for path in iter_files(paths):
            outcome = self.examine_path(path)
            if isinstance(outcome, ReadFailure):
                failures.append(outcome)
            else:
                results.append(self.settle(outcome))
            if progress:
                progress(path)
        documents = tuple(results)
        return AuditResult(
            documents,
            tuple(failures),
            units=tuple(unit_summary(documents)),
            rules=self.rulebook.of(documents),
        )
