"""Batch audit of a folder: file selection, parallel auditing, batch-level analysis.

One call audits a batch: ``audit(config, [Path("drafts")])``, or, to show
progress, ``prepare(...)`` then ``Batch.run(progress)``. Each worker process
builds its own :class:`Auditor` once (indexes, ledgers and models are opened
once per process) and returns picklable, not yet settled results. A file that
cannot be read becomes a :class:`ReadFailure`; the rest of the batch goes on.
The parent then adds the batch-level findings (merge candidates, duplicates,
:mod:`.merge`), settles every document (rule selection and waivers reach the
batch findings too) and summarises the batch by issuing unit.
"""

from __future__ import annotations

import fnmatch
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .audit import AuditOptions, Auditor, no_documents
from .checks.merge import analyze, topic_terms, unit_summary
from .config import Config
from .errors import ConfigError, WenshanError
from .model import AuditResult, DocumentResult, ReadFailure
from .readers import iter_files

#: what one worker returns for one file: the result, or why it could not be audited
Outcome = DocumentResult | ReadFailure
#: an outcome with the document's topic words (for merge candidates), computed in the worker
Audited = tuple[Outcome, tuple[str, ...]]


FILES_PER_WORKER = 30  # with the default --jobs, fewer files per core run in one process


@dataclass(frozen=True)
class BatchSettings:
    """The ``[audit]`` config section merged with the command line."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int = 0  # 0: all cores
    merge_similarity: float = 0.35
    duplicate_similarity: float = 0.9

    def workers(self, files: int) -> int:
        """Processes for ``files`` files: ``jobs`` when set, else one per core with enough work.

        Starting a worker costs about 1.5 s of CPU (imports, models, index),
        the audit of one document about 45 ms (bench/bench_audit.py), so a
        worker is only worth starting for a few dozen documents.
        """
        if self.jobs > 0:
            return max(1, min(self.jobs, files))
        return max(1, min(os.cpu_count() or 1, files // FILES_PER_WORKER))


def section(config: Config) -> BatchSettings:
    """The validated ``[audit]`` section."""
    table = config.section(
        "audit", {"include", "exclude", "jobs", "merge_similarity", "duplicate_similarity"}
    )
    jobs = table.get("jobs", 0)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        raise ConfigError(config.source, "audit.jobs", "应为非负整数（0 表示使用全部 CPU 核）")
    values: dict[str, float] = {}
    for key, default in (("merge_similarity", 0.35), ("duplicate_similarity", 0.9)):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ConfigError(config.source, f"audit.{key}", "应为 0 到 1 之间的小数，如 0.35")
        values[key] = float(value)
    return BatchSettings(
        include=tuple(config.get_list("audit", "include")),
        exclude=tuple(config.get_list("audit", "exclude")),
        jobs=jobs,
        **values,
    )


def settings(
    config: Config,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jobs: int | None = None,
) -> BatchSettings:
    """``[audit]`` with the command line's values: include and jobs replace, exclude adds."""
    if jobs is not None and jobs < 0:
        raise ConfigError("命令行", "--jobs", "应为非负整数（0 表示使用全部 CPU 核）")
    base: BatchSettings = config.parsed("audit")
    return replace(
        base,
        include=tuple(include) or base.include,
        exclude=base.exclude + tuple(exclude),
        jobs=base.jobs if jobs is None else jobs,
    )


