"""The reference index stored in Redis, shared by every reviewer of an office.

The signatures, band keys and stoplist are exactly those of the embedded index
(:mod:`.fingerprint`, :mod:`.index`); only the storage differs. Layout, under
the prefix ``wenshan-audit:<name>:``::

    current              number N of the version readers use (the one pointer)
    v:<N>                JSON manifest: format, signature scheme, segments, removed ids
    stop:<N>             the version's boilerplate stoplist (sorted uint64 bytes)
    s:<S>:w:<band>:<c>   chunk c of segment S's window band table: sorted uint64
                         ``key << 32 | doc id`` whose key's top bits are c (about
                         CHUNK entries, so a key lookup fetches a few hundred bytes)
    s:<S>:d:<band>:<c>   the same for whole-document keys
    s:<S>:files          path -> [id, sha256, size, mtime_ns] of the segment's documents
    d:<id>               one document: the embedded index's columns (path, title, text …)

Segments and documents are immutable. ``index update`` writes a new segment
for the new and changed documents and a new manifest ``v:<N+1>`` (its removed
ids are tombstones), then sets ``current`` to N+1: one single-key write, so a
reader sees either all of the update or none of it. A reader pins the version
it opened and fetches every chunk of a draft with one ``MGET`` that also reads
its manifest, so a query is atomic; a version superseded more than ``GRACE``
seconds ago is deleted by a later update, and a reader still holding it moves to
the current one. Past ``MAX_SEGMENTS`` segments (or many tombstones) an update
merges all segments into one. One writer at a time (a lock key with a TTL).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import minhash
from . import normalise as normalise_mod
from .fingerprint import seed_set
from .index import CopyIndexError, CorpusWriter, Index, Source, scheme
from .rows import ROW_FIELDS, STOP_SAMPLE, TEXT_ENCODING, Row, sorted_table, stoplist_of

FORMAT_VERSION = 1
CHUNK = 32  # target entries per chunk: memory ~10 B per entry, ~300 B fetched per key
MAX_SEGMENTS = 8
MAX_DEAD_SHARE = 0.2  # merge segments when this share of their documents is removed
GRACE = 120.0  # seconds a superseded version stays readable
LOCK_TTL = 3600
_BATCH = 2000  # commands per pipeline round trip
_KINDS = ("w", "d")  # window keys, whole-document keys


def _client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise CopyIndexError(
            "共享索引需要 Redis 客户端，当前未安装。请运行：pip install 'wenshan-audit[redis]'"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_timeout=30)
        client.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ValueError) as exc:
        raise CopyIndexError(
            f"无法连接 Redis 服务器 {url}（{exc}）。"
            "请检查配置 [reference] url、服务器是否启动和网络"
        ) from None
    except redis.exceptions.ResponseError as exc:
        raise CopyIndexError(
            f"Redis 服务器 {url} 拒绝连接（{exc}）。请检查地址中的密码或库号"
        ) from None
    return client


class Keys:
    """Key names of one shared index."""

    def __init__(self, name: str) -> None:
        self.prefix = f"wenshan-audit:{name}:"
        p = self.prefix
        self.current, self.lock, self.next_id, self.next_seg = (
            p + "current",
            p + "lock",
            p + "next_id",
            p + "next_seg",
        )
        self.superseded = p + "superseded"  # hash: version -> time it stopped being current

    def version(self, n: int) -> str:
        return f"{self.prefix}v:{n}"

    def stop(self, n: int) -> str:
        return f"{self.prefix}stop:{n}"

    def chunk(self, seg: int, kind: str, band: int, c: int) -> str:
        return f"{self.prefix}s:{seg}:{kind}:{band}:{c}"

    def files(self, seg: int) -> str:
        return f"{self.prefix}s:{seg}:files"

    def doc(self, doc_id: int) -> str:
        return f"{self.prefix}d:{doc_id}"


def _bits(entries: int) -> int:
    """Top key bits that name a chunk, so chunks hold about CHUNK entries."""
    return max(0, math.ceil(math.log2(entries / CHUNK))) if entries > CHUNK else 0


def _chunk_of(keys: np.ndarray, bits: int) -> np.ndarray:
    return (
        (keys.astype(np.uint64) >> np.uint64(32 - bits)) if bits else np.zeros(len(keys), np.uint64)
    )


@dataclass
class _Manifest:
    generation: int
    segments: list[dict[str, int]]  # {"id", "bits_w", "bits_d", "docs", "windows"}
    dead: list[int]
    corpus: str | None
    built_at: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "format_version": FORMAT_VERSION,
                "scheme": scheme(),
                "generation": self.generation,
                "segments": self.segments,
                "dead": self.dead,
                "corpus": self.corpus,
                "built_at": self.built_at,
            },
            ensure_ascii=False,
        )

    @classmethod
    def parse(cls, raw: bytes, where: str) -> _Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise CopyIndexError(
                f"共享索引 {where} 的清单已损坏（{exc}）。请重新运行 index build"
            ) from None
        if data.get("format_version") != FORMAT_VERSION or data.get("scheme") != scheme():
            raise CopyIndexError(
                f"共享索引 {where} 由其他版本的 wenshan-audit 建立（格式或签名方案不同）。"
                "请用当前版本重新运行 wenshan-audit index build --backend redis"
            )
        return cls(
            data["generation"], data["segments"], data["dead"], data.get("corpus"), data["built_at"]
        )


class _Fetched:
    """Band sub-tables holding every stored entry for one draft's keys.

    Shaped like :class:`Index` (``lookup`` on a table, ``size``, ``all_ids``)
    so that :meth:`Index.candidates` ranks them exactly as the embedded tables.
    """

    windows, documents = "w", "d"

    def __init__(self, tables: dict[str, list[np.ndarray]], owner: RedisIndex) -> None:
        self.tables = tables
        self.owner = owner

    @property
    def size(self) -> int:
        return self.owner.size

    def all_ids(self) -> list[int]:
        return self.owner.all_ids()

    def lookup(self, kind: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, docs = [], []
        for band, column in enumerate(self.tables[kind]):
            r, d = Index.lookup(column[None, :], keys[:, band : band + 1])
            rows.append(r)
            docs.append(d)
        return np.concatenate(rows), np.concatenate(docs)


class RedisIndex:
    """A read-only view of one version of a shared index (see the module docstring)."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.keys = Keys(name)
        self.client = _client(url)
        self._open()

    def _open(self) -> None:
        current = self.client.get(self.keys.current)
        if current is None:
            raise CopyIndexError(
                f"Redis {self.url} 中没有名为“{self.name}”的照搬检测索引。请先运行："
                "wenshan-audit index build 上级文件夹 --backend redis "
                f"--url {self.url} --name {self.name}"
            )
        self.generation = int(current)
        raw, stop = self.client.mget(
            self.keys.version(self.generation), self.keys.stop(self.generation)
        )
        if raw is None or stop is None:  # superseded and deleted between the two reads
            return self._open()
        self.manifest = _Manifest.parse(raw, f"{self.url} {self.name}")
        self.meta = json.loads(raw)
        self.stoplist = np.frombuffer(stop, dtype=np.uint64)
        self.dead = np.array(sorted(self.manifest.dead), dtype=np.uint64)
        self.size = sum(s["docs"] for s in self.manifest.segments) - len(self.manifest.dead)
        self._ids: list[int] | None = None

    def all_ids(self) -> list[int]:
        """Every visible document id, ascending (small indexes align them all)."""
        if self._ids is None:
            self._ids = sorted(
                row[0] for row in _live_files(self.client, self.keys, self.manifest).values()
            )
        return self._ids

    def close(self) -> None:
        self.client.close()

    def _fetch(self, window_keys: np.ndarray, doc_keys: np.ndarray) -> _Fetched | None:
        """All chunks the keys fall in, read atomically with the manifest (None: version gone)."""
        names: list[str] = [self.keys.version(self.generation)]
        slots: list[tuple[str, int]] = []
        for kind, keys in (("w", window_keys), ("d", doc_keys.reshape(-1, minhash.BANDS))):
            for seg in self.manifest.segments:
                bits = seg["bits_" + kind]
                for band in range(minhash.BANDS):
                    for c in (
                        np.unique(_chunk_of(keys[:, band], bits)).tolist() if len(keys) else []
                    ):
                        names.append(self.keys.chunk(seg["id"], kind, band, c))
                        slots.append((kind, band))
        values = self.client.mget(names)
        if values[0] is None:
            return None
        parts: dict[str, list[list[np.ndarray]]] = {
            k: [[] for _ in range(minhash.BANDS)] for k in _KINDS
        }
        for (kind, band), value in zip(slots, values[1:], strict=True):
            if value:
                parts[kind][band].append(np.frombuffer(value, dtype=np.uint64))
        tables: dict[str, list[np.ndarray]] = {}
        for kind in _KINDS:
            tables[kind] = []
            for chunks in parts[kind]:
                column = np.sort(np.concatenate(chunks)) if chunks else np.zeros(0, np.uint64)
                if len(self.dead):
                    column = column[~np.isin(column & np.uint64(0xFFFFFFFF), self.dead)]
                tables[kind].append(column)
        return _Fetched(tables, self)

    def candidates(self, window_keys: np.ndarray, doc_keys: np.ndarray, limit: int) -> list[int]:
        """Document ids ranked as :meth:`Index.candidates` ranks them."""
        fetched = self._fetch(window_keys, doc_keys)
        if fetched is None:  # the pinned version was superseded long ago: use the current one
            self._open()
            fetched = self._fetch(window_keys, doc_keys)
            if fetched is None:
                raise CopyIndexError("共享索引正在频繁更新，本次查询未能读到完整版本。请稍后重试")
        return Index.candidates(fetched, window_keys, doc_keys, limit)  # type: ignore[arg-type]

    def sources(self, ids: Iterable[int]) -> list[Source]:
        ids = [int(i) for i in ids]
        pipe = self.client.pipeline(transaction=False)
        for doc_id in ids:
            pipe.hmget(self.keys.doc(doc_id), "path", "title", "doc_number", "text")
        out = []
        for doc_id, (path, title, number, text) in zip(ids, pipe.execute(), strict=True):
            if path is None:
                continue
            out.append(
                Source(
                    doc_id,
                    path.decode("utf-8"),
                    title.decode("utf-8") or None,
                    number.decode("utf-8") or None,
                    text.decode(TEXT_ENCODING),
                )
            )
        return out

    def stats(self) -> dict[str, Any]:
        m = self.manifest
        ids = _live_files(self.client, self.keys, m)
        pipe = self.client.pipeline(transaction=False)
        for _, (doc_id, *_rest) in ids.items():
            pipe.hget(self.keys.doc(doc_id), "n_chars")
        chars = sum(int(v or 0) for v in pipe.execute()) if ids else 0
        windows = sum(s["windows"] for s in m.segments)  # includes removed documents' windows
        used = int(self.client.info("memory")["used_memory"])
        pipe = self.client.pipeline(transaction=False)
        for doc_id, *_rest in ids.values():
            pipe.memory_usage(self.keys.doc(doc_id), samples=0)  # all fields
        texts = sum(int(v or 0) for v in pipe.execute()) if ids else 0
        return {
            "backend": "redis",
            "path": f"{self.url}（索引名 {self.name}）",
            "url": self.url,
            "name": self.name,
            "corpus": m.corpus,
            "format_version": FORMAT_VERSION,
            "generation": m.generation,
            "built_at": m.built_at,
            "documents": len(ids),
            "characters": chars,
            "window_keys": windows,
            "segments": len(m.segments),
            "stoplist_kgrams": int(len(self.stoplist)),
            "redis_used_memory": used,
            "table_bytes": max(used - texts, 0),  # the server's other memory counts here too
            "text_store_bytes": texts,
            "bytes_per_key": round(max(used - texts, 0) / windows, 1) if windows else 0,
            "bytes_per_document": round(used / len(ids), 1) if ids else 0,
            "scheme": self.meta["scheme"],
        }


