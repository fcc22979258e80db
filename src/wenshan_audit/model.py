"""The data that flows through the pipeline: read -> understand -> check -> report.

Everything here is immutable. Offsets always index ``Document.text`` (Python str
positions, i.e. Unicode code points), so every reporter highlights the same span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rulebook import Rule


class Severity(str, Enum):
    """Finding severity; ordered so that ``rank`` compares them."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    @property
    def label(self) -> str:
        return {"info": "提示", "warning": "警告", "error": "错误"}[self.value]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the extracted text: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str
    part: str = "body"  # body | table | header | footer | textbox


@dataclass(frozen=True)
class DocMeta:
    """公文 metadata (GB/T 9704-2012 elements) extracted from the text."""

    issuer: str | None = None  # 发文机关
    doc_number: str | None = None  # 发文字号, e.g. 市政办发〔2025〕12号
    title: str | None = None
    kind: str | None = None  # 文种, e.g. 通知
    date: str | None = None  # 成文日期, ISO yyyy-mm-dd
    recipients: tuple[str, ...] = ()  # 主送机关
    red_header: bool = False  # 红头 (formal) vs 白头 (white-header paper)

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "title": self.title,
            "kind": self.kind,
            "date": self.date,
            "recipients": list(self.recipients),
            "red_header": self.red_header,
        }


@dataclass(frozen=True)
class Document:
    """A file turned into text. ``paragraphs`` hold offsets into ``text``."""

    path: Path
    text: str
    paragraphs: tuple[Paragraph, ...]
    meta: DocMeta = field(default_factory=DocMeta)
    warnings: tuple[str, ...] = ()
    # reader hints for metadata extraction (e.g. paragraphs set in red font)
    red_paragraphs: tuple[int, ...] = ()
    pages: int = 0
    # pages whose text was recognised by OCR (1-based): offsets there come from OCR
    ocr_pages: tuple[int, ...] = ()
    # metadata the file states itself (OFD 电子公文 semantic tags): DocMeta field -> text
    tagged: tuple[tuple[str, str], ...] = ()

    @property
    def body(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.paragraphs if p.part not in ("header", "footer"))


@dataclass(frozen=True)
class Finding:
    """One thing a check found, anchored to a span of ``Document.text``."""

    rule: str  # e.g. "burden.photo_evidence"
    severity: Severity
    message: str  # Chinese, for people
    start: int
    end: int
    text: str  # the quoted span (usually the sentence)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class CheckOutcome:
    """What one check returns for one document.

    ``data`` is the check's own JSON section (e.g. ``copy``, ``measures``,
    ``quota``); ``None`` when the check has no section of its own.
    """

    findings: tuple[Finding, ...] = ()
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReadFailure:
    """A file that could not be audited: data that flows to every reporter."""

    path: Path
    message: str  # Chinese: what is wrong and what to do


@dataclass(frozen=True)
class DocumentResult:
    document: Document
    findings: tuple[Finding, ...]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    waived: tuple[Finding, ...] = ()

    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


@dataclass(frozen=True)
class AuditResult:
    documents: tuple[DocumentResult, ...]
    failures: tuple[ReadFailure, ...] = ()
    batch: dict[str, Any] = field(default_factory=dict)  # merge candidates, duplicates, units
    units: tuple[dict[str, Any], ...] = ()  # summary by issuing unit (merge.unit_summary)
    rules: dict[str, Rule] = field(default_factory=dict)  # the rulebook entry of each rule found

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.documents for f in d.findings if f.severity is severity)
