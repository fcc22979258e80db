"""``wenshan-audit quota status``: limit, used, remaining and change vs last year per unit/kind."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from . import ConfigOption, app, fail, handle_errors, load_config, table_console
from .ledger import Format, FormatOption, OutputOption, emit, open_ledger, to_csv

if TYPE_CHECKING:
    from ..checks.quota.usage import StatusRow

quota_app = typer.Typer(help="发文限额：查看各单位、各文种的限额使用情况。", no_args_is_help=True)
app.add_typer(quota_app, name="quota")

BAR_WIDTH = 16
CSV_HEADERS = (
    "发文单位",
    "限额项",
    "年度",
    "限额",
    "已用",
    "剩余",
    "上年全年",
    "上年同期",
    "同比变化",
    "已配置",
)


def bar(used: int, limit: int | None) -> str:
    """A coloured usage bar: green below 75 %, yellow up to the limit, red beyond."""
    if limit is None:
        return "[dim]未设限额[/]"
    share = used / limit if limit else (1.0 if used == 0 else 2.0)
    filled = min(BAR_WIDTH, round(share * BAR_WIDTH))
    colour = "green" if share < 0.75 else ("yellow" if share <= 1 else "red")
    # both glyphs exist in GBK, so a Chinese Windows console shows the bar too
    return f"[{colour}]{'█' * filled}[/][dim]{'─' * (BAR_WIDTH - filled)}[/] {share:.0%}"


def _change(row: StatusRow) -> str:
    if row.change is None:
        return "—"
    return f"{row.change:+.0%}"


def _table(rows: list[StatusRow], year: int, as_of: date) -> Table:
    table = Table(
        title=f"{year} 年发文限额使用情况（截至 {as_of.isoformat()}）", title_justify="left"
    )
    for header, justify in (
        ("发文单位", "left"),
        ("限额项", "left"),
        ("限额", "right"),
        ("已用", "right"),
        ("剩余", "right"),
        ("上年全年", "right"),
        ("上年同期", "right"),
        ("同比", "right"),
        ("使用进度", "left"),
    ):
        table.add_column(header, justify=justify, no_wrap=header == "使用进度")  # type: ignore[arg-type]
    previous = None
    for row in rows:
        u = row.usage
        name = u.unit if u.unit != previous else ""
        if name and not row.configured:
            name += "（未配置）"
        previous = u.unit
        limit = "—" if u.limit is None else str(u.limit)
        if u.limit is not None and u.reduction is not None and u.limit != u.fixed:
            limit += f"（压减{u.reduction:.0%}）"
        remaining = (
            "—"
            if u.remaining is None
            else (f"[red]{u.remaining}[/]" if u.remaining < 0 else str(u.remaining))
        )
        table.add_row(
            name,
            u.name,
            limit,
            str(u.used),
            remaining,
            str(u.last_year),
            str(row.last_year_to_date),
            _change(row),
            bar(u.used, u.limit),
        )
    return table


@quota_app.command("status")
@handle_errors
def status_(
    config: ConfigOption = None,
    year: Annotated[
        int | None, typer.Option("--year", help="年度（默认取配置 [quota] year，缺省为今年）")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只看该单位（名称或别名）")] = None,
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
) -> None:
    """各单位、各文种的限额、已用、剩余、上年数与同比变化。"""
    from ..checks.quota.usage import status

    cfg = load_config(config)
    quota, ledger = open_ledger(cfg)
    if quota is None:
        ledger.close()
        raise fail(
            f"配置 {cfg.source} 中没有 [quota] 节。请参照 rules/quota.example.toml 添加发文限额配置"
            "（或运行 wenshan-audit init 生成起步配置）。"
        )
    the_year = year or quota.year or date.today().year
    with ledger:
        as_of, rows = status(quota, ledger, the_year)
    if unit:
        found = quota.unit_named(unit)
        rows = [r for r in rows if r.usage.unit == (found.name if found else unit)]
        if not rows:
            raise fail(f"单位“{unit}”既不在配置中，也不在登记簿中。")
    if fmt is Format.json:
        payload = {
            "year": the_year,
            "as_of": as_of.isoformat(),
            "rows": [r.to_dict() for r in rows],
        }
        emit(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt is Format.csv:
        emit(to_csv(CSV_HEADERS, [_csv_row(r) for r in rows]), output, bom=True)
    else:
        out = table_console(output is not None)
        out.print(_table(rows, the_year, as_of))
        if not rows:
            out.print("配置中没有单位，登记簿中也没有记录。")
        if output is not None:
            emit(out.export_text(), output)


def _csv_row(row: StatusRow) -> list[object]:
    d = row.to_dict()
    return [
        d["unit"],
        d["kind"],
        d["year"],
        d["limit"],
        d["used"],
        d["remaining"],
        d["last_year"],
        d["last_year_to_date"],
        "" if d["change_vs_last_year"] is None else f"{d['change_vs_last_year']:+.1%}",
        "是" if d["configured"] else "否",
    ]
