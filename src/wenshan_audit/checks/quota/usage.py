"""发文限额 usage: how much of each limit a unit has used, and the ``quota status`` rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...ledger import Ledger
from .config import QuotaConfig, UnitQuota


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
    return parse_date(ledger.last_date(year)) or date(year, 1, 1)


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


def parse_date(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None
