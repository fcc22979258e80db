"""One self-contained HTML report in Chinese: no network, no script, inline CSS and SVG.

Summary by issuing unit, charts (quota usage bars, copy-ratio distribution),
merge candidates and duplicates, then a section per document: its findings
with the flagged span highlighted in its paragraph, and copied passages side by
side with the upper-level source. Jinja2 autoescaping escapes every value.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import AuditResult, DocumentResult, Finding, Severity
from ..rulebook import check_label
from . import ReportOptions
from .labels import VERDICTS

CONTEXT = 60  # characters shown around a highlighted span
BINS = 10  # copy-ratio histogram: 0-10 %, ..., 90-100 %
MAX_PASSAGES = 20  # per source, in the side-by-side view


def _split(text: str, start: int, end: int, context: int = CONTEXT) -> dict[str, str]:
    """``before`` / ``mark`` / ``after`` around ``text[start:end]``, clipped to the context."""
    start, end = max(0, start), min(len(text), max(start, end))
    left = max(0, start - context)
    right = min(len(text), end + context)
    return {
        "before": ("…" if left > 0 else "") + text[left:start],
        "mark": text[start:end],
        "after": text[end:right] + ("…" if right < len(text) else ""),
    }


def _paragraph_context(result: DocumentResult, finding: Finding) -> dict[str, str]:
    """The finding's span inside the paragraph that holds its start."""
    text = result.document.text
    for para in result.document.paragraphs:
        if para.start <= finding.start < para.end or (finding.start == para.start == para.end):
            end = min(finding.end, para.end)
            limit = max(CONTEXT, 160 - (end - finding.start))
            piece = _split(text, finding.start, end, limit)
            piece["before"] = piece["before"].split("\n")[-1]
            piece["after"] = piece["after"].split("\n")[0]
            return piece
    return _split(text, finding.start, finding.end)


def _copy_view(result: DocumentResult) -> dict[str, Any] | None:
    copy = result.sections.get("copy")
    if not copy:
        return None
    text = result.document.text
    sources = []
    for source in copy.get("sources", []):
        passages = []
        for p in source.get("passages", [])[:MAX_PASSAGES]:
            passages.append(
                {
                    "draft": _split(text, p["start"], p["end"]),
                    "source": {"before": "", "mark": p["source_text"], "after": ""},
                    "similarity": p.get("similarity"),
                    "span": f"{p['start']}–{p['end']}",
                    "source_span": f"{p['source_start']}–{p['source_end']}",
                }
            )
        sources.append(
            {**source, "view": passages, "more": len(source.get("passages", [])) - len(passages)}
        )
    return {**copy, "view_sources": sources}


def _doc_view(index: int, result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    findings = [
        {
            "finding": f,
            "check": check_label(f.rule),
            "context": _paragraph_context(result, f),
        }
        for f in result.findings
    ]
    worst = result.worst()
    return {
        "anchor": f"doc-{index}",
        "result": result,
        "doc": doc,
        "meta": doc.meta,
        "name": doc.path.name,
        "findings": findings,
        "counts": {s.value: sum(f.severity is s for f in result.findings) for s in Severity},
        "worst": worst.value if worst else "clean",
        "copying": _copy_view(result),
        "measures": result.sections.get("measures"),
        "quota": result.sections.get("quota"),
    }


def _quota_bars(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bars for the chart: width fractions of the limit, capped for drawing."""
    bars = []
    for unit in units:
        for q in unit.get("quota", []):
            limit = q.get("limit")
            if not limit:
                continue
            used, new = q.get("used") or 0, q.get("new_in_batch", 0)
            scale = max(limit, used + new)
            bars.append(
                {
                    "label": f"{unit['unit']} · {q['name']}",
                    "limit": limit,
                    "used": used,
                    "new": new,
                    "used_w": used / scale,
                    "new_w": new / scale,
                    "limit_x": limit / scale,
                    "over": used + new > limit,
                }
            )
    return bars


def _histogram(documents: tuple[DocumentResult, ...]) -> dict[str, Any]:
    ratios = [d.sections["copy"]["ratio"] for d in documents if "copy" in d.sections]
    counts = [0] * BINS
    for r in ratios:
        counts[min(BINS - 1, int(max(0.0, r) * BINS))] += 1
    return {
        "bins": [{"label": f"{i * 10}–{(i + 1) * 10}%", "count": c} for i, c in enumerate(counts)],
        "top": max(counts) if ratios else 0,
        "total": len(ratios),
    }


def context(result: AuditResult) -> dict[str, Any]:
    units = list(result.units)
    return {
        "version": __version__,
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "result": result,
        "counts": {s.value: result.count(s) for s in Severity},
        "units": units,
        "bars": _quota_bars(units),
        "histogram": _histogram(result.documents),
        "merges": result.batch.get("merge_candidates", []),
        "duplicates": result.batch.get("duplicates", []),
        "is_batch": bool(result.batch),
        "documents": [_doc_view(i, d) for i, d in enumerate(result.documents, start=1)],
        "failures": result.failures,
        "labels": {s.value: s.label for s in Severity},
        "legend": list(result.rules.values()),
        "verdicts": VERDICTS,
    }


@lru_cache(maxsize=1)
def _template():  # noqa: ANN202 - jinja2.Template, imported lazily
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.1%}"
    return env.get_template("report.html.j2")


def render(result: AuditResult, options: ReportOptions) -> str:
    return _template().render(**context(result))
