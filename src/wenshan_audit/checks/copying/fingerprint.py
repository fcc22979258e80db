"""From a document's text to its LSH band keys (window level and document level).

Reference documents are cut into consecutive windows of ``WINDOW`` normalised
characters (a draft usually copies a few paragraphs of a long upper document,
and a 300-character paragraph inside a 10,000-character document has Jaccard
0.015 with it, far below anything document-level LSH can find). Drafts are
queried with windows of the same size at half-window stride, so a copied
passage that straddles two index windows still shares most of one of them.
The document signature is the element-wise minimum of its window signatures
(the MinHash of the union), used for near-duplicate documents.
"""

from __future__ import annotations

import numpy as np

from . import minhash
from .align import SEED_K
from .normalise import Normalised, normalise

WINDOW = 300  # normalised characters per index window
_QUARTER = WINDOW // 4


def _segments(positions: np.ndarray, n_chars: int, size: int) -> np.ndarray:
    """Start index (into ``positions``) of each segment of ``size`` characters.

    A last segment shorter than half a segment is merged into the previous one.
    """
    count = max(1, n_chars // size + (1 if n_chars % size >= size // 2 else 0))
    bounds = np.arange(count) * size
    return np.searchsorted(positions, bounds).astype(np.int64)


def _sampled_tokens(norm: Normalised) -> tuple[np.ndarray, np.ndarray]:
    tokens = minhash.token_hashes(norm.codes)
    keep = minhash.sampled(tokens)
    return tokens[keep], keep


def reference_keys(norm: Normalised) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of the index windows (n, BANDS) and of the whole document (BANDS,)."""
    tokens, positions = _sampled_tokens(norm)
    sigs = minhash.segment_signatures(tokens, _segments(positions, len(norm), WINDOW))
    sigs = sigs[(sigs != np.uint32(0xFFFFFFFF)).any(axis=1)]
    doc = sigs.min(axis=0, keepdims=True) if len(sigs) else sigs
    return minhash.band_keys(sigs), minhash.band_keys(doc).reshape(-1)


def query_keys(norm: Normalised) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of overlapping draft windows (n, BANDS) and of the whole draft.

    Windows of WINDOW and of WINDOW / 2 characters, at stride WINDOW / 4: a
    copied passage shorter than a window that straddles two index windows
    shares only part of each, and the shorter query windows keep its Jaccard
    similarity with the larger part high enough for the band tables.
    """
    tokens, positions = _sampled_tokens(norm)
    quarters = minhash.segment_signatures(tokens, _segments(positions, len(norm), _QUARTER))
    halves = np.minimum(quarters[:-1], quarters[1:]) if len(quarters) > 1 else quarters
    wholes = np.minimum(halves[:-2], halves[2:]) if len(halves) > 2 else halves[:0]
    sigs = np.concatenate((halves, wholes))
    sigs = sigs[(sigs != np.uint32(0xFFFFFFFF)).any(axis=1)]
    doc = sigs.min(axis=0, keepdims=True) if len(sigs) else sigs
    return minhash.band_keys(sigs), minhash.band_keys(doc).reshape(-1)


def seed_set(norm: Normalised) -> np.ndarray:
    """Distinct seed k-gram hashes of a document (for the boilerplate stoplist)."""
    hashes = np.sort(minhash.kgram_hashes(norm.codes, SEED_K))
    # sort + diff: several times faster than np.unique's hash table on uint64
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))] if len(hashes) else hashes


def fingerprint(
    text: str, with_seeds: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    norm = normalise(text)
    windows, doc = reference_keys(norm)
    return windows, doc, seed_set(norm) if with_seeds else None
