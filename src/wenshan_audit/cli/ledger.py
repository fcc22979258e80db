"""``wenshan-audit ledger``: the 发文登记簿 (import, add, list, remove)."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import ConfigOption, app, err_console, fail, handle_errors, load_config, table_console

if TYPE_CHECKING:
    from ..checks.quota.config import QuotaConfig
    from ..config import Config
    from ..ledger import Entry, ImportReport, Ledger

ledger_app = typer.Typer(
    help="发文登记簿：登记已印发的文件（文件夹、登记簿表格或单个文件），作为发文限额的依据。",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")

REGISTER_SUFFIXES = (".xlsx", ".csv")
LIST_COLUMNS = ("id", "unit", "kind", "doc_number", "title", "date", "year", "red_header", "source")
LIST_HEADERS = ("编号", "发文单位", "文种", "发文字号", "标题", "成文日期", "年度", "红头", "来源")


class Format(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="输出格式")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="写入文件而不是终端（CSV 为带 BOM 的 UTF-8，Excel 可直接打开）"
    ),
]


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def open_ledger(cfg: Config) -> tuple[QuotaConfig | None, Ledger]:
    """The quota config (None without a [quota] section) and its ledger, created if missing."""
    from ..checks.quota.config import ledger_path
    from ..ledger import Ledger

    return cfg.parsed("quota"), Ledger.open(ledger_path(cfg))


def emit(text: str, output: Path | None, bom: bool = False) -> None:
    """Write to ``output`` or stdout; CSV gets a BOM so that Excel reads it as UTF-8."""
    if output is None:
        sys.stdout.write(("\ufeff" if bom else "") + text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        raise fail(f"无法写入输出文件 {output}：{exc.strerror}") from None
    err_console().print(f"已写入 {escape(str(output))}")


def to_csv(headers: tuple[str, ...], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def _check_kind(kind: str | None, cfg: Config) -> None:
    from ..metadata import kinds

    names = [k.name for k in kinds(str(cfg.rules_dir))]
    if kind is not None and kind not in names:
        raise fail(f"未知文种“{kind}”。可用文种：{'、'.join(names)}")


def _check_unit(unit: str | None, quota: QuotaConfig | None) -> str | None:
    """The configured name for ``unit`` (alias accepted); an unknown name is kept, with a note."""
    if unit is None or quota is None:
        return unit
    found = quota.unit_named(unit)
    if found is None:
        err_console().print(
            f"[yellow]注意：[/]“{escape(unit)}”不在配置的 {escape('[[quota.units]]')} 中，"
            "将按原样登记，不计入任何限额。"
        )
        return unit
    return found.name


def _report(report: ImportReport, where: str, verbose: bool) -> None:
    out = console()
    if report.added and (verbose or len(report.added) <= 20):
        table = Table(title="新增登记", title_justify="left")
        for header in ("编号", "发文单位", "文种", "发文字号", "标题", "成文日期"):
            table.add_column(header)
        for e in report.added:
            table.add_row(
                str(e.id), e.unit, e.kind, e.doc_number or "—", e.title or "—", e.date or "—"
            )
        out.print(table)
    for new, old in report.duplicates[: None if verbose else 10]:
        label = escape(new.doc_number or new.title or Path(new.source).name)
        out.print(f"[dim]已登记，未重复计入：{label}（登记簿第 {old.id} 条）[/]")
    if not verbose and len(report.duplicates) > 10:
        out.print(f"[dim]……另有 {len(report.duplicates) - 10} 份已登记（加 --verbose 查看全部）[/]")
    errors = err_console()
    for problem in report.problems:
        errors.print(f"[yellow]跳过：[/]{escape(problem)}")
    out.print(
        f"登记簿 {escape(where)}：新增 [bold green]{len(report.added)}[/] 份，"
        f"已登记 {len(report.duplicates)} 份（未重复计入），跳过 {len(report.problems)} 份。"
    )


@ledger_app.command("import")
@handle_errors
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="已印发文件所在文件夹、发文登记簿（.xlsx / .csv）或单个文件", show_default=False
        ),
    ],
    config: ConfigOption = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="文件夹中文件的发文单位（覆盖识别结果）")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="文件夹中文件的文种（覆盖识别结果）")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出每一份文件")] = False,
) -> None:
    """把已印发的文件导入登记簿；重复导入不会重复计数。"""
    from ..errors import ReadError
    from ..ledger import (
        ImportReport,
        entries_from_folder,
        entries_from_register,
        entry_from_document,
    )
    from ..readers import read_document

    cfg = load_config(config)
    _check_kind(kind, cfg)
    quota, ledger = open_ledger(cfg)
    unit = _check_unit(unit, quota)
    columns = quota.register_columns if quota else None
    total = ImportReport()
    with ledger:
        for path in paths:
            if not path.exists():
                raise fail(f"{path} 不存在，请检查路径。")
            problems: list[str] = []
            if path.is_dir():
                entries, problems = entries_from_folder(path, quota, unit, kind)
                if not entries and not problems:
                    raise fail(f"文件夹 {path} 中没有可识别的公文文件（.docx .pdf .txt 等）。")
            elif path.suffix.lower() in REGISTER_SUFFIXES:
                from ..ledger import register_columns

                entries, problems = entries_from_register(
                    path, columns or register_columns({}, cfg.source), quota
                )
            else:
                try:
                    entries = [entry_from_document(read_document(path), quota, unit, kind)]
                except ReadError as exc:
                    entries, problems = [], [exc.message]
            report = ledger.add(entries)
            report.problems += problems
            total.merge(report)
        _report(total, ledger.where, verbose)
    if total.problems and not total.added and not total.duplicates:
        raise typer.Exit(2)


@ledger_app.command("add")
@handle_errors
def add(
    files: Annotated[list[Path], typer.Argument(help="已印发的文件", show_default=False)],
    config: ConfigOption = None,
    unit: Annotated[str | None, typer.Option("--unit", help="发文单位（覆盖识别结果）")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="文种（覆盖识别结果）")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="成文日期，如 2026-03-15（覆盖识别结果）")
    ] = None,
    number: Annotated[
        str | None, typer.Option("--number", help="发文字号，如 云政办发〔2026〕5号")
    ] = None,
) -> None:
    """登记单个（或几个）已印发的文件。"""
    from ..ledger import entry_from_document, parse_register_date
    from ..readers import read_document

    cfg = load_config(config)
    _check_kind(kind, cfg)
    when = parse_register_date(date) if date else None
    if date and when is None:
        raise fail(f"无法识别日期“{date}”，请写成 2026-03-15 的形式。")
    if number and len(files) > 1:
        raise fail("--number 只能用于单个文件。")
    quota, ledger = open_ledger(cfg)
    unit = _check_unit(unit, quota)
    with ledger:
        entries = [
            entry_from_document(read_document(f), quota, unit, kind, when, number) for f in files
        ]
        _report(ledger.add(entries), ledger.where, verbose=True)


@ledger_app.command("list")
@handle_errors
def list_(
    config: ConfigOption = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只列出该单位（名称或别名）")] = None,
    year: Annotated[int | None, typer.Option("--year", help="只列出该年度")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="只列出该文种")] = None,
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
) -> None:
    """列出登记簿中的文件。"""
    cfg = load_config(config)
    quota, ledger = open_ledger(cfg)
    found = quota.unit_named(unit) if (quota and unit) else None
    units = found.names if found else ((unit,) if unit else ())
    with ledger:
        entries = ledger.entries(units, year, kind)
        where = ledger.where
    if fmt is Format.json:
        emit(
            json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2) + "\n", output
        )
    elif fmt is Format.csv:
        rows = [[_cell(e, c) for c in LIST_COLUMNS] for e in entries]
        emit(to_csv(LIST_HEADERS, rows), output, bom=True)
    else:
        _list_table(entries, where, output)


def _cell(entry: Entry, column: str) -> Any:
    value = getattr(entry, column)
    return ("是" if value else "否") if column == "red_header" else value


def _list_table(entries: list[Entry], where: str, output: Path | None) -> None:
    table = Table(title=f"发文登记簿（{where}）", title_justify="left")
    for header in LIST_HEADERS[:-1]:
        table.add_column(
            header, overflow="fold", no_wrap=header in ("编号", "成文日期", "年度", "红头")
        )
    for e in entries:
        table.add_row(
            *(str(_cell(e, c) if _cell(e, c) is not None else "—") for c in LIST_COLUMNS[:-1])
        )
    out = table_console(output is not None)
    out.print(table)
    out.print(f"共 {len(entries)} 份。")
    if output is not None:
        emit(out.export_text(), output)


@ledger_app.command("remove")
@handle_errors
def remove(
    items: Annotated[
        list[str] | None,
        typer.Argument(help="要删除的登记编号（见 ledger list）或发文字号", show_default=False),
    ] = None,
    config: ConfigOption = None,
    source: Annotated[
        Path | None,
        typer.Option("--source", help="删除从该文件或登记簿导入的全部记录（用于更正后重新导入）"),
    ] = None,
) -> None:
    """从登记簿删除记录（误登记、撤销的文件）。"""
    items = items or []
    if not items and source is None:
        raise fail("请给出要删除的登记编号或发文字号，或用 --source 指定导入来源。")
    ids = [int(i) for i in items if i.isdigit()]
    numbers = [i for i in items if not i.isdigit()]
    cfg = load_config(config)
    _, ledger = open_ledger(cfg)
    with ledger:
        removed = ledger.remove(ids, numbers, str(source.resolve()) if source else None)
        where = ledger.where
    if not removed:
        raise fail(f"登记簿 {where} 中没有找到匹配的记录，请先用 ledger list 查看编号。")
    out = console()
    for e in removed:
        out.print(f"已删除第 {e.id} 条：{escape(e.doc_number or '')} {escape(e.title or '')}")
    out.print(f"共删除 {len(removed)} 条。")
