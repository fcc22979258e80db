"""Terminal summary of a batch audit: units, merge candidates, duplicates."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1%}"


def _quota(entries: list[dict[str, Any]]) -> str:
    parts = []
    for q in entries:
        limit = "不限" if q.get("limit") is None else q["limit"]
        over = f"，{q['would_exceed']} 份将超限" if q.get("would_exceed") else ""
        over += "，[red]本批合计超限[/]" if q.get("batch_exceeds") else ""
        parts.append(f"{escape(q['name'])} {q['used']}/{limit}（新增 {q['new_in_batch']}{over}）")
    return "\n".join(parts) or "未配置"


def print_batch(console: Console, batch: dict[str, Any]) -> None:
    units = batch.get("units") or []
    if units:
        table = Table(title="按发文单位汇总", title_justify="left", show_lines=False)
        for header in (
            "发文单位",
            "文件",
            "文种",
            "平均复制比",
            "最高复制比",
            "无措施",
            "负担问题",
            "发文限额",
        ):
            table.add_column(header, overflow="fold")
        for u in units:
            kinds = "、".join(f"{k}{n}" for k, n in u["kinds"].items())
            table.add_row(
                escape(u["unit"]),
                str(u["documents"]),
                escape(kinds),
                _pct(u["copy_ratio_avg"]),
                _pct(u["copy_ratio_max"]),
                str(u["without_measures"]),
                str(u["burden_findings"]),
                _quota(u.get("quota", [])),
            )
        console.print(table)
    groups = batch.get("merge_candidates") or []
    console.print(
        f"[bold]建议合并制发[/]：{len(groups)} 组" if groups else "[bold]建议合并制发[/]：无"
    )
    for g in groups:
        titles = "；".join(escape(d.get("title") or d["path"]) for d in g["documents"])
        console.print(
            f"  第 {g['group']} 组（{escape('、'.join(g['shared_terms'][:5]))}）：{titles}"
        )
    dups = batch.get("duplicates") or []
    console.print(f"[bold]疑似重复发文[/]：{len(dups)} 对" if dups else "[bold]疑似重复发文[/]：无")
    for d in dups:
        a, b = d["documents"]
        console.print(
            f"  {escape(a['path'])} 与 {escape(b['path'])}（重合度 {d['similarity']:.0%}）"
        )
    console.print()
