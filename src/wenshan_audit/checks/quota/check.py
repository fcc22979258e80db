"""The ``quota`` check: does issuing this draft keep its unit within the annual quota?"""

from __future__ import annotations

import math
import os
from datetime import date
from typing import Any

from ...audit import AuditOptions
from ...config import Config
from ...ledger import Entry, Ledger, content_hash
from ...model import CheckOutcome, DocMeta, Document, Finding, Severity
from .config import PACINGS, PERIOD_NAMES, UNKNOWN_KIND, QuotaConfig, UnitQuota
from .usage import LimitUsage, parse_date, unit_usage


class QuotaCheck:
    """Does issuing this draft keep its unit within the annual quota?"""

    name = "quota"

    def __init__(self, quota: QuotaConfig, options: AuditOptions) -> None:
        self.quota = quota
        self.options = options
        self._ledger: Ledger | None = None
        self._pid = 0

    def __getstate__(self) -> dict[str, Any]:
        # a SQLite connection must not cross a process boundary: workers reopen it
        return {**self.__dict__, "_ledger": None, "_pid": 0}

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None or self._pid != os.getpid():
            path = self.quota.ledger_path
            self._ledger = Ledger.open(path) if path.exists() else Ledger.memory()
            self._pid = os.getpid()
        return self._ledger

    def run(self, doc: Document) -> CheckOutcome:
        meta = doc.meta
        kind = self.options.kind or meta.kind or UNKNOWN_KIND
        year = self.quota.year or _year(meta.date) or date.today().year
        start, end, quote = _anchor(doc)
        unit, how = self._unit(meta)
        # a draft without letterhead is not yet a white-header paper; its kind tells
        white = kind in self.quota.white_kinds and not meta.red_header
        data: dict[str, Any] = {
            "unit": unit.name if unit else None,
            "kind": kind,
            "year": year,
            "limit": None,
            "used": None,
            "remaining": None,
            "would_exceed": False,
            "unit_source": how or None,
            "white_header": white,
            "ledger": str(self.quota.ledger_path),
        }
        if unit is None:
            return CheckOutcome((self._unknown(meta, start, end, quote),), data)
        recorded = self.ledger.find(_probe(doc, unit.name, kind, year)) is not None
        counted = self.quota.counted_in(unit, kind, not white)
        usage = unit_usage(self.quota, self.ledger, unit, year)
        step = 0 if recorded else 1
        limits = [usage[k] for k in counted if k in usage and usage[k].limit is not None]
        data.update(
            counted=bool(limits),
            already_recorded=recorded,
            limits=[_usage_dict(u, step) for u in limits],
        )
        findings: list[Finding] = []
        if limits:
            binding = min(limits, key=lambda u: u.limit - u.used)  # type: ignore[operator]
            data.update(
                limit_name=binding.name,
                limit=binding.limit,
                used=binding.used,
                remaining=binding.remaining,
                would_exceed=any(u.used + step > u.limit for u in limits),  # type: ignore[operator]
            )
            for u in limits:
                if u.used + step > u.limit:  # type: ignore[operator]
                    findings.append(self._exceeded(u, step, start, end, quote))
            pace = self._pacing(binding, meta.date, step)
            data["pacing"] = pace
            if pace and pace["ahead"] and not recorded:  # pacing is about drafts, not the past
                findings.append(self._ahead(binding, pace, start, end, quote))
        if white and limits and self.quota.count_white_header:
            findings.append(self._white(unit, kind, limits, step, start, end, quote))
        return CheckOutcome(tuple(findings), data)

    def _unit(self, meta: DocMeta) -> tuple[UnitQuota | None, str]:
        if self.options.unit:
            unit = self.quota.unit_named(self.options.unit)
            return unit, ("命令行" if unit else "")
        return self.quota.resolve(meta)

    def _unknown(self, meta: DocMeta, start: int, end: int, quote: str) -> Finding:
        if self.options.unit:
            why = f"指定的发文单位“{self.options.unit}”不在配置的 [[quota.units]] 中"
        else:
            seen = "、".join(
                f"{label}“{value}”"
                for label, value in (
                    ("发文机关", meta.issuer),
                    ("发文字号", meta.doc_number),
                    ("标题", meta.title),
                )
                if value
            )
            seen = seen or "未识别到发文机关、发文字号和标题"
            why = f"无法确定发文单位（{seen}均未匹配已配置单位）"
        configured = "、".join(u.name for u in self.quota.units) or "无"
        return Finding(
            rule="quota.unknown_unit",
            severity=Severity.WARNING,
            message=(
                f"{why}，未进行发文限额检查。请用 --unit 指定，"
                f"或在配置中为该单位添加别名或字号前缀（已配置：{configured}）。"
            ),
            start=start,
            end=end,
            text=quote,
            evidence={
                "issuer": meta.issuer,
                "doc_number": meta.doc_number,
                "configured": [u.name for u in self.quota.units],
            },
        )

    def _exceeded(self, u: LimitUsage, step: int, start: int, end: int, quote: str) -> Finding:
        after = u.used + step
        basis = _basis(u)
        return Finding(
            rule="quota.exceeded",
            severity=Severity.ERROR,
            message=(
                f"{u.unit} {u.year} 年“{u.name}”限额 {u.limit} 份{basis}，已发 {u.used} 份；"
                f"本件印发后将达 {after} 份，超出限额。请考虑合并制发、以其他方式部署，或暂缓发文。"
            ),
            start=start,
            end=end,
            text=quote,
            evidence={
                "limit_name": u.name,
                "limit": u.limit,
                "used": u.used,
                "after": after,
                "last_year": u.last_year,
            },
        )

    def _pacing(self, u: LimitUsage, draft_date: str | None, step: int) -> dict[str, Any] | None:
        if self.quota.pacing == "none" or u.limit is None:
            return None
        when = parse_date(draft_date) or date.today()
        if when.year != u.year:
            return None
        periods = PACINGS[self.quota.pacing]
        period = (when.month - 1) * periods // 12 + 1
        allowed = math.ceil(round(u.limit * self.quota.share(period), 6))
        return {
            "mode": self.quota.pacing,
            "period": period,
            "period_name": _period_name(periods, period),
            "allowed_to_date": allowed,
            "after": u.used + step,
            "ahead": u.used + step > allowed and u.used + step <= u.limit,
        }

    def _ahead(
        self, u: LimitUsage, pace: dict[str, Any], start: int, end: int, quote: str
    ) -> Finding:
        return Finding(
            rule="quota.pacing",
            severity=Severity.WARNING,
            message=(
                f"{u.unit} {u.year} 年“{u.name}”按进度至{pace['period_name']}末累计应不超过 "
                f"{pace['allowed_to_date']} 份（年度限额 {u.limit} 份），"
                f"本件印发后将达 {pace['after']} 份，"
                "发文进度超前。请统筹全年发文，能合并的合并、能不发的不发。"
            ),
            start=start,
            end=end,
            text=quote,
            evidence={"limit_name": u.name, **pace},
        )

    def _white(
        self,
        unit: UnitQuota,
        kind: str,
        limits: list[LimitUsage],
        step: int,
        start: int,
        end: int,
        quote: str,
    ) -> Finding:
        usage = "；".join(f"“{u.name}”印发后 {u.used + step}/{u.limit} 份" for u in limits)
        return Finding(
            rule="quota.white_header",
            severity=Severity.INFO,
            message=(
                f"本件为白头文件（{kind}），按规定同样计入{unit.name}发文限额，不能以变换文件形式规避总量控制"
                + (f"：{usage}。" if usage else "。")
            ),
            start=start,
            end=end,
            text=quote,
            evidence={"kind": kind},
        )


