"""The reference index stored in Redis, shared by every reviewer of an office.

The fingerprints, postings, ranking and stoplist are exactly those of the
embedded index (:mod:`.fingerprint`, :mod:`.index`); only the storage differs.
Layout, under the prefix ``wenshan-audit:<name>:``::

    current              number N of the version readers use (the one pointer)
    v:<N>                JSON manifest: format, scheme, segments, removed ids
    stop:<N>             the version's boilerplate stoplist (sorted uint64 bytes)
    s:<S>:p:<c>          chunk c of segment S's postings: sorted uint64
                         ``low 32 key bits << 32 | doc id`` of the 48-bit keys whose
                         top ``bits`` (>= 16) bits are c (about CHUNK postings, so
                         a key lookup fetches a few hundred bytes)
    s:<S>:files          path -> [id, sha256, size, mtime_ns, text hash, issuer]
    d:<id>               one document: the embedded index's row (path, title, packed text …)

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

from . import normalise as normalise_mod
from .fingerprint import of_seeds, seed_set
from .index import (
    CopyIndexError,
    CorpusWriter,
    Source,
    common_df,
    query_keys,
    rank,
    scheme,
)
from .normalise import Normalised
from .postings import keys_of
from .rows import ROW_FIELDS, Row, sample_key, stoplist_of, stoplist_sample, unpack_text

FORMAT_VERSION = 2  # 2: winnowing postings (1: MinHash band tables)
CHUNK = 32  # target entries per chunk: memory ~10 B per entry, ~300 B fetched per key
MAX_SEGMENTS = 8
MAX_DEAD_SHARE = 0.2  # merge segments when this share of their documents is removed
GRACE = 120.0  # seconds a superseded version stays readable
LOCK_TTL = 3600
_BATCH = 2000  # commands per pipeline round trip
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


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

    def chunk(self, seg: int, c: int) -> str:
        return f"{self.prefix}s:{seg}:p:{c}"

    def chunks(self, seg: int) -> str:
        """The names (uint64) of the segment's non-empty chunks."""
        return f"{self.prefix}s:{seg}:chunks"

    def files(self, seg: int) -> str:
        return f"{self.prefix}s:{seg}:files"

    def doc(self, doc_id: int) -> str:
        return f"{self.prefix}d:{doc_id}"


def _bits(entries: int) -> int:
    """Top key bits that name a chunk: chunks of about CHUNK postings, and at least the
    16 bits the entries do not hold."""
    return max(16, math.ceil(math.log2(entries / CHUNK)) if entries > CHUNK else 0)


def _chunk_of(keys: np.ndarray, bits: int) -> np.ndarray:
    return keys >> np.uint64(48 - bits)


