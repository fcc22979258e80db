"""Synthetic "Chinese-like" 公文 text for the copy-detection benchmarks.

3,500 CJK code points with Zipf frequencies, punctuation every few characters,
paragraph breaks, and 300 recurring 8-24-character set phrases standing in for
公文 boilerplate (现将有关事项通知如下 …). Deterministic for a given seed and index.
:func:`markov` makes distractors of real wording from real texts.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import Counter, defaultdict
from itertools import accumulate

import numpy as np

_CHARS = np.arange(0x4E00, 0x4E00 + 3500, dtype=np.uint32)
_RANKS = np.arange(1, len(_CHARS) + 1, dtype=np.float64)
_P = (1 / _RANKS) / (1 / _RANKS).sum()
_BOILER_RNG = np.random.default_rng(12345)
BOILERPLATE = [
    _BOILER_RNG.choice(_CHARS, size=int(n), p=_P).tobytes().decode("utf-32-le")
    for n in _BOILER_RNG.integers(8, 25, size=300)
]


# i.i.d. Zipf draws, taken by index from a pool (much faster than choice(p=...))
_POOL = _BOILER_RNG.choice(_CHARS, size=1 << 22, p=_P)


def text(seed: int, length: int) -> str:
    """About ``length`` characters of synthetic text."""
    rng = np.random.default_rng(seed)
    codes = _POOL[rng.integers(0, len(_POOL), size=length)]
    marks = rng.random(length)
    codes[marks < 1 / 14] = ord("，")
    codes[marks > 1 - 1 / 45] = ord("。")
    codes[(marks > 0.5) & (marks < 0.5 + 1 / 300)] = ord("\n")
    body = codes.astype("<u4").tobytes().decode("utf-32-le")
    sentences = body.split("。")
    for i in rng.integers(0, len(sentences), size=max(1, len(sentences) // 30)):
        sentences[i] = BOILERPLATE[int(rng.integers(0, len(BOILERPLATE)))] + "，" + sentences[i]
    return "。".join(sentences)


def document(seed: int) -> str:
    """A reference document of realistic length (2,000-20,000 characters)."""
    length = int(np.random.default_rng(seed + 7_000_000).integers(2000, 20001))
    return text(seed, length)


def markov(texts: list[str], count: int, seed: int, order: int = 2) -> list[str]:
    """Distractor documents of real wording, 2,000-8,000 characters each: text of a
    character Markov chain (``order`` characters of context) trained on ``texts``.

    Same genre and vocabulary as the reference corpus; common phrases (its
    boilerplate, political formulas) recur in many documents as in a real
    corpus, rare wording rarely. Sentences drawn whole from the corpus would
    not do: each would recur in dozens of distractors, and every frequency
    rule would then (rightly) call it boilerplate. Two characters of context:
    with three, the chain reproduces long runs of the corpus's template
    families (holiday notices) in hundreds of distractors.
    """
    rng = random.Random(seed)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for i in range(len(text) - order):
            counts[text[i : i + order]][text[i + order]] += 1
    table = {ctx: (list(c), list(accumulate(c.values()))) for ctx, c in counts.items()}
    starts = [t[:order] for t in texts if len(t) > order]
    out = []
    for _ in range(count):
        ctx = rng.choice(starts)
        chars = list(ctx)
        for _ in range(rng.randint(2000, 8000)):
            if ctx not in table:
                ctx = rng.choice(starts)
            options, cumulative = table[ctx]
            char = options[bisect(cumulative, rng.random() * cumulative[-1])]
            chars.append(char)
            ctx = ctx[1:] + char
        out.append("".join(chars))
    return out