def _basis(u: LimitUsage) -> str:
    if u.reduction is not None and u.last_year and u.limit != u.fixed:
        return f"（上年 {u.last_year} 份压减 {u.reduction:.0%}）"
    return ""


def _usage_dict(u: LimitUsage, step: int) -> dict[str, Any]:
    return {
        "name": u.name,
        "limit": u.limit,
        "used": u.used,
        "remaining": u.remaining,
        "last_year": u.last_year,
        "would_exceed": u.limit is not None and u.used + step > u.limit,
    }


def _period_name(periods: int, period: int) -> str:
    if periods == 4:
        return PERIOD_NAMES[4][period - 1]
    return f"{period} 月"


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None


def _anchor(doc: Document) -> tuple[int, int, str]:
    """The span findings point at: the title (or 发文字号), else the first paragraph."""
    for needle in (doc.meta.title, doc.meta.doc_number):
        if needle:
            at = doc.text.find(needle)
            if at >= 0:
                return at, at + len(needle), needle
    first = doc.body[0] if doc.body else None
    return (first.start, first.end, first.text) if first else (0, 0, "")


def _probe(doc: Document, unit: str, kind: str, year: int) -> Entry:
    """An Entry shaped like the draft, to ask the ledger whether it is already recorded."""
    return Entry(
        unit=unit,
        kind=kind,
        year=year,
        content_hash=content_hash(doc.text),
        source=str(doc.path),
        doc_number=doc.meta.doc_number,
        title=doc.meta.title,
        date=doc.meta.date,
    )


def build(config: Config, options: AuditOptions) -> QuotaCheck | None:
    quota: QuotaConfig | None = config.parsed("quota")
    return QuotaCheck(quota, options) if quota else None
