"""The pre-commit hook as a library: sort the staged files by folder, then audit or record them.

pre-commit passes the staged files that match the manifest's pattern. The
repository's ``wenshan-audit.toml`` says what each folder holds:

```toml
[hook]
drafts = ["drafts"]   # audited; blocking findings refuse the commit (default: every file)
issued = ["issued"]   # issued documents: recorded in the quota ledger, never blocked
# fail_on = "error"   # default: the top-level fail_on
# max_reasons = 3     # reasons shown per refused file

[reference]
corpus = "upper"      # upper-level documents: indexed by the copy check, never audited
```

Files in none of the folders (README.md, notes) are left alone when ``drafts``
is set. Issued documents are recorded before the drafts are audited, so a
draft is measured against a ledger that already holds this commit's papers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from .audit import blocking, exit_code
from .config import Config
from .errors import ConfigError, ReadError
from .model import AuditResult, DocumentResult, Finding, ReadFailure

DEFAULT_MAX_REASONS = 3
KNOWN_KEYS = {"drafts", "issued", "fail_on", "max_reasons"}


class Role(str, Enum):
    DRAFT = "draft"
    ISSUED = "issued"
    REFERENCE = "reference"
    OTHER = "other"


@dataclass(frozen=True)
class HookSettings:
    """The ``[hook]`` section, with folders resolved against the config file's directory."""

    drafts: tuple[Path, ...]
    issued: tuple[Path, ...]
    reference: Path | None
    fail_on: str
    max_reasons: int

    def role_of(self, path: Path) -> Role:
        here = path.resolve()
        if self.reference is not None and here.is_relative_to(self.reference):
            return Role.REFERENCE
        if any(here.is_relative_to(folder) for folder in self.issued):
            return Role.ISSUED
        if not self.drafts or any(here.is_relative_to(folder) for folder in self.drafts):
            return Role.DRAFT
        return Role.OTHER


def settings(config: Config) -> HookSettings:
    """Parse and validate ``[hook]`` (and where ``[reference] corpus`` lives)."""
    section = config.section("hook", KNOWN_KEYS)
    fail_on = config.fail_on_for(section="hook")
    max_reasons = section.get("max_reasons", DEFAULT_MAX_REASONS)
    if not isinstance(max_reasons, int) or isinstance(max_reasons, bool) or max_reasons < 1:
        raise ConfigError(config.source, "hook.max_reasons", "应为正整数")
    corpus = config.section("reference").get("corpus")
    return HookSettings(
        drafts=_folders(config, "drafts"),
        issued=_folders(config, "issued"),
        reference=config.resolve(corpus).resolve() if isinstance(corpus, str) else None,
        fail_on=fail_on,
        max_reasons=max_reasons,
    )


def _folders(config: Config, key: str) -> tuple[Path, ...]:
    value = config.section("hook").get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(config.source, f"hook.{key}", '应为文件夹路径列表，如 ["drafts"]')
    return tuple(config.resolve(v).resolve() for v in value)


@dataclass(frozen=True)
class Recorded:
    """An issued document the hook passed to the ledger."""

    path: Path
    added: bool  # False: it was there already (same number or same content)
    summary: str  # Chinese: unit, kind, number as recorded


@dataclass(frozen=True)
class HookResult:
    audit: AuditResult
    fail_on: str
    max_reasons: int = DEFAULT_MAX_REASONS
    recorded: tuple[Recorded, ...] = ()
    skipped: tuple[Path, ...] = ()  # neither draft nor issued: left alone
    references: tuple[Path, ...] = ()  # upper-level documents staged in this commit
    problems: tuple[ReadFailure, ...] = field(default=())  # issued files the ledger refused

    def blocking(self, result: DocumentResult) -> tuple[Finding, ...]:
        return blocking(result.findings, self.fail_on)

    @property
    def refused(self) -> tuple[DocumentResult, ...]:
        return tuple(d for d in self.audit.documents if self.blocking(d))

    @property
    def exit_code(self) -> int:
        """2: no file could be read; 1: a draft has blocking findings or a file could not be
        read; 0: the commit may go on (see :func:`.audit.exit_code`)."""
        failures = (*self.audit.failures, *self.problems)
        return exit_code(replace(self.audit, failures=failures), self.fail_on)


