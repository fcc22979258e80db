"""``wenshan-audit check`` and ``wenshan-audit init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import ConfigOption, app, fail, handle_errors, load_config
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
    annotate_to,
    ocr_progress,
    write_html,
    write_report,
)


@app.command()
@handle_errors
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(help="要审核的文件或文件夹（文件夹递归查找支持的格式）", show_default=False),
    ],
    config: ConfigOption = None,
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
    fail_on: FailOnOption = None,
    against: AgainstOption = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="指定发文单位（覆盖从文件识别的结果）")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="指定文种（覆盖从标题识别的结果）")
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    explain: ExplainOption = False,
    report: ReportOption = None,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate", help="把审核意见作为 Word 批注写入草稿副本（仅单个 .docx），原文件不变"
        ),
    ] = None,
) -> None:
    """审核一份或多份公文草稿，输出审核意见。"""
    from ..audit import AuditOptions, Auditor, exit_code, no_documents
    from ..readers import iter_files, ocr

    cfg = load_config(config)
    options = AuditOptions(
        against=against,
        unit=unit,
        kind=kind,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
    )
    empty = no_documents(paths, iter_files(paths))
    if empty is not None:
        raise empty
    if annotate is not None and (len(paths) != 1 or paths[0].suffix.lower() != ".docx"):
        raise fail("--annotate 只能用于单个 .docx 草稿；批量生成批注版请用 audit --annotate-dir。")
    with ocr.progress(ocr_progress):
        result = Auditor(cfg, options).audit_paths(paths)
    write_report(result, fmt.value, output, explain)
    if report is not None:
        write_html(result, report)
    if annotate is not None and result.documents:
        annotate_to(result.documents[0], annotate)
    raise typer.Exit(exit_code(result, cfg.fail_on_for(fail_on.value if fail_on else None)))


@app.command()
@handle_errors
def init(
    path: Annotated[Path, typer.Argument(help="配置文件写到哪里")] = Path("wenshan-audit.toml"),
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
) -> None:
    """生成一份带注释的起步配置文件 wenshan-audit.toml。"""
    from ..ruleset import packaged_rules_dir

    if path.exists() and not force:
        raise fail(f"{path} 已存在；如需覆盖请加 --force。")
    rules = packaged_rules_dir()
    parts = [rules / "config.example.toml", rules / "quota.example.toml"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())
    path.write_text(text, encoding="utf-8")
    typer.echo(f"已生成配置文件 {path}，请按注释修改。")
