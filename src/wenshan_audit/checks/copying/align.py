"""Passage alignment between a draft and one source, on normalised text.

1. Seeds: k-grams (default 8 normalised characters) shared by both texts,
   except boilerplate k-grams on the corpus stoplist.
2. Runs: seeds on one diagonal (``j - i`` constant) at consecutive draft
   positions form an exact run.
3. Chains: runs are chained by dynamic programming when they follow each
   other closely in the draft (``gap``) and stay near in the source
   (``source_gap``, backwards too, so reordered sentences stay one passage),
   so a copied passage with changed words is one passage, not several.
4. Chains become passages, best first, without overlapping in the draft.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .minhash import kgram_hashes
from .normalise import Normalised

SEED_K = 8
GAP = 40  # normalised characters of draft between two runs of one passage
SOURCE_GAP = 250  # how far (either direction) the next run may start in the source
MAX_REPEAT = 16  # k-grams repeated more often in the source are not seeds
MIN_SIMILARITY = 0.5  # matched share of a passage; lower parts are split off
_LOOKBACK = 64  # runs examined as predecessors in the chaining


@dataclass(frozen=True)
class Passage:
    """An aligned passage in normalised coordinates (end exclusive)."""

    start: int
    end: int
    source_start: int
    source_end: int
    matched: int  # draft characters inside exact runs

    @property
    def similarity(self) -> float:
        return self.matched / max(self.end - self.start, self.source_end - self.source_start)


def is_stop(hashes: np.ndarray, stoplist: np.ndarray) -> np.ndarray:
    """Membership of each hash in the sorted ``stoplist``."""
    if len(stoplist) == 0:
        return np.zeros(len(hashes), dtype=bool)
    pos = np.minimum(np.searchsorted(stoplist, hashes), len(stoplist) - 1)
    return stoplist[pos] == hashes


@dataclass(frozen=True)
class DraftSeeds:
    """The draft's seed k-grams, computed once and reused for every source."""

    norm: Normalised
    positions: np.ndarray  # draft positions of usable seeds
    hashes: np.ndarray

    @classmethod
    def of(
        cls,
        norm: Normalised,
        stoplist: np.ndarray,
        k: int = SEED_K,
        exclude: np.ndarray | None = None,
    ) -> DraftSeeds:
        """Seeds of ``norm``; ``exclude`` (bool per normalised character) marks text
        that must not seed a passage (公文 furniture)."""
        hashes = kgram_hashes(norm.codes, k)
        usable = ~is_stop(hashes, stoplist)
        if exclude is not None and len(hashes):
            inside = np.concatenate(([0], np.cumsum(exclude, dtype=np.int64)))
            usable &= inside[k : k + len(hashes)] == inside[: len(hashes)]
        keep = np.flatnonzero(usable)
        return cls(norm, keep, hashes[keep])


def _runs(seeds: DraftSeeds, source: Normalised, k: int) -> np.ndarray:
    """Exact runs as rows (i0, i1, j0, j1), ends exclusive, in draft order."""
    hs = kgram_hashes(source.codes, k)
    if len(hs) == 0 or len(seeds.hashes) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    order = np.argsort(hs, kind="stable")
    sorted_hs = hs[order]
    left = np.searchsorted(sorted_hs, seeds.hashes, side="left")
    count = np.searchsorted(sorted_hs, seeds.hashes, side="right") - left
    count[count > MAX_REPEAT] = 0
    total = int(count.sum())
    if total == 0:
        return np.zeros((0, 4), dtype=np.int64)
    i = np.repeat(seeds.positions, count)
    first = np.repeat(left, count)
    within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    j = order[first + within]
    diag = j - i
    by = np.lexsort((i, diag))
    i, diag = i[by], diag[by]
    brk = np.flatnonzero((np.diff(diag) != 0) | (np.diff(i) != 1)) + 1
    starts = np.concatenate(([0], brk))
    ends = np.concatenate((brk, [len(i)])) - 1
    i0, i1 = i[starts], i[ends] + k
    j0 = i0 + diag[starts]
    runs = np.stack((i0, i1, j0, j0 + (i1 - i0)), axis=1)
    return runs[np.lexsort((-(i1 - i0), i0))]


