"""Vectorised MinHash over character shingles, bit-identical to datasketch.

datasketch's ``affine32`` scheme (the default since 2.0) computes, for every
token hash ``h`` and permutation ``k``, ``a_k * fmix32(h) + b_k mod 2^32`` and
keeps the minimum. Doing the same with numpy over whole windows at once is
about 20x faster than ``MinHash.update_batch`` (which hashes tokens in a Python
loop) and gives the same signatures, so a signature can always be wrapped as
``datasketch.LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")`` and
compared with one built by datasketch from the same tokens and
:func:`token_hash32`.

Tokens are character 5-grams of normalised text. Only tokens whose hash is
divisible by ``SAMPLE`` enter the sets: a hash-defined subset keeps the
Jaccard similarity of two sets (in expectation) and divides the hashing work
by ``SAMPLE``; retrieval recall with it is measured in ``bench/eval_copy.py``.
Everything that defines a signature is in :data:`SCHEME`, stored with every
index so that an index built with other parameters is never queried.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

NUM_PERM = 128
SEED = 1
SHINGLE = 5
SAMPLE = 4
BANDS, ROWS = 37, 3  # P(candidate) 0.64 at J=0.3, 0.99 at J=0.5
_POLY = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)
_BLOCK = 16384  # tokens per numpy block: keeps the (128, block) array in cache

SCHEME: dict[str, Any] = {
    "minhash": "datasketch-affine32",
    "seed": SEED,
    "num_perm": NUM_PERM,
    "token": f"char-{SHINGLE}gram of normalised text",
    "token_hash": "poly(code points, 0x9E3779B97F4A7C15) mod 2^64, fmix64, xor-fold to 32 bits",
    "sample": f"token hash % {SAMPLE} == 0",
    "bands": [BANDS, ROWS],
    "band_key": "fmix64(v0 + v1*P + v2*P^2) >> 32",
}


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


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


def token_hashes(codes: np.ndarray) -> np.ndarray:
    """32-bit hash of every shingle of ``codes`` (the datasketch token hash)."""
    h = _fmix64(kgram_hashes(codes, SHINGLE))
    return ((h ^ (h >> _S32)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def token_hash32(gram: str) -> int:
    """Pure-Python :func:`token_hashes` for one shingle (for datasketch's ``hashfunc``)."""
    mask = (1 << 64) - 1
    h = 0
    for char in gram:
        h = (h * int(_POLY) + ord(char)) & mask
    h = int(_fmix64(np.array([h], dtype=np.uint64))[0])
    return (h ^ (h >> 32)) & 0xFFFFFFFF


@lru_cache(maxsize=1)
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 parameters for SEED (same RandomState draws)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a[:, None], b[:, None]


def sampled(tokens: np.ndarray) -> np.ndarray:
    return np.flatnonzero((tokens & np.uint32(SAMPLE - 1)) == 0)


def segment_signatures(tokens: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32, shape (len(starts), NUM_PERM)) of each segment.

    ``tokens`` are token hashes laid end to end; segment ``i`` is
    ``tokens[starts[i]:starts[i + 1]]`` (the last runs to the end). Empty
    segments get the all-max signature, as an empty datasketch MinHash.
    """
    out = np.full((len(starts), NUM_PERM), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    if len(tokens) == 0 or len(starts) == 0:
        return out
    a, b = permutations()
    hv = _fmix32(tokens)
    ends = np.append(starts[1:], len(tokens))
    lo = 0
    while lo < len(starts):
        # a block of whole segments of about _BLOCK tokens
        hi = int(np.searchsorted(starts, starts[lo] + _BLOCK, side="right"))
        hi = max(hi, lo + 1)
        t0, t1 = int(starts[lo]), int(ends[hi - 1])
        seg = starts[lo:hi]
        nonempty = ends[lo:hi] > seg
        if t1 > t0 and nonempty.any():
            phv = a * hv[t0:t1]
            phv += b
            idx = seg[nonempty] - t0
            out[lo:hi][nonempty] = np.minimum.reduceat(phv, idx, axis=1).T
        lo = hi
    return out


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One uint32 key per band (shape (n, BANDS)) from signatures (n, NUM_PERM)."""
    v = signatures[:, : BANDS * ROWS].reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = v[:, :, 0] + v[:, :, 1] * _POLY + v[:, :, 2] * (_POLY * _POLY)
    return (_fmix64(key) >> _S32).astype(np.uint32)
