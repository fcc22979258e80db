"""``wenshan-audit check`` and ``wenshan-audit init``."""

from __future__ import annotations

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..reporters import FORMATS
from . import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    ConfigOption,
    app,
    fail,
    handle_errors,
    load_config,
)

#: output formats: exactly the reporters' registry
Format = Enum("Format", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


# options shared by `check` and `audit`
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="输出格式")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="把报告写入文件而不是终端")
]
FailOnOption = Annotated[
    FailOn | None,
    typer.Option("--fail-on", help="达到该级别的问题时退出码为 1（默认取配置，缺省为 error）"),
]
AgainstOption = Annotated[
    Path | None,
    typer.Option("--against", help="上级文件文件夹（自动建立/更新索引）或已建好的索引"),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select", help="只报告这些规则（按前缀，如 copy、burden.photo_evidence），可重复"
    ),
]
IgnoreOption = Annotated[
    list[str] | None, typer.Option("--ignore", help="不报告这些规则（按前缀），可重复")
]
ExplainOption = Annotated[bool, typer.Option("--explain", help="逐句列出具体措施判定及依据")]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="另外生成一份自包含的 HTML 报告（.html）")
]


def exit_code(result, fail_on: str) -> int:  # noqa: ANN001 - AuditResult
    """2 if nothing could be audited, else 1 if a problem reaches ``fail_on``, else 0.

    A file that could not be audited counts as an error-level problem, so a hook
    still refuses it, while the documents that were audited keep their verdict.
    """
    from ..model import Severity

    if not result.documents:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity(fail_on).rank
    hit = any(f.severity.rank >= threshold for d in result.documents for f in d.findings)
    unreadable = bool(result.failures) and Severity.ERROR.rank >= threshold
    return EXIT_FINDINGS if hit or unreadable else EXIT_CLEAN


def no_documents(paths: list[Path], found: list[Path]) -> str | None:
    """The message when the paths hold no document at all (only empty folders), else None."""
    if found and not all(p in paths and p.is_dir() for p in found):
        return None
    folders = "、".join(str(p) for p in found) or "、".join(str(p) for p in paths)
    return (
        f"{folders} 中没有找到可审核的文件（支持 .docx .pdf .txt .md .doc .wps .ofd），请检查路径"
    )


def ocr_progress(path: Path, done: int, total: int) -> None:
    """Progress of OCR on a long document, on stderr (the library never prints)."""
    from rich.markup import escape

    from . import err_console

    if total > 1:
        err_console().print(f"OCR 识别 {escape(str(path))}：第 {done}/{total} 页", soft_wrap=True)


def write_report(result, fmt: str, output: Path | None, explain: bool = False) -> None:  # noqa: ANN001
    from ..reporters import ReportOptions, renderer

    to_terminal = output is None and sys.stdout.isatty()
    # a terminal gets its own width; files and pipes get room for Chinese tables
    width = shutil.get_terminal_size((160, 40)).columns if to_terminal else 160
    options = ReportOptions(color=to_terminal, explain=explain, width=width)
    text = renderer(fmt)(result, options)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise fail(f"无法写入输出文件 {output}：{exc.strerror}") from None


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
    from ..audit import AuditOptions, Auditor
    from ..readers import iter_files, ocr

    cfg = load_config(config)
    options = AuditOptions(
        against=against,
        unit=unit,
        kind=kind,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
    )
    empty = no_documents(paths, list(iter_files(paths)))
    if empty:
        raise fail(empty + "。")
    if annotate is not None and (len(paths) != 1 or paths[0].suffix.lower() != ".docx"):
        raise fail("--annotate 只能用于单个 .docx 草稿；批量生成批注版请用 audit --annotate-dir。")
    with ocr.progress(ocr_progress):
        result = Auditor(cfg, options).audit_paths(paths)
    write_report(result, fmt.value, output, explain)
    if report is not None:
        from .audit import write_html

        write_html(result, report)
    if annotate is not None and result.documents:
        from .audit import annotate_to

        annotate_to(result.documents[0], annotate)
    raise typer.Exit(exit_code(result, (fail_on.value if fail_on else cfg.fail_on)))


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