def _sorted(keys: list[np.ndarray], docs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Postings sorted by (key, doc): documents arrive in id order, so a stable sort by key."""
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint32)
    k, d = np.concatenate(keys), np.concatenate(docs)
    order = np.argsort(k, kind="stable")
    return k[order], d[order]


def _keys_of(chunk: int, entries: np.ndarray, bits: int) -> np.ndarray:
    """The 48-bit keys of a chunk's entries."""
    low = entries >> _S32
    if bits < 48:
        low &= np.uint64((1 << (48 - bits)) - 1)
    return (np.uint64(chunk) << np.uint64(48 - bits)) | low


@dataclass
class _Manifest:
    generation: int
    segments: list[dict[str, int]]  # {"id", "bits", "docs", "postings"}
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
        self.stop_prints = of_seeds(self.stoplist)
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

    def _fetch(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(key index, doc id) of every live posting of ``keys``, read atomically with the
        manifest in one MGET (None: the version is gone)."""
        names: list[str] = [self.keys.version(self.generation)]
        slots: list[tuple[int, int]] = []  # (chunk, bits)
        for seg in self.manifest.segments:
            bits = seg["bits"]
            for c in np.unique(_chunk_of(keys, bits)).tolist() if len(keys) else []:
                names.append(self.keys.chunk(seg["id"], c))
                slots.append((c, bits))
        values = self.client.mget(names)
        if values[0] is None:
            return None
        found, docs = [], []
        for (c, bits), value in zip(slots, values[1:], strict=True):
            if value:
                entries = np.frombuffer(value, dtype=np.uint64)
                found.append(_keys_of(c, entries, bits))
                docs.append((entries & _LOW32).astype(np.uint32))
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.uint32)
        stored, ids = np.concatenate(found), np.concatenate(docs)
        order = np.argsort(stored, kind="stable")
        stored, ids = stored[order], ids[order]
        first = np.searchsorted(stored, keys, side="left")
        count = np.searchsorted(stored, keys, side="right") - first
        count[count > common_df(self.size)] = 0  # as the embedded Index.lookup
        total = int(count.sum())
        rows = np.repeat(np.arange(len(keys)), count)
        within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        hit = ids[first[rows] + within]
        if len(self.dead):
            live = ~np.isin(hit, self.dead)
            rows, hit = rows[live], hit[live]
        return rows, hit

    def retrieve(self, norm: Normalised, limit: int) -> list[int]:
        """Documents ranked as :meth:`.index.Index.retrieve` ranks them."""
        keys = query_keys(norm, self.stop_prints)
        fetched = self._fetch(keys)
        if fetched is None:  # the pinned version was superseded long ago: use the current one
            self._open()
            fetched = self._fetch(query_keys(norm, self.stop_prints))
            if fetched is None:
                raise CopyIndexError("共享索引正在频繁更新，本次查询未能读到完整版本。请稍后重试")
        return rank(*fetched, self.size, limit)

    def sources(self, ids: Iterable[int]) -> list[Source]:
        ids = [int(i) for i in ids]
        pipe = self.client.pipeline(transaction=False)
        fields = ("path", "title", "doc_number", "issuer", "date", "text")
        for doc_id in ids:
            pipe.hmget(self.keys.doc(doc_id), *fields)
        out = []
        dead = set(self.dead.tolist())
        for doc_id, values in zip(ids, pipe.execute(), strict=True):
            if values[0] is None or doc_id in dead:
                continue
            path, title, number, issuer, date = (v.decode("utf-8") or None for v in values[:5])
            out.append(Source(doc_id, path, title, number, unpack_text(values[5]), issuer, date))
        return out

    def stats(self) -> dict[str, Any]:
        m = self.manifest
        ids = _live_files(self.client, self.keys, m)
        pipe = self.client.pipeline(transaction=False)
        for _, (doc_id, *_rest) in ids.items():
            pipe.hget(self.keys.doc(doc_id), "n_chars")
        chars = sum(int(v or 0) for v in pipe.execute()) if ids else 0
        postings = sum(s["postings"] for s in m.segments)  # includes removed documents' ones
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
            "postings": postings,
            "segments": len(m.segments),
            "stoplist_kgrams": int(len(self.stoplist)),
            "redis_used_memory": used,
            "table_bytes": max(used - texts, 0),  # the server's other memory counts here too
            "text_store_bytes": texts,
            "bytes_per_posting": round(max(used - texts, 0) / postings, 1) if postings else 0,
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
        keys: list[np.ndarray] = []
        docs: list[np.ndarray] = []
        pipe = self.client.pipeline(transaction=False)
        for values, prints in rows:
            next_id += 1
            fields = dict(zip(ROW_FIELDS, values, strict=True))
            pipe.hset(
                self.keys.doc(next_id),
                mapping={k: "" if v is None else v for k, v in fields.items()},
            )
            if len(pipe) >= _BATCH // 10:
                pipe.execute()
            files[fields["path"]] = [
                next_id,
                fields["sha256"],
                fields["size"],
                fields["mtime_ns"],
                fields["text_hash"],
                fields["issuer"],
            ]
            keys.append(keys_of(prints))
            docs.append(np.full(len(keys[-1]), next_id, dtype=np.uint32))
        pipe.execute()
        self.client.set(self.keys.next_id, next_id)
        if files:
            segments.append(self._write_segment(*_sorted(keys, docs), files))
        live.update(files)
        stored = sum(s["docs"] for s in segments)
        if len(segments) > MAX_SEGMENTS or (dead and len(dead) > MAX_DEAD_SHARE * max(stored, 1)):
            segments = [self._merge(segments, dead, live)]
            dead = set()
        stop = self._stoplist(live)
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
        self, keys: np.ndarray, docs: np.ndarray, files: dict[str, list[Any]]
    ) -> dict[str, int]:
        """Sorted postings (48-bit keys, doc ids) and the catalog as a new segment."""
        seg = int(self.client.incr(self.keys.next_seg))
        bits = _bits(len(keys))
        info = {"id": seg, "docs": len(files), "postings": len(keys), "bits": bits}
        entries = ((keys & _LOW32) << _S32) | docs.astype(np.uint64)
        chunk = _chunk_of(keys, bits)
        bounds = np.flatnonzero(np.diff(chunk)) + 1
        starts = np.concatenate(([0], bounds)).astype(np.int64)
        ends = np.concatenate((bounds, [len(keys)])).astype(np.int64)
        pipe = self.client.pipeline(transaction=False)
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            if b > a:
                pipe.set(self.keys.chunk(seg, int(chunk[a])), entries[a:b].tobytes())
            if len(pipe) >= _BATCH:
                pipe.execute()
        names = chunk[starts[ends > starts]] if len(keys) else np.zeros(0, np.uint64)
        pipe.set(self.keys.chunks(seg), names.astype(np.uint64).tobytes())
        if files:
            pipe.hset(self.keys.files(seg), mapping={k: json.dumps(v) for k, v in files.items()})
        pipe.execute()
        return info

    def _read_postings(self, seg: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """A segment's postings (48-bit keys, doc ids), sorted, back from its chunks."""
        names = np.frombuffer(self.client.get(self.keys.chunks(seg["id"])) or b"", np.uint64)
        keys, docs = [], []
        for i in range(0, len(names), _BATCH):
            part = names[i : i + _BATCH].tolist()
            values = self.client.mget([self.keys.chunk(seg["id"], c) for c in part])
            for c, value in zip(part, values, strict=True):
                entries = np.frombuffer(value or b"", np.uint64)
                keys.append(_keys_of(c, entries, seg["bits"]))
                docs.append((entries & _LOW32).astype(np.uint32))
        if not keys:
            return np.zeros(0, np.uint64), np.zeros(0, np.uint32)
        return np.concatenate(keys), np.concatenate(docs)

    def _merge(
        self, segments: list[dict[str, int]], dead: set[int], live: dict[str, list[Any]]
    ) -> dict[str, int]:
        """One segment with the live postings of all ``segments``."""
        gone = np.array(sorted(dead), dtype=np.uint32)
        keys, docs = [], []
        for seg in segments:
            k, d = self._read_postings(seg)
            keep = ~np.isin(d, gone)
            keys.append(k[keep])
            docs.append(d[keep])
        return self._write_segment(*_sorted(keys, docs), live)

    def _stoplist(self, live: dict[str, list[Any]]) -> np.ndarray:
        """As the embedded Writer: the boilerplate of the sampled live documents."""
        sample = stoplist_sample((row[4], row[0]) for row in live.values())
        pipe = self.client.pipeline(transaction=False)
        for _, doc_id in sample:
            pipe.hmget(self.keys.doc(doc_id), "text", "issuer")
        seeds = []
        for (text_hash, _), (blob, issuer) in zip(sample, pipe.execute(), strict=True):
            norm = normalise_mod.normalise(unpack_text(blob))
            seeds.append((sample_key(text_hash, issuer.decode("utf-8") or None), seed_set(norm)))
        return stoplist_of(seeds)

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
            names = np.frombuffer(self.client.get(self.keys.chunks(seg["id"])) or b"", np.uint64)
            self._unlink(self.keys.chunk(seg["id"], c) for c in names.tolist())
            self._unlink([self.keys.files(seg["id"]), self.keys.chunks(seg["id"])])
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
