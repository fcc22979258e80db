"""Synthetic "Chinese-like" 公文 text for the copy-detection benchmarks.

3,500 CJK code points with Zipf frequencies, punctuation every few characters,
paragraph breaks, and 300 recurring 8-24-character set phrases standing in for
公文 boilerplate (现将有关事项通知如下 …). Deterministic for a given seed and index.
:func:`markov` makes distractors of real wording from real texts.
"""

from __future__ import annotations

import random
import re
from bisect import bisect
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

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


# --- 公文-like text from the vocabulary of real documents --------------------------------

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
_PUNCT = "，。；：、（）《》“”！？,.;:()\n 　"
_HEADS = (
    "一、",
    "二、",
    "三、",
    "四、",
    "五、",
    "（一）",
    "（二）",
    "（三）",
    "（四）",
    "1.",
    "2.",
    "3.",
)
_ISSUERS = [
    f"{p}{k}"
    for p in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    for k in ("省人民政府", "市人民政府", "县人民政府", "省教育厅", "市财政局", "区政府办公室")
]


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[list[str], np.ndarray, list[str]]:
    """Word-like pieces (2-4 characters, cut at random from the clauses of real
    公文 in ../shared/corpus) with their frequencies, and the clauses found in
    several documents (their set phrases). Falls back to Zipf characters."""
    files = sorted(REAL.glob("real*/docs/*.txt"))
    if not files:
        return [c for c in _CHARS.tobytes().decode("utf-32-le")], _P, BOILERPLATE
    rng = np.random.default_rng(2026)
    counts: Counter[str] = Counter()
    clause_docs: Counter[str] = Counter()
    split = re.compile(f"[{re.escape(_PUNCT)}0-9]+")
    for path in files:
        clauses = [c for c in split.split(path.read_text(encoding="utf-8")) if c]
        clause_docs.update({c for c in clauses if 6 <= len(c) <= 30})
        for clause in clauses:
            i = 0
            while i < len(clause):
                n = int(rng.integers(2, 5))
                counts[clause[i : i + n]] += 1
                i += n
    pieces = sorted(counts)
    freq = np.array([counts[p] for p in pieces], dtype=np.float64)
    phrases = sorted(c for c, n in clause_docs.items() if n >= 3)
    return pieces, freq / freq.sum(), phrases or BOILERPLATE


@lru_cache(maxsize=1)
def _piece_pool() -> np.ndarray:
    pieces, p, _ = _vocabulary()
    return np.random.default_rng(7).choice(len(pieces), size=1 << 22, p=p)


def gongwen(seed: int, length: int | None = None) -> tuple[str, str]:
    """A 公文-like document of 5,000-10,000 characters (or ``length``) and its issuer:
    real vocabulary recombined, 3-9 pieces a clause, 2-4 clauses a sentence,
    3-6 sentences a paragraph, headings, and set phrases (4 % of clauses)."""
    pieces, _, phrases = _vocabulary()
    pool = _piece_pool()
    rng = np.random.default_rng(seed)
    if length is None:
        length = int(rng.integers(5000, 10001))
    n = length // 12 + 16  # clauses: about 17 characters each, with margin
    sizes = rng.integers(3, 10, size=n)
    ends = np.cumsum(sizes)
    draws = pool[rng.integers(0, len(pool), size=int(ends[-1]))].tolist()
    words = [pieces[i] for i in draws]
    starts = (ends - sizes).tolist()
    clauses = ["".join(words[a:b]) for a, b in zip(starts, ends.tolist(), strict=True)]
    for i in np.flatnonzero(rng.random(n) < 0.04).tolist():
        clauses[i] = phrases[int(rng.integers(0, len(phrases)))]
    marks = rng.random(n)
    heads = rng.integers(0, len(_HEADS), size=n).tolist()
    out: list[str] = []
    size = 0
    for i, clause in enumerate(clauses):
        if marks[i] < 0.3:  # end of sentence
            end = "。"
            if marks[i] < 0.07:  # ... and of paragraph, maybe a heading next
                end += "\n" + (_HEADS[heads[i]] if marks[i] < 0.03 else "")
        else:
            end = "，"
        out.append(clause + end)
        size += len(clause) + len(end)
        if size >= length:
            break
    issuer = _ISSUERS[int(rng.integers(0, len(_ISSUERS)))]
    return "".join(out)[:length], issuer
