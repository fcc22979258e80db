"""The sentence classifier for concrete measures: training, export and fast scoring.

Training uses scikit-learn (TF-IDF over character n-grams + multinomial logistic
regression). The fitted model is exported as plain JSON (vocabulary, idf,
coefficients), so scoring at audit time needs neither sklearn nor jieba and the
shipped model loads in milliseconds. ``score`` reproduces sklearn's
``predict_proba`` exactly (a test holds it to that).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

LABELS = ("concrete", "slogan", "neutral")
MODEL_NAME = "measures_model.json.gz"
DATA_NAME = "measure_sentences.csv"
FORMAT_VERSION = 1
_WHITE = re.compile(r"\s\s+")  # sklearn's char analyzer collapses runs of whitespace


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    split: str  # "train" | "test"


@dataclass(frozen=True)
class SentenceModel:
    """An exported TF-IDF + logistic-regression model."""

    classes: tuple[str, ...]
    ngram: tuple[int, int]
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per class
    intercept: tuple[float, ...]
    blend: float  # weight of the model in the combined concrete score
    threshold: float  # combined score at or above which a sentence is concrete

    def score(self, text: str) -> dict[str, float]:
        """Class probabilities for one sentence (same as sklearn's predict_proba)."""
        counts = Counter(self._ngrams(text))
        weights: dict[int, float] = {}
        for gram, count in counts.items():
            index = self.vocabulary.get(gram)
            if index is not None:
                weights[index] = (1.0 + math.log(count)) * self.idf[index]
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        logits = [
            b + sum(row[i] * w for i, w in weights.items()) / norm
            for row, b in zip(self.coef, self.intercept, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def _ngrams(self, text: str) -> Iterable[str]:
        text = _WHITE.sub(" ", text.lower())
        low, high = self.ngram
        for n in range(low, min(high, len(text)) + 1):
            for i in range(len(text) - n + 1):
                yield text[i : i + n]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "classes": list(self.classes),
            "ngram": list(self.ngram),
            "vocabulary": self.vocabulary,
            "idf": [round(v, 6) for v in self.idf],
            "coef": [[round(v, 6) for v in row] for row in self.coef],
            "intercept": [round(v, 6) for v in self.intercept],
            "blend": self.blend,
            "threshold": self.threshold,
        }


def load_model(path: Path) -> SentenceModel:
    """Read an exported model; a clear Chinese error when it is missing or broken."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("format") != FORMAT_VERSION:
            raise ValueError("版本不符")
        return SentenceModel(
            classes=tuple(data["classes"]),
            ngram=(int(data["ngram"][0]), int(data["ngram"][1])),
            vocabulary=data["vocabulary"],
            idf=tuple(data["idf"]),
            coef=tuple(tuple(row) for row in data["coef"]),
            intercept=tuple(data["intercept"]),
            blend=float(data["blend"]),
            threshold=float(data["threshold"]),
        )
    except FileNotFoundError:
        raise ConfigError(
            path, "measures.model", "模型文件不存在，请运行 wenshan-audit rules train 生成"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError(
            path,
            "measures.model",
            f"模型文件已损坏或版本不符（{exc}），请运行 wenshan-audit rules train 重新生成",
        ) from None


def save_model(model: SentenceModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"))
    # mtime=0 keeps the file byte-identical across retrains on the same data
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(payload.encode("utf-8"))


def read_examples(path: Path, default_split: str = "train") -> list[Example]:
    """Labelled sentences from a CSV (``text,label[,split]``) or JSON Lines file."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, "-", "标注文件不存在") from None
    except UnicodeDecodeError:
        raise ConfigError(
            path, "-", "标注文件须为 UTF-8 编码（可在 WPS/Excel 中另存为“CSV UTF-8”）"
        ) from None
    if path.suffix.lower() == ".jsonl":
        rows = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError:
                    raise ConfigError(path, f"第 {number} 行", "不是合法的 JSON") from None
    else:
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise ConfigError(path, "表头", "CSV 第一行须包含 text 和 label 两列（可选 split 列）")
        rows = list(enumerate(reader, start=2))
    examples = []
    for number, row in rows:
        text = str(row.get("text") or "").strip()
        label = str(row.get("label") or "").strip()
        split = str(row.get("split") or default_split).strip()
        if label not in LABELS:
            raise ConfigError(
                path, f"第 {number} 行", f"label 应为 {' / '.join(LABELS)}，实际为“{label}”"
            )
        if split not in ("train", "test"):
            raise ConfigError(path, f"第 {number} 行", f"split 应为 train 或 test，实际为“{split}”")
        if text:
            examples.append(Example(text, label, split))
    if not examples:
        raise ConfigError(path, "-", "文件中没有任何标注句子")
    return examples


def fit(
    texts: Sequence[str], labels: Sequence[str], ngram: tuple[int, int] = (1, 3)
) -> SentenceModel:
    """Fit TF-IDF + logistic regression (sklearn, imported here only) and export it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=ngram, sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=10.0, max_iter=2000)
    classifier.fit(matrix, labels)
    return SentenceModel(
        classes=tuple(str(c) for c in classifier.classes_),
        ngram=ngram,
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=tuple(float(v) for v in vectorizer.idf_),
        coef=tuple(tuple(float(v) for v in row) for row in classifier.coef_),
        intercept=tuple(float(v) for v in classifier.intercept_),
        blend=0.5,
        threshold=0.5,
    )
