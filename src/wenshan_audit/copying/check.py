"""The ``copy`` check: candidates from the index, passages by alignment, ratios, findings.

Ratios count text characters (whitespace excluded) of the draft inside copied
passages, as CNKI's 总文字复制比; ``ratio_excluding_citations`` leaves out quoted
titles of upper documents (《…》, with their 文号) and the standard opening that
cites them (根据《…》精神，结合我市实际), as 去除引用复制比. Severity is decided on
the ratio excluding citations. The ``copy.upper`` finding is anchored on the
largest copied passage (the reviewer's first thing to look at); its evidence
lists the top sources.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError
from ..metadata import furniture_spans
from ..model import CheckOutcome, Document, Finding, Severity
from .align import DraftSeeds, align
from .backend import open_configured
from .index import BrokenIndexError, CopyIndexError, Index, Source, Writer
from .normalise import DIGIT, LEVEL, Normalised, normalise
from .rows import text_hash

if TYPE_CHECKING:
    from ..audit import AuditOptions
    from ..config import Config

FORWARDED_SHARE = 0.8  # share of the upper document a forwarding wrapper reproduces
CONFIG_KEYS = (
    "corpus",
    "index",
    "cache_dir",
    "warning",
    "error",
    "min_passage",
    "forwarding",
    "forwarding_note",
    "max_sources",
    "backend",  # "embedded" (default) or "redis": see backend.py
    "url",
    "name",
)
_CITE_CUE = r"(?:根据|按照|依据|遵照|现将|(?:为|为了)?(?:深入|认真|全面|进一步)?贯彻(?:落实)?|落实)"
_CITE_END = r"(?:精神|要求|部署|规定|决定|通知|意见|转发给你们|印发给你们)"
CITATION = re.compile(
    rf"{_CITE_CUE}[^。；;\n]{{0,60}}?《[^《》\n]{{1,120}}》[^。；;\n]{{0,60}}?{_CITE_END}"
    r"(?:[，,]\s*结合[^。，,；;\n]{0,20}?实际)?"
    r"|《[^《》\n]{1,120}》(?:\s*[（(][^（）()\n]{0,30}?〔\d{4}〕\s*\d+\s*号[）)])?"
)


@dataclass(frozen=True)
class Settings:
    warning: float = 0.3
    error: float = 0.5
    min_passage: int = 13
    forwarding: float = 0.6
    forwarding_note: int = 300
    max_sources: int = 20


def _number(config: Config, section: dict[str, Any], key: str, default: float, kind: type) -> Any:
    value = section.get(key, default)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        ok = ok and float(value).is_integer() and value >= 1
    else:
        ok = ok and 0 <= value <= 1
    if not ok:
        what = "正整数" if kind is int else "0 到 1 之间的小数（如 0.3 表示 30%）"
        raise ConfigError(config.source, f"reference.{key}", f"应为{what}，实际为 {value!r}")
    return kind(value)


def parse_settings(config: Config) -> tuple[Settings, dict[str, Any]]:
    section = config.section("reference", CONFIG_KEYS)
    for key in ("corpus", "index", "cache_dir"):
        if key in section and not isinstance(section[key], str):
            raise ConfigError(config.source, f"reference.{key}", "应为路径字符串")
    d = Settings()
    settings = Settings(
        warning=_number(config, section, "warning", d.warning, float),
        error=_number(config, section, "error", d.error, float),
        min_passage=_number(config, section, "min_passage", d.min_passage, int),
        forwarding=_number(config, section, "forwarding", d.forwarding, float),
        forwarding_note=_number(config, section, "forwarding_note", d.forwarding_note, int),
        max_sources=_number(config, section, "max_sources", d.max_sources, int),
    )
    if settings.error < settings.warning:
        raise ConfigError(config.source, "reference.error", "error 阈值不能低于 warning 阈值")
    return settings, section


def cache_dir(config: Config) -> Path:
    value = config.section("reference").get("cache_dir")
    if value:
        return config.resolve(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wenshan-audit"


def index_for_corpus(config: Config, corpus: Path) -> Path:
    """The automatic index of a corpus folder, inside the cache directory."""
    digest = hashlib.sha1(str(corpus.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir(config) / f"index-{digest}"


def is_index(path: Path) -> bool:
    return (path / "meta.json").is_file()


def open_reference(config: Config, against: Path | None) -> Index | None:
    """The index to check against: ``--against`` first, then ``[reference]``."""
    section = config.section("reference")
    if against is None and (shared := open_configured(config)) is not None:
        return shared  # type: ignore[return-value] - same interface (backend.ReferenceIndex)
    if against is None and section.get("index"):
        path = config.resolve(section["index"])
        if is_index(path) or not section.get("corpus"):
            return Index(path)
        against = config.resolve(section["corpus"])
        return _refreshed(path, against, cache=False)
    if against is None and section.get("corpus"):
        against = config.resolve(section["corpus"])
    if against is None:
        return None
    if not against.exists():
        raise CopyIndexError(
            f"上级文件路径 {against} 不存在。请检查 --against 参数或配置 [reference]"
        )
    if is_index(against):
        return Index(against)
    if not against.is_dir():
        raise CopyIndexError(
            f"{against} 既不是上级文件文件夹，也不是照搬检测索引。请指定文件夹或索引目录"
        )
    return _refreshed(index_for_corpus(config, against), against, cache=True)


def _refreshed(index: Path, corpus: Path, cache: bool) -> Index:
    """The index of ``corpus`` brought up to date.

    A cache index that cannot be used (built by another version, corrupt or
    partial files) is ours to replace: it is rebuilt from the corpus. An index
    the user named is left alone, with a message saying how to rebuild it.
    """
    try:
        return _update(index, corpus)
    except BrokenIndexError as exc:
        if not cache:
            raise BrokenIndexError(index, exc.problem, str(corpus)) from None
    shutil.rmtree(index, ignore_errors=True)
    return _update(index, corpus)


def _update(index: Path, corpus: Path) -> Index:
    writer = Writer(index)
    try:
        writer.update_from_folder(corpus)
    finally:
        writer.close()
    return Index(index)


def text_chars(text: str) -> np.ndarray:
    """Mask of the characters that count: everything but whitespace."""
    from .normalise import code_points

    cps = code_points(text)
    return ~np.isin(cps, np.array([ord(c) for c in " \t\n\r\f\v\u3000\u00a0"], dtype=np.uint32))


def citation_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in CITATION.finditer(text)]


def detect(doc: Document, index: Index, settings: Settings) -> dict[str, Any]:
    """The ``copy`` section of one document (see the output contract in the README)."""
    text = doc.text
    norm = normalise(text)
    furniture = np.zeros(len(text), dtype=bool)
    for a, b in furniture_spans(doc):
        furniture[a:b] = True
    counts = text_chars(text) & ~furniture  # content characters: 版头 and 版记 left out
    total = max(int(counts.sum()), 1)
    own_hash = text_hash(text)
    own_path = str(doc.path.resolve())
    ids = index.candidates(norm, settings.max_sources)
    seeds = DraftSeeds.of(norm, index.stoplist, exclude=furniture[norm.offsets])
    covered = np.zeros(len(text), dtype=bool)
    sources = []
    for source in index.sources(ids):
        if source.path == own_path or text_hash(source.text) == own_hash:
            continue
        entry = _source_entry(text, norm, seeds, source, counts, settings)
        if entry is None:
            continue
        for p in entry["passages"]:
            covered[p["start"] : p["end"]] = True
        entry["ratio"] = round(entry.pop("_chars") / total, 4)
        sources.append(entry)
    # equal ratios (two notices from one template, numbers aside): the more literal source first
    sources.sort(key=lambda s: (-round(s["ratio"], 2), -s["literal"]))
    cited = np.zeros(len(text), dtype=bool)
    spans = citation_spans(text)
    for a, b in spans:
        cited[a:b] = True
    copied = covered & counts
    return {
        "ratio": round(int(copied.sum()) / total, 4),
        "ratio_excluding_citations": round(int((copied & ~cited).sum()) / total, 4),
        "copied_chars": int(copied.sum()),
        "total_chars": total,
        "citations": [{"start": a, "end": b} for a, b in spans],
        "sources": sources,
    }


def _source_entry(
    text: str, norm: Any, seeds: DraftSeeds, source: Source, counts: np.ndarray, settings: Settings
) -> dict[str, Any] | None:
    src_norm = normalise(source.text)
    passages = []
    mask = np.zeros(len(text), dtype=bool)
    src_mask = np.zeros(len(source.text), dtype=bool)
    for p in align(seeds, src_norm):
        start, end = norm.span(p.start, p.end)
        if int(counts[start:end].sum()) < settings.min_passage:
            continue
        if _words(norm, p.start, p.end) < -(-3 * settings.min_passage // 4):
            continue  # mostly dates, numbers and level words: "于2026年6月30日前将"
        s_start, s_end = src_norm.span(p.source_start, p.source_end)
        mask[start:end] = True
        src_mask[s_start:s_end] = True
        passages.append(
            {
                "start": start,
                "end": end,
                "source_start": s_start,
                "source_end": s_end,
                "similarity": round(p.similarity, 3),
                "text": text[start:end],
                "source_text": source.text[s_start:s_end],
            }
        )
    if not passages:
        return None
    return {
        "literal": _literal(passages),
        "path": source.path,
        "title": source.title,
        "doc_number": source.doc_number,
        "passages": passages,
        "_chars": int((mask & counts).sum()),
        # share of the source reproduced in the draft (a forwarded document: nearly all)
        "source_ratio": _share(src_mask, text_chars(source.text)),
    }


def _words(norm: Normalised, start: int, end: int) -> int:
    """Normalised characters in ``[start, end)`` that are not a number or level-word token."""
    codes = norm.codes[start:end]
    return int(np.count_nonzero((codes != DIGIT) & (codes != LEVEL)))


def _share(mask: np.ndarray, counts: np.ndarray) -> float:
    return round(int((mask & counts).sum()) / max(int(counts.sum()), 1), 4)


def _literal(passages: list[dict[str, Any]]) -> float:
    """Share of the draft's raw 4-grams in the passages that the source has verbatim."""
    from .minhash import kgram_hashes
    from .normalise import code_points

    draft = np.unique(np.concatenate([kgram_hashes(code_points(p["text"]), 4) for p in passages]))
    source = np.unique(
        np.concatenate([kgram_hashes(code_points(p["source_text"]), 4) for p in passages])
    )
    return round(len(np.intersect1d(draft, source, assume_unique=True)) / max(len(draft), 1), 4)


