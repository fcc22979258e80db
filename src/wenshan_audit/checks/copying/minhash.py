"""Hashing of normalised text: k-gram hashes and the 64-bit finaliser.

The k-gram hash is the aligner's seed hash; ``fmix64`` (MurmurHash3's
finaliser, a bijection on 64-bit values) spreads it so that the minimum of a
window is a fair sample (winnowing, :mod:`.fingerprint`).

The module once held a datasketch-compatible MinHash for LSH retrieval; it was
dropped when retrieval moved to winnowing (see the README, 照搬检测: every
source a whole-document MinHash could add shares no 20-character run with the
draft, so the aligner finds nothing in it).
"""

from __future__ import annotations

import numpy as np

_POLY = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def kgram_hashes(codes: np.ndarray, k: int) -> np.ndarray:
    """Polynomial hash (uint64, wrapping) of every k-gram of ``codes``."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    c = codes.astype(np.uint64)
    h = c[:n].copy()
    with np.errstate(over="ignore"):
        for t in range(1, k):
            h *= _POLY
            h += c[t : t + n]
    return h
