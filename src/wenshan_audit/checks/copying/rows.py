"""Reading and fingerprinting reference documents into rows, for every index writer.

The local build (in worker processes), the Spark build (on executors) and both
writers (:class:`.index.Writer`, :class:`.redis_backend.RedisWriter`) use
these functions, so a document is read, fingerprinted and stored the same way
whichever builds or holds the index.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .fingerprint import fingerprints
from .normalise import normalise

# Texts are stored as zlib level 1 of UTF-16: measured on the 66 real 公文 of
# ../shared/corpus/real, 1.05 bytes per character at 0.04 ms per 1,000 characters
# (UTF-8 level 1: 1.23 bytes, 0.07 ms; UTF-16 level 6: 1.00 bytes, 0.06 ms);
# on generated 公文-like text 1.51 bytes per character (UTF-8: 1.68).
TEXT_ENCODING = "utf-16-le"
TEXT_LEVEL = 1
STOP_SAMPLE = 1000  # documents sampled for the stoplist: the smallest text hashes
STOP_SHARE = 0.02  # a seed k-gram from this share of the sampled issuers is boilerplate ...
STOP_MIN = 20  # ... and from at least this many distinct issuers
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
    "date",
    "n_chars",
    "n_fingerprints",
    "text",
)

# stored values (ROW_FIELDS; the text packed), winnowing fingerprints (sorted uint64)
Row = tuple[tuple[Any, ...], np.ndarray]


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
    date: str | None = None


def pack_text(text: str) -> bytes:
    return zlib.compress(text.encode(TEXT_ENCODING), TEXT_LEVEL)


def unpack_text(blob: bytes) -> str:
    return zlib.decompress(blob).decode(TEXT_ENCODING)


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
        date=doc.meta.date,
    )


def row_of(entry: Entry) -> Row:
    """Fingerprint one document (runs in worker processes)."""
    prints = fingerprints(normalise(entry.text))
    values = (
        entry.path,
        entry.sha256,
        entry.size,
        entry.mtime_ns,
        text_hash(entry.text),
        entry.title,
        entry.doc_number,
        entry.issuer,
        entry.date,
        len(entry.text),
        len(prints),
        pack_text(entry.text),
    )
    return values, prints


def fingerprint_batch(items: list[Entry]) -> list[Row]:
    return [row_of(entry) for entry in items]


def read_and_fingerprint(items: list[str]) -> list[Row | tuple[str, str]]:
    """Rows of the readable files; ``(path, message)`` for the others."""
    out: list[Any] = []
    for path in items:
        entry = read_entry(path)
        out.append(row_of(entry) if isinstance(entry, Entry) else entry)
    return out


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


def stoplist_of(samples: Iterable[tuple[str, np.ndarray]]) -> np.ndarray:
    """Seed k-grams of corpus boilerplate, sorted: found in the sampled documents of at
    least max(STOP_MIN, STOP_SHARE * issuers) distinct issuers.

    ``samples`` are (issuer key, seed set) of the sampled documents. Counting
    issuers, not documents, keeps the shared text of a family (one office's
    yearly notices, one template) out of the stoplist: that text is what gets copied.
    """
    by_issuer: dict[str, list[np.ndarray]] = {}
    for issuer, seeds in samples:
        by_issuer.setdefault(issuer, []).append(seeds)
    need = max(STOP_MIN, int(np.ceil(STOP_SHARE * len(by_issuer))))
    if len(by_issuer) < need:
        return np.zeros(0, dtype=np.uint64)
    sets = [np.unique(np.concatenate(s)) for s in by_issuer.values()]
    values = np.sort(np.concatenate(sets))
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    counts = np.diff(np.append(starts, len(values)))
    return values[starts[counts >= need]]


def stoplist_sample(docs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """The (text hash, id) of the STOP_SAMPLE documents with the smallest text hash, a
    text stored twice counted once: a function of the corpus alone, so that a build
    and any sequence of updates of the same corpus sample the same documents."""
    by_hash: dict[str, int] = {}
    for text_hash_, doc_id in docs:
        if doc_id < by_hash.get(text_hash_, doc_id + 1):
            by_hash[text_hash_] = doc_id
    return sorted(by_hash.items())[:STOP_SAMPLE]


def sample_key(text_hash: str, issuer: str | None) -> str:
    """The issuer a sampled document counts for (unknown issuers count one each)."""
    return issuer or f"?{text_hash}"
