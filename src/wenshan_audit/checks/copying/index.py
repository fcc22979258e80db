"""The persistent reference index: stored documents, fingerprint postings, stoplist.

Layout of an index directory::

    meta.json          format, scheme, generation, its segments and totals (the one pointer)
    write.lock         held (flock) by the one writer at a time
    seg-<S>/           an immutable segment: documents and their postings
        ids.npy        sorted uint32 document ids
        records.bin    per document: JSON header (path, title, 文号, issuer, date …)
                       and the zlib-packed text; records.npy: offsets
        files.json     the writer's catalog: id, path, sha256, stat, text hash, issuer
        post-*.npy     sorted postings fingerprint -> document id (:mod:`.postings`)
    g<N>/              what generation N adds: dead.npy (ids removed from its
                       segments), stoplist.npy (boilerplate seed hashes),
                       restat.json (new stat of files whose content did not change)

Nothing is ever modified in place. An update writes a new segment with the
new and changed documents, then ``g<N+1>``, fsyncs them and only then replaces
``meta.json`` (``os.replace``); a kill at any moment leaves the old
``meta.json`` and its files whole, and the next writer deletes what no
``meta.json`` names. A reader opens every file of its generation when it starts
(a deleted file stays readable through an open descriptor or mapping), so it
sees one generation from start to end while updates run; if an update deleted
a file between reading ``meta.json`` and opening it, it reopens the new one.
Past ``MAX_SEGMENTS`` segments, or when many documents are dead, an update
merges all segments into one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import WenshanError
from . import normalise as normalise_mod
from .fingerprint import GUARANTEE, K, W, of_seeds, query_prints, seed_set
from .normalise import Normalised
from .postings import FILES as POSTING_FILES
from .postings import Builder, Postings, fsync_path, keys_of
from .rows import (
    BATCH,
    ROW_FIELDS,
    STOP_MIN,
    STOP_SAMPLE,
    STOP_SHARE,
    TEXT_ENCODING,
    TEXT_LEVEL,
    Entry,
    Row,
    fingerprint_batch,
    parallel,
    read_and_fingerprint,
    sample_key,
    stoplist_of,
    stoplist_sample,
    unpack_text,
)

# 3: winnowing postings in immutable segments, zlib texts (2: MinHash band tables in SQLite)
FORMAT_VERSION = 3
MAX_SEGMENTS = 8
MAX_DEAD_SHARE = 0.2  # merge segments when this share of their documents is removed
COMMON_SHARE = 0.01  # fingerprints in more documents than this share ...
COMMON_MIN = 1000  # ... and than this many are not looked up (see common_df)
_HEADER = ("path", "title", "doc_number", "issuer", "date")


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
        "fingerprint": f"winnowing k={K} w={W} (any shared run of {GUARANTEE} characters)",
        "hash": "fmix64 of poly(code points, 0x9E3779B97F4A7C15) mod 2^64",
        "key": "top 48 bits of fmix64(fingerprint)",
        "normaliser": normalise_mod.VERSION,
        "stoplist": (
            f"seed {K}-grams from >= max({STOP_MIN}, {STOP_SHARE} x issuers) distinct issuers"
            f" of the {STOP_SAMPLE} documents with the smallest text hash"
        ),
        "text": f"zlib level {TEXT_LEVEL} of {TEXT_ENCODING}",
    }


@dataclass(frozen=True)
class Source:
    """A stored reference document, as the check needs it."""

    id: int
    path: str
    title: str | None
    doc_number: str | None
    text: str
    issuer: str | None = None
    date: str | None = None


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


def query_keys(norm: Normalised, stoplist_prints: np.ndarray) -> np.ndarray:
    """48-bit posting keys of a draft's k-grams (:func:`.fingerprint.query_prints`),
    boilerplate left out."""
    prints = query_prints(norm)
    if len(stoplist_prints):
        pos = np.minimum(np.searchsorted(stoplist_prints, prints), len(stoplist_prints) - 1)
        prints = prints[stoplist_prints[pos] != prints]
    return keys_of(prints)


def common_df(size: int) -> int:
    """Postings a fingerprint may have and still be looked up: a fingerprint in more than
    COMMON_SHARE of a large corpus is common phrasing (too weak to rank by, costly to
    expand); its documents are still found through their other fingerprints."""
    return max(COMMON_MIN, int(COMMON_SHARE * size))


def rank(rows: np.ndarray, docs: np.ndarray, size: int, limit: int) -> list[int]:
    """Distinct ``docs``, at most ``limit``, by the evidence of their shared fingerprints:
    the sum over them of log2(1 + size / df) (a fingerprint shared with few documents
    counts more), then lower id."""
    if len(docs) == 0:
        return []
    df = np.bincount(rows)
    weight = np.log2(1.0 + size / df[rows])
    ids, inverse = np.unique(docs, return_inverse=True)
    score = np.bincount(inverse, weights=weight)
    order = np.lexsort((ids, -score))
    return ids[order][:limit].tolist()


def pack_record(values: Sequence[Any]) -> bytes:
    """A stored document: 4-byte header length, JSON header, packed text."""
    fields = dict(zip(ROW_FIELDS, values, strict=True))
    header = json.dumps([fields[k] for k in _HEADER], ensure_ascii=False).encode("utf-8")
    return len(header).to_bytes(4, "little") + header + fields["text"]


def unpack_record(doc_id: int, blob: bytes) -> Source:
    n = int.from_bytes(blob[:4], "little")
    path, title, number, issuer, date = json.loads(blob[4 : 4 + n].decode("utf-8"))
    return Source(doc_id, path, title, number, unpack_text(blob[4 + n :]), issuer, date)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:
        np.save(fh, array)
        fh.flush()
        os.fsync(fh.fileno())


class _Segment:
    """The open files of one segment."""

    def __init__(self, folder: Path) -> None:
        self.ids = np.load(folder / "ids.npy")
        self.offsets = np.load(folder / "records.npy", mmap_mode="r")
        with open(folder / "records.bin", "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self.records = (
                np.memmap(fh, dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)
            )
        self.postings = Postings(folder)
        if len(self.offsets) != len(self.ids) + 1 or int(self.offsets[-1]) != len(self.records):
            raise ValueError("records do not match ids")

    def record(self, doc_id: int) -> bytes | None:
        i = int(np.searchsorted(self.ids, doc_id))
        if i == len(self.ids) or int(self.ids[i]) != doc_id:
            return None
        return self.records[int(self.offsets[i]) : int(self.offsets[i + 1])].tobytes()


class Index:
    """A read-only view of one generation of an index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for _attempt in range(10):
            try:
                self._open()
                return
            except FileNotFoundError:
                # an update replaced meta.json and deleted this generation meanwhile
                continue
        raise BrokenIndexError(root, "数据文件缺失（索引正在被频繁更新，或文件被删除）")

    def _open(self) -> None:
        root = self.root
        meta_path = root / "meta.json"
        if not meta_path.is_file():
            raise CopyIndexError(
                f"{root} 不是照搬检测索引（缺少 meta.json）。"
                f"请先运行：wenshan-audit index build 上级文件夹 --index {root}"
            )
        try:
            raw = meta_path.read_bytes()
            self.meta = json.loads(raw.decode("utf-8"))
            if not isinstance(self.meta, dict):
                raise ValueError("不是 JSON 对象")
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:
            raise BrokenIndexError(root, f"meta.json 已损坏（{exc}）") from None
        corpus = self.meta.get("corpus")
        if self.meta.get("format_version") != FORMAT_VERSION or self.meta.get("scheme") != scheme():
            raise BrokenIndexError(
                root,
                f"由其他版本的 wenshan-audit 建立（格式版本 {self.meta.get('format_version')}，"
                f"当前为 {FORMAT_VERSION}，或指纹方案不同）",
                corpus,
            )
        self.generation = int(self.meta["generation"])
        folder = root / f"g{self.generation}"
        try:
            self.segments = [_Segment(root / f"seg-{s['id']}") for s in self.meta["segments"]]
            self.dead = np.load(folder / "dead.npy")
            self.stoplist = np.load(folder / "stoplist.npy")
            first = next((s for s in self.segments if len(s.ids)), None)
            if first is not None:
                unpack_record(int(first.ids[0]), first.record(int(first.ids[0])) or b"")
        except FileNotFoundError as exc:
            if meta_path.is_file() and meta_path.read_bytes() != raw:
                raise  # superseded meanwhile: open the new generation
            raise BrokenIndexError(root, f"数据文件缺失（{exc.filename}）", corpus) from None
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise BrokenIndexError(root, f"数据文件损坏（{exc}）", corpus) from None
        except Exception as exc:  # zlib.error, json errors from a damaged record
            raise BrokenIndexError(root, f"数据文件损坏（{exc}）", corpus) from None
        self.stop_prints = of_seeds(self.stoplist)
        self.size = sum(len(s.ids) for s in self.segments) - len(self.dead)
        found = (self.size, sum(len(s.postings) for s in self.segments))
        expected = (self.meta.get("documents"), self.meta.get("postings"))
        if found != expected:
            raise BrokenIndexError(
                root,
                f"文件不完整（meta.json 记录 {expected[0]} 份文件、{expected[1]} 个指纹，"
                f"实际 {found[0]} 份、{found[1]} 个）",
                corpus,
            )

    def close(self) -> None:
        self.segments = []

    def lookup(self, keys: np.ndarray, max_df: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(key index, document id) of every live posting of ``keys``; keys in more than
        ``max_df`` documents are left out."""
        found = [s.postings.ranges(keys) for s in self.segments]
        if max_df is not None and found:
            df = sum(count for _, count in found)
            keep = df <= max_df
            found = [(first, np.where(keep, count, 0)) for first, count in found]
        parts = [
            s.postings.gather(first, count)
            for s, (first, count) in zip(self.segments, found, strict=True)
        ]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.uint32)
        rows = np.concatenate([r for r, _ in parts])
        docs = np.concatenate([d for _, d in parts])
        if len(self.dead) and len(docs):
            live = ~np.isin(docs, self.dead)
            rows, docs = rows[live], docs[live]
        return rows, docs

    def retrieve(self, norm: Normalised, limit: int) -> list[int]:
        """Documents sharing fingerprints with the draft, best first (see :func:`rank`)."""
        keys = query_keys(norm, self.stop_prints)
        return rank(*self.lookup(keys, common_df(self.size)), self.size, limit)

    def all_ids(self) -> list[int]:
        ids = np.concatenate([s.ids for s in self.segments]) if self.segments else np.zeros(0)
        return sorted(int(i) for i in ids[~np.isin(ids, self.dead)])

    def sources(self, ids: Iterable[int]) -> list[Source]:
        out = []
        dead = set(self.dead.tolist())
        for doc_id in ids:
            doc_id = int(doc_id)
            if doc_id in dead:
                continue
            for seg in self.segments:
                blob = seg.record(doc_id)
                if blob is not None:
                    try:
                        out.append(unpack_record(doc_id, blob))
                    except Exception as exc:  # zlib.error, ValueError: a damaged record
                        raise BrokenIndexError(
                            self.root, f"文本库已损坏（{exc}）", self.meta.get("corpus")
                        ) from None
                    break
        return out

    def stats(self) -> dict[str, Any]:
        def size(folder: Path, names: Iterable[str]) -> int:
            return sum((folder / n).stat().st_size for n in names if (folder / n).exists())

        folders = [self.root / f"seg-{s['id']}" for s in self.meta["segments"]]
        table_bytes = sum(size(f, POSTING_FILES) for f in folders)
        text_bytes = sum(size(f, ("records.bin", "records.npy", "ids.npy")) for f in folders)
        n_docs = self.size
        postings = int(self.meta["postings"])
        return {
            "path": str(self.root),
            "corpus": self.meta.get("corpus"),
            "format_version": self.meta["format_version"],
            "generation": self.generation,
            "built_at": self.meta.get("built_at"),
            "documents": n_docs,
            "characters": self.meta.get("characters", 0),
            "postings": postings,
            "segments": len(self.segments),
            "stoplist_kgrams": int(len(self.stoplist)),
            "table_bytes": table_bytes,
            "text_store_bytes": text_bytes,
            "bytes_per_posting": round(table_bytes / postings, 1) if postings else 0,
            "bytes_per_document": round((table_bytes + text_bytes) / n_docs, 1) if n_docs else 0,
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

    #: (id, size, mtime_ns) of files whose content did not change: kept by the next commit
    _touched: list[tuple[int, int, int]]

    def _restat(self, doc_id: int, size: int, mtime_ns: int) -> None:
        """The file of ``doc_id`` has a new size or mtime but the same content."""
        self._touched.append((doc_id, size, mtime_ns))

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
            work = parallel(read_and_fingerprint, todo, workers, small=len(todo) < 4 * BATCH)
            for done, item in enumerate(work, 1):
                if isinstance(item[0], str):
                    stats.failures.append(item)
                else:
                    yield item
                if progress:
                    progress(done, len(todo))

        if rebuild or stats.changed or self._touched or not self._exists():
            self.commit(rows(), removed, corpus=str(corpus.resolve()), rebuild=rebuild)
        stats.seconds = time.perf_counter() - started
        return stats

    def add_texts(self, entries: Iterable[Entry], workers: int = 2) -> UpdateStats:
        """Index documents given in memory, replacing the index content (benchmarks)."""
        started = time.perf_counter()
        stats = UpdateStats()

        def rows() -> Iterator[Row]:
            for row in parallel(fingerprint_batch, entries, workers, small=False):
                stats.added += 1
                yield row

        self.commit(rows(), [], corpus=None, rebuild=True)
        stats.seconds = time.perf_counter() - started
        return stats


def _lock_exclusive(fh: Any) -> None:
    """Wait for the exclusive lock of an open file (flock; msvcrt on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock, retried (LK_LOCK gives up after 10 s)
        import msvcrt

        while True:
            try:
                msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:
                continue
    fcntl.flock(fh, fcntl.LOCK_EX)


class Writer(CorpusWriter):
    """Builds and incrementally updates an index directory (see the module docstring).

    Holds the lock of ``write.lock`` while open: a second writer waits. (On
    Windows a file still open by a reader cannot be deleted; it is then left for a
    later writer's clean-up, ``ignore_errors``.) An existing index
    that cannot be used (:class:`BrokenIndexError`) is replaced by a rebuild
    and refused by an update.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
            self._lock = open(root / "write.lock", "a+b")  # noqa: SIM115 - held while open
        except OSError as exc:
            raise CopyIndexError(
                f"无法创建索引目录 {root}（{exc.strerror}）。请检查路径和写权限"
            ) from None
        _lock_exclusive(self._lock)  # released by close, or by the kernel on a kill
        self._touched = []
        self.meta: dict[str, Any] = {}
        self.broken: BrokenIndexError | None = None
        if (root / "meta.json").is_file():
            try:
                Index(root).close()  # validates version, scheme and files
                self.meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
            except BrokenIndexError as exc:
                self.broken = exc
        if self.broken is None:
            self._collect_garbage()
        self.generation = int(self.meta.get("generation", 0))

    def close(self) -> None:
        if not self._lock.closed:
            self._lock.close()

    # --- what the index holds ------------------------------------------------------

    def _catalog(self) -> dict[int, list[Any]]:
        """id -> [id, path, sha256, size, mtime_ns, text_hash, issuer, n_chars] of live files."""
        if not self.meta:
            return {}
        g = self.root / f"g{self.generation}"
        dead = set(np.load(g / "dead.npy").tolist())
        out: dict[int, list[Any]] = {}
        for s in self.meta["segments"]:
            for row in json.loads((self.root / f"seg-{s['id']}" / "files.json").read_bytes()):
                if row[0] not in dead:
                    out[row[0]] = row
        for doc_id, (size, mtime) in json.loads((g / "restat.json").read_bytes()).items():
            if int(doc_id) in out:
                out[int(doc_id)][3:5] = [size, mtime]
        return out

    def _known(self, rebuild: bool) -> dict[str, tuple[int, str, int, int]]:
        if self.broken is not None and not rebuild:
            raise self.broken
        self._touched = []
        if rebuild:
            return {}
        return {r[1]: (r[0], r[2], r[3], r[4]) for r in self._catalog().values()}

    def _exists(self) -> bool:
        return bool(self.meta)

    # --- a new generation ----------------------------------------------------------

    def commit(
        self,
        rows: Iterable[Row],
        removed: list[int],
        corpus: str | None,
        rebuild: bool,
    ) -> int:
        if self.broken is not None:
            if not rebuild:
                raise self.broken
            self._clear()
        old = self.meta if (self.meta and not rebuild) else {}
        g = self.generation + 1
        next_id = int(self.meta.get("next_id", 0)) + 1  # ids are never reused
        seg_id = int(self.meta.get("next_segment", 0)) + 1
        catalog = self._catalog() if old else {}
        for doc_id in removed:
            catalog.pop(doc_id, None)
        restat = (
            json.loads((self.root / f"g{self.generation}" / "restat.json").read_bytes())
            if old
            else {}
        )
        for doc_id, size, mtime in self._touched:
            restat[str(doc_id)] = [size, mtime]
            if doc_id in catalog:
                catalog[doc_id][3:5] = [size, mtime]
        self._touched = []
        segments = list(old.get("segments", []))
        dead = (
            set(np.load(self.root / f"g{self.generation}" / "dead.npy").tolist()) if old else set()
        )
        dead |= set(removed)
        new, next_id = self._write_segment(seg_id, rows, next_id, catalog)
        if new["docs"]:
            segments.append(new)
        else:
            shutil.rmtree(self.root / f"seg-{seg_id}")
        stored = sum(s["docs"] for s in segments)
        if len(segments) > MAX_SEGMENTS or (dead and len(dead) > MAX_DEAD_SHARE * max(stored, 1)):
            seg_id += 1
            segments, dead = [self._merge(seg_id, segments, dead)], set()
        restat = {k: v for k, v in restat.items() if int(k) in catalog}
        folder = self.root / f"g{g}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        _save(folder / "dead.npy", np.array(sorted(dead), dtype=np.uint32))
        _save(folder / "stoplist.npy", self._stoplist(segments, catalog))
        _write_file(folder / "restat.json", json.dumps(restat).encode("utf-8"))
        fsync_path(folder)
        fsync_path(self.root)
        meta = {
            "format_version": FORMAT_VERSION,
            "scheme": scheme(),
            "generation": g,
            "segments": segments,
            "documents": len(catalog),
            "characters": sum(r[7] for r in catalog.values()),
            "postings": sum(s["postings"] for s in segments),
            "next_id": next_id - 1,
            "next_segment": seg_id,
            "corpus": corpus or self.meta.get("corpus"),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        tmp = self.root / "meta.json.tmp"
        _write_file(tmp, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        os.replace(tmp, self.root / "meta.json")  # the switch
        fsync_path(self.root)
        self.generation, self.meta = g, meta
        self._collect_garbage()
        return g

    def _write_segment(
        self, seg_id: int, rows: Iterable[Row], next_id: int, catalog: dict[int, list[Any]]
    ) -> tuple[dict[str, int], int]:
        """Store ``rows`` as segment ``seg_id``; adds them to ``catalog``."""
        folder = self.root / f"seg-{seg_id}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        builder = Builder(folder)
        ids: list[int] = []
        offsets = [0]
        files: list[list[Any]] = []
        with open(folder / "records.bin", "wb") as out:
            for values, prints in rows:
                doc_id = next_id
                next_id += 1
                record = pack_record(values)
                out.write(record)
                offsets.append(offsets[-1] + len(record))
                ids.append(doc_id)
                f = dict(zip(ROW_FIELDS, values, strict=True))
                row = [doc_id, f["path"], f["sha256"], f["size"], f["mtime_ns"], f["text_hash"]]
                row += [f["issuer"], f["n_chars"]]
                files.append(row)
                catalog[doc_id] = row
                builder.add(keys_of(prints), doc_id)
            out.flush()
            os.fsync(out.fileno())
        postings = builder.finish()
        _save(folder / "ids.npy", np.array(ids, dtype=np.uint32))
        _save(folder / "records.npy", np.array(offsets, dtype=np.uint64))
        _write_file(folder / "files.json", json.dumps(files, ensure_ascii=False).encode("utf-8"))
        fsync_path(folder)
        return {"id": seg_id, "docs": len(ids), "postings": postings}, next_id

    def _merge(self, seg_id: int, segments: list[dict[str, int]], dead: set[int]) -> dict[str, int]:
        """One segment with the live documents and postings of ``segments`` (ids kept)."""
        folder = self.root / f"seg-{seg_id}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        gone = np.array(sorted(dead), dtype=np.uint32)
        builder = Builder(folder)
        ids: list[np.ndarray] = []
        offsets = [np.zeros(1, np.uint64)]
        files: list[list[Any]] = []
        with open(folder / "records.bin", "wb") as out:
            for s in segments:  # segments hold increasing id ranges
                src = self.root / f"seg-{s['id']}"
                seg = _Segment(src)
                live = ~np.isin(seg.ids, gone)
                for keys, docs in seg.postings.chunks():
                    keep = ~np.isin(docs, gone)
                    builder.add(keys[keep], docs[keep])
                for i in np.flatnonzero(live):
                    a, b = int(seg.offsets[i]), int(seg.offsets[i + 1])
                    out.write(seg.records[a:b].tobytes())
                    offsets.append(np.array([b - a], np.uint64))
                ids.append(seg.ids[live])
                files += [
                    r for r in json.loads((src / "files.json").read_bytes()) if r[0] not in dead
                ]
            out.flush()
            os.fsync(out.fileno())
        postings = builder.finish()
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.uint32)
        _save(folder / "ids.npy", all_ids.astype(np.uint32))
        _save(folder / "records.npy", np.cumsum(np.concatenate(offsets)).astype(np.uint64))
        _write_file(folder / "files.json", json.dumps(files, ensure_ascii=False).encode("utf-8"))
        fsync_path(folder)
        return {"id": seg_id, "docs": len(all_ids), "postings": postings}

    def _stoplist(
        self, segments: list[dict[str, int]], catalog: dict[int, list[Any]]
    ) -> np.ndarray:
        """Boilerplate seed k-grams of the sampled live documents (:func:`.rows.stoplist_sample`)."""
        opened = [_Segment(self.root / f"seg-{s['id']}") for s in segments]
        seeds = []
        for text_hash, doc_id in stoplist_sample((r[5], r[0]) for r in catalog.values()):
            blob = next(b for seg in opened if (b := seg.record(doc_id)) is not None)
            source = unpack_record(doc_id, blob)
            norm = normalise_mod.normalise(source.text)
            seeds.append((sample_key(text_hash, source.issuer), seed_set(norm)))
        return stoplist_of(seeds)

    # --- housekeeping --------------------------------------------------------------

    def _collect_garbage(self) -> None:
        """Delete what meta.json does not name: superseded generations, a killed update's files."""
        keep = {f"seg-{s['id']}" for s in self.meta.get("segments", [])}
        if self.meta:
            keep.add(f"g{self.meta['generation']}")
        for path in self.root.iterdir():
            name = path.name
            ours = (name.startswith("seg-") and name[4:].isdigit()) or (
                name.startswith("g") and name[1:].isdigit()
            )
            if ours and name not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        (self.root / "meta.json.tmp").unlink(missing_ok=True)

    def _clear(self) -> None:
        """Remove the files of a broken index (only the names an index uses, any version)."""
        for name in ("meta.json", "meta.json.tmp", "docs.sqlite", "docs.sqlite-journal"):
            (self.root / name).unlink(missing_ok=True)
        self.meta, self.generation, self.broken = {}, 0, None
        self._collect_garbage()


def open_index(root: Path) -> Index:
    return Index(root)
