"""Text normalisation for copy detection, with a map back to ``Document.text``.

Lower-level documents change upper-level text in predictable ways: full-width
vs half-width punctuation, whitespace, renumbered list markers, changed dates
and numbers, and level words (国务院 -> 省政府, 全国 -> 全省). Normalising both
sides the same way makes these edits invisible to matching:

- NFKC per character, lower case;
- whitespace, punctuation and symbols dropped;
- every run of digits or Chinese numerals becomes one ``0`` (dates, amounts,
  一是/二是, （一）/1. all look alike);
- every level word becomes one private-use token.

``offsets[i]`` is the index in the original text of normalised character ``i``,
so passages found on normalised text are reported on the original.
The character table is built once with Python (about 0.1 s); the per-document
work is numpy plus one regex pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: bump when the normalisation changes: it invalidates stored indexes
VERSION = 1
DIGIT = ord("0")
LEVEL = 0xE000  # private-use code point standing for any level word
_NUMERALS = "〇零一二三四五六七八九十"
_LEVEL_UNIT = "省|自治区|自治州|自治县|直辖市|市|县|区|州|盟|旗|乡|镇"
# Matched on normalised text (no punctuation, digits collapsed). Alternatives
# are tried in order, so longer forms come first.
# The lookahead on the possible first characters lets the regex engine skip
# most positions quickly (4x faster on real text).
LEVEL_WORDS = re.compile(
    "(?=[国党全各本我省自直市县区州盟旗乡镇级人政])(?:"
    + "|".join(
        (
            "国务院办公厅",
            "国务院",
            "党中央",
            "全国",
            "国家",
            f"(?:{_LEVEL_UNIT})?级?(?:人民)?政府(?:办公厅|办公室)?",
            f"各(?:{_LEVEL_UNIT}|地)+",
            f"全(?:{_LEVEL_UNIT})",
            f"[本我](?:{_LEVEL_UNIT})",
        )
    )
    + ")"
)


@dataclass(frozen=True)
class Normalised:
    """Normalised code points and, for each, its index in the original text."""

    codes: np.ndarray  # uint32
    offsets: np.ndarray  # int64, strictly increasing

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def text(self) -> str:
        return self.codes.astype("<u4").tobytes().decode("utf-32-le")

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)``."""
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """Map of every BMP code point to its normalised code point (0 = drop)."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        char = chr(cp)
        if unicodedata.category(char)[0] in "ZPSC":
            continue
        if char in _NUMERALS:
            table[cp] = DIGIT
            continue
        form = "".join(
            c
            for c in unicodedata.normalize("NFKC", char).lower()
            if unicodedata.category(c)[0] not in "ZPSC"
        )
        if form and all(c.isdigit() or c in _NUMERALS for c in form):
            table[cp] = DIGIT
        elif len(form) == 1:
            table[cp] = ord(form)
        elif form:
            table[cp] = cp
    return table


@lru_cache(maxsize=1)
def _plain_table() -> np.ndarray:
    """:func:`_table` with digits and numerals kept as written (NFKC: ２ -> 2)."""
    table = _table().copy()
    for cp in np.flatnonzero(table == DIGIT).tolist():
        form = unicodedata.normalize("NFKC", chr(cp))
        table[cp] = ord(form) if len(form) == 1 else cp
    return table


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def plain(text: str) -> Normalised:
    """``text`` as written, for literal comparison: only NFKC, case, whitespace and
    punctuation are neutralised (numbers and level words stay what they are)."""
    cps = code_points(text)
    mapped = np.where(cps > 0xFFFF, cps, _plain_table()[np.minimum(cps, 0xFFFF)])
    idx = np.flatnonzero(mapped)
    return Normalised(codes=mapped[idx].astype(np.uint32), offsets=idx.astype(np.int64))


def normalise(text: str) -> Normalised:
    """Normalise ``text`` for matching; see the module docstring."""
    cps = code_points(text)
    mapped = _table()[np.minimum(cps, 0xFFFF)]
    mapped = np.where(cps > 0xFFFF, cps, mapped)
    idx = np.flatnonzero(mapped)
    vals = mapped[idx]
    digit = vals == DIGIT
    keep = ~(digit & np.concatenate(([False], digit[:-1])))
    idx, vals = idx[keep], vals[keep]
    drop = np.zeros(len(vals), dtype=bool)
    for match in LEVEL_WORDS.finditer(vals.astype("<u4").tobytes().decode("utf-32-le")):
        vals[match.start()] = LEVEL
        drop[match.start() + 1 : match.end()] = True
    if drop.any():
        idx, vals = idx[~drop], vals[~drop]
    return Normalised(codes=vals.astype(np.uint32), offsets=idx.astype(np.int64))