def _live_files(client: Any, keys: Keys, manifest: _Manifest) -> dict[str, list[Any]]:
    """path -> [id, sha256, size, mtime_ns] of the documents visible in ``manifest``."""
    dead = set(manifest.dead)
    out: dict[str, list[Any]] = {}
    for seg in manifest.segments:
        for path, value in client.hgetall(keys.files(seg["id"])).items():
            row = json.loads(value)
            if row[0] not in dead:
                out[path.decode("utf-8")] = row
    return out


class RedisWriter(CorpusWriter):
    """Builds and updates a shared index; holds the index's writer lock while open."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.keys = Keys(name)
        self.client = _client(url)
        self.token = secrets.token_hex(8)
        if not self.client.set(self.keys.lock, self.token, nx=True, ex=LOCK_TTL):
            raise CopyIndexError(
                f"共享索引“{name}”正由另一台机器更新（{url}）。请等它完成后再试；"
                f"若那次更新已中断，锁会在 {LOCK_TTL // 60} 分钟后自动失效"
            )
        current = self.client.get(self.keys.current)
        self.manifest: _Manifest | None = None
        self._touched: list[tuple[int, int, int]] = []  # (id, size, mtime_ns) for the next version
        if current is not None:
            raw = self.client.get(self.keys.version(int(current)))
            self.manifest = _Manifest.parse(raw, f"{url} {name}")

    def close(self) -> None:
        # release the lock only if it is still ours
        self.client.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then"
            " return redis.call('del', KEYS[1]) end return 0",
            1,
            self.keys.lock,
            self.token,
        )
        self.client.close()

    def __enter__(self) -> RedisWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live(self) -> dict[str, list[Any]]:
        return _live_files(self.client, self.keys, self.manifest) if self.manifest else {}

    def _known(self, rebuild: bool) -> dict[str, list[Any]]:
        self._touched = []
        return {} if rebuild else self._live()

    def _exists(self) -> bool:
        return self.manifest is not None

    def _restat(self, doc_id: int, size: int, mtime_ns: int) -> None:
        # segments are immutable: the new stat goes into the next version, if one is committed
        self._touched.append((doc_id, size, mtime_ns))

    def commit(
        self,
        rows: Iterable[Row],
        removed: list[int],
        corpus: str | None,
        rebuild: bool,
    ) -> int:
        """Store fingerprinted documents as a new version and switch readers to it.

        ``rows`` are what the embedded Writer stores (the rows of :mod:`.rows`)
        and may be a stream, as from the Spark build: texts go to Redis as
        they come, only the band keys stay in memory. Returns the new version.
        """
        old = self.manifest
        touched, self._touched = self._touched, []
        g = (old.generation if old else 0) + 1
        segments = [] if (rebuild or old is None) else list(old.segments)
        dead = set() if (rebuild or old is None) else set(old.dead) | set(removed)
        live = (
            {}
            if (rebuild or old is None)
            else {k: v for k, v in self._live().items() if v[0] not in dead}
        )
        for doc_id, size, mtime in touched:
            self.client.hset(self.keys.doc(doc_id), mapping={"size": size, "mtime_ns": mtime})
            for row in live.values():
                if row[0] == doc_id:
                    row[2], row[3] = size, mtime
        next_id = int(self.client.get(self.keys.next_id) or 0)
        files: dict[str, list[Any]] = {}
        new_ids: list[int] = []
        win_keys: list[np.ndarray] = []
        doc_keys: list[np.ndarray] = []
        seed_sets: list[np.ndarray] = []
        pipe = self.client.pipeline(transaction=False)
        for values, windows, doc, seeds in rows:
            if seeds is not None:
                seed_sets.append(seeds)
            next_id += 1
            fields = dict(zip(ROW_FIELDS, values, strict=True))
            pipe.hset(
                self.keys.doc(next_id),
                mapping={k: "" if v is None else v for k, v in fields.items()},
            )
            if len(pipe) >= _BATCH // 10:
                pipe.execute()
            files[fields["path"]] = [next_id, fields["sha256"], fields["size"], fields["mtime_ns"]]
            new_ids.append(next_id)
            win_keys.append(windows)
            doc_keys.append(doc.reshape(-1, minhash.BANDS))
        pipe.execute()
        self.client.set(self.keys.next_id, next_id)
        if new_ids:
            ids = np.array(new_ids, dtype=np.uint32)
            counts = [len(k) for k in win_keys]
            segments.append(
                self._write_segment(
                    {
                        "w": sorted_table(np.concatenate(win_keys), np.repeat(ids, counts)),
                        "d": sorted_table(
                            np.concatenate(doc_keys), np.repeat(ids, [len(k) for k in doc_keys])
                        ),
                    },
                    files,
                )
            )
        live.update(files)
        stored = sum(s["docs"] for s in segments)
        if len(segments) > MAX_SEGMENTS or (dead and len(dead) > MAX_DEAD_SHARE * max(stored, 1)):
            segments = [self._merge(segments, dead, live)]
            dead = set()
        fresh = rebuild or old is None
        stop = stoplist_of(seed_sets) if fresh else self._stoplist_update(live)
        manifest = _Manifest(
            g,
            segments,
            sorted(dead),
            corpus or (old.corpus if old else None),
            time.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        self.client.mset(
            {self.keys.version(g): manifest.to_json(), self.keys.stop(g): stop.tobytes()}
        )
        # the switch: one key, so every reader sees version g-1 or g, never a mix
        self.client.set(self.keys.current, g)
        if old is not None:
            self.client.hset(self.keys.superseded, old.generation, time.time())
        self.manifest = manifest
        self._collect_garbage()
        return g

    def _write_segment(
        self, tables: dict[str, np.ndarray], files: dict[str, list[Any]]
    ) -> dict[str, int]:
        seg = int(self.client.incr(self.keys.next_seg))
        info = {"id": seg, "docs": len(files), "windows": int(tables["w"].shape[1])}
        pipe = self.client.pipeline(transaction=False)
        for kind, table in tables.items():
            bits = _bits(table.shape[1])
            info["bits_" + kind] = bits
            for band in range(table.shape[0]):
                column = table[band]
                chunk = _chunk_of((column >> np.uint64(32)).astype(np.uint32), bits)
                bounds = np.flatnonzero(np.diff(chunk)) + 1
                starts = np.concatenate(([0], bounds)).astype(np.int64)
                ends = np.concatenate((bounds, [len(column)])).astype(np.int64)
                for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                    if b > a:
                        pipe.set(
                            self.keys.chunk(seg, kind, band, int(chunk[a])), column[a:b].tobytes()
                        )
                if len(pipe) >= _BATCH:
                    pipe.execute()
        if files:
            pipe.hset(self.keys.files(seg), mapping={k: json.dumps(v) for k, v in files.items()})
        pipe.execute()
        return info

    def _read_table(self, seg: dict[str, int], kind: str) -> np.ndarray:
        """A segment's whole band table (BANDS, n) back from its chunks."""
        bits = seg["bits_" + kind]
        columns = []
        for band in range(minhash.BANDS):
            names = [self.keys.chunk(seg["id"], kind, band, c) for c in range(1 << bits)]
            parts = []
            for i in range(0, len(names), _BATCH):
                parts += [
                    np.frombuffer(v, np.uint64)
                    for v in self.client.mget(names[i : i + _BATCH])
                    if v
                ]
            columns.append(np.concatenate(parts) if parts else np.zeros(0, np.uint64))
        return np.stack(columns)

    def _merge(
        self, segments: list[dict[str, int]], dead: set[int], live: dict[str, list[Any]]
    ) -> dict[str, int]:
        """One segment with the live entries of all ``segments``."""
        gone = np.array(sorted(dead), dtype=np.uint64)
        tables = {}
        for kind in _KINDS:
            table = np.concatenate([self._read_table(s, kind) for s in segments], axis=1)
            if len(gone):
                # every document has the same number of entries in each band
                table = table[~np.isin(table & np.uint64(0xFFFFFFFF), gone)].reshape(
                    minhash.BANDS, -1
                )
            table.sort(axis=1)
            tables[kind] = table
        return self._write_segment(tables, live)

    def _stoplist_update(self, live: dict[str, list[Any]]) -> np.ndarray:
        """As the embedded Writer: keep the build's stoplist once the index is large,
        else recompute it from the first STOP_SAMPLE live documents."""
        assert self.manifest is not None
        if len(live) > STOP_SAMPLE:
            return np.frombuffer(
                self.client.get(self.keys.stop(self.manifest.generation)), np.uint64
            )
        sample = sorted(row[0] for row in live.values())[:STOP_SAMPLE]
        pipe = self.client.pipeline(transaction=False)
        for doc_id in sample:
            pipe.hget(self.keys.doc(doc_id), "text")
        texts = [blob.decode(TEXT_ENCODING) for blob in pipe.execute()]
        return stoplist_of([seed_set(normalise_mod.normalise(t)) for t in texts])

    def _collect_garbage(self) -> None:
        """Delete versions superseded more than GRACE ago, and data only they used."""
        assert self.manifest is not None
        now = time.time()
        expired = [
            int(v)
            for v, t in self.client.hgetall(self.keys.superseded).items()
            if now - float(t) > GRACE and int(v) != self.manifest.generation
        ]
        if not expired:
            return
        kept_versions = [
            int(v) for v in self.client.hkeys(self.keys.superseded) if int(v) not in expired
        ]
        kept: set[int] = {s["id"] for s in self.manifest.segments}
        for v in kept_versions:
            raw = self.client.get(self.keys.version(v))
            if raw:
                kept |= {s["id"] for s in json.loads(raw)["segments"]}
        doomed: dict[int, dict[str, int]] = {}
        for v in expired:
            raw = self.client.get(self.keys.version(v))
            if raw:
                doomed |= {s["id"]: s for s in json.loads(raw)["segments"] if s["id"] not in kept}
        kept_docs: set[int] = set()
        for seg in kept:
            kept_docs |= {json.loads(r)[0] for r in self.client.hvals(self.keys.files(seg))}
        for seg in doomed.values():
            docs = {
                json.loads(r)[0] for r in self.client.hvals(self.keys.files(seg["id"]))
            } - kept_docs
            self._unlink(self.keys.doc(d) for d in docs)
            self._unlink(
                self.keys.chunk(seg["id"], kind, band, c)
                for kind in _KINDS
                for band in range(minhash.BANDS)
                for c in range(1 << seg["bits_" + kind])
            )
            self._unlink([self.keys.files(seg["id"])])
        self._unlink(k for v in expired for k in (self.keys.version(v), self.keys.stop(v)))
        self.client.hdel(self.keys.superseded, *expired)

    def _unlink(self, names: Iterable[str]) -> None:
        batch: list[str] = []
        for name in names:
            batch.append(name)
            if len(batch) >= _BATCH:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)
