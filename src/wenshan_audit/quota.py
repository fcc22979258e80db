"""发文限额 (document quota): annual limits per issuing unit and kind, checked against the ledger.

Configuration lives in ``[quota]`` (see ``rules/quota.example.toml``). A
document counts toward the unit's 总量 and toward its own kind's limit;
``counts_toward`` changes that per kind, and white-header papers (工作提示、
便函、简报 without a red header) count like any other unless
``count_white_header = false``. A limit is fixed (``limits``) or derived from
last year's count in the ledger (``reduction_vs_last_year``); with both, the
stricter applies.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .audit import AuditOptions
from .config import Config, reject_unknown
from .errors import ConfigError
from .ledger import Entry, Ledger, content_hash, register_columns
from .metadata import kinds
from .model import CheckOutcome, DocMeta, Document, Finding, Severity

TOTAL = "总量"
DEFAULT_LEDGER = ".wenshan/ledger.sqlite"
PACINGS = {"none": 1, "quarterly": 4, "monthly": 12}
PERIOD_NAMES = {4: ("第一季度", "第二季度", "第三季度", "第四季度")}
QUOTA_KEYS = {
    "year",
    "ledger",
    "count_white_header",
    "pacing",
    "pacing_shares",
    "counts_toward",
    "units",
    "register",
}
UNIT_KEYS = {
    "name",
    "aliases",
    "number_prefixes",
    "limits",
    "reduction_vs_last_year",
    "counts_toward",
}
UNKNOWN_KIND = "其他"


@dataclass(frozen=True)
class UnitQuota:
    """One issuing unit: how to recognise it and its annual limits."""

    name: str
    aliases: tuple[str, ...] = ()
    number_prefixes: tuple[str, ...] = ()
    limits: dict[str, int] = field(default_factory=dict)
    reductions: dict[str, float] = field(default_factory=dict)
    counts_toward: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def limit_names(self) -> list[str]:
        keys = [TOTAL, *self.limits, *self.reductions]
        return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class QuotaConfig:
    """The validated ``[quota]`` section."""

    ledger_path: Path
    units: tuple[UnitQuota, ...]
    year: int | None = None
    count_white_header: bool = True
    pacing: str = "none"
    pacing_shares: tuple[float, ...] = ()
    counts_toward: dict[str, tuple[str, ...]] = field(default_factory=dict)
    register_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    white_kinds: frozenset[str] = frozenset()  # kinds.yaml: usually issued as white-header papers

    # -- recognising units ---------------------------------------------------
    def unit_named(self, name: str) -> UnitQuota | None:
        wanted = _squash(name)
        return next((u for u in self.units if wanted in map(_squash, u.names)), None)

    def resolve(self, meta: DocMeta) -> tuple[UnitQuota | None, str]:
        """The unit of a document and how it was found.

        Tried in order: 发文字号 prefix, issuer (name or alias), title prefix.
        """
        if meta.doc_number:
            best = max(
                (
                    (len(p), u)
                    for u in self.units
                    for p in u.number_prefixes
                    if meta.doc_number.startswith(p)
                ),
                default=None,
                key=lambda pair: pair[0],
            )
            if best:
                return best[1], "发文字号"
        if meta.issuer:
            for token in [meta.issuer, *re.split(r"[\s、，,；;]+", meta.issuer)]:
                unit = self.unit_named(token) if token else None
                if unit:
                    return unit, "发文机关"
        if meta.title:
            title = _squash(meta.title)
            best = max(
                ((len(n), u) for u in self.units for n in u.names if title.startswith(_squash(n))),
                default=None,
                key=lambda pair: pair[0],
            )
            if best:
                return best[1], "标题"
        return None, ""

    def unit_for(self, meta: DocMeta) -> str | None:
        unit, _ = self.resolve(meta)
        return unit.name if unit else None

    # -- counting ------------------------------------------------------------
    def counted_in(self, unit: UnitQuota, kind: str, red_header: bool) -> tuple[str, ...]:
        """The limits a document of ``kind`` counts toward (empty: it is not counted)."""
        mapping = {**self.counts_toward, **unit.counts_toward}
        keys = mapping.get(kind, (TOTAL, kind))
        if not red_header and not self.count_white_header:
            return tuple(k for k in keys if k == kind)
        return keys

    def used(self, unit: UnitQuota, tally: Counter[tuple[str, bool]]) -> Counter[str]:
        totals: Counter[str] = Counter()
        for (kind, red), n in tally.items():
            for key in self.counted_in(unit, kind, red):
                totals[key] += n
        return totals

    def share(self, period: int) -> float:
        """Cumulative share of the annual limit allowed by the end of ``period`` (1-based)."""
        if self.pacing_shares:
            return self.pacing_shares[period - 1]
        return period / PACINGS[self.pacing]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- parsing and validation ----------------------------------------------------


def parse(config: Config) -> QuotaConfig | None:
    """The validated ``[quota]`` section, or None when the config has none."""
    if "quota" not in config.data:
        return None
    section = config.section("quota")
    src = config.source
    reject_unknown(section, QUOTA_KEYS, "quota.", src)
    all_kinds = kinds(str(config.rules_dir))
    known_kinds = {k.name for k in all_kinds}
    year = section.get("year")
    if year is not None and (
        not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100
    ):
        raise ConfigError(src, "quota.year", "应为四位年份，如 2026")
    ledger = section.get("ledger", DEFAULT_LEDGER)
    if not isinstance(ledger, str) or not ledger.strip():
        raise ConfigError(
            src, "quota.ledger", '应为登记簿数据库文件路径，如 ".wenshan/ledger.sqlite"'
        )
    white = section.get("count_white_header", True)
    if not isinstance(white, bool):
        raise ConfigError(src, "quota.count_white_header", "应为 true 或 false")
    pacing = section.get("pacing", "none")
    if pacing not in PACINGS:
        raise ConfigError(
            src, "quota.pacing", f"取值应为 {' / '.join(PACINGS)}（季度 / 月度进度控制）"
        )
    shares = _shares(section.get("pacing_shares"), pacing, src)
    units_raw = section.get("units", [])
    if not isinstance(units_raw, list) or not all(isinstance(u, dict) for u in units_raw):
        raise ConfigError(src, "quota.units", "应为 [[quota.units]] 表数组")
    units = tuple(_unit(raw, i, known_kinds, src) for i, raw in enumerate(units_raw))
    _no_clashes(units, src)
    register = section.get("register", {})
    if not isinstance(register, dict):
        raise ConfigError(src, "quota.register", "应为表 [quota.register]")
    reject_unknown(register, {"columns"}, "quota.register.", src)
    columns = register.get("columns", {})
    if not isinstance(columns, dict):
        raise ConfigError(src, "quota.register.columns", '应为表，如 { number = "发文字号" }')
    return QuotaConfig(
        ledger_path=config.resolve(ledger),
        units=units,
        year=year,
        count_white_header=white,
        pacing=pacing,
        pacing_shares=shares,
        counts_toward=_counts_toward(
            section.get("counts_toward", {}), "quota.counts_toward", known_kinds, src
        ),
        register_columns=register_columns(columns, src),
        white_kinds=frozenset(k.name for k in all_kinds if k.white_header),
    )


def _shares(value: Any, pacing: str, src: str) -> tuple[float, ...]:
    if value is None:
        return ()
    periods = PACINGS[pacing]
    if pacing == "none":
        raise ConfigError(
            src, "quota.pacing_shares", '需同时设置 pacing = "quarterly" 或 "monthly"'
        )
    ok = (
        isinstance(value, list)
        and len(value) == periods
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 for v in value
        )
        and all(a <= b for a, b in zip(value[:-1], value[1:], strict=True))
        and value[-1] == 1
    )
    if not ok:
        raise ConfigError(
            src,
            "quota.pacing_shares",
            f"应为 {periods} 个递增的累计比例、最后一个为 1，如 [0.2, 0.5, 0.75, 1.0]",
        )
    return tuple(float(v) for v in value)


def _strings(value: Any, key: str, src: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(src, key, '应为非空字符串列表，如 ["市政府办公室"]')
    return tuple(_squash(v) for v in value)


def _limit_key(name: str, key: str, known_kinds: set[str], src: str) -> str:
    if name != TOTAL and name not in known_kinds:
        raise ConfigError(
            src,
            key,
            f"“{name}”不是“{TOTAL}”也不是已知文种；已知文种：{'、'.join(sorted(known_kinds))}",
        )
    return name


def _unit(raw: dict[str, Any], index: int, known_kinds: set[str], src: str) -> UnitQuota:
    where = f"quota.units[{index}]"
    reject_unknown(raw, UNIT_KEYS, f"{where}.", src)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(src, f"{where}.name", "缺少单位名称（name）")
    where = f"quota.units[{index}]（{name}）"
    limits_raw = raw.get("limits", {})
    if not isinstance(limits_raw, dict):
        raise ConfigError(src, f"{where}.limits", '应为表，如 { "总量" = 40, "通知" = 15 }')
    limits = {}
    for kind, value in limits_raw.items():
        key = f"{where}.limits.{kind}"
        _limit_key(kind, key, known_kinds, src)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(src, key, "应为不小于 0 的整数（份数）")
        limits[kind] = value
    reduction = raw.get("reduction_vs_last_year", {})
    if not isinstance(reduction, dict):
        reduction = {TOTAL: reduction}
    reductions = {}
    for kind, value in reduction.items():
        key = f"{where}.reduction_vs_last_year" + ("" if kind == TOTAL else f".{kind}")
        _limit_key(kind, key, known_kinds, src)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
            raise ConfigError(src, key, "应为 0 到 1 之间的小数，如 0.15 表示较上年压减 15%")
        reductions[kind] = float(value)
    return UnitQuota(
        name=_squash(name),
        aliases=_strings(raw.get("aliases", []), f"{where}.aliases", src),
        number_prefixes=_strings(raw.get("number_prefixes", []), f"{where}.number_prefixes", src),
        limits=limits,
        reductions=reductions,
        counts_toward=_counts_toward(
            raw.get("counts_toward", {}), f"{where}.counts_toward", known_kinds, src
        ),
    )


def _counts_toward(
    value: Any, where: str, known_kinds: set[str], src: str
) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(src, where, '应为表，如 { "便函" = ["总量"], "纪要" = [] }')
    mapping = {}
    for kind, targets in value.items():
        key = f"{where}.{kind}"
        if kind not in known_kinds:
            raise ConfigError(
                src, key, f"“{kind}”不是已知文种；已知文种：{'、'.join(sorted(known_kinds))}"
            )
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ConfigError(
                src, key, f'应为限额名称列表，如 ["{TOTAL}", "通知"]；空列表表示不计入'
            )
        mapping[kind] = tuple(_limit_key(t, key, known_kinds, src) for t in targets)
    return mapping


def _no_clashes(units: tuple[UnitQuota, ...], src: str) -> None:
    names: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for unit in units:
        for name in unit.names:
            if names.setdefault(name, unit.name) != unit.name:
                raise ConfigError(
                    src, "quota.units", f"名称或别名“{name}”同时属于“{names[name]}”和“{unit.name}”"
                )
        for prefix in unit.number_prefixes:
            if prefixes.setdefault(prefix, unit.name) != unit.name:
                raise ConfigError(
                    src,
                    "quota.units",
                    f"字号前缀“{prefix}”同时属于“{prefixes[prefix]}”和“{unit.name}”",
                )


# -- usage ---------------------------------------------------------------------


@dataclass(frozen=True)
class LimitUsage:
    """One limit of one unit in one year: how much of it is used."""

    unit: str
    name: str  # 总量 or a kind
    year: int
    limit: int | None
    used: int
    last_year: int
    fixed: int | None = None
    reduction: float | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.used


def effective_limit(fixed: int | None, reduction: float | None, last_year: int) -> int | None:
    """The fixed limit, last year's count reduced (rounded down), or the stricter of both."""
    derived = (
        math.floor(round(last_year * (1 - reduction), 6))
        if reduction is not None and last_year
        else None
    )
    candidates = [v for v in (fixed, derived) if v is not None]
    return min(candidates) if candidates else None