def _chain(runs: np.ndarray, k: int, gap: int, source_gap: int) -> list[list[int]]:
    """Chains of run indices, best-scoring first (score = draft chars covered)."""
    n = len(runs)
    i0, i1, j0, j1 = (runs[:, c].tolist() for c in range(4))
    score = [0] * n
    prev = [-1] * n
    for r in range(n):
        best, arg = i1[r] - i0[r], -1
        for p in range(r - 1, max(-1, r - _LOOKBACK), -1):
            if i1[p] >= i1[r] or i0[r] - i1[p] > gap:
                continue
            if not -source_gap <= j0[r] - j1[p] <= source_gap or j0[p] == j0[r]:
                continue
            gain = score[p] + i1[r] - max(i0[r], i1[p])
            if gain > best:
                best, arg = gain, p
        score[r], prev[r] = best, arg
    used = [False] * n
    chains = []
    for r in sorted(range(n), key=lambda x: -score[x]):
        chain = []
        while r != -1 and not used[r]:
            used[r] = True
            chain.append(r)
            r = prev[r]
        if chain:
            chains.append(chain[::-1])
    return chains


def _matched(rows: np.ndarray) -> int:
    """Draft characters covered by the runs (which may overlap)."""
    total, reach = 0, -1
    for a, b in rows[np.argsort(rows[:, 0], kind="stable"), :2].tolist():
        total += max(0, b - max(a, reach))
        reach = max(reach, b)
    return total


def _similarity(rows: np.ndarray) -> float:
    span = max(rows[:, 1].max() - rows[:, 0].min(), rows[:, 3].max() - rows[:, 2].min())
    return _matched(rows) / span


def _split(rows: np.ndarray, min_similarity: float) -> list[np.ndarray]:
    """Split a chain at its widest gap until every part is similar enough."""
    if len(rows) == 1 or _similarity(rows) >= min_similarity:
        return [rows]
    gaps = (rows[1:, 0] - rows[:-1, 1]) + np.abs(rows[1:, 2] - rows[:-1, 3])
    cut = int(np.argmax(gaps)) + 1
    return _split(rows[:cut], min_similarity) + _split(rows[cut:], min_similarity)


def align(
    seeds: DraftSeeds,
    source: Normalised,
    k: int = SEED_K,
    gap: int = GAP,
    source_gap: int = SOURCE_GAP,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Passage]:
    """Passages of the draft copied from ``source``, in draft order."""
    runs = _runs(seeds, source, k)
    if len(runs) == 0:
        return []
    covered = np.zeros(len(seeds.norm) + 1, dtype=bool)
    passages = []
    for chain in _chain(runs, k, gap, source_gap):
        for rows in _split(runs[chain], min_similarity):
            # drop runs already claimed by a better passage, then re-check
            rows = rows[[not covered[a:b].all() for a, b in rows[:, :2].tolist()]]
            if len(rows) == 0 or _similarity(rows) < min_similarity:
                continue
            start, end = int(rows[:, 0].min()), int(rows[:, 1].max())
            matched = _matched(rows)
            if matched < k:
                continue
            covered[start:end] = True
            passages.append(
                Passage(start, end, int(rows[:, 2].min()), int(rows[:, 3].max()), matched)
            )
    return _disjoint(sorted(passages, key=lambda p: p.start))


def _disjoint(passages: list[Passage]) -> list[Passage]:
    """Trim the start of a passage that overlaps its predecessor in the draft."""
    out: list[Passage] = []
    for p in passages:
        if out and p.start < out[-1].end:
            if p.end <= out[-1].end:
                continue
            p = Passage(out[-1].end, p.end, p.source_start, p.source_end, p.matched)
        out.append(p)
    return out
