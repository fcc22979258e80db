"""Sentence splitting for 公文 text, with character offsets into ``Document.text``.

Shared by the checks that judge text sentence by sentence (burden demands,
concrete measures). A sentence ends at 。！？； (and their ASCII forms) or at a
line break, and a new one starts before a list item (一是, （一）, 1., 第三条)
that follows a comma, colon, semicolon or whitespace. A terminator inside a
quotation (“…”, ‘…’, 「…」, 『…』) does not end the sentence, except when it
closes the quotation: ``他强调：“要抓落实。”下面…`` splits after ``”``.
Quotes are paired within a line; an unpaired quote protects nothing, so a
missing closing quote never swallows the rest of a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Document

_OPENERS = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_QUOTE = re.compile("[“”‘’「」『』\n]")
_CLOSERS = "”’」』）)"
_TERMINATORS = "。！？；!?;"


_CN_NUM = "一二三四五六七八九十"
# List items open a new sentence when they follow a comma, colon, semicolon or
# whitespace (one at the start of a line opens a sentence anyway).
_MARKER = (
    rf"(?:[{_CN_NUM}]+是"  # 一是 二是
    rf"|[（(][{_CN_NUM}]+[）)]"  # （一）
    r"|[（(]\d{1,2}[）)]"  # （1）
    r"|\d{1,2}[.．、](?!\d)"  # 1. 2、 (not 2.5)
    rf"|第[{_CN_NUM}百零〇\d]+条)"  # 第三条
)
_STARTS_WITH_ITEM = re.compile(_MARKER)
# Every place that may end or open a sentence, in one scan.
_TOKEN = re.compile(
    rf"(?P<end>[{_TERMINATORS}]+(?P<closers>[{_CLOSERS}]*))"
    r"|(?P<newline>\n)"
    r"|(?P<quote>[“”‘’「」『』])"
    rf"|(?P<item>(?<=[\s，,：:；;]){_MARKER})"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == document.text[start:end]`` (surrounding spaces trimmed)."""

    start: int
    end: int
    text: str


def is_list_item(text: str) -> bool:
    """Whether ``text`` opens with a list marker (一是, （一）, 1., 第三条)."""
    return _STARTS_WITH_ITEM.match(text) is not None


def quoted_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans inside quotes paired within one line: (after the opener, at the closer)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _QUOTE.finditer(text, start, end):
        char, pos = match.group(), match.start()
        if char == "\n":
            stack.clear()
        elif char in _OPENERS:
            stack.append((_OPENERS[char], pos))
        else:
            # a closing quote pairs with the nearest matching opener on the stack
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char:
                    spans.append((stack[depth][1] + 1, pos))
                    del stack[depth:]
                    break
    return spans


def _cuts(text: str, start: int, end: int) -> list[int]:
    """Positions where a sentence ends in ``text[start:end]``, in order."""
    spans = quoted_spans(text, start, end)
    openers = {a - 1 for a, _ in spans}
    closers = {b for _, b in spans}
    depth = 0  # paired quotations open at the current position
    cuts: list[int] = []
    for match in _TOKEN.finditer(text, start, end):
        kind, pos = match.lastgroup, match.start()
        if kind == "newline":
            depth = 0
            cuts.append(pos)
        elif kind == "quote":
            depth += (pos in openers) - (pos in closers)
        elif kind == "item":
            if depth == 0:
                cuts.append(pos)
        else:
            # inside a quotation only a terminator whose trailing quotes close every
            # open quotation (``。”``) ends the sentence, right after those quotes
            closed = sum(1 for p in range(match.start("closers"), match.end()) if p in closers)
            if closed >= depth:
                cuts.append(match.end())
            depth = max(depth - closed, 0)
    return cuts


def split(text: str, start: int = 0, end: int | None = None) -> tuple[Sentence, ...]:
    """The sentences of ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    previous = start
    for cut in (*_cuts(text, start, end), end):
        piece = text[previous:cut]
        left = piece.lstrip()
        body = left.rstrip()
        if body:
            first = previous + len(piece) - len(left)
            sentences.append(Sentence(first, first + len(body), body))
        previous = cut
    return tuple(sentences)


def split_document(doc: Document) -> tuple[Sentence, ...]:
    """The sentences of the document body (headers and footers left out), in order."""
    sentences: list[Sentence] = []
    for paragraph in doc.body:
        sentences.extend(split(doc.text, paragraph.start, paragraph.end))
    return tuple(sentences)


@lru_cache(maxsize=8)
def of_document(doc: Document) -> tuple[Sentence, ...]:
    """:func:`split_document`, cached so that the checks reading one document split it once."""
    return split_document(doc)
