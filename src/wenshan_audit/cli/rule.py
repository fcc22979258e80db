"""``wenshan-audit rule ID`` and ``rule --all``: the rulebook, as ruff's ``rule`` command."""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from . import ConfigOption, app, fail, handle_errors, load_config

if TYPE_CHECKING:
    from ..rulebook import Rule


class RuleFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
@handle_errors
def rule(
    selector: Annotated[
        str | None,
        typer.Argument(
            help="规则编号（如 burden.photo_evidence）或前缀（如 burden）", show_default=False
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部检查的全部规则")] = False,
    fmt: Annotated[RuleFormat, typer.Option("--format", "-f", help="输出格式")] = RuleFormat.text,
    config: ConfigOption = None,
) -> None:
    """说明一条规则：默认级别、名称、说明和依据；--all 列出全部规则。"""
    from ..rulebook import load

    book = load(load_config(config))
    if show_all == (selector is not None):
        raise fail(
            "请给出一个规则编号（如 wenshan-audit rule burden.photo_evidence），或用 --all。"
        )
    if selector is not None:
        book.validate((selector,), "rule")
    rules = book.rules if selector is None else book.selected(selector)
    if fmt is RuleFormat.json:
        payload = [r.to_dict() for r in rules]
        typer.echo(
            json.dumps(
                payload if selector is None or len(rules) > 1 else payload[0],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    exact = selector is not None and len(rules) == 1 and rules[0].id == selector.rstrip(".")
    typer.echo(_explain(rules[0]) if exact else _listing(rules))


def _explain(rule: Rule) -> str:
    from ..rulebook import check_label

    return "\n".join(
        (
            f"{rule.id}  {rule.title}",
            f"检查：{check_label(rule.id)}",
            f"默认级别：{rule.severity.label}（{rule.severity.value}）",
            f"说明：{rule.explanation}",
            f"依据：{rule.clause}",
        )
    )


def _listing(rules: tuple[Rule, ...]) -> str:
    from ..rulebook import check_label

    lines: list[str] = []
    check = None
    for rule in rules:
        if rule.check != check:
            check = rule.check
            lines.append(f"{check_label(rule.id)}（{check}）")
        lines.append(f"  {rule.id:<32} {rule.severity.label}  {rule.title}")
    lines.append(f"共 {len(rules)} 条规则；wenshan-audit rule 规则编号 查看说明和依据。")
    return "\n".join(lines)
