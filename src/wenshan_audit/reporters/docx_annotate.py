"""The draft returned as a .docx with a Word comment on each flagged paragraph.

Comments are native Word comments (python-docx >= 1.2 ``add_comment``), which
Word and WPS show in the margin. The original file is never written: the copy
is loaded from the original and saved under the new name.

Offsets in findings index ``Document.text``; the docx reader's
:func:`~wenshan_audit.readers.docx.paragraph_elements` yields the ``w:p``
elements in the order of the Document's body paragraphs, so a finding's
paragraph maps to its ``w:p``. Should the counts ever differ, paragraphs are
matched in order by their text instead. :func:`annotate` returns the copy's
bytes; the caller decides where to write them.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import WenshanError
from ..model import DocumentResult, Paragraph

AUTHOR = "wenshan-audit"
INITIALS = "WA"


def _pct(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) else "—"


def _overlapping(paragraphs: Sequence[Paragraph], start: int, end: int) -> list[int]:
    """Indexes of the paragraphs a span touches (the one holding ``start`` for empty spans)."""
    hits = [i for i, p in enumerate(paragraphs) if p.start < max(end, start + 1) and start < p.end]
    if hits:
        return hits
    before = [i for i, p in enumerate(paragraphs) if p.start <= start]
    return [before[-1]] if before else ([0] if paragraphs else [])


def comments_by_paragraph(result: DocumentResult) -> dict[int, list[str]]:
    """Comment lines per body paragraph index: findings, then copied passages."""
    body = result.document.body
    notes: dict[int, list[str]] = defaultdict(list)
    for finding in result.findings:
        hit = _overlapping(body, finding.start, finding.end)
        if hit:
            notes[hit[0]].append(
                f"【{finding.severity.label}】{finding.message}（规则 {finding.rule}）"
            )
    copy = result.sections.get("copy") or {}
    for source in copy.get("sources", []):
        title = source.get("title") or Path(str(source.get("path", ""))).name
        number = f"（{source['doc_number']}）" if source.get("doc_number") else ""
        for passage in source.get("passages", []):
            line = (
                f"【照搬上级文件】本段与《{title}》{number}重复"
                f"（片段相似度 {_pct(passage.get('similarity'))}）；"
                f"该来源单篇复制比 {_pct(source.get('ratio'))}，"
                f"全文复制比 {_pct(copy.get('ratio'))}"
            )
            for index in _overlapping(body, passage["start"], passage["end"]):
                if line not in notes[index]:
                    notes[index].append(line)
    return dict(notes)


def _normal(text: str) -> str:
    return "".join(text.split())


def _match_elements(body: Sequence[Paragraph], elements: list[Any]) -> dict[int, Any]:
    """Body paragraph index -> ``w:p`` element."""
    from ..readers.docx import paragraph_text

    if len(elements) == len(body):
        return dict(enumerate(elements))
    texts = [_normal(paragraph_text(e)[0]) for e in elements]
    mapping, cursor = {}, 0
    for index, para in enumerate(body):
        want = _normal(para.text)
        for j in range(cursor, len(texts)):
            if texts[j] == want:
                mapping[index], cursor = elements[j], j + 1
                break
    return mapping


@dataclass(frozen=True)
class AnnotatedCopy:
    """The commented copy of a draft: the .docx file's bytes and how many comments it holds."""

    data: bytes
    comments: int


def annotate(result: DocumentResult) -> AnnotatedCopy:
    """The result's .docx with a Word comment on each flagged paragraph."""
    from docx import Document as open_docx
    from docx.text.paragraph import Paragraph as DocxParagraph

    from ..readers.docx import paragraph_elements

    source = result.document.path
    if source.suffix.lower() != ".docx":
        raise WenshanError(
            f"{source} 不是 .docx 文件，无法生成批注版；请先在 Word/WPS 中另存为 .docx"
        )
    try:
        document = open_docx(str(source))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for bad packages
        raise WenshanError(f"无法打开 {source} 以添加批注（{exc}）；请确认文件未损坏") from None
    body = result.document.body
    elements = _match_elements(body, paragraph_elements(document.element, document.styles.element))
    placed = 0
    for index, lines in sorted(comments_by_paragraph(result).items()):
        element = elements.get(index)
        if element is None:
            continue
        paragraph = DocxParagraph(element, document._body)
        runs = paragraph.runs or [paragraph.add_run("")]
        comment = document.add_comment(runs, text=lines[0], author=AUTHOR, initials=INITIALS)
        for line in lines[1:]:
            comment.add_paragraph(line)
        placed += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return AnnotatedCopy(buffer.getvalue(), placed)
