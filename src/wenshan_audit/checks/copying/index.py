"""The persistent reference index: texts, LSH band tables and the boilerplate stoplist.

Layout of an index directory::

    meta.json        format version, signature scheme, generation, statistics
    docs.sqlite      one row per reference document: path, content hash, stat,
                     公文 metadata and the extracted text (UTF-16), with the
                     generation in which the row was added / removed
    g<N>/windows.npy band table of the window keys, shape (BANDS, n) uint64
    g<N>/documents.npy band table of the whole-document keys
    g<N>/stoplist.npy  sorted uint64 seed k-gram hashes of corpus boilerplate

A band table row holds ``key << 32 | doc_id`` sorted, so one ``searchsorted``
per band answers all draft windows; tables are memory-mapped, 8 bytes per key
and band. datasketch's in-memory ``MinHashLSH`` costs about 11 KB per key.

Updates are atomic: new rows are written with the next generation, the new
tables go into a new ``g<N+1>`` folder, and only then ``meta.json`` is replaced
(``os.replace``). Readers see generation N until that moment; a crashed
update is rolled back by the next one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import WenshanError
from . import minhash
from . import normalise as normalise_mod
from .align import SEED_K
from .fingerprint import WINDOW, seed_set
from .rows import (
    BATCH,
    ROW_FIELDS,
    STOP_DF,
    STOP_SAMPLE,
    TEXT_ENCODING,
    Entry,
    Row,
    fingerprint_batch,
    parallel,
    read_and_fingerprint,
    sample_flags,
    sorted_table,
    stoplist_of,
)

# 2: texts stored as UTF-16 (version 1 indexes hold zlib-compressed UTF-8 under the same
# column); meta.json counts documents and window keys so a partial copy is detected
FORMAT_VERSION = 2
MAX_BUCKET = 2000  # a band bucket with more documents is boilerplate: skipped
_INSERT_BATCH = 256
_INSERT = (
    f"INSERT INTO docs (id, {', '.join(ROW_FIELDS)}, gen_added)"
    f" VALUES ({','.join('?' * (len(ROW_FIELDS) + 2))})"
)
_LOW = np.uint64(0xFFFFFFFF)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    title TEXT,
    doc_number TEXT,
    issuer TEXT,
    n_chars INTEGER NOT NULL,
    n_windows INTEGER NOT NULL,
    text BLOB NOT NULL,
    gen_added INTEGER NOT NULL,
    gen_removed INTEGER
);
CREATE INDEX IF NOT EXISTS docs_path ON docs(path);
"""


class CopyIndexError(WenshanError):
    """The reference index is missing, damaged or built by another version."""


class BrokenIndexError(CopyIndexError):
    """An index directory exists but cannot be used: other version, corrupt or partial files.

    A cache index is rebuilt automatically; an index the user named is not
    touched, the message says how to rebuild it.
    """

    def __init__(self, root: Path, problem: str, corpus: str | None = None) -> None:
        self.root = root
        self.problem = problem
        folder = corpus or "上级文件夹"
        super().__init__(
            f"索引 {root} 无法使用：{problem}。"
            f"请重建索引：wenshan-audit index build {folder} --index {root}"
        )


def scheme() -> dict[str, Any]:
    return {
        **minhash.SCHEME,
        "window": WINDOW,
        "seed_k": SEED_K,
        "normaliser": normalise_mod.VERSION,
        "stoplist": f"seed {SEED_K}-grams in >= {STOP_DF} of {STOP_SAMPLE} sampled documents",
    }


def _decode(blob: bytes) -> str:
    return blob.decode(TEXT_ENCODING)


@dataclass(frozen=True)
class Source:
    """A stored reference document, as the check needs it."""

    id: int
    path: str
    title: str | None
    doc_number: str | None
    text: str


@dataclass
class UpdateStats:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _save_array(folder: Path, name: str, array: np.ndarray) -> None:
    with open(folder / name, "wb") as fh:
        np.save(fh, array)
        fh.flush()
        os.fsync(fh.fileno())


