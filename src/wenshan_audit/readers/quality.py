"""Is extracted text real text or mojibake? One test for what every reader returns.

A PDF whose fonts lack a usable ToUnicode map "extracts" as 犌犅／犜… (Latin
letters mapped onto the rare 犌–犿 block) mixed with runs of ASCII symbols and
(cid:N) codes; random bytes converted by LibreOffice come out as Latin-1
symbols and control characters. Real 公文 use almost only common characters:
measured on the 102 real documents in ../shared/corpus/real*/docs, at most
0.2 % of their CJK characters fall outside the common sets below and at most
0.7 % of all characters are implausible (symbols, controls, other scripts), while
the garbled real PDF in ../shared/corpus/formats has 92 % rare CJK and 58 %
implausible characters; random bytes "converted" by LibreOffice give 76 % rare
CJK. The thresholds sit far from real text.
"""

from __future__ import annotations

import re
from functools import lru_cache

# of CJK characters. Real documents: <= 0.002; mojibake: 0.76 (random bytes via LibreOffice)
# to 0.93 (the garbled PDF). Test corpora of uniformly random ideographs U+4E00-U+57CF
# (tests/test_backends.py) have 0.55 and must still be read.
RARE_CJK_SHARE = 0.65
IMPLAUSIBLE_SHARE = 0.3  # of non-space characters (real documents: <= 0.009)
MIN_CJK = 20  # fewer CJK characters are too few to judge the rare share
MIN_CHARS = 60  # fewer characters are too few to judge at all
_CID = re.compile(r"\(cid:\d+\)")
# ASCII that ordinary text uses; other ASCII symbols in bulk are glyph-code garbage
_ASCII_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;()%-/'\"")


def _decoded(encoding: str, rows: range, cells: range) -> set[str]:
    chars = set()
    for row in rows:
        for cell in cells:
            try:
                chars.add(bytes((row, cell)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return chars


@lru_cache(maxsize=1)
def common_cjk() -> frozenset[str]:
    """GB2312 level 1 (3,755 常用汉字) and Big5 level 1 (5,401 常用字, traditional)."""
    simplified = _decoded("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))
    traditional = _decoded("big5", range(0xA4, 0xC7), range(0x40, 0xFF))
    return frozenset(simplified | traditional)


def _cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _plausible(char: str, common: frozenset[str]) -> bool:
    if char in _ASCII_OK or char in common:
        return True
    code = ord(char)
    # CJK punctuation, fullwidth forms, general punctuation (—“”…), circled and
    # Roman numerals, geometric shapes (★ ■ ○), box drawing in tables
    return (
        0x3000 <= code <= 0x303F
        or 0xFF01 <= code <= 0xFF5E
        or 0x2010 <= code <= 0x2027
        or 0x2160 <= code <= 0x2188
        or 0x2460 <= code <= 0x24FF
        or 0x2500 <= code <= 0x27BF
        or char in "·×÷°±§№　"
        or (_cjk(char))  # rare ideographs are judged by their own share
    )


def garbled(text: str) -> str | None:
    """Why ``text`` looks like mojibake (a Chinese phrase), or None when it reads as text."""
    cleaned = _CID.sub("\ufffd", text)
    chars = [c for c in cleaned if not c.isspace()]
    if len(chars) < MIN_CHARS:
        return None
    common = common_cjk()
    cjk = [c for c in chars if _cjk(c)]
    if len(cjk) >= MIN_CJK:
        rare = [c for c in cjk if c not in common]
        if len(rare) / len(cjk) >= RARE_CJK_SHARE:
            sample = "".join(dict.fromkeys(rare))[:6]
            return f"大量罕用汉字（如“{sample}”，占汉字的 {len(rare) / len(cjk):.0%}）"
    odd = [c for c in chars if not _plausible(c, common)]
    if len(odd) / len(chars) >= IMPLAUSIBLE_SHARE:
        return f"大量无意义符号（占字符的 {len(odd) / len(chars):.0%}）"
    return None
