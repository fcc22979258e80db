"""Layout text (PDF, OFD) back to paragraphs: drop page furniture, re-join lines.

A page-layout format stores visual lines, not paragraphs. A 公文 sentence
broken across a line or a page must become one sentence again, while titles,
headings and the signature block must stay on their own. The rules, from GB/T
9704 typesetting: a body line runs to the right margin; a paragraph starts
indented by two characters or with a heading marker (一、 （一） 1. ...);
a paragraph ends with end punctuation or a short line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{CJK}])[ \t\u3000\u00a0]+(?=[{CJK}])")
_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－_·•\s]*\d{1,4}[—–\-－_·•\s]*"  # — 3 —, - 3 -, 3
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第3页 共10页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/10
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_END = "。！？：；!?:;…"
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、．.]"
    r"|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,2}(?:\.\d{1,2})*[、．.](?!\d)"
    r"|第[一二三四五六七八九十百零〇\d]{1,4}[章节条部分款]"
    r"|附件\s*\d*[：:]?"
    r"|[①-⑳])"
)


@dataclass(frozen=True)
class Line:
    """One visual line; x positions in any unit, as long as ``size`` is a char width in it."""

    text: str
    x0: float
    x1: float
    size: float
    red: bool = False


def clean(text: str) -> str:
    """Strip and remove the spaces a layout engine leaves between CJK chars."""
    return _CJK_SPACE.sub("", text.strip())


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def strip_furniture(pages: Sequence[list[Line]]) -> tuple[list[list[Line]], int]:
    """Drop page numbers and running headers/footers; return the pages and how many lines went.

    Only the first and last two lines of a page are candidates. A running line is
    one whose digit-blind text recurs at the top or bottom of most pages.
    """
    edge_keys: Counter[str] = Counter()
    for lines in pages:
        edge_keys.update({_furniture_key(ln.text) for ln in lines[:2] + lines[-2:]})
    need = max(2, -(-len(pages) * 6 // 10))  # recurring on at least 60% of the pages
    running = {key for key, count in edge_keys.items() if count >= need and len(pages) >= 2}
    kept_pages: list[list[Line]] = []
    dropped = 0
    for lines in pages:
        edge = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        kept = [
            ln
            for i, ln in enumerate(lines)
            if not (i in edge and (is_page_number(ln.text) or _furniture_key(ln.text) in running))
        ]
        dropped += len(lines) - len(kept)
        kept_pages.append(kept)
    return kept_pages, dropped


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _joiner(left: str, right: str) -> str:
    """Nothing between CJK text; a space between two Latin words."""
    if left and right and left[-1].isascii() and right[0].isascii() and left[-1].isalnum():
        return " "
    return ""


def paragraphs(pages: Sequence[list[Line]]) -> list[tuple[str, bool]]:
    """Re-join the lines of all pages (in order) into ``(paragraph, in red)`` pairs."""
    lines = [ln for page in pages for ln in page if ln.text]
    if not lines:
        return []
    size = _median([ln.size for ln in lines]) or 1.0
    # The body's margins: the most common left edge, and a high right edge.
    left = Counter(round(ln.x0 / size * 2) for ln in lines).most_common(1)[0][0] * size / 2
    right = sorted(ln.x1 for ln in lines)[int(len(lines) * 0.9)]
    out: list[tuple[str, bool]] = []
    group: list[Line] = []
    for index, line in enumerate(lines):
        group.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is None or _ends(line, following, size, left, right):
            text = ""
            for member in group:
                text += _joiner(text, member.text) + member.text
            out.append((text, all(member.red for member in group)))
            group = []
    return out


def _ends(line: Line, following: Line, size: float, left: float, right: float) -> bool:
    """Whether ``line`` closes its paragraph, given the next line."""
    if line.text[-1] in _END or _HEADING.match(following.text):
        return True
    if line.size > size * 1.15:  # a title set in a larger type may wrap onto a second line
        return abs(following.size - line.size) > 0.5
    return (
        line.x1 < right - 1.5 * size  # short line: the paragraph stops here
        or following.x0 > left + 1.2 * size  # next line is indented: a new paragraph
        or abs(following.size - line.size) > 0.5
    )
