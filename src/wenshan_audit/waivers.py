"""Approved exceptions (一事一议): a config entry that waives named rules for one document.

A waiver names the document (path glob, 发文字号 or content hash; several keys
must all match), the rule-id prefixes it waives and the approval (批准人、批准文号、
日期), optionally an expiry date. The auditor moves the matching findings into
``DocumentResult.waived`` with the approval attached, so reports still list them
while the exit code ignores them. An expired waiver waives nothing and says so.

```toml
[[waivers]]
path = "drafts/关于转发省政府数字政府建设意见的通知.docx"
rules = ["copy"]
approved_by = "王明（市政府办公室主任）"
approval = "云政办批〔2026〕5号"
date = 2026-03-02
expires = 2026-12-31
reason = "按省政府要求原文转发"
```
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from . import ledger
from .config import Config, reject_unknown
from .errors import ConfigError
from .metadata import DOC_NUMBER, normalise_number
from .model import Document, Finding, Severity
from .rulebook import matches

MATCH_KEYS = ("path", "doc_number", "sha256")
KNOWN_KEYS = {*MATCH_KEYS, "rules", "approved_by", "approval", "date", "expires", "reason"}
MIN_HASH_PREFIX = 12  # hex digits: short enough to type, long enough to be unique


def content_hash(doc: Document) -> str:
    """The ledger's content hash (whitespace and width removed): stable across re-saves."""
    return ledger.content_hash(doc.text)


@dataclass(frozen=True)
class Waiver:
    """One approved exception, as written in the config (``[[waivers]]`` entry ``index``)."""

    index: int
    rules: tuple[str, ...]
    approved_by: str
    approval: str
    date: dt.date
    path: str | None = None
    doc_number: str | None = None
    sha256: str | None = None
    expires: dt.date | None = None
    reason: str = ""

    def matches(self, doc: Document, root: Path) -> bool:
        checks = []
        if self.path is not None:
            checks.append(_path_matches(self.path, doc.path, root))
        if self.doc_number is not None:
            checks.append(doc.meta.doc_number == self.doc_number)
        if self.sha256 is not None:
            checks.append(content_hash(doc).startswith(self.sha256))
        return all(checks)

    def covers(self, rule: str) -> bool:
        return any(matches(rule, p) for p in self.rules)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules),
            "approved_by": self.approved_by,
            "approval": self.approval,
            "date": self.date.isoformat(),
            "expires": self.expires.isoformat() if self.expires else None,
            "reason": self.reason,
        }


def _path_matches(pattern: str, path: Path, root: Path) -> bool:
    """Like .gitignore: a pattern with a ``/`` matches the path relative to the config root,
    one without matches the file name."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        relative = PurePosixPath(absolute.resolve().relative_to(root.resolve()).as_posix())
    except ValueError:
        relative = PurePosixPath(absolute.as_posix())
    target = str(relative) if "/" in pattern else relative.name
    return fnmatchcase(target, pattern.lstrip("/"))


@dataclass(frozen=True)
class Waivers:
    """All waivers of a config; ``apply`` splits one document's findings."""

    items: tuple[Waiver, ...]
    root: Path
    today: dt.date

    def apply(
        self, doc: Document, findings: Iterable[Finding]
    ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        """(kept, waived): a finding covered by a matching, unexpired waiver is waived."""
        findings = tuple(findings)
        matching = [w for w in self.items if w.matches(doc, self.root)]
        if not matching:
            return findings, ()
        active = [w for w in matching if not w.expired(self.today)]
        kept: list[Finding] = [_expired_notice(w, doc) for w in matching if w.expired(self.today)]
        waived: list[Finding] = []
        for finding in findings:
            waiver = next((w for w in active if w.covers(finding.rule)), None)
            if waiver is None:
                kept.append(finding)
            else:
                evidence = {**finding.evidence, "waiver": waiver.to_dict()}
                waived.append(replace(finding, evidence=evidence))
        return tuple(kept), tuple(waived)


def _expired_notice(waiver: Waiver, doc: Document) -> Finding:
    return Finding(
        rule="waiver.expired",
        severity=Severity.WARNING,
        message=(
            f"豁免（{waiver.approval}，{waiver.approved_by}批准）已于 {waiver.expires} 到期，"
            f"不再豁免 {'、'.join(waiver.rules)}；如仍需豁免，请重新报批并更新配置中的 expires。"
        ),
        start=0,
        end=0,
        text="",
        evidence={"waiver": waiver.to_dict()},
    )


def load(config: Config, today: dt.date | None = None) -> Waivers:
    """Parse and validate ``[[waivers]]``; a bad entry raises ConfigError naming its key."""
    raw = config.data.get("waivers", [])
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ConfigError(config.source, "waivers", "应写成 [[waivers]] 表数组，每条豁免一个表")
    items = tuple(_parse(config.source, i, entry) for i, entry in enumerate(raw, start=1))
    return Waivers(items=items, root=config.root, today=today or dt.date.today())


def _parse(source: str, index: int, entry: dict[str, Any]) -> Waiver:
    def key(name: str) -> str:
        return f"waivers 第 {index} 条的 {name}"

    reject_unknown(entry, KNOWN_KEYS, key(""), source)
    if not any(k in entry for k in MATCH_KEYS):
        raise ConfigError(
            source,
            key("path"),
            "豁免必须指明文件：path（路径通配）、doc_number（发文字号）或 sha256（内容哈希）",
        )
    rules = entry.get("rules")
    if isinstance(rules, str):
        rules = [rules]
    if not rules or not isinstance(rules, list) or not all(isinstance(r, str) and r for r in rules):
        example = '["copy"] 或 ["measures.none"]'
        raise ConfigError(source, key("rules"), f"应为被豁免的规则编号（前缀）列表，如 {example}")
    return Waiver(
        index=index,
        rules=tuple(rules),
        approved_by=_text(source, key("approved_by"), entry.get("approved_by"), "批准人"),
        approval=_text(source, key("approval"), entry.get("approval"), "批准文号"),
        date=_date(source, key("date"), entry.get("date"), required=True),
        path=_optional_text(source, key("path"), entry.get("path")),
        doc_number=_doc_number(source, key("doc_number"), entry.get("doc_number")),
        sha256=_sha256(source, key("sha256"), entry.get("sha256")),
        expires=_date(source, key("expires"), entry.get("expires"), required=False),
        reason=_optional_text(source, key("reason"), entry.get("reason")) or "",
    )


def _text(source: str, key: str, value: Any, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(source, key, f"必填，应写明{label}（文字）")
    return value.strip()


def _optional_text(source: str, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(source, key, "应为非空文字")
    return value.strip()


def _date(source: str, key: str, value: Any, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(source, key, "应为日期，写成 2026-03-02 这样的格式")


def _doc_number(source: str, key: str, value: Any) -> str | None:
    text = _optional_text(source, key, value)
    if text is None:
        return None
    match = DOC_NUMBER.fullmatch(text)
    if match is None:
        example = "市政办发〔2026〕12号"
        raise ConfigError(source, key, f"“{text}”不是发文字号，应写成 {example} 这样的格式")
    return normalise_number(match)


def _sha256(source: str, key: str, value: Any) -> str | None:
    text = _optional_text(source, key, value)
    if text is None:
        return None
    text = text.lower()
    if not MIN_HASH_PREFIX <= len(text) <= 64 or any(c not in "0123456789abcdef" for c in text):
        problem = f"应为内容哈希（至少前 {MIN_HASH_PREFIX} 位十六进制数字），可从提交检查输出中复制"
        raise ConfigError(source, key, problem)
    return text
