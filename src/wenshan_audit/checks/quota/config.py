"""发文限额 (document quota) configuration: annual limits per issuing unit and kind, checked against the ledger.

Configuration lives in ``[quota]`` (see ``rules/quota.example.toml``). A
document counts toward the unit's 总量 and toward its own kind's limit;
``counts_toward`` changes that per kind, and white-header papers (工作提示、
便函、简报 without a red header) count like any other unless
``count_white_header = false``. A limit is fixed (``limits``) or derived from
last year's count in the ledger (``reduction_vs_last_year``); with both, the
stricter applies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...config import Config, reject_unknown
from ...errors import ConfigError
from ...ledger import register_columns
from ...metadata import kinds
from ...model import DocMeta

TOTAL = "总量"
#: the ledger without a ``[quota] ledger`` key (and without a ``[quota]`` section)
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
    if config.resolve(ledger).is_dir():
        raise ConfigError(
            src,
            "quota.ledger",
            f"{config.resolve(ledger)} 是一个文件夹；登记簿应为数据库文件，"
            '如 ".wenshan/ledger.sqlite"',
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


def ledger_path(config: Config) -> Path:
    """The ledger of ``config``, for every command: ``[quota] ledger``, else the default."""
    quota: QuotaConfig | None = config.parsed("quota")
    return quota.ledger_path if quota else config.resolve(DEFAULT_LEDGER)
