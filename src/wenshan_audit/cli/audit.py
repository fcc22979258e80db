"""``wenshan-audit audit DIR``: a folder audited in parallel, batch-level checks, reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from . import ConfigOption, app, err_console, handle_errors, load_config
from .common import (
    AgainstOption,
    ExplainOption,
    FailOnOption,
    Format,
    FormatOption,
    IgnoreOption,
    OutputOption,
    ReportOption,
    SelectOption,
    annotate_dir,
    ocr_progress,
    write_html,
    write_report,
)


def _run_with_progress(batch):  # noqa: ANN001,ANN202 - batch.Batch -> AuditResult
    from ..readers import ocr

    console = err_console()
    files, jobs = len(batch.files), batch.workers
    started = time.perf_counter()
    if console.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("审核中"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("剩余"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("audit", total=files)
            result = batch.run(lambda n: bar.advance(task, n))
    else:
        print(f"正在审核 {files} 份文件（{jobs} 个进程）……", file=sys.stderr, flush=True)
        with ocr.progress(ocr_progress):  # reaches OCR run in this process (jobs 1)
            result = batch.run()
    elapsed = time.perf_counter() - started
    rate = files / elapsed if elapsed > 0 else 0.0
    console.print(f"审核完成：{files} 份文件，用时 {elapsed:.1f} 秒（{rate:.1f} 份/秒）")
    return result


@app.command()
@handle_errors
def audit(
    paths: Annotated[
        list[Path], typer.Argument(help="要批量审核的文件夹（递归）或文件", show_default=False)
    ],
    config: ConfigOption = None,
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
    report: ReportOption = None,
    annotate_into: Annotated[
        Path | None,
        typer.Option("--annotate-dir", help="把每份 .docx 的批注版（Word 批注）写入该文件夹"),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="并行进程数（默认取配置；缺省按文件数自动选择，至多全部 CPU 核；1 为不并行）",
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include", help="只审核匹配该通配符的文件（如 '*.docx'、'2026Q1/*'），可重复"
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="跳过匹配该通配符的文件（如 '*备份*'），可重复"),
    ] = None,
    fail_on: FailOnOption = None,
    against: AgainstOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    explain: ExplainOption = False,
) -> None:
    """批量审核一个文件夹（季度审核）：并行审核每份文件，找出应合并制发和重复发文的文件，按发文单位汇总。"""
    from ..audit import AuditOptions, exit_code
    from ..batch import prepare, settings

    cfg = load_config(config)
    options = AuditOptions(against=against, select=tuple(select or ()), ignore=tuple(ignore or ()))
    batch = prepare(cfg, paths, options, settings(cfg, include or (), exclude or (), jobs))
    result = _run_with_progress(batch)
    write_report(result, fmt.value, output, explain)
    if report is not None:
        write_html(result, report)
    if annotate_into is not None:
        annotate_dir(result, paths, annotate_into)
    shown = fmt is Format.text and output is None  # the text report lists them already
    for failure in () if shown else result.failures:
        err_console().print(f"[bold red]无法审核[/] {escape(failure.message)}", soft_wrap=True)
    raise typer.Exit(exit_code(result, cfg.fail_on_for(fail_on.value if fail_on else None)))
