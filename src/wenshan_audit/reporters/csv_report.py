"""CSV: one row per document with the key figures, UTF-8 with BOM so Excel shows Chinese.

Files that could not be read get a row too (状态 = 无法读取), so the sheet
accounts for every file of the batch.
"""

from __future__ import annotations

import csv
from io import StringIO
from typing import Any

from ..model import AuditResult, DocumentResult, Severity
from . import ReportOptions
from .labels import VERDICTS

COLUMNS = (
    "文件",
    "状态",
    "标题",
    "发文机关",
    "发文字号",
    "文种",
    "成文日期",
    "版式",
    "字数",
    "复制比",
    "去除引用复制比",
    "主要来源",
    "具体措施条数",
    "句子数",
    "措施占比",
    "措施结论",
    "负面清单问题",
    "限额单位",
    "限额",
    "已用",
    "剩余",
    "将超限",
    "合并制发建议",
    "疑似重复",
    "错误",
    "警告",
    "提示",
    "说明",
)


def _pct(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, (int, float)) else ""


def _row(result: DocumentResult) -> list[Any]:
    doc, meta = result.document, result.document.meta
    copy = result.sections.get("copy") or {}
    measures = result.sections.get("measures") or {}
    quota = result.sections.get("quota") or {}
    sources = copy.get("sources") or []
    top = sources[0] if sources else {}
    rules = [f.rule for f in result.findings]
    count = {s: sum(f.severity is s for f in result.findings) for s in Severity}
    return [
        str(doc.path),
        "已审核",
        meta.title or "",
        meta.issuer or "",
        meta.doc_number or "",
        meta.kind or "",
        meta.date or "",
        "红头" if meta.red_header else "白头",
        len("".join(doc.text.split())),
        _pct(copy.get("ratio")),
        _pct(copy.get("ratio_excluding_citations")),
        (f"{top.get('title') or top.get('path')}（{_pct(top.get('ratio'))}）" if top else ""),
        measures.get("concrete", ""),
        measures.get("total", ""),
        _pct(measures.get("share")),
        VERDICTS.get(measures.get("verdict", ""), measures.get("verdict", "")),
        sum(r.startswith("burden.") for r in rules),
        quota.get("unit") or "",
        _blank(quota.get("limit")),
        _blank(quota.get("used")),
        _blank(quota.get("remaining")),
        ("是" if quota.get("would_exceed") else "否") if quota else "",
        sum(r == "merge.candidate" for r in rules),
        sum(r == "merge.duplicate" for r in rules),
        count[Severity.ERROR],
        count[Severity.WARNING],
        count[Severity.INFO],
        "；".join(doc.warnings),
    ]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def render(result: AuditResult, options: ReportOptions) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for document in result.documents:
        writer.writerow(_row(document))
    for failure in result.failures:
        row = [""] * len(COLUMNS)
        row[0], row[1], row[-1] = str(failure.path), "无法读取", failure.message
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()