class Index:
    """A read-only view of one generation of an index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        meta_path = root / "meta.json"
        if not meta_path.is_file():
            raise CopyIndexError(
                f"{root} 不是照搬检测索引（缺少 meta.json）。"
                f"请先运行：wenshan-audit index build 上级文件夹 --index {root}"
            )
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(self.meta, dict):
                raise ValueError("不是 JSON 对象")
        except (OSError, ValueError) as exc:
            raise BrokenIndexError(root, f"meta.json 已损坏（{exc}）") from None
        corpus = self.meta.get("corpus")
        if self.meta.get("format_version") != FORMAT_VERSION or self.meta.get("scheme") != scheme():
            raise BrokenIndexError(
                root,
                f"由其他版本的 wenshan-audit 建立（格式版本 {self.meta.get('format_version')}，"
                f"当前为 {FORMAT_VERSION}，或签名方案不同）",
                corpus,
            )
        self.generation = int(self.meta["generation"])
        folder = root / f"g{self.generation}"
        try:
            self.windows = np.load(folder / "windows.npy", mmap_mode="r")
            self.documents = np.load(folder / "documents.npy", mmap_mode="r")
            self.stoplist = np.load(folder / "stoplist.npy")
        except (OSError, ValueError) as exc:
            raise BrokenIndexError(root, f"数据文件缺失或损坏（{exc}）", corpus) from None
        self.db = sqlite3.connect(
            f"file:{root / 'docs.sqlite'}?mode=ro", uri=True, check_same_thread=False
        )
        self._size: int | None = None
        try:
            self._validate()
        except BrokenIndexError:
            self.db.close()
            raise

    def _validate(self) -> None:
        """Cheap consistency checks: table shapes, row counts, one stored text decodes."""
        corpus = self.meta.get("corpus")
        for name, table in (("windows.npy", self.windows), ("documents.npy", self.documents)):
            if table.ndim != 2 or table.shape[0] != minhash.BANDS or table.dtype != np.uint64:
                raise BrokenIndexError(self.root, f"{name} 的形状或类型不对", corpus)
        expected = (self.meta.get("documents"), self.meta.get("window_keys"))
        try:
            first = self.db.execute(
                f"SELECT text FROM docs WHERE {self._visible()} ORDER BY id LIMIT 1"
            ).fetchone()
            found = (self.size, int(self.windows.shape[1]))
            if first is not None:
                _decode(first[0])
        except (sqlite3.Error, UnicodeDecodeError, TypeError) as exc:
            raise BrokenIndexError(self.root, f"docs.sqlite 已损坏（{exc}）", corpus) from None
        if found != expected:
            raise BrokenIndexError(
                self.root,
                f"文件不完整（meta.json 记录 {expected[0]} 份文件、{expected[1]} 个窗口键，"
                f"实际 {found[0]} 份、{found[1]} 个）",
                corpus,
            )

    def close(self) -> None:
        self.db.close()

    def _visible(self) -> str:
        g = self.generation
        return f"gen_added <= {g} AND (gen_removed IS NULL OR gen_removed > {g})"

    @staticmethod
    def lookup(table: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query row, doc id) of every bucket hit; keys (n, BANDS)."""
        rows, docs = [], []
        if table.shape[1] == 0 or len(keys) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.uint32)
        for band in range(table.shape[0]):
            column = table[band]
            q = keys[:, band].astype(np.uint64) << np.uint64(32)
            lo = np.searchsorted(column, q, side="left")
            hi = np.searchsorted(column, q | _LOW, side="right")
            count = hi - lo
            count[count > MAX_BUCKET] = 0
            total = int(count.sum())
            if total == 0:
                continue
            within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
            hits = np.asarray(column[np.repeat(lo, count) + within])
            rows.append(np.repeat(np.arange(len(keys)), count))
            docs.append((hits & _LOW).astype(np.uint32))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.uint32)
        return np.concatenate(rows), np.concatenate(docs)

    def candidates(self, window_keys: np.ndarray, doc_keys: np.ndarray, limit: int) -> list[int]:
        """Document ids, most matched windows first, then document-level matches."""
        rows, docs = self.lookup(self.windows, window_keys)
        ranked: list[int] = []
        if len(docs):
            pairs = np.unique(docs.astype(np.int64) << 32 | rows)
            ids, counts = np.unique(pairs >> 32, return_counts=True)
            ranked = ids[np.argsort(-counts, kind="stable")][:limit].tolist()
        if len(doc_keys):
            _, near = self.lookup(self.documents, doc_keys.reshape(1, -1))
            ranked += [int(d) for d in np.unique(near) if int(d) not in ranked]
        if self.size <= limit:
            # aligning every document costs less than a retrieval miss
            ranked += [i for i in self.all_ids() if i not in ranked]
        return ranked

    def all_ids(self) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(f"SELECT id FROM docs WHERE {self._visible()} ORDER BY id")
        ]

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = int(
                self.db.execute(f"SELECT COUNT(*) FROM docs WHERE {self._visible()}").fetchone()[0]
            )
        return self._size

    def sources(self, ids: Iterable[int]) -> list[Source]:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        try:
            rows = self.db.execute(
                "SELECT id, path, title, doc_number, text FROM docs"
                f" WHERE id IN ({marks}) AND {self._visible()}",
                ids,
            ).fetchall()
            by_id = {r[0]: Source(r[0], r[1], r[2], r[3], _decode(r[4])) for r in rows}
        except (sqlite3.Error, UnicodeDecodeError, TypeError) as exc:
            raise BrokenIndexError(
                self.root, f"docs.sqlite 已损坏（{exc}）", self.meta.get("corpus")
            ) from None
        return [by_id[i] for i in ids if i in by_id]

    def stats(self) -> dict[str, Any]:
        n_docs, n_chars = self.db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(n_chars), 0) FROM docs WHERE {self._visible()}"
        ).fetchone()
        folder = self.root / f"g{self.generation}"
        table_bytes = sum(f.stat().st_size for f in folder.iterdir())
        db_bytes = (self.root / "docs.sqlite").stat().st_size
        n_windows = int(self.windows.shape[1])
        return {
            "path": str(self.root),
            "corpus": self.meta.get("corpus"),
            "format_version": self.meta["format_version"],
            "generation": self.generation,
            "built_at": self.meta.get("built_at"),
            "documents": n_docs,
            "characters": n_chars,
            "window_keys": n_windows,
            "stoplist_kgrams": int(len(self.stoplist)),
            "table_bytes": table_bytes,
            "text_store_bytes": db_bytes,
            "bytes_per_key": round(table_bytes / n_windows, 1) if n_windows else 0,
            "bytes_per_document": round((table_bytes + db_bytes) / n_docs, 1) if n_docs else 0,
            "scheme": self.meta["scheme"],
        }