def unit_usage(
    quota: QuotaConfig, ledger: Ledger, unit: UnitQuota, year: int
) -> dict[str, LimitUsage]:
    """Usage of each of the unit's limits, plus each kind it issued this or last year."""
    used = quota.used(unit, ledger.tally(unit.names, year))
    before = quota.used(unit, ledger.tally(unit.names, year - 1))
    keys = unit.limit_names + sorted(k for k in {*used, *before} if k not in unit.limit_names)
    result = {}
    for key in keys:
        fixed, reduction = unit.limits.get(key), unit.reductions.get(key)
        result[key] = LimitUsage(
            unit=unit.name,
            name=key,
            year=year,
            limit=effective_limit(fixed, reduction, before[key]),
            used=used[key],
            last_year=before[key],
            fixed=fixed,
            reduction=reduction,
        )
    return result


@dataclass(frozen=True)
class StatusRow:
    """One line of ``quota status``: a unit's limit (总量 or a kind) this year vs last year."""

    usage: LimitUsage
    last_year_to_date: int  # last year up to the same day
    configured: bool = True  # False: a unit found in the ledger but not in [quota.units]

    @property
    def change(self) -> float | None:
        """This year so far against the same period last year (-0.2 = 20 % fewer)."""
        before = self.last_year_to_date
        return None if not before else (self.usage.used - before) / before

    def to_dict(self) -> dict[str, Any]:
        u = self.usage
        return {
            "unit": u.unit,
            "kind": u.name,
            "year": u.year,
            "limit": u.limit,
            "used": u.used,
            "remaining": u.remaining,
            "last_year": u.last_year,
            "last_year_to_date": self.last_year_to_date,
            "change_vs_last_year": None if self.change is None else round(self.change, 4),
            "fixed_limit": u.fixed,
            "reduction_vs_last_year": u.reduction,
            "configured": self.configured,
        }