def _label(source: dict[str, Any]) -> str:
    name = f"《{source['title']}》" if source.get("title") else Path(source["path"]).name
    return name + (f"（{source['doc_number']}）" if source.get("doc_number") else "")


def findings(doc: Document, data: dict[str, Any], settings: Settings) -> list[Finding]:
    out: list[Finding] = []
    sources = data["sources"]
    ratio = data["ratio_excluding_citations"]
    if not sources:
        return out
    passages = [p for s in sources for p in s["passages"]]
    largest = max(passages, key=lambda p: p["end"] - p["start"])
    top = sources[:3]
    cited = "、".join(f"{_label(s)} {s['ratio']:.1%}" for s in top)
    evidence = {
        "ratio": data["ratio"],
        "ratio_excluding_citations": ratio,
        "sources": [{"path": s["path"], "title": s["title"], "ratio": s["ratio"]} for s in top],
    }
    if ratio >= settings.warning:
        severity = Severity.ERROR if ratio >= settings.error else Severity.WARNING
        threshold = settings.error if severity is Severity.ERROR else settings.warning
        out.append(
            Finding(
                rule="copy.upper",
                severity=severity,
                message=(
                    f"照搬上级文件：去除引用复制比 {ratio:.1%}（总复制比 {data['ratio']:.1%}），"
                    f"超过 {threshold:.0%}。主要来源：{cited}。请结合本地实际改写，"
                    "只保留必要的引用，补充本单位的具体措施"
                ),
                start=largest["start"],
                end=largest["end"],
                text=doc.text[largest["start"] : largest["end"]],
                evidence=evidence,
            )
        )
    head = sources[0]
    own = data["total_chars"] - data["copied_chars"]
    if (
        head["ratio"] >= settings.forwarding
        and head["source_ratio"] >= FORWARDED_SHARE
        and own <= settings.forwarding_note
    ):
        out.append(
            Finding(
                rule="copy.forwarding",
                severity=Severity.WARNING,
                message=(
                    f"疑似层层转发：全文 {head['ratio']:.1%} 来自 {_label(head)}，"
                    f"本单位自己的内容只有 {own} 字。转发上级文件应有本地的贯彻落实措施，"
                    "否则请直接转发原文或不再发文"
                ),
                start=0,
                end=len(doc.text),
                text=doc.text[:80],
                evidence={"source": head["path"], "ratio": head["ratio"], "own_chars": own},
            )
        )
    return out


class CopyCheck:
    name = "copy"

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings

    def run(self, doc: Document) -> CheckOutcome:
        data = detect(doc, self.index, self.settings)
        return CheckOutcome(findings=tuple(findings(doc, data, self.settings)), data=data)


def build(config: Config, options: AuditOptions) -> CopyCheck | None:
    settings, _ = parse_settings(config)
    index = open_reference(config, options.against)
    if index is None:
        return None
    return CopyCheck(index, settings)
