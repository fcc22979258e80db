"""Boilerplate: wording every 公文 shares, which is no evidence of copying.

Two kinds, both in ``rules/boilerplate.yaml`` (and in an office's own file,
``[reference] boilerplate``):

- ``phrases``: clauses found in many unrelated real documents (headings such
  as 保障措施 / 加强组织领导, 现将有关事项通知如下), derived from real 公文 by
  ``scripts/build_boilerplate.py``. They are matched on normalised text, so
  punctuation, numbers and level words do not matter.
- ``patterns``: regular expressions for formulas whose middle varies (本条例自
  2020年1月1日起施行, 由市司法局负责解释) and for list markers; matched on the
  original text.

The aligner still aligns boilerplate (a copied section keeps its heading), but
characters covered by boilerplate never count as literal evidence, so
boilerplate alone never makes a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ...errors import ConfigError
from ...ruleset import load_rules
from .minhash import kgram_hashes
from .normalise import Normalised, normalise

FILE = "boilerplate.yaml"
MIN_PHRASE = 4  # normalised characters: shorter phrases would match inside real text
GRAM = 10  # a phrase this long or longer is matched by any of its GRAM-grams


@dataclass(frozen=True)
class Boilerplate:
    phrases: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    by_length: dict[int, np.ndarray]  # sorted hashes of normalised phrases, per length

    @classmethod
    def of(cls, phrases: list[str], patterns: list[re.Pattern[str]]) -> Boilerplate:
        """Short phrases match whole; a long one by any of its GRAM-grams, so that a
        formula matches where the draft shares only part of it."""
        groups: dict[int, list[np.ndarray]] = {}
        for phrase in phrases:
            codes = normalise(phrase).codes
            if len(codes) >= MIN_PHRASE:
                n = min(len(codes), GRAM)
                groups.setdefault(n, []).append(kgram_hashes(codes, n))
        by_length = {n: np.unique(np.concatenate(h)) for n, h in groups.items()}
        return cls(tuple(phrases), tuple(patterns), by_length)

    def __add__(self, other: Boilerplate) -> Boilerplate:
        return Boilerplate.of(
            list(self.phrases + other.phrases), list(self.patterns + other.patterns)
        )

    def mask(self, text: str, norm: Normalised) -> np.ndarray:
        """Characters of ``text`` (``norm`` is its normalisation) inside boilerplate."""
        delta = np.zeros(len(text) + 1, dtype=np.int32)
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                delta[m.start()] += 1
                delta[m.end()] -= 1
        for length, hashes in self.by_length.items():
            grams = kgram_hashes(norm.codes, length)
            if len(grams) == 0:
                continue
            pos = np.minimum(np.searchsorted(hashes, grams), len(hashes) - 1)
            hits = np.flatnonzero(hashes[pos] == grams)
            np.add.at(delta, norm.offsets[hits], 1)
            np.add.at(delta, norm.offsets[hits + length - 1] + 1, -1)
        return np.cumsum(delta[:-1]) > 0


def _strings(data: dict[str, Any], key: str, source: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(source, key, "应为非空字符串的列表")
    return [v.strip() for v in value]


def read(path: Path) -> Boilerplate:
    """An office's boilerplate file (``[reference] boilerplate``); ConfigError if bad."""
    where = f"reference.boilerplate（{path}）"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(where, "文件", f"无法读取（{exc.strerror or exc}），请检查路径") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            where,
            "文件",
            f"不是 UTF-8 的 YAML（{type(exc).__name__}），请按 rules/{FILE} 的格式书写",
        ) from None
    return _parse(data, where)


def _parse(data: Any, where: str) -> Boilerplate:
    if not isinstance(data, dict) or set(data) - {"phrases", "patterns"}:
        raise ConfigError(
            where, "文件", "应只含 phrases（常用语列表）和 patterns（正则表达式列表）"
        )
    patterns = []
    for text in _strings(data, "patterns", where):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise ConfigError(where, "patterns", f"正则表达式 {text!r} 有误（{exc}）") from None
    return Boilerplate.of(_strings(data, "phrases", where), patterns)


def load(rules_dir: Path, extra: Path | None = None) -> Boilerplate:
    """The list in ``rules_dir`` (else the shipped one) plus an office's own file."""
    base = _parse(load_rules(rules_dir, FILE) or {}, f"rules/{FILE}")
    return base + read(extra) if extra is not None else base
