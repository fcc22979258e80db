"""Terminal report in Chinese: a header per document, findings grouped by check, a verdict."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from ..model import AuditResult, DocumentResult, Finding, Severity
from ..rulebook import check_label
from . import ReportOptions
from .labels import ELEMENTS, SENTENCE_LABELS, VERDICTS

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
QUOTE_LIMIT = 90


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def _header(console: Console, result: DocumentResult) -> None:
    doc, meta = result.document, result.document.meta
    console.print(Text(f"■ {meta.title or doc.path.name}", style="bold"))
    facts = [
        ("文件", str(doc.path)),
        ("发文字号", meta.doc_number or "（无）"),
        ("发文机关", meta.issuer or "（未识别）"),
        ("文种", meta.kind or "（未识别）"),
        ("成文日期", meta.date or "（未识别）"),
        ("版式", "红头文件" if meta.red_header else "白头文件"),
    ]
    console.print("  " + "  ".join(f"[dim]{k}[/]：{escape(v)}" for k, v in facts))
    for warning in doc.warnings:
        console.print(f"  [dim]读取提示：{escape(warning)}[/]")


def _finding(console: Console, finding: Finding) -> None:
    style = STYLE[finding.severity]
    console.print(
        f"    [{style}]{finding.severity.label}[/] [dim]{finding.rule}[/]  {escape(finding.message)}"
    )
    if finding.text:
        console.print(
            f"      [dim]原文[{finding.start}-{finding.end}]：[/]“{escape(_quote(finding.text))}”"
        )


def _verdict(result: DocumentResult) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    if not result.findings:
        return "[green]结论：未发现问题[/]"
    parts = [f"{counts[s]} 个{s.label}" for s in reversed(Severity) if counts[s]]
    style = STYLE[result.worst() or Severity.INFO]
    return f"[{style}]结论：发现 " + "、".join(parts) + "[/]"


def _document(console: Console, result: DocumentResult, options: ReportOptions) -> None:
    _header(console, result)
    for section in SECTION_RENDERERS:
        if section in result.sections:
            SECTION_RENDERERS[section](console, result, options)
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        grouped.setdefault(check_label(finding.rule), []).append(finding)
    for label, items in grouped.items():
        console.print(f"  [bold]{label}[/]（{len(items)}）")
        for finding in items:
            _finding(console, finding)
    if result.waived:
        console.print(f"  [bold]已豁免（一事一议）[/]（{len(result.waived)}）")
        for finding in result.waived:
            waiver = finding.evidence.get("waiver", {})
            console.print(
                f"    [dim]{finding.rule}[/] {escape(finding.message)}"
                f"  [dim]批准：{escape(str(waiver.get('approved_by') or ''))}"
                f" {escape(str(waiver.get('approval') or ''))} {waiver.get('date') or ''}[/]"
            )
    console.print("  " + _verdict(result))
    console.print()


PASSAGE_LIMIT = 160  # characters of each side shown in the terminal


def _side_by_side(draft: str, source: str) -> tuple[Text, Text]:
    """Both sides of a copied passage: shared text in red, what the draft changed in yellow."""
    from difflib import SequenceMatcher

    draft, source = (
        " ".join(draft.split())[:PASSAGE_LIMIT],
        " ".join(source.split())[:PASSAGE_LIMIT],
    )
    left, right = Text(), Text()
    for op, a1, a2, b1, b2 in SequenceMatcher(None, draft, source, autojunk=False).get_opcodes():
        style = "red" if op == "equal" else "bold yellow"
        left.append(draft[a1:a2], style=style)
        right.append(source[b1:b2], style=style if op == "equal" else "yellow")
    return left, right


def _copy_section(console: Console, result: DocumentResult, options: ReportOptions) -> None:
    from rich.table import Table

    copy = result.sections["copy"]
    console.print(
        f"  [bold]复制比[/]：{copy['ratio']:.1%}（去除引用 {copy['ratio_excluding_citations']:.1%}）"
    )
    text = result.document.text
    for source in copy.get("sources", [])[:5]:
        label = source.get("title") or source.get("path")
        console.print(
            f"    来源《{escape(str(label))}》 {escape(source.get('doc_number') or '')} 单篇复制比 {source['ratio']:.1%}"
        )
        passages = source.get("passages", [])
        if not passages:
            continue
        table = Table(show_lines=True, padding=(0, 1), expand=True)
        table.add_column("草稿", ratio=1, overflow="fold")
        table.add_column("上级文件", ratio=1, overflow="fold")
        for passage in passages[:3]:
            left, right = _side_by_side(
                text[passage["start"] : passage["end"]], passage.get("source_text", "")
            )
            left = Text(f"[{passage['start']}-{passage['end']}] ", style="dim") + left
            right = (
                Text(f"[{passage['source_start']}-{passage['source_end']}] ", style="dim") + right
            )
            table.add_row(left, right)
        if len(passages) > 3:
            table.caption = f"另有 {len(passages) - 3} 段，见 --format json 或 HTML 报告"
        console.print(Padding(table, (0, 0, 0, 4)))


def _measures_section(console: Console, result: DocumentResult, options: ReportOptions) -> None:
    measures = result.sections["measures"]
    verdict = VERDICTS.get(measures["verdict"], measures["verdict"])
    console.print(
        f"  [bold]具体措施[/]：{measures['concrete']} 条 / {measures['total']} 句"
        f"（占比 {measures['share']:.0%}，结论：{verdict}）"
    )
    if options.explain:
        text = result.document.text
        for sentence in measures.get("sentences", []):
            cues = "；".join(
                f"{ELEMENTS.get(k, k)}：{'、'.join(map(str, v))}"
                for k, v in sentence.get("elements", {}).items()
                if v
            )
            label = SENTENCE_LABELS.get(sentence["label"], sentence["label"])
            quoted = escape(_quote(text[sentence["start"] : sentence["end"]]))
            console.print(
                f"      [dim]{label}[/] {quoted}"
                + (f"  [dim]（{escape(cues)}）[/]" if cues else "")
            )


def _quota_section(console: Console, result: DocumentResult, options: ReportOptions) -> None:
    quota = result.sections["quota"]
    if quota.get("limit") is None:
        return
    console.print(
        f"  [bold]发文限额[/]：{escape(str(quota.get('unit')))} {quota.get('year')} 年"
        f"{escape(str(quota.get('limit_name') or quota.get('kind') or ''))} 已用 {quota['used']} / {quota['limit']}，"
        f"剩余 {quota['remaining']}" + ("，[red]本件将超限[/]" if quota.get("would_exceed") else "")
    )


SECTION_RENDERERS = {"copy": _copy_section, "measures": _measures_section, "quota": _quota_section}


def render(result: AuditResult, options: ReportOptions) -> str:
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        width=options.width,
        highlight=False,
        soft_wrap=True,
    )
    for document in result.documents:
        _document(console, document, options)
    if result.batch:
        from .batch_text import print_batch

        print_batch(console, result.batch)
    for failure in result.failures:
        console.print(f"[bold red]无法审核[/] {escape(failure.message)}")
    n = len(result.documents)
    console.print(
        f"[bold]共审核 {n} 份文件[/]：错误 {result.count(Severity.ERROR)}，"
        f"警告 {result.count(Severity.WARNING)}，提示 {result.count(Severity.INFO)}"
        + (f"，[red]无法读取 {len(result.failures)} 份[/]" if result.failures else "")
    )
    return buffer.getvalue()
