"""Sorted posting arrays: fingerprint -> document ids, on disk and memory-mapped.

A posting is a 48-bit key and a document id. The key is the top 48 bits of
``fmix64`` of the fingerprint: fingerprints are window minima, so their own
top bits crowd near zero; mixed again they fill the buckets evenly. Postings are sorted by (key, doc) and stored as three arrays:

    post-off.npy   uint64 (BUCKETS + 1): start of each bucket (the key's top 16 bits)
    post-key.npy   uint32: the key's low 32 bits
    post-doc.npy   uint32: the document id

so a posting costs 8 bytes and a lookup is a vectorised binary search inside
the buckets of the draft's keys. 48 bits keep accidental matches rare: with a
billion postings a draft fingerprint matches an unrelated one with probability
about 4e-6.

:class:`Builder` takes postings in any amount: past ``BUDGET`` buffered
postings it spills them, split by the key's top ``PART_BITS`` bits, into
partition files, and sorts one partition at a time at the end (an external
sort; memory stays near ``BUDGET * 12`` bytes whatever the corpus size).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .minhash import fmix64

KEY_SHIFT = np.uint64(16)  # fmix64(fingerprint) >> 16: the 48-bit key
BUCKET_BITS = 16
BUCKETS = 1 << BUCKET_BITS
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
PART_BITS = 8
BUDGET = 48_000_000  # buffered postings before a spill (12 bytes each)
FILES = ("post-off.npy", "post-key.npy", "post-doc.npy")


def keys_of(prints: np.ndarray) -> np.ndarray:
    """48-bit keys (uint64, sorted, distinct) of fingerprints."""
    keys = np.sort(fmix64(prints) >> KEY_SHIFT)
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


def fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder: its entries, e.g. after a rename)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Builder:
    """Accumulates postings and writes them sorted into a folder.

    Postings must arrive so that, for equal keys, doc ids never decrease
    (documents in id order, or the sorted postings of segments in id order):
    a stable sort by key then yields (key, doc) order.
    """

    def __init__(self, folder: Path, budget: int = BUDGET) -> None:
        self.folder = folder
        self.budget = budget
        self.keys: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []
        self.buffered = 0
        self.spilled = False
        self.total = 0

    def add(self, keys: np.ndarray, docs: np.ndarray | int) -> None:
        if len(keys) == 0:
            return
        if isinstance(docs, int):
            docs = np.full(len(keys), docs, dtype=np.uint32)
        self.keys.append(keys.astype(np.uint64, copy=False))
        self.docs.append(docs.astype(np.uint32, copy=False))
        self.buffered += len(keys)
        self.total += len(keys)
        if self.buffered >= self.budget:
            self._spill()

    def _take(self) -> tuple[np.ndarray, np.ndarray]:
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, np.uint64)
        docs = np.concatenate(self.docs) if self.docs else np.zeros(0, np.uint32)
        self.keys, self.docs, self.buffered = [], [], 0
        return keys, docs

    def _part(self, p: int, kind: str) -> Path:
        return self.folder / f"spill-{p:03d}.{kind}"

    def _spill(self) -> None:
        keys, docs = self._take()
        part = (keys >> np.uint64(48 - PART_BITS)).astype(np.int64)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange((1 << PART_BITS) + 1))
        for p in range(1 << PART_BITS):
            a, b = bounds[p], bounds[p + 1]
            if b > a:
                sel = order[a:b]
                with open(self._part(p, "key"), "ab") as fh:
                    fh.write(keys[sel].tobytes())
                with open(self._part(p, "doc"), "ab") as fh:
                    fh.write(docs[sel].tobytes())
        self.spilled = True

    def finish(self) -> int:
        """Write the sorted arrays (and fsync them); the number of postings."""
        off = np.zeros(BUCKETS + 1, dtype=np.uint64)
        if not self.spilled:  # all in memory
            keys, docs = self._take()
            order = np.argsort(keys, kind="stable")
            keys, docs = keys[order], docs[order]
            off[1:] = np.bincount((keys >> _S32).astype(np.int64), minlength=BUCKETS)
            np.save(self.folder / FILES[1], (keys & _LOW32).astype(np.uint32))
            np.save(self.folder / FILES[2], docs)
        else:
            self._spill()
            # plain appends, not a memory map: written pages of a map count as the
            # process's resident memory (7.9 GB of a million-document build)
            out_key = _open_npy(self.folder / FILES[1], np.uint32, self.total)
            out_doc = _open_npy(self.folder / FILES[2], np.uint32, self.total)
            with out_key, out_doc:
                for p in range(1 << PART_BITS):
                    if not self._part(p, "key").is_file():
                        continue
                    keys = np.fromfile(self._part(p, "key"), dtype=np.uint64)
                    docs = np.fromfile(self._part(p, "doc"), dtype=np.uint32)
                    self._part(p, "key").unlink()
                    self._part(p, "doc").unlink()
                    order = np.argsort(keys, kind="stable")
                    keys, docs = keys[order], docs[order]
                    out_key.write((keys & _LOW32).astype(np.uint32).tobytes())
                    out_doc.write(docs.tobytes())
                    off[1:] += np.bincount(
                        (keys >> _S32).astype(np.int64), minlength=BUCKETS
                    ).astype(np.uint64)
                    del keys, docs, order
        np.save(self.folder / FILES[0], np.cumsum(off))
        for name in FILES:
            fsync_path(self.folder / name)
        return self.total


def _open_npy(path: Path, dtype: type, n: int):  # noqa: ANN202 - a binary file
    """A .npy file of ``n`` values with its header written; the values are appended."""
    fh = open(path, "wb")  # noqa: SIM115 - closed by the caller's with
    header = {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": (n,)}
    np.lib.format.write_array_header_2_0(fh, header)
    return fh


class Postings:
    """The memory-mapped posting arrays of one folder."""

    def __init__(self, folder: Path) -> None:
        self.off = np.load(folder / FILES[0])
        self.key = np.load(folder / FILES[1], mmap_mode="r")
        self.doc = np.load(folder / FILES[2], mmap_mode="r")
        if (
            self.off.shape != (BUCKETS + 1,)
            or self.key.shape != self.doc.shape
            or int(self.off[-1]) != len(self.key)
        ):
            raise ValueError("posting arrays do not match")

    def __len__(self) -> int:
        return len(self.key)

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(first posting, number of postings) of each key (uint64 48-bit keys)."""
        if len(keys) == 0 or len(self.key) == 0:
            zero = np.zeros(len(keys), np.int64)
            return zero, zero
        bucket = (keys >> _S32).astype(np.int64)
        low = (keys & _LOW32).astype(np.uint32)
        lo = self.off[bucket].astype(np.int64)
        hi = self.off[bucket + 1].astype(np.int64)
        first = _search(self.key, lo, hi, low, right=False)
        return first, _search(self.key, first, hi, low, right=True) - first

    def gather(self, first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the range, document id) of every posting in the ranges."""
        total = int(count.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.uint32)
        rows = np.repeat(np.arange(len(count)), count)
        within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        return rows, np.asarray(self.doc[first[rows] + within])

    def chunks(self, size: int = 1 << 24):
        """(keys, docs) of all postings in order, ``size`` at a time (for a merge)."""
        for a in range(0, len(self.key), size):
            b = min(a + size, len(self.key))
            bucket = np.searchsorted(self.off, np.arange(a, b), side="right") - 1
            keys = (bucket.astype(np.uint64) << _S32) | np.asarray(self.key[a:b]).astype(np.uint64)
            yield keys, np.asarray(self.doc[a:b])


def _search(
    values: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: np.ndarray, right: bool
) -> np.ndarray:
    """Vectorised bisection of ``target`` in the sorted ranges ``values[lo:hi]``."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        v = np.asarray(values[np.where(active, mid, 0)])
        go = active & ((v <= target) if right else (v < target))
        lo = np.where(go, mid + 1, lo)
        hi = np.where(active & ~go, mid, hi)
