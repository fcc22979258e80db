"""Reproducible evaluation of the concrete-measure analysis.

Sentence level: precision, recall and F1 of ``concrete`` on the held-out split,
rules alone vs model alone vs combined. Document level: whether
``measures.none`` fires as labelled, on a list of documents (``path,expect_none``;
paths relative to the list file; missing files are skipped and counted).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..audit import AuditOptions
from ..config import Config
from ..errors import ConfigError, ReadError
from ..sentence_model import Example, SentenceModel
from .measures import MODES, Cues, MeasuresCheck, f1_score, judge


@dataclass(frozen=True)
class SentenceScores:
    mode: str
    precision: float
    recall: float
    f1: float
    errors: tuple[tuple[str, str, str], ...]  # (text, expected, predicted)


@dataclass(frozen=True)
class DocumentScores:
    mode: str
    correct: int
    total: int
    skipped: int
    errors: tuple[tuple[str, bool, bool], ...]  # (path, expected none, flagged none)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def sentence_scores(
    examples: Sequence[Example], cues: Cues, model: SentenceModel
) -> list[SentenceScores]:
    """P/R/F1 of ``concrete`` on the held-out (``test``) examples, for each mode."""
    held_out = [e for e in examples if e.split == "test"]
    if not held_out:
        raise ConfigError("标注数据", "split", "没有 split=test 的留出句子，无法评估")
    truth = [e.label == "concrete" for e in held_out]
    results = []
    for mode in MODES:
        labels = [judge(e.text, cues, model, mode).label for e in held_out]
        precision, recall, f1 = f1_score(truth, [label == "concrete" for label in labels])
        errors = tuple(
            (e.text, e.label, label)
            for e, label in zip(held_out, labels, strict=True)
            if (label == "concrete") != (e.label == "concrete")
        )
        results.append(SentenceScores(mode, precision, recall, f1, errors))
    return results


def read_document_labels(path: Path) -> list[tuple[Path, bool]]:
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except FileNotFoundError:
        raise ConfigError(path, "-", "文档标注文件不存在") from None
    labels = []
    for number, row in enumerate(rows, start=2):
        flag = (row.get("expect_none") or "").strip().lower()
        if flag not in ("yes", "no") or not row.get("path"):
            raise ConfigError(path, f"第 {number} 行", "每行须有 path 和 expect_none（yes 或 no）")
        labels.append(((path.parent / row["path"].strip()).resolve(), flag == "yes"))
    return labels


def document_scores(labels: Sequence[tuple[Path, bool]], config: Config) -> list[DocumentScores]:
    """Accuracy of ``measures.none`` against the labels, for each mode."""
    from ..readers import read_document

    docs = []
    for path, expected in labels:
        if path.is_file():
            try:
                docs.append((path, expected, read_document(path)))
            except ReadError:
                continue
    skipped = len(labels) - len(docs)
    results = []
    for mode in MODES:
        check = MeasuresCheck(config, AuditOptions(), mode=mode)
        errors = []
        for path, expected, doc in docs:
            flagged = any(f.rule == "measures.none" for f in check.run(doc).findings)
            if flagged != expected:
                errors.append((str(path), expected, flagged))
        results.append(
            DocumentScores(mode, len(docs) - len(errors), len(docs), skipped, tuple(errors))
        )
    return results