def as_of_date(ledger: Ledger, year: int, today: date | None = None) -> date:
    """How far ``year`` has run: today, its last day when past, else its latest ledger date."""
    today = today or date.today()
    if year < today.year:
        return date(year, 12, 31)
    if year == today.year:
        return today
    return _date(ledger.last_date(year)) or date(year, 1, 1)


def status(
    quota: QuotaConfig, ledger: Ledger, year: int, today: date | None = None
) -> tuple[date, list[StatusRow]]:
    """Rows for every configured unit, then every unit the ledger knows but the config does not."""
    as_of = as_of_date(ledger, year, today)
    same_day = as_of.replace(year=year - 1, day=min(as_of.day, 28 if as_of.month == 2 else 31))
    known = {name for unit in quota.units for name in unit.names}
    strangers = sorted({*ledger.units(year), *ledger.units(year - 1)} - known)
    units = [(u, True) for u in quota.units] + [(UnitQuota(name=n), False) for n in strangers]
    rows = []
    for unit, configured in units:
        before = quota.used(unit, ledger.tally(unit.names, year - 1, until=same_day.isoformat()))
        for usage in unit_usage(quota, ledger, unit, year).values():
            rows.append(StatusRow(usage, before[usage.name], configured))
    return as_of, rows


# -- the check -------------------------------------------------------------------


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
        when = _date(draft_date) or date.today()
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


def _date(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


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
    quota = parse(config)
    return QuotaCheck(quota, options) if quota else None