class CorpusWriter(ABC):
    """The build and update flow every index writer shares.

    A writer says what its index holds (:meth:`_known`, :meth:`_exists`), how
    it keeps the new stat of a file whose content did not change
    (:meth:`_restat`) and how fingerprinted rows become a new version
    (:meth:`commit`); reading, comparing and fingerprinting happen here.
    """

    @abstractmethod
    def _known(self, rebuild: bool) -> Mapping[str, Sequence[Any]]:
        """path -> (id, sha256, size, mtime_ns) of the indexed documents; none for a rebuild."""

    @abstractmethod
    def _exists(self) -> bool:
        """Whether a version was committed (else even an unchanged corpus is committed)."""

    @abstractmethod
    def _restat(self, doc_id: int, size: int, mtime_ns: int) -> None:
        """The file of ``doc_id`` has a new size or mtime but the same content."""

    @abstractmethod
    def commit(
        self, rows: Iterable[Row], removed: list[int], corpus: str | None, rebuild: bool
    ) -> int:
        """Store ``rows`` (a stream is fine) without ``removed`` as a new version; its number."""

    @abstractmethod
    def close(self) -> None: ...

    def update_from_folder(
        self,
        corpus: Path,
        workers: int = 2,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
    ) -> UpdateStats:
        """Index new and changed files of ``corpus``, drop deleted ones."""
        from ...readers import iter_files

        started = time.perf_counter()
        if not corpus.is_dir():
            raise CopyIndexError(f"上级文件夹 {corpus} 不存在或不是文件夹。请检查路径")
        stats = UpdateStats()
        live = self._known(rebuild)
        seen: set[str] = set()
        todo: list[str] = []
        for path in iter_files([corpus]):
            key = str(path.resolve())
            seen.add(key)
            known = live.get(key)
            if known is not None:
                stat = path.stat()
                if (stat.st_size, stat.st_mtime_ns) == (known[2], known[3]):
                    stats.unchanged += 1
                    continue
                if hashlib.sha256(path.read_bytes()).hexdigest() == known[1]:
                    self._restat(known[0], stat.st_size, stat.st_mtime_ns)
                    stats.unchanged += 1
                    continue
                stats.updated += 1
            else:
                stats.added += 1
            todo.append(key)
        removed = [v[0] for k, v in live.items() if k not in seen or k in todo]
        stats.removed = sum(1 for k in live if k not in seen)

        def rows() -> Iterator[Row]:
            work = parallel(
                read_and_fingerprint, sample_flags(todo), workers, small=len(todo) < 4 * BATCH
            )
            for done, item in enumerate(work, 1):
                if isinstance(item[0], str):
                    stats.failures.append(item)
                else:
                    yield item
                if progress:
                    progress(done, len(todo))

        if rebuild or stats.changed or not self._exists():
            self.commit(rows(), removed, corpus=str(corpus.resolve()), rebuild=rebuild)
        stats.seconds = time.perf_counter() - started
        return stats

    def add_texts(self, entries: Iterable[Entry], workers: int = 2) -> UpdateStats:
        """Index documents given in memory, replacing the index content (benchmarks)."""
        started = time.perf_counter()
        stats = UpdateStats()

        def rows() -> Iterator[Row]:
            for row in parallel(fingerprint_batch, sample_flags(entries), workers, small=False):
                stats.added += 1
                yield row

        self.commit(rows(), [], corpus=None, rebuild=True)
        stats.seconds = time.perf_counter() - started
        return stats


