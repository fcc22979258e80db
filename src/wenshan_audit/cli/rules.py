"""``wenshan-audit rules train`` and ``rules eval``: the sentence models (measures, burden).

Both models share one training path (:mod:`sentence_model`) and one data format
(CSV ``text,label[,split]`` or JSON Lines); ``--model`` picks which one.
"""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from . import ConfigOption, app, fail, handle_errors, load_config

rules_app = typer.Typer(
    help="句子识别模型（具体措施 measures、基层负担 burden）：用标注句子重新训练，或在留出集上评估。",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")

MODE_NAMES = {"rules": "仅规则", "model": "仅模型", "combined": "规则+模型"}


class ModelName(str, Enum):
    measures = "measures"
    burden = "burden"


ModelOption = Annotated[
    ModelName,
    typer.Option(
        "--model", "-m", help="哪个模型：measures（具体落实措施）或 burden（基层负担负面清单）"
    ),
]


def _examples(which: ModelName, data: list[Path], config) -> list:  # noqa: ANN001 - Config
    """The shipped labelled sentences plus the office's own files (CLI and config)."""
    from ..sentence_model import read_examples

    if which is ModelName.burden:
        from ..checks import burden

        labels = burden.labels_of(burden.ruleset_for(config, with_model=False))
        shipped = burden.shipped_data_path()
        own = config.parsed("burden").training_data
    else:
        from ..checks import measures

        labels = frozenset(measures.LABELS)
        shipped = measures.shipped_data_path()
        own = config.parsed("measures").training_data
    examples = read_examples(shipped, labels)
    for path in (*own, *data):
        examples.extend(read_examples(path, labels))
    return examples


@rules_app.command()
@handle_errors
def train(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", "-d", help="本单位标注的句子文件（CSV：text,label[,split]；或 JSONL），可重复"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="模型写到哪里（默认取配置 [measures] / [burden] model）"
        ),
    ] = None,
    model: ModelOption = ModelName.measures,
    config: ConfigOption = None,
) -> None:
    """用内置标注句子和本单位的标注句子重新训练句子识别模型（--model 选择哪一个）。"""
    from ..sentence_model import save_model

    cfg = load_config(config)
    section = f"[{model.value}]"
    if model is ModelName.burden:
        from ..checks import burden

        configured = cfg.parsed("burden").configured_model
        target = output or configured
    else:
        target = output or cfg.parsed("measures").model_path
    if target is None:
        raise fail(
            f"没有指定模型保存位置：请用 --output 指定，"
            f'或在配置文件 {section} 中写 model = "路径"，审核时会读取该模型。'
        )
    examples = _examples(model, list(data or ()), cfg)
    training = [e for e in examples if e.split == "train"]
    started = time.perf_counter()
    if model is ModelName.burden:
        fitted = burden.train_model(training, burden.ruleset_for(cfg, with_model=False))
        tuned = f"模型判定阈值 {fitted.threshold:.3f}"
    else:
        from ..checks.measures import load_cues, train_model

        fitted = train_model(training, load_cues(cfg.rules_dir))
        tuned = f"规则权重 {1 - fitted.blend:.1f}，判定阈值 {fitted.threshold:.2f}"
    save_model(fitted, target)
    typer.echo(
        f"已训练：{len(training)} 句训练数据（留出 {len(examples) - len(training)} 句用于评估），"
        f"用时 {time.perf_counter() - started:.1f} 秒；{tuned}。模型已写入 {target}"
    )


@rules_app.command("eval")
@handle_errors
def evaluate(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", "-d", help="追加的标注句子文件（其中 split=test 的句子参与评估），可重复"
        ),
    ] = None,
    documents: Annotated[
        Path | None,
        typer.Option(
            "--documents", help="文档级标注（CSV：path,expect_none），评估 measures.none 的准确率"
        ),
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="列出判错的句子和文档")] = False,
    model: ModelOption = ModelName.measures,
    config: ConfigOption = None,
) -> None:
    """在留出集上评估（仅规则、仅模型、规则+模型）：measures 为具体措施句的精确率、召回率、F1
    及文档级准确率；burden 为负担要求句的精确率、召回率及每类问题的精确率、召回率。"""
    cfg = load_config(config)
    examples = _examples(model, list(data or ()), cfg)
    if model is ModelName.burden:
        _evaluate_burden(examples, cfg, errors)
    else:
        _evaluate_measures(examples, cfg, documents, errors)


