"""``wenshan-audit audit DIR``: a folder audited in parallel, batch-level checks, reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from . import ConfigOption, app, err_console, fail, handle_errors, load_config
from .check import (
    AgainstOption,
    ExplainOption,
    FailOnOption,
    Format,
    FormatOption,
    IgnoreOption,
    OutputOption,
    ReportOption,
    SelectOption,
    exit_code,
    no_documents,
    ocr_progress,
    write_report,
)

HTML_SUFFIXES = (".html", ".htm")


def write_html(result, path: Path) -> None:  # noqa: ANN001 - AuditResult
    """The self-contained HTML report (``--report``)."""
    from ..reporters import ReportOptions
    from ..reporters.html import render

    if path.suffix.lower() not in HTML_SUFFIXES:
        raise fail(f"--report 应为 .html 文件（收到 {path}），例如 --report 审核报告.html")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(result, ReportOptions()), encoding="utf-8", newline="\n")
    except OSError as exc:
        raise fail(f"无法写入报告 {path}：{exc.strerror}") from None
    err_console().print(f"已生成 HTML 报告：{escape(str(path))}", soft_wrap=True)


def annotate_to(result, target: Path) -> None:  # noqa: ANN001 - DocumentResult
    """Write the annotated copy of one .docx draft (``check --annotate``)."""
    from ..reporters.docx_annotate import annotate

    placed = annotate(result, target)
    err_console().print(f"已生成批注版 {escape(str(target))}（{placed} 条批注）", soft_wrap=True)


def annotate_dir(result, roots: list[Path], folder: Path) -> None:  # noqa: ANN001 - AuditResult
    """Annotated copies of every .docx of the batch, keeping the folder layout."""
    from ..errors import WenshanError
    from ..reporters.docx_annotate import annotate

    written, skipped = 0, 0
    for doc in result.documents:
        path = doc.document.path
        if path.suffix.lower() != ".docx":
            skipped += 1
            continue
        try:
            annotate(doc, folder / _relative(path, roots))
        except WenshanError as exc:  # one file that cannot be annotated does not stop the rest
            err_console().print(f"[bold red]无法生成批注版[/] {escape(str(exc))}", soft_wrap=True)
            continue
        written += 1
    note = f"，{skipped} 份非 .docx 文件无法加批注，已跳过" if skipped else ""
    err_console().print(
        f"已在 {escape(str(folder))} 生成 {written} 份批注版文件{note}", soft_wrap=True
    )


def _relative(path: Path, roots: list[Path]) -> Path:
    for root in roots:
        base = root if root.is_dir() else root.parent
        try:
            return path.resolve().relative_to(base.resolve())
        except ValueError:
            continue
    return Path(path.name)


def _audit_with_progress(paths: list[Path], auditor, jobs: int):  # noqa: ANN001,ANN202
    from ..batch import run
    from ..readers import ocr

    console = err_console()
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
            task = bar.add_task("audit", total=len(paths))
            audited = run(paths, auditor, jobs, lambda n: bar.advance(task, n))
    else:
        print(f"正在审核 {len(paths)} 份文件（{jobs} 个进程）……", file=sys.stderr, flush=True)
        with ocr.progress(ocr_progress):  # reaches OCR run in this process (jobs 1)
            audited = run(paths, auditor, jobs)
    elapsed = time.perf_counter() - started
    rate = len(paths) / elapsed if elapsed > 0 else 0.0
    console.print(f"审核完成：{len(paths)} 份文件，用时 {elapsed:.1f} 秒（{rate:.1f} 份/秒）")
    return audited


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
    from ..audit import AuditOptions, Auditor
    from ..batch import assemble, select_files, settings
    from ..merge import analyze

    cfg = load_config(config)
    batch = settings(cfg, include or (), exclude or (), jobs)
    for path in paths:
        if not path.exists():
            raise fail(f"路径不存在：{path}，请检查后重试。")
    files = select_files(paths, batch)
    empty = no_documents(paths, files)  # a folder without documents comes back itself
    if empty:
        raise fail(empty + "和 --include/--exclude 通配符。")
    options = AuditOptions(against=against, select=tuple(select or ()), ignore=tuple(ignore or ()))
    # built here first: configuration errors surface and a reference index is
    # built or refreshed once, before any worker starts
    auditor = Auditor(cfg, options)
    workers = batch.workers(len(files))
    result, terms = assemble(_audit_with_progress(files, auditor, workers))
    result = analyze(result, terms, batch.merge_similarity, batch.duplicate_similarity)
    write_report(result, fmt.value, output, explain)
    if report is not None:
        write_html(result, report)
    if annotate_into is not None:
        annotate_dir(result, paths, annotate_into)
    shown = fmt is Format.text and output is None  # the text report lists them already
    for failure in () if shown else result.failures:
        err_console().print(f"[bold red]无法审核[/] {escape(failure.message)}", soft_wrap=True)
    raise typer.Exit(exit_code(result, (fail_on.value if fail_on else cfg.fail_on)))
