"""What ``check`` and ``audit`` share: their options and how reports and copies are written."""

from __future__ import annotations

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..reporters import FORMATS
from . import err_console, fail

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


def write_annotated(result, target: Path) -> int:  # noqa: ANN001 - DocumentResult
    """Write the commented copy of one .docx draft to ``target``; the comments placed."""
    from ..errors import WenshanError
    from ..reporters.docx_annotate import annotate

    source = result.document.path
    if target.suffix.lower() != ".docx":
        raise WenshanError(f"批注版的文件名应以 .docx 结尾（收到 {target}）")
    if target.resolve() == source.resolve():
        raise WenshanError(
            f"批注版不能覆盖原文件 {source}，请另选输出路径（如 {source.stem}-批注.docx）"
        )
    copy = annotate(result)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(copy.data)
    except OSError as exc:
        raise WenshanError(f"无法写入批注版 {target}：{exc.strerror}") from None
    return copy.comments


def annotate_to(result, target: Path) -> None:  # noqa: ANN001 - DocumentResult
    """The annotated copy of one .docx draft (``check --annotate``)."""
    placed = write_annotated(result, target)
    err_console().print(f"已生成批注版 {escape(str(target))}（{placed} 条批注）", soft_wrap=True)


def annotate_dir(result, roots: list[Path], folder: Path) -> None:  # noqa: ANN001 - AuditResult
    """Annotated copies of every .docx of the batch, keeping the folder layout."""
    from ..errors import WenshanError

    written, skipped = 0, 0
    for doc in result.documents:
        path = doc.document.path
        if path.suffix.lower() != ".docx":
            skipped += 1
            continue
        try:
            write_annotated(doc, folder / _relative(path, roots))
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


def ocr_progress(path: Path, done: int, total: int) -> None:
    """Progress of OCR on a long document, on stderr (the library never prints)."""
    if total > 1:
        err_console().print(f"OCR 识别 {escape(str(path))}：第 {done}/{total} 页", soft_wrap=True)
