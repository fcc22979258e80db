"""From a document's normalised text to its retrieval fingerprints (winnowing).

Every k-gram of ``K`` normalised characters (the aligner's seed length) gets a
64-bit hash; of every window of ``W`` consecutive k-gram hashes the minimum is
kept (Schleimer, Wilkerson, Aiken, "Winnowing", SIGMOD 2003). Two texts that
share a run of at least ``W + K - 1`` normalised characters share that run's
window, hence its minimum: every such run of the draft reaches the aligner
through a fingerprint. Only the set of values matters (postings are per
document), so a document's fingerprints are the distinct window minima, about
2 / (W + 1) per character.

The fingerprint of a k-gram is ``fmix64`` of the aligner's seed hash (a
bijection), so the boilerplate stoplist of seed hashes maps exactly onto
fingerprints.
"""

from __future__ import annotations

import numpy as np

from .align import SEED_K
from .minhash import fmix64, kgram_hashes
from .normalise import Normalised

K = SEED_K
W = 13  # window of k-gram hashes: any shared run of W + K - 1 = 20 characters is found
GUARANTEE = W + K - 1


def window_minima(hashes: np.ndarray, w: int = W) -> np.ndarray:
    """Minimum of every window of ``w`` consecutive values (all values if fewer)."""
    if len(hashes) <= w:
        return hashes[:1] if len(hashes) == 0 else np.array([hashes.min()], dtype=hashes.dtype)
    out, span = hashes, 1
    # doubling: after each step out[i] = min(hashes[i : i + span])
    while span * 2 <= w:
        out = np.minimum(out[:-span], out[span:])
        span *= 2
    rest = w - span
    return np.minimum(out[:-rest], out[rest:]) if rest else out


def fingerprints(norm: Normalised) -> np.ndarray:
    """Sorted distinct winnowing fingerprints (uint64) of a normalised text."""
    hashes = kgram_hashes(norm.codes, K)
    if len(hashes) == 0:
        return hashes
    values = window_minima(fmix64(hashes))
    values = values[np.concatenate(([True], values[1:] != values[:-1]))]  # runs: one min
    values.sort()
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def query_prints(norm: Normalised) -> np.ndarray:
    """Sorted distinct fingerprint values of every k-gram of a draft.

    The draft is queried with all its k-grams, not only its window minima: a
    reference fingerprint lying inside a shared run is then found even when the
    run is shorter than GUARANTEE (a run of 13 characters holds one with
    probability about 1 - (12/14)^6, 60 %); runs of GUARANTEE characters always do.
    """
    values = np.sort(fmix64(kgram_hashes(norm.codes, K)))
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def of_seeds(seeds: np.ndarray) -> np.ndarray:
    """Fingerprints of seed hashes (e.g. the stoplist), sorted."""
    return np.sort(fmix64(seeds.astype(np.uint64)))


def seed_set(norm: Normalised) -> np.ndarray:
    """Distinct seed k-gram hashes of a document (for the boilerplate stoplist)."""
    hashes = np.sort(kgram_hashes(norm.codes, K))
    # sort + diff: several times faster than np.unique's hash table on uint64
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))] if len(hashes) else hashes