def _matches(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def select_files(paths: Sequence[Path], batch: BatchSettings) -> list[Path]:
    """Supported files under ``paths`` filtered by include/exclude globs.

    A glob matches the path relative to the folder given on the command line
    (``*`` also crosses folders) or the bare file name.
    """
    selected: list[Path] = []
    for root in paths:
        base = root if root.is_dir() else root.parent
        for path in iter_files([root]):
            if batch.include and not _matches(path, base, batch.include):
                continue
            if batch.exclude and _matches(path, base, batch.exclude):
                continue
            selected.append(path)
    return selected


# --- worker side ---------------------------------------------------------------

_WORKER: Auditor | None = None


def _init_worker(config: Config, options: AuditOptions) -> None:
    global _WORKER
    _WORKER = Auditor(config, options)


def audit_one(auditor: Auditor, path: Path) -> Audited:
    """Examine one file (failures are data) and take its topic terms for the merge analysis."""
    result = auditor.examine_path(path)
    if isinstance(result, ReadFailure):
        return result, ()
    doc = result.document
    return result, tuple(topic_terms(doc.meta.title, doc.text, doc.meta.issuer))


def _audit_chunk(paths: list[Path]) -> list[Audited]:
    assert _WORKER is not None, "worker initializer did not run"
    return [audit_one(_WORKER, p) for p in paths]


# --- parent side -----------------------------------------------------------------


def _chunks(paths: list[Path], workers: int) -> list[list[Path]]:
    # small chunks keep the progress bar moving and the load balanced;
    # more than one file per task amortises the inter-process round trip
    size = max(1, min(8, len(paths) // (workers * 8)))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


@contextmanager
def _workers_deaf_to_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT blocked; the parent alone handles Ctrl-C.

    Ctrl-C reaches every process of the terminal's foreground group. A blocked
    signal mask survives the spawn of a worker, so workers never see it and
    print no traceback, while in the parent a Ctrl-C pressed meanwhile stays
    pending and is raised as soon as the mask is restored.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: Ctrl-C is delivered differently
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run(
    paths: list[Path],
    auditor: Auditor,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[Audited]:
    """Audit ``paths`` with ``jobs`` processes; results come back in input order.

    ``auditor`` runs the files itself when ``jobs`` is 1; otherwise each worker
    process builds its own from the same config and options.

    ``progress`` is called in the parent with the number of files just done.
    On Ctrl-C pending work is cancelled, the pool is shut down, and
    KeyboardInterrupt propagates to the caller.
    """
    if jobs <= 1 or len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcomes.append(audit_one(auditor, path))
            if progress:
                progress(1)
        return outcomes

    import multiprocessing
    from concurrent.futures import as_completed

    # spawn: the same behaviour on Linux, macOS and Windows, and safe with the
    # progress bar's refresh thread running in the parent
    context = multiprocessing.get_context("spawn")
    chunks = _chunks(paths, jobs)
    done: dict[int, list[Audited]] = {}
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(auditor.config, auditor.options),
    )
    try:
        with _workers_deaf_to_ctrl_c():
            futures: dict[Future[list[Audited]], int] = {
                pool.submit(_audit_chunk, chunk): i for i, chunk in enumerate(chunks)
            }
        for future in as_completed(futures):
            index = futures[future]
            try:
                done[index] = future.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails its files only
                done[index] = [
                    (
                        ReadFailure(
                            p,
                            f"审核 {p} 时工作进程异常退出（{type(exc).__name__}），"
                            "请单独审核该文件以查明原因",
                        ),
                        (),
                    )
                    for p in chunks[index]
                ]
            if progress:
                progress(len(chunks[index]))
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [outcome for i in range(len(chunks)) for outcome in done[i]]


def assemble(audited: Sequence[Audited]) -> tuple[AuditResult, list[tuple[str, ...]]]:
    """The AuditResult of a run, and the topic words of its documents in the same order."""
    documents = tuple(o for o, _ in audited if isinstance(o, DocumentResult))
    terms = [t for o, t in audited if isinstance(o, DocumentResult)]
    failures = tuple(o for o, _ in audited if isinstance(o, ReadFailure))
    return AuditResult(documents=documents, failures=failures), terms


def finish(auditor: Auditor, audited: Sequence[Audited], batch: BatchSettings) -> AuditResult:
    """Batch findings added, every document settled, the summary by unit made."""
    result, terms = assemble(audited)
    result = analyze(result, terms, batch.merge_similarity, batch.duplicate_similarity)
    documents = tuple(auditor.settle(d) for d in result.documents)
    units = tuple(unit_summary(documents))
    found = result.batch
    summary = {
        # a group of findings the selection drops is not reported either
        "merge_candidates": found["merge_candidates"] if auditor.selects("merge.candidate") else [],
        "duplicates": found["duplicates"] if auditor.selects("merge.duplicate") else [],
        "units": list(units),
        "settings": found["settings"],
    }
    rules = auditor.rulebook.of(documents)
    return replace(result, documents=documents, batch=summary, units=units, rules=rules)


@dataclass(frozen=True)
class Batch:
    """A batch ready to run: the files, the auditor (checks built once) and the settings."""

    files: tuple[Path, ...]
    auditor: Auditor
    settings: BatchSettings

    @property
    def workers(self) -> int:
        return self.settings.workers(len(self.files))

    def run(self, progress: Callable[[int], None] | None = None) -> AuditResult:
        """Audit every file; ``progress`` gets the number of files just done."""
        audited = run(list(self.files), self.auditor, self.workers, progress)
        return finish(self.auditor, audited, self.settings)


def prepare(
    config: Config,
    paths: Sequence[Path],
    options: AuditOptions | None = None,
    batch: BatchSettings | None = None,
) -> Batch:
    """Select the files and build the checks; a missing path or no file is a WenshanError."""
    batch = batch or settings(config)
    for path in paths:
        if not path.exists():
            raise WenshanError(f"路径不存在：{path}，请检查后重试。")
    files = select_files(list(paths), batch)
    empty = no_documents(paths, files, "和 --include/--exclude 通配符")
    if empty is not None:
        raise empty
    # built here, in the parent: configuration errors surface and a reference
    # index is built or refreshed once, before any worker starts
    return Batch(tuple(files), Auditor(config, options), batch)


def audit(
    config: Config,
    paths: Sequence[Path],
    options: AuditOptions | None = None,
    batch: BatchSettings | None = None,
) -> AuditResult:
    """Audit a batch: every document, merge candidates, duplicates, the summary by unit."""
    return prepare(config, paths, options, batch).run()