def run(config: Config, paths: Sequence[Path], hook: HookSettings | None = None) -> HookResult:
    """Record the issued documents among ``paths``, then audit the drafts."""
    from .audit import AuditOptions, Auditor

    hook = hook or config.parsed("hook")
    roles: dict[Role, list[Path]] = {role: [] for role in Role}
    for path in paths:
        roles[hook.role_of(path)].append(path)
    recorded, problems = record_issued(config, roles[Role.ISSUED])
    audit = AuditResult(documents=())
    if roles[Role.DRAFT]:
        stamp = ReferenceStamp.of(config)
        index = stamp.unchanged_index() if stamp else None
        auditor = Auditor(config, AuditOptions(against=index))
        if stamp and index is None:
            stamp.save()  # the auditor has just refreshed the index to this state
        audit = auditor.audit_paths(roles[Role.DRAFT])
    return HookResult(
        audit=audit,
        fail_on=hook.fail_on,
        max_reasons=hook.max_reasons,
        recorded=recorded,
        skipped=tuple(roles[Role.OTHER]),
        references=tuple(roles[Role.REFERENCE]),
        problems=problems,
    )


@dataclass(frozen=True)
class ReferenceStamp:
    """Lets a commit skip the refresh of an unchanged ``[reference] corpus`` index.

    The copy check refreshes the corpus index on every run, resolving and
    stat-ing each file (about 0.5 s of CPU for 10,000 documents). The hook
    records what the corpus folder looked like (every file's path, size and
    mtime, found with ``os.scandir``: a few milliseconds) together with the
    index's own ``meta.json`` once the index is fresh; while both are unchanged
    the next run opens the built index directly. Anything else (a file added,
    changed or removed, the index rebuilt, another tool version) takes the
    normal refreshing path.
    """

    corpus: Path
    index: Path
    signature: str

    @classmethod
    def of(cls, config: Config) -> ReferenceStamp | None:
        section = config.section("reference")
        if not isinstance(section.get("corpus"), str):
            return None
        from .checks.copying.backend import backend_of

        if backend_of(config) == "redis":  # a shared index is kept fresh by its owner
            return None
        from .checks.copying.check import index_path

        corpus = config.resolve(section["corpus"])
        if not corpus.is_dir():
            return None  # the copy check reports the missing folder
        index = index_path(config, corpus)
        assert index is not None
        return cls(corpus=corpus, index=index, signature=_folder_signature(corpus))

    @property
    def path(self) -> Path:
        return self.index.with_name(self.index.name + ".hook-stamp")

    def _current(self) -> str:
        from . import __version__
        from .checks.copying.index import FORMAT_VERSION

        meta = self.index / "meta.json"
        state = meta.stat() if meta.is_file() else None
        fresh = (state.st_size, state.st_mtime_ns) if state else None
        return f"{__version__}|{FORMAT_VERSION}|{fresh}|{self.signature}"

    def unchanged_index(self) -> Path | None:
        """The index to open without a refresh, or None when it must be refreshed."""
        try:
            saved = self.path.read_text(encoding="utf-8")
        except OSError:
            return None
        return self.index if "|None|" not in saved and saved == self._current() else None

    def save(self) -> None:
        """Best effort: without a stamp the next run simply refreshes again."""
        try:
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(self._current(), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


def _folder_signature(folder: Path) -> str:
    """Digest of every file's relative path, size and mtime under ``folder`` (links followed)."""
    digest = hashlib.blake2b(digest_size=16)
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir():
                    stack.append(Path(entry.path))
                elif entry.is_file():
                    info = entry.stat()
                    digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def record_issued(
    config: Config, paths: Iterable[Path]
) -> tuple[tuple[Recorded, ...], tuple[ReadFailure, ...]]:
    """Add issued documents to the quota ledger; re-recording one adds nothing."""
    paths = list(paths)
    if not paths:
        return (), ()
    from .checks.quota.config import ledger_path
    from .ledger import Ledger, entry_from_document
    from .readers import read_document

    resolver = config.parsed("quota")  # None: the unit is the issuer the metadata names
    recorded: list[Recorded] = []
    problems: list[ReadFailure] = []
    with Ledger.open(ledger_path(config)) as ledger:
        for path in paths:
            try:
                entry = entry_from_document(read_document(path), resolver)
            except ReadError as exc:
                problems.append(ReadFailure(path, exc.message))
                continue
            report = ledger.add([entry])
            facts = (entry.unit, entry.kind, entry.doc_number, f"{entry.year} 年")
            summary = " ".join(x for x in facts if x)
            recorded.append(Recorded(path=path, added=bool(report.added), summary=summary))
    return tuple(recorded), tuple(problems)