class Writer(CorpusWriter):
    """Builds and incrementally updates an index directory.

    An existing index that cannot be used (:class:`BrokenIndexError`) is
    replaced by a rebuild and refused by an update.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CopyIndexError(
                f"无法创建索引目录 {root}（{exc.strerror}）。请检查路径和写权限"
            ) from None
        self.meta: dict[str, Any] = {}
        self.broken: BrokenIndexError | None = None
        self.db: sqlite3.Connection | None = None
        try:
            if (root / "meta.json").is_file():
                Index(root).close()  # validates version, scheme and files
                self.meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
            self.generation = int(self.meta.get("generation", 0))
            self._connect()
        except BrokenIndexError as exc:
            self.broken = exc
            self.meta, self.generation = {}, 0
        except sqlite3.Error as exc:  # docs.sqlite of a build that never wrote meta.json
            self.broken = BrokenIndexError(root, f"docs.sqlite 已损坏（{exc}）")
            self.meta, self.generation = {}, 0

    def _connect(self) -> None:
        self.db = sqlite3.connect(self.root / "docs.sqlite")
        self.db.executescript(_SCHEMA)
        self._recover()

    def _writable(self, rebuild: bool) -> sqlite3.Connection:
        """The database; a broken index is cleared first by a rebuild, else refused."""
        if self.broken is not None:
            if not rebuild:
                raise self.broken
            self._clear()
            self.broken = None
            self._connect()
        assert self.db is not None
        return self.db

    def _clear(self) -> None:
        """Remove the files of a broken index (only the names an index uses)."""
        if self.db is not None:
            self.db.close()
            self.db = None
        for name in ("meta.json", "meta.json.tmp", "docs.sqlite", "docs.sqlite-journal"):
            (self.root / name).unlink(missing_ok=True)
        for folder in self.root.glob("g*"):
            if folder.is_dir() and folder.name[1:].isdigit():
                shutil.rmtree(folder, ignore_errors=True)

    def _recover(self) -> None:
        """Undo the database part of an update that never reached meta.json."""
        g = self.generation
        assert self.db is not None
        with self.db:
            self.db.execute("DELETE FROM docs WHERE gen_added > ?", (g,))
            self.db.execute("UPDATE docs SET gen_removed = NULL WHERE gen_removed > ?", (g,))
        for folder in self.root.glob("g*"):
            if folder.is_dir() and folder.name != f"g{g}" and folder.name[1:].isdigit():
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    def _known(self, rebuild: bool) -> dict[str, tuple[int, str, int, int]]:
        db = self._writable(rebuild)
        if rebuild:
            return {}
        rows = db.execute(
            "SELECT path, id, sha256, size, mtime_ns FROM docs WHERE gen_removed IS NULL"
        ).fetchall()
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def _exists(self) -> bool:
        return bool(self.meta)

    def _restat(self, doc_id: int, size: int, mtime_ns: int) -> None:
        assert self.db is not None
        with self.db:
            self.db.execute(
                "UPDATE docs SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, doc_id)
            )

    def commit(
        self,
        rows: Iterable[Row],
        removed: list[int],
        corpus: str | None,
        rebuild: bool,
    ) -> int:
        g = self.generation + 1
        db = self._writable(rebuild)
        with db:
            if rebuild:
                db.execute("UPDATE docs SET gen_removed = ? WHERE gen_removed IS NULL", (g,))
            elif removed:
                db.executemany(
                    "UPDATE docs SET gen_removed = ? WHERE id = ?", [(g, i) for i in removed]
                )
            # ids are never reused (AUTOINCREMENT): a reader of the previous
            # generation may still map an old id to its document
            used = db.execute("SELECT COALESCE(MAX(id), 0) FROM docs").fetchone()[0]
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'docs'").fetchone()
            next_id = 1 + max(used, seq[0] if seq else 0)
            new_ids, win_keys, doc_keys, seed_sets = [], [], [], []
            pending: list[tuple[Any, ...]] = []
            for values, windows, doc, seeds in rows:
                if seeds is not None:
                    seed_sets.append(seeds)
                new_ids.append(next_id + len(new_ids))
                pending.append((new_ids[-1], *values, g))
                win_keys.append(windows)
                doc_keys.append(doc.reshape(-1, minhash.BANDS))
                if len(pending) == _INSERT_BATCH:
                    db.executemany(_INSERT, pending)
                    pending.clear()
            db.executemany(_INSERT, pending)
        folder = self.root / f"g{g}"
        folder.mkdir(exist_ok=True)
        windows = self._merged("windows.npy", new_ids, win_keys, rebuild)
        documents = self._merged("documents.npy", new_ids, doc_keys, rebuild)
        _save_array(folder, "windows.npy", windows)
        _save_array(folder, "documents.npy", documents)
        _save_array(folder, "stoplist.npy", self._stoplist(seed_sets, rebuild))
        n_docs = db.execute(
            "SELECT COUNT(*) FROM docs WHERE gen_added <= ?"
            " AND (gen_removed IS NULL OR gen_removed > ?)",
            (g, g),
        ).fetchone()[0]
        meta = {
            "format_version": FORMAT_VERSION,
            "scheme": scheme(),
            "generation": g,
            "documents": n_docs,
            "window_keys": int(windows.shape[1]),
            "corpus": corpus or self.meta.get("corpus"),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        _atomic_write_text(self.root / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
        old = self.generation
        self.generation, self.meta = g, meta
        shutil.rmtree(self.root / f"g{old}", ignore_errors=True)
        with db:
            deleted = db.execute(
                "DELETE FROM docs WHERE gen_removed IS NOT NULL AND gen_removed <= ?", (g,)
            ).rowcount
        if rebuild and deleted:  # give the space of the old texts back (a copy of the file)
            db.execute("VACUUM")
        return g

    def _merged(
        self, name: str, new_ids: list[int], keys: list[np.ndarray], rebuild: bool
    ) -> np.ndarray:
        """The previous band table without removed documents, plus the new keys."""
        ids = np.repeat(np.array(new_ids, dtype=np.uint32), [len(k) for k in keys])
        fresh = (
            sorted_table(np.concatenate(keys), ids)
            if len(ids)
            else np.zeros((minhash.BANDS, 0), dtype=np.uint64)
        )
        previous = self.root / f"g{self.generation}" / name
        if rebuild or not previous.is_file():
            return fresh
        old = np.load(previous)
        live = np.array(
            [r[0] for r in self.db.execute("SELECT id FROM docs WHERE gen_removed IS NULL")],
            dtype=np.uint64,
        )
        # every document has the same number of entries in each band
        old = old[np.isin(old & _LOW, live)].reshape(minhash.BANDS, -1)
        table = np.concatenate((old, fresh), axis=1)
        table.sort(axis=1)
        return table

    def _stoplist(self, new_sets: list[np.ndarray], rebuild: bool) -> np.ndarray:
        """Seed k-grams found in at least STOP_DF of a sample of STOP_SAMPLE documents.

        A build samples the first documents it indexes. An update of a small
        index recomputes it from the stored texts; an update of a large one
        keeps the stoplist of the build (boilerplate does not change with a
        few new documents).
        """
        size = self.db.execute("SELECT COUNT(*) FROM docs WHERE gen_removed IS NULL").fetchone()[0]
        previous = self.root / f"g{self.generation}" / "stoplist.npy"
        if not rebuild and size > STOP_SAMPLE and previous.is_file():
            return np.load(previous)
        if not rebuild:
            rows = self.db.execute(
                "SELECT text FROM docs WHERE gen_removed IS NULL ORDER BY id LIMIT ?",
                (STOP_SAMPLE,),
            )
            new_sets = [seed_set(normalise_mod.normalise(_decode(r[0]))) for r in rows]
        return stoplist_of(new_sets)
