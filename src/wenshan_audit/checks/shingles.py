"""Character 5-gram MinHash of whole documents, bit-identical to datasketch.

Used for near-duplicate documents in a batch (:mod:`.merge`), where MinHash LSH
is the right tool: whole documents that agree almost everywhere. Copy
detection retrieves by winnowing instead (:mod:`.copying.fingerprint`), which
finds a shared 20-character run that a whole-document MinHash cannot see.

datasketch's ``affine32`` scheme (the default since 2.0) computes, for every
token hash ``h`` and permutation ``k``, ``a_k * fmix32(h) + b_k mod 2^32`` and
keeps the minimum; doing it with numpy over all tokens at once gives the same
signature about 20x faster than ``MinHash.update_batch``, so a signature can
be wrapped as ``LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")``
and used in datasketch's ``MinHashLSH``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .copying.minhash import fmix64, kgram_hashes

NUM_PERM = 128
SEED = 1
SHINGLE = 5
_POLY = 0x9E3779B97F4A7C15
_S32 = np.uint64(32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def token_hashes(codes: np.ndarray) -> np.ndarray:
    """32-bit hash of every 5-gram of ``codes`` (the datasketch token hash)."""
    h = fmix64(kgram_hashes(codes, SHINGLE))
    return ((h ^ (h >> _S32)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def token_hash32(gram: str) -> int:
    """Pure-Python :func:`token_hashes` of one 5-gram (datasketch's ``hashfunc``)."""
    mask = (1 << 64) - 1
    h = 0
    for char in gram:
        h = (h * _POLY + ord(char)) & mask
    h = int(fmix64(np.array([h], dtype=np.uint64))[0])
    return (h ^ (h >> 32)) & 0xFFFFFFFF


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 parameters for SEED (the same RandomState draws)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a[:, None], b[:, None]


def signature(tokens: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32, NUM_PERM) of a set of token hashes; empty: all-max."""
    if len(tokens) == 0:
        return np.full(NUM_PERM, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    a, b = _permutations()
    phv = a * _fmix32(tokens)
    phv += b
    return phv.min(axis=1)