def _evaluate_burden(examples: list, cfg, errors: bool) -> None:  # noqa: ANN001 - Config
    from ..checks import burden

    ruleset = burden.ruleset_for(cfg)
    if ruleset.model is None:
        raise fail("配置中 [burden] use_model = false，无法评估模型；请临时改为 true。")
    rows = burden.evaluate(examples, ruleset)
    held_out = [e for e in examples if e.split == "test"]
    demands = sum(1 for e in held_out if e.label != burden.NONE)
    typer.echo(
        f"句子级（留出集 {len(held_out)} 句：负担要求 {demands} 句，"
        f"其他 {len(held_out) - demands} 句；模型阈值 {ruleset.model.threshold:.3f}）："
    )
    typer.echo(f"  {'方法':<8}{'精确率':>8}{'召回率':>8}{'命中':>6}{'误报':>6}{'漏报':>6}")
    for row in rows:
        typer.echo(
            f"  {MODE_NAMES[row.mode]:<8}{row.precision:>10.3f}{row.recall:>10.3f}"
            f"{row.tp:>8}{row.fp:>8}{row.fn:>8}"
        )
    typer.echo("每类问题（精确率 / 召回率，留出句数）：")
    typer.echo("  " + f"{'规则编号':<34}" + "".join(f"{MODE_NAMES[r.mode]:>14}" for r in rows))
    for family in rows[0].families:
        cells = "".join(
            f"{r.families[family][0]:>8.2f} / {r.families[family][1]:.2f}" for r in rows
        )
        typer.echo(f"  {family:<36}{cells}  ({rows[0].families[family][2]})")
    if errors:
        for row in rows:
            typer.echo(f"{MODE_NAMES[row.mode]}判错的句子：")
            for text, label, found in row.errors:
                typer.echo(f"      标注 {label} / 判为 {found}：{text}")


def _evaluate_measures(examples: list, cfg, documents: Path | None, errors: bool) -> None:  # noqa: ANN001
    from ..checks.measures import load_cues, model_for
    from ..checks.measures_eval import document_scores, read_document_labels, sentence_scores

    cues = load_cues(cfg.rules_dir)
    model = model_for(cfg)
    if model is None:
        raise fail("配置中 [measures] use_model = false，无法评估模型；请临时改为 true。")
    held_out = sum(1 for e in examples if e.split == "test")
    typer.echo(f"句子级（留出集 {held_out} 句，正类 concrete）：")
    typer.echo(f"  {'方法':<8}{'精确率':>8}{'召回率':>8}{'F1':>8}")
    for row in sentence_scores(examples, cues, model):
        typer.echo(
            f"  {MODE_NAMES[row.mode]:<8}{row.precision:>10.3f}{row.recall:>10.3f}{row.f1:>10.3f}"
        )
        if errors:
            for text, expected, predicted in row.errors:
                typer.echo(f"      标注 {expected} / 判为 {predicted}：{text}")
    if documents is None:
        return
    labels = read_document_labels(documents)
    typer.echo(f"文档级（measures.none，{documents}）：")
    for row in document_scores(labels, cfg):
        skipped = f"，{row.skipped} 份文件缺失已跳过" if row.skipped else ""
        typer.echo(
            f"  {MODE_NAMES[row.mode]:<8}准确率 {row.accuracy:.3f}"
            f"（{row.correct}/{row.total}{skipped}）"
        )
        if errors:
            for path, expected, flagged in row.errors:
                typer.echo(
                    f"      应{'报' if expected else '不报'}而{'报' if flagged else '未报'}：{path}"
                )
