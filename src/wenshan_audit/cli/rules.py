"""``wenshan-audit rules train`` and ``rules eval``: the concrete-measure model."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from . import ConfigOption, app, fail, handle_errors, load_config

rules_app = typer.Typer(
    help="具体落实措施识别模型：用标注句子重新训练，或在留出集上评估。", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")

MODE_NAMES = {"rules": "仅规则", "model": "仅模型", "combined": "规则+模型"}


def _examples(data: list[Path], config) -> list:  # noqa: ANN001 - Config, Example
    """The shipped labelled sentences plus the office's own files (CLI and config)."""
    from ..checks.measures import settings, shipped_data_path
    from ..checks.measures_model import read_examples

    examples = read_examples(shipped_data_path())
    for path in (*settings(config).training_data, *data):
        examples.extend(read_examples(path))
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
        typer.Option("--output", "-o", help="模型写到哪里（默认取配置 [measures] model）"),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """用内置标注句子和本单位的标注句子重新训练具体措施识别模型。"""
    from ..checks.measures import load_cues, settings, train_model
    from ..checks.measures_model import save_model

    cfg = load_config(config)
    target = output or settings(cfg).model_path
    if target is None:
        raise fail(
            "没有指定模型保存位置：请用 --output 指定，"
            '或在配置文件 [measures] 中写 model = "路径"，'
            "审核时会读取该模型。"
        )
    examples = _examples(list(data or ()), cfg)
    training = [e for e in examples if e.split == "train"]
    started = time.perf_counter()
    model = train_model(training, load_cues(cfg.rules_dir))
    save_model(model, target)
    typer.echo(
        f"已训练：{len(training)} 句训练数据（留出 {len(examples) - len(training)} 句用于评估），"
        f"用时 {time.perf_counter() - started:.1f} 秒；规则权重 {1 - model.blend:.1f}，"
        f"判定阈值 {model.threshold:.2f}。模型已写入 {target}"
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
    config: ConfigOption = None,
) -> None:
    """在留出集上评估：具体措施句的精确率、召回率、F1（仅规则、仅模型、规则+模型），及文档级准确率。"""
    from ..checks.measures import load_cues, model_for
    from ..checks.measures_eval import document_scores, read_document_labels, sentence_scores

    cfg = load_config(config)
    examples = _examples(list(data or ()), cfg)
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
