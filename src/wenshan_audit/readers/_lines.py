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
    starts: bool = False  # the layout already says a paragraph starts here (e.g. after a gap)


def clean(text: str) -> str:
    """Strip and remove the spaces a layout engine leaves between CJK chars."""
    return _CJK_SPACE.sub("", text.strip())


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _edge_keys(lines: list[Line]) -> dict[int, tuple[int, str]]:
    """Digit-blind keys of the first and last two lines, by line index, with their slot."""
    slots = {0: 0, 1: 1, len(lines) - 1: -1, len(lines) - 2: -2}
    return {
        index: (slot, re.sub(r"\d+", "#", re.sub(r"\s+", "", lines[index].text)))
        for index, slot in slots.items()
        if 0 <= index < len(lines)
    }


def strip_furniture(pages: Sequence[list[Line]]) -> list[list[Line]]:
    """Drop page numbers and running headers/footers.

    Only the first and last two lines of a page are candidates. A running line is
    one whose digit-blind text recurs in the same slot (first, second, last, ...)
    on most pages.
    """
    per_page = [_edge_keys(lines) for lines in pages]
    counts: Counter[tuple[int, str]] = Counter(k for keys in per_page for k in set(keys.values()))
    need = max(2, -(-len(pages) * 6 // 10))  # recurring on at least 60% of the pages
    running = {key for key, count in counts.items() if count >= need}
    return [
        [
            ln
            for i, ln in enumerate(lines)
            if not (i in keys and (is_page_number(ln.text) or keys[i] in running))
        ]
        for lines, keys in zip(pages, per_page, strict=True)
    ]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _joiner(left: str, right: str) -> str:
    """A space between two Latin words; nothing in CJK text or inside a number."""
    if left and right and left[-1].isascii() and right[0].isascii():
        return " " if left[-1].isalpha() and right[0].isalpha() else ""
    return ""


@dataclass(frozen=True)
class _Layout:
    """The body's type size and margins, and whether paragraphs start indented."""

    size: float
    left: float
    right: float
    indents: bool

    @classmethod
    def of(cls, lines: list[Line]) -> _Layout:
        size = _median([ln.size for ln in lines]) or 1.0
        left = sorted(ln.x0 for ln in lines)[len(lines) // 10]
        right = sorted(ln.x1 for ln in lines)[len(lines) * 9 // 10]
        layout = cls(size, left, right, False)
        # a full line that starts indented is the first line of a GB/T 9704 paragraph
        indents = any(layout.indented(ln) and layout.full(ln) for ln in lines)
        return cls(size, left, right, indents)

    def full(self, line: Line) -> bool:
        return line.x1 >= self.right - 1.5 * self.size

    def indented(self, line: Line) -> bool:
        return line.x0 > self.left + 1.2 * self.size


def paragraphs(pages: Sequence[list[Line]]) -> list[tuple[str, bool]]:
    """Re-join the lines of all pages (in order) into ``(paragraph, in red)`` pairs."""
    lines = [ln for page in pages for ln in page if ln.text]
    if not lines:
        return []
    layout = _Layout.of(lines)
    out: list[tuple[str, bool]] = []
    group: list[Line] = []
    for index, line in enumerate(lines):
        group.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is None or _ends(line, following, layout):
            text = ""
            for member in group:
                text += _joiner(text, member.text) + member.text
            out.append((text, all(member.red for member in group)))
            group = []
    return out


def _ends(line: Line, following: Line, layout: _Layout) -> bool:
    """Whether ``line`` closes its paragraph, given the next line."""
    if following.starts or abs(following.size - line.size) > 0.5:
        return True
    # "一、" can also start a wrapped line mid-sentence ("落实“五统" / "一、一开放”"): where
    # paragraphs are known to start indented, a heading marker counts only after a sentence end.
    if _HEADING.match(following.text) and (line.text[-1] in _END or not layout.indents):
        return True
    if line.size > layout.size * 1.15:  # a title in larger type may wrap onto a second line
        return False
    if not layout.full(line) or layout.indented(following):
        return True
    # A full line ending a sentence goes on when paragraphs are known to start indented.
    return line.text[-1] in _END and not layout.indents
