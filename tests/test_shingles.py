"""The merge check's MinHash is datasketch's, computed with numpy."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from wenshan_audit.checks import shingles
from wenshan_audit.checks.copying.normalise import code_points

TEXT = (
    "各区人民政府，市政府各部门：为进一步精简文件简报，切实减轻基层负担，"
    "现就严格控制发文数量、提高文件质量有关事项通知如下。"
)


def test_signature_is_bit_identical_to_datasketch() -> None:
    tokens = shingles.token_hashes(code_points(TEXT))
    grams = [TEXT[i : i + shingles.SHINGLE] for i in range(len(TEXT) - shingles.SHINGLE + 1)]
    assert [shingles.token_hash32(g) for g in grams] == tokens.tolist()
    reference = MinHash(
        num_perm=shingles.NUM_PERM, seed=shingles.SEED, hashfunc=shingles.token_hash32
    )
    reference.update_batch(grams)
    ours = shingles.signature(tokens)
    assert np.array_equal(ours, reference.hashvalues)
    empty = shingles.signature(np.zeros(0, dtype=np.uint32))
    assert np.array_equal(empty, MinHash(num_perm=shingles.NUM_PERM).hashvalues)
    lsh = MinHashLSH(threshold=0.5, num_perm=shingles.NUM_PERM)
    lsh.insert("text", LeanMinHash(seed=shingles.SEED, hashvalues=ours, scheme="affine32"))
    assert lsh.query(reference) == ["text"]
