"""Reading and fingerprinting reference documents into rows, for every index writer.

The local build (in worker processes), the Spark build (on executors) and both
writers (:class:`.index.Writer`, :class:`.redis_backend.RedisWriter`) use
these functions, so a document is read, fingerprinted and stored the same way
whichever builds or holds the index.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .fingerprint import fingerprint

# Texts are stored uncompressed: zlib cost more time than fingerprinting, and
# UTF-16 takes 2 bytes per CJK character against 3 in UTF-8.
TEXT_ENCODING = "utf-16-le"
STOP_SAMPLE = 1000  # documents sampled for the stoplist
STOP_DF = 5  # a seed k-gram in this many sampled documents is boilerplate
BATCH = 32  # documents per fingerprinting task
# the columns of a Row's values, in order
ROW_FIELDS = (
    "path",
    "sha256",
    "size",
    "mtime_ns",
    "text_hash",
    "title",
    "doc_number",
    "issuer",
    "n_chars",
    "n_windows",
    "text",
)

# insert values (ROW_FIELDS), window keys, document keys, seed set (stoplist sample only)
Row = tuple[tuple[Any, ...], np.ndarray, np.ndarray, np.ndarray | None]


@dataclass(frozen=True)
class Entry:
    """A reference document ready to be stored."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    text: str
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_entry(path_str: str) -> Entry | tuple[str, str]:
    """Read one file through the project's readers (runs in worker processes)."""
    from ...errors import ReadError
    from ...readers import read_document

    path = Path(path_str)
    try:
        doc = read_document(path)
        data = path.read_bytes()
        stat = path.stat()
    except ReadError as exc:
        return path_str, exc.message
    except OSError as exc:
        return path_str, f"无法读取 {path}：{exc.strerror}"
    return Entry(
        path=path_str,
        sha256=hashlib.sha256(data).hexdigest(),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        text=doc.text,
        title=doc.meta.title,
        doc_number=doc.meta.doc_number,
        issuer=doc.meta.issuer,
    )


def row_of(entry: Entry, with_seeds: bool) -> Row:
    """Fingerprint one document (runs in worker processes)."""
    windows, doc, seeds = fingerprint(entry.text, with_seeds)
    values = (
        entry.path,
        entry.sha256,
        entry.size,
        entry.mtime_ns,
        text_hash(entry.text),
        entry.title,
        entry.doc_number,
        entry.issuer,
        len(entry.text),
        len(windows),
        entry.text.encode(TEXT_ENCODING),
    )
    return values, windows, doc, seeds


def fingerprint_batch(items: list[tuple[Entry, bool]]) -> list[Row]:
    return [row_of(entry, with_seeds) for entry, with_seeds in items]


def read_and_fingerprint(items: list[tuple[str, bool]]) -> list[Row | tuple[str, str]]:
    """Rows of the readable files; ``(path, message)`` for the others."""
    out: list[Any] = []
    for path, with_seeds in items:
        entry = read_entry(path)
        out.append(row_of(entry, with_seeds) if isinstance(entry, Entry) else entry)
    return out


def sample_flags(items: Iterable[Any]) -> Iterator[tuple[Any, bool]]:
    """Mark the first STOP_SAMPLE items: their seed sets make the stoplist."""
    for i, item in enumerate(items):
        yield item, i < STOP_SAMPLE


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def parallel(
    func: Callable[[list[Any]], list[Any]], items: Iterable[Any], workers: int, small: bool
) -> Iterator[Any]:
    """``func`` over chunks of ``items`` in order; in worker processes unless ``small``.

    At most ``4 * workers`` chunks are in flight, so a large corpus streams
    through without being held in memory.
    """
    if workers <= 1 or small:
        for chunk in chunks(items, BATCH):
            yield from func(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks(items, BATCH):
            pending.append(pool.submit(func, chunk))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def sorted_table(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Band table (BANDS, n): per band, ``key << 32 | doc`` sorted."""
    table = (keys.T.astype(np.uint64) << np.uint64(32)) | docs.astype(np.uint64)[None, :]
    table.sort(axis=1)
    return table


def stoplist_of(seed_sets: list[np.ndarray]) -> np.ndarray:
    """Seed k-grams found in at least STOP_DF of the sampled documents' seed sets, sorted."""
    if len(seed_sets) < STOP_DF:
        return np.zeros(0, dtype=np.uint64)
    values = np.sort(np.concatenate(seed_sets))
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    counts = np.diff(np.append(starts, len(values)))
    return values[starts[counts >= STOP_DF]]
