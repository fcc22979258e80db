"""Sentence classifiers (concrete measures, burden demands): training, export, fast scoring.

One training path for every model: TF-IDF over character n-grams + multinomial
logistic regression (scikit-learn, imported only when training). The fitted
model is exported as compressed JSON (vocabulary, idf, coefficients, the tuned
``blend``/``threshold``), so auditing needs neither sklearn nor jieba and the
shipped models load in milliseconds. ``score`` reproduces sklearn's
``predict_proba`` (a test holds it to that); ``drivers`` names the words that
pushed a sentence towards a class, for the explanation a reviewer reads.
Labelled sentences are CSV (``text,label[,split]``) or JSON Lines; which labels
are allowed is the caller's (each check knows its classes).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np

from .errors import ConfigError

FORMAT_VERSION = 1
_WHITE = re.compile(r"\s\s+")  # sklearn's char analyzer collapses runs of whitespace
_SEPARATOR = "\x00"  # joins sentences for one scan; sklearn's vocabulary never holds it
_WORD = re.compile(r"\w{2,}")  # a driving n-gram worth showing: no punctuation, two chars or more


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
    blend: float  # weight of the model where a check blends it with a rule score
    threshold: float  # the check's decision threshold, tuned at training time
    _matrix: Any = field(default=None, init=False, repr=False, compare=False)
    _idf: Any = field(default=None, init=False, repr=False, compare=False)
    _automaton: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one row per n-gram, so scoring touches only the rows of the sentence's n-grams
        object.__setattr__(self, "_matrix", np.asarray(self.coef, dtype=np.float64).T.copy())
        object.__setattr__(self, "_idf", np.asarray(self.idf, dtype=np.float64))
        automaton = ahocorasick.Automaton()
        for gram, index in self.vocabulary.items():
            automaton.add_word(gram, index)
        if self.vocabulary:
            automaton.make_automaton()
        object.__setattr__(self, "_automaton", automaton)

    def _weights(self, text: str) -> tuple[list[int], np.ndarray, list[str]]:
        counts = Counter(self._ngrams(text))
        vocabulary = self.vocabulary
        grams = [gram for gram in counts if gram in vocabulary]
        indices = [vocabulary[gram] for gram in grams]
        tf = np.fromiter((counts[gram] for gram in grams), dtype=np.float64, count=len(grams))
        vector = (1.0 + np.log(tf)) * self._idf[indices]
        norm = float(np.sqrt(vector @ vector)) if grams else 0.0
        return indices, vector / (norm or 1.0), grams

    def score(self, text: str) -> dict[str, float]:
        """Class probabilities for one sentence (same as sklearn's predict_proba)."""
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """:meth:`score` for many sentences at once.

        One Aho-Corasick pass over the sentences (normalised as sklearn does, joined
        by a character no n-gram holds) finds every vocabulary n-gram; counting,
        tf-idf and the product with the coefficients are then a few array operations.
        """
        if not texts:
            return []
        normalised = [_WHITE.sub(" ", t.lower()) for t in texts]
        joined = _SEPARATOR.join(normalised)
        bounds = np.cumsum([len(t) + 1 for t in normalised])  # one past each separator
        found = np.array(list(self._automaton.iter(joined)), dtype=np.int64).reshape(-1, 2)
        logits = np.tile(np.asarray(self.intercept, dtype=np.float64), (len(texts), 1))
        if len(found):
            rows = np.searchsorted(bounds, found[:, 0], side="right")
            keys, counts = np.unique(rows * len(self.idf) + found[:, 1], return_counts=True)
            where, indices = np.divmod(keys, len(self.idf))
            weights = (1.0 + np.log(counts)) * self._idf[indices]
            norms = np.sqrt(np.bincount(where, weights * weights, minlength=len(texts)))
            weights = weights / np.where(norms > 0, norms, 1.0)[where]
            # keys are sorted, so each sentence's n-grams form one contiguous block
            present, starts = np.unique(where, return_index=True)
            contributions = self._matrix[indices] * weights[:, None]
            logits[present] += np.add.reduceat(contributions, starts, axis=0)
        exps = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = exps / exps.sum(axis=1, keepdims=True)
        return [dict(zip(self.classes, map(float, row), strict=True)) for row in probs]

    def drivers(self, text: str, label: str, against: str, top: int = 3) -> list[tuple[str, int]]:
        """The (up to ``top``) stretches of ``text`` that most raise ``label`` over ``against``.

        Each n-gram contributes (coef[label] - coef[against]) x its tf-idf weight;
        the strongest few n-grams of two or more characters are located in the
        sentence and overlapping ones merged, returned as (words, offset), strongest first.
        """
        indices, vector, grams = self._weights(text)
        if not indices:
            return []
        rows = self._matrix[indices]
        gain = (rows[:, self.classes.index(label)] - rows[:, self.classes.index(against)]) * vector
        lowered = text.lower()
        ranked = sorted(
            ((float(g), gram) for g, gram in zip(gain, grams, strict=True) if g > 0),
            reverse=True,
        )
        found = sorted(
            (lowered.find(gram), lowered.find(gram) + len(gram), value)
            for value, gram in [(v, g) for v, g in ranked if _WORD.fullmatch(g)][: 3 * top]
        )
        spans: list[list[float]] = []  # [start, end, gain], overlapping n-grams merged
        for start, end, value in found:
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
                spans[-1][2] += value
            else:
                spans.append([start, end, value])
        spans.sort(key=lambda span: -span[2])
        return [(text[int(a) : int(b)], int(a)) for a, b, _ in spans[:top]]

    def _ngrams(self, text: str) -> list[str]:
        text = _WHITE.sub(" ", text.lower())
        low, high = self.ngram
        return [
            text[i : i + n]
            for n in range(low, min(high, len(text)) + 1)
            for i in range(len(text) - n + 1)
        ]

    def tuned(self, blend: float, threshold: float) -> SentenceModel:
        return SentenceModel(
            self.classes,
            self.ngram,
            self.vocabulary,
            self.idf,
            self.coef,
            self.intercept,
            blend,
            threshold,
        )

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


def load_model(path: Path, key: str = "measures.model") -> SentenceModel:
    """Read an exported model; a clear Chinese error (naming config ``key``) when broken."""
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
            path, key, "模型文件不存在，请运行 wenshan-audit rules train 生成"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError(
            path,
            key,
            f"模型文件已损坏或版本不符（{exc}），请运行 wenshan-audit rules train 重新生成",
        ) from None


def save_model(model: SentenceModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"))
    # mtime=0 keeps the file byte-identical across retrains on the same data
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(payload.encode("utf-8"))


def read_examples(
    path: Path, labels: Collection[str], default_split: str = "train"
) -> list[Example]:
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
    shown = " / ".join(sorted(labels)) if len(labels) <= 6 else "、".join(sorted(labels))
    examples = []
    for number, row in rows:
        text = str(row.get("text") or "").strip()
        label = str(row.get("label") or "").strip()
        split = str(row.get("split") or default_split).strip()
        if label not in labels:
            raise ConfigError(path, f"第 {number} 行", f"label 应为 {shown}，实际为“{label}”")
        if split not in ("train", "test"):
            raise ConfigError(path, f"第 {number} 行", f"split 应为 train 或 test，实际为“{split}”")
        if text:
            examples.append(Example(text, label, split))
    if not examples:
        raise ConfigError(path, "-", "文件中没有任何标注句子")
    return examples


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    ngram: tuple[int, int] = (1, 3),
    min_df: int = 1,
) -> SentenceModel:
    """Fit TF-IDF + logistic regression (sklearn, imported here only) and export it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=ngram, sublinear_tf=True, min_df=min_df
    )
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


def folds(labels: Sequence[str], splits: int = 5) -> list[tuple[list[int], list[int]]]:
    """Stratified, seeded folds (train indices, test indices) for tuning on training data only."""
    from sklearn.model_selection import StratifiedKFold

    counts = Counter(labels)
    splits = max(2, min(splits, min(counts.values()))) if len(counts) > 1 else 2
    chooser = StratifiedKFold(n_splits=splits, shuffle=True, random_state=0)
    return [(list(a), list(b)) for a, b in chooser.split(list(labels), list(labels))]


def f1_score(truth: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    """(precision, recall, F1) of the positive class."""
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
