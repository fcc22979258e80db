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
_QUOTE = re.compile("[“”‘’「」『』]")
_CLOSERS = "”’」』）)"
_TERMINATORS = "。！？；!?;"

# A hard boundary: terminators (with the closing quotes/brackets that follow them)
# or a line break.
_END = re.compile(f"[{_TERMINATORS}]+[{_CLOSERS}]*|\n")

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
_LIST_ITEM = re.compile(rf"(?<=[\s，,：:；;]){_MARKER}")
_STARTS_WITH_ITEM = re.compile(_MARKER)


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
    """Spans inside quotes paired within ``text[start:end]``: (after opener, at closer)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _QUOTE.finditer(text, start, end):
        char, pos = match.group(), match.start()
        if char in _OPENERS:
            stack.append((_OPENERS[char], pos))
            continue
        # a closing quote pairs with the nearest matching opener on the stack
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == char:
                spans.append((stack[depth][1] + 1, pos))
                del stack[depth:]
                break
    return spans


def _cuts(text: str, start: int, end: int) -> list[int]:
    """Positions where a sentence ends, within one line ``text[start:end]``."""
    spans = quoted_spans(text, start, end)
    cuts: list[int] = []
    for match in _END.finditer(text, start, end):
        pos, tail = match.start(), match.end()
        # inside a quotation only a terminator that closes every open quote
        # (``。”``) ends the sentence, right after the closing quote
        if all(b < tail for a, b in spans if a <= pos < b):
            cuts.append(tail)
    for match in _LIST_ITEM.finditer(text, start, end):
        pos = match.start()
        if not any(a <= pos < b for a, b in spans):
            cuts.append(pos)
    return sorted(set(cuts))


def split(text: str, start: int = 0, end: int | None = None) -> tuple[Sentence, ...]:
    """The sentences of ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    line_start = start
    while line_start < end:
        newline = text.find("\n", line_start, end)
        line_end = end if newline < 0 else newline
        previous = line_start
        for cut in (*_cuts(text, line_start, line_end), line_end):
            _append(sentences, text, previous, cut)
            previous = max(previous, cut)
        line_start = line_end + 1
    return tuple(sentences)


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(start, end, text[start:end]))


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
