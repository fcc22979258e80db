"""``wenshan-audit hook FILES...``: the pre-commit entry point.

Short output for a commit: one block per refused draft with its top reasons and
how to go on (fix, full report, or an approved waiver); one line per other file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from . import ConfigOption, app, handle_errors, load_config

QUOTE_LIMIT = 40
MESSAGE_BUDGET = 100  # characters of a finding's message shown in the hook
HASH_SHOWN = 16  # hex digits of the content hash printed for a waiver entry


@app.command()
@handle_errors
def hook(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="pre-commit 传入的暂存文件", show_default=False)
    ] = None,
    config: ConfigOption = None,
) -> None:
    """提交前检查（供 pre-commit 调用）：草稿有阻断问题时拒绝提交，已发文件计入发文台账。"""
    from ..hook import run

    result = run(load_config(config), list(paths or ()))
    text = render(result)
    if text:
        typer.echo(text)
    raise typer.Exit(result.exit_code)


def render(result) -> str:  # noqa: ANN001 - HookResult, imported lazily
    """The hook's report: refused drafts first, then one line per passing or recorded file."""
    lines: list[str] = []
    for document in result.refused:
        lines += _refused_block(document, result.blocking(document), result.max_reasons)
    for document in result.audit.documents:
        if not result.blocking(document):
            lines.append(_passed_line(document))
    for failure in (*result.audit.failures, *result.problems):
        lines.append(f"× {failure.path}：无法审核。{failure.message}")
    for item in result.recorded:
        state = "已计入发文台账" if item.added else "发文台账中已有，未重复计数"
        lines.append(f"→ {item.path}：{state}（{item.summary}）")
    if result.references:
        lines.append(
            f"→ 上级文件 {len(result.references)} 份：不作草稿审核，比对索引在审核草稿时自动更新"
        )
    if result.refused:
        lines.append(
            f"wenshan-audit：{len(result.refused)} 份草稿不能提交。修改后重新 git add，"
            "或经批准（一事一议）在 wenshan-audit.toml 中添加 [[waivers]] 豁免。"
        )
    return "\n".join(lines)


def _refused_block(document, blocking, max_reasons: int) -> list[str]:  # noqa: ANN001
    import json

    from ..model import Severity
    from ..rulebook import check_label

    path = document.document.path
    counts = [
        f"{s.label} {n}"
        for s in reversed(Severity)
        if (n := sum(f.severity is s for f in blocking))
    ]
    lines = [f"× {path}：不能提交（{'，'.join(counts)}）"]
    groups: dict[str, list] = {}
    for finding in sorted(blocking, key=lambda f: -f.severity.rank):
        groups.setdefault(finding.rule, []).append(finding)
    shown = list(groups.items())[:max_reasons]
    for number, (rule, items) in enumerate(shown, start=1):
        first = items[0]
        label = check_label(rule)
        where = f"（共 {len(items)} 处）" if len(items) > 1 else ""
        lines.append(f"  {number}. 【{label}】{_brief(first.message, label)}{where}  [{rule}]")
        if first.text:
            lines.append(f"     原文：“{_quote(first.text)}”")
    if len(groups) > len(shown):
        lines.append(f"  …另有 {len(groups) - len(shown)} 类问题")
    lines.append(f'  完整报告：wenshan-audit check "{path}"')
    rules = json.dumps(sorted({rule.split(".", 1)[0] for rule in groups}), ensure_ascii=False)
    lines.append(
        f'  如经批准豁免：[[waivers]] sha256 = "{_hash(document)}"，rules = {rules}，'
        "并写明 approved_by、approval、date"
    )
    return lines


def _brief(message: str, label: str) -> str:
    """The leading sentences of a message within MESSAGE_BUDGET characters (at least one):
    the reason and the main evidence; the full advice is in the complete report."""
    message = message.removeprefix(label).lstrip("：:")
    sentences = [s for s in re.split(r"(?<=[。！？])", message) if s]
    text = sentences[0] if sentences else ""
    for sentence in sentences[1:]:
        room = MESSAGE_BUDGET - len(text)
        if len(sentence) > room:
            # a long evidence sentence (e.g. the list of sources) is cut, not dropped
            return text + sentence[: room - 1] + "…" if room > 20 else text
        text += sentence
    return text


def _passed_line(document) -> str:  # noqa: ANN001 - DocumentResult
    notes = []
    if document.findings:
        notes.append(f"另有 {len(document.findings)} 项提示/警告")
    for finding in document.waived:
        waiver = finding.evidence.get("waiver", {})
        notes.append(
            f"已豁免 {finding.rule}（{waiver.get('approval')}，{waiver.get('approved_by')}批准）"
        )
    suffix = f"（{'；'.join(dict.fromkeys(notes))}）" if notes else ""
    return f"√ {document.document.path}：通过{suffix}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def _hash(document) -> str:  # noqa: ANN001 - DocumentResult
    from ..waivers import content_hash

    return content_hash(document.document)[:HASH_SHOWN]
