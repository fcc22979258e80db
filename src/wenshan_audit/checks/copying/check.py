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

from ...errors import ConfigError
from ...metadata import furniture_spans
from ...model import CheckOutcome, Document, Finding, Severity
from ...ruleset import packaged_rules_dir
from .align import DraftSeeds, align
from .backend import open_configured
from .boilerplate import Boilerplate
from .boilerplate import load as load_boilerplate
from .index import BrokenIndexError, CopyIndexError, Index, Source, Writer
from .minhash import kgram_hashes
from .normalise import DIGIT, LEVEL, Normalised, normalise, plain
from .rows import text_hash

if TYPE_CHECKING:
    from ...audit import AuditOptions
    from ...config import Config

FORWARDED_SHARE = 0.8  # share of the upper document a forwarding wrapper reproduces
LITERAL_K = 4  # characters of a literal match (text as written, punctuation aside)
SHORT_PASSAGE = 50  # counted characters: a shorter passage must be mostly literal ...
SHORT_LITERAL = 0.5  # ... at least this share of its characters is evidence
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
    "boilerplate",  # an office's own boilerplate file (format of rules/boilerplate.yaml)
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
    for key in ("corpus", "index", "cache_dir", "boilerplate"):
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


def index_path(config: Config, corpus: Path | None) -> Path | None:
    """The index of the configured reference: ``[reference] index``, else the cache index
    of ``corpus``; None without either. Every command opens or builds this one."""
    value = config.section("reference").get("index")
    if value:
        return config.resolve(value)
    return index_for_corpus(config, corpus) if corpus is not None else None


def open_reference(config: Config, against: Path | None) -> Index | None:
    """The index to check against: ``--against`` first, then ``[reference]``."""
    section = config.section("reference")
    if against is None and (shared := open_configured(config)) is not None:
        return shared  # type: ignore[return-value] - same interface (backend.ReferenceIndex)
    if against is None and section.get("index"):
        path = index_path(config, None)
        assert path is not None
        if is_index(path) or not section.get("corpus"):
            return Index(path)
        return _refreshed(path, config.resolve(section["corpus"]), cache=False)
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


@dataclass(frozen=True)
class _Draft:
    """What every source is compared with: the draft, normalised, as written, and masks."""

    text: str
    norm: Normalised
    plain: Normalised
    counts: np.ndarray  # characters that count (content, whitespace excluded)
    evidence: np.ndarray  # characters that can be literal evidence of copying

    @classmethod
    def of(cls, doc: Document, boilerplate: Boilerplate) -> _Draft:
        text = doc.text
        norm = normalise(text)
        furniture = np.zeros(len(text), dtype=bool)
        for a, b in furniture_spans(doc):
            furniture[a:b] = True
        counts = text_chars(text) & ~furniture  # 版头 and 版记 left out
        evidence = counts & ~boilerplate.mask(text, norm) & ~_tokens(norm, len(text))
        return cls(text, norm, plain(text), counts, evidence)


@dataclass(frozen=True)
class _Found:
    """A passage aligned with one source, before sources compete for its characters."""

    source: Source
    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float
    literal: np.ndarray  # per draft character of [start, end): matches the source as written
    evidence: int  # literal characters that are evidence (see _Draft.evidence)


def _tokens(norm: Normalised, length: int) -> np.ndarray:
    """Characters of the original text inside number and level-word tokens."""
    out = np.zeros(length + 1, dtype=np.int32)
    at = np.flatnonzero((norm.codes == DIGIT) | (norm.codes == LEVEL))
    ends = np.append(norm.offsets[1:], length)[at]
    np.add.at(out, norm.offsets[at], 1)
    np.add.at(out, ends, -1)
    return np.cumsum(out[:-1]) > 0


def detect(
    doc: Document, index: Index, settings: Settings, boilerplate: Boilerplate
) -> dict[str, Any]:
    """The ``copy`` section of one document (see the output contract in the README)."""
    draft = _Draft.of(doc, boilerplate)
    text, norm = draft.text, draft.norm
    total = max(int(draft.counts.sum()), 1)
    own_hash = text_hash(text)
    own_path = str(doc.path.resolve())
    ids = index.retrieve(norm, settings.max_sources)
    furniture = text_chars(text) & ~draft.counts
    seeds = DraftSeeds.of(norm, index.stoplist, exclude=furniture[norm.offsets])
    found: list[_Found] = []
    for source in index.sources(ids):
        if source.path == own_path or text_hash(source.text) == own_hash:
            continue
        found += _aligned(draft, seeds, source, settings)
    sources = _assigned(draft, found, doc.meta.issuer, settings.min_passage)
    for entry in sources:
        entry["ratio"] = round(entry.pop("_chars") / total, 4)
    # equal ratios (two notices from one template, numbers aside): the more literal source first
    sources.sort(key=lambda s: (-round(s["ratio"], 2), -s["literal"]))
    covered = np.zeros(len(text), dtype=bool)
    for entry in sources:
        for p in entry["passages"]:
            covered[p["start"] : p["end"]] = True
    cited = np.zeros(len(text), dtype=bool)
    spans = citation_spans(text)
    for a, b in spans:
        cited[a:b] = True
    copied = covered & draft.counts
    return {
        "ratio": round(int(copied.sum()) / total, 4),
        "ratio_excluding_citations": round(int((copied & ~cited).sum()) / total, 4),
        "copied_chars": int(copied.sum()),
        "total_chars": total,
        "citations": [{"start": a, "end": b} for a, b in spans],
        "sources": sources,
    }


def _aligned(draft: _Draft, seeds: DraftSeeds, source: Source, settings: Settings) -> list[_Found]:
    """Passages of ``source`` in the draft that carry enough literal evidence.

    Agreement through number and level-word tokens alone is no evidence
    (已经2011年12月20日市八届人民政府第7次常务会议 / 已经2004年6月16日召开的国务院第54次
    常务会议), nor is boilerplate (headings, legal formulas); a short passage
    must be mostly literal.
    """
    src_norm = normalise(source.text)
    src_plain = plain(source.text)
    need = -(-3 * settings.min_passage // 4)
    out = []
    for p in align(seeds, src_norm):
        start, end = draft.norm.span(p.start, p.end)
        chars = int(draft.counts[start:end].sum())
        if chars < settings.min_passage:
            continue
        s_start, s_end = src_norm.span(p.source_start, p.source_end)
        literal = _literal_mask(draft, (start, end), src_plain, (s_start, s_end))
        evidence = int((literal & draft.evidence[start:end]).sum())
        if evidence < need or (chars < SHORT_PASSAGE and evidence < SHORT_LITERAL * chars):
            continue
        out.append(_Found(source, start, end, s_start, s_end, p.similarity, literal, evidence))
    return out


def _literal_mask(
    draft: _Draft, span: tuple[int, int], src_plain: Normalised, src_span: tuple[int, int]
) -> np.ndarray:
    """Which counted characters of the draft span a LITERAL_K-gram of the source span covers."""
    a0, a1 = np.searchsorted(draft.plain.offsets, span)
    b0, b1 = np.searchsorted(src_plain.offsets, src_span)
    ours = kgram_hashes(draft.plain.codes[a0:a1], LITERAL_K)
    hits = np.flatnonzero(np.isin(ours, kgram_hashes(src_plain.codes[b0:b1], LITERAL_K)))
    delta = np.zeros(a1 - a0 + 1, dtype=np.int32)
    np.add.at(delta, hits, 1)
    np.add.at(delta, hits + LITERAL_K, -1)
    mask = np.zeros(span[1] - span[0], dtype=bool)
    mask[draft.plain.offsets[a0:a1][np.cumsum(delta[:-1]) > 0] - span[0]] = True
    return mask & draft.counts[span[0] : span[1]]


def _closeness(issuer: str | None, source: Source) -> int:
    """Characters the two issuers share from the start (湖北省人民政府 / 湖北省人民政府办公厅)."""
    if not issuer or not source.issuer:
        return 0
    return len(os.path.commonprefix([issuer, source.issuer]))


def _recency(source: Source) -> str:
    """Sortable date of a source: its 成文日期, else the year of its 文号."""
    if source.date:
        return source.date
    year = re.search(r"〔(\d{4})〕", source.doc_number or "")
    return year.group(1) if year else ""


_NUMBER_FURNITURE = re.compile(r"[\s〔〕\[\]［］()（）【】《》]")


def _cited(flat_text: str, source: Source) -> bool:
    """Does the draft (``flat_text``: without brackets and spaces) name ``source`` by its
    文号, or by its title of 8+ characters?

    A lower document cites the upper one it implements; where it shares the
    same text with that document and with a sibling that copies it, the text
    is the cited document's (浙江 and 广东 both copying 国办发〔2018〕123号).
    """
    number = _NUMBER_FURNITURE.sub("", source.doc_number or "")
    title = _NUMBER_FURNITURE.sub("", source.title or "")
    return bool(number and number in flat_text) or (len(title) >= 8 and title in flat_text)


def _assigned(
    draft: _Draft, found: list[_Found], issuer: str | None, min_passage: int
) -> list[dict[str, Any]]:
    """Source entries in which every draft character belongs to one source.

    Passages claim characters best first: most literal evidence, then a
    source the draft cites, then the closest issuer, then the most recent
    source. Where a later passage
    overlaps a claimed one, the two compete on the common characters: the
    one more literal there (evidence, then numbers too: the 2021 notice, not
    the 2020 one, for a 2021 draft; then the cited source) takes them. Sources that hold the same
    text (template siblings, documents copying the same parent) are listed
    on the passage as ``also_in`` and not counted again; a passage that
    would own fewer than half of its characters, or that lost all but a
    remnant shorter than ``min_passage`` to more literal ones, is only such a
    mention (else a passage of template siblings would be reported in pieces).
    """
    flat = _NUMBER_FURNITURE.sub("", draft.text)
    by_path = {f.source.path: f.source for f in found}
    cited = {path: _cited(flat, source) for path, source in by_path.items()}
    order = sorted(found, key=lambda f: _recency(f.source), reverse=True)
    order.sort(key=lambda f: (-f.evidence, -cited[f.source.path], -_closeness(issuer, f.source)))
    owner = np.full(len(draft.text), -1, dtype=np.int64)
    kept: list[_Found] = []
    also: list[dict[str, Source]] = []
    for f in order:
        trial = owner.copy()
        rivals = np.unique(owner[f.start : f.end][owner[f.start : f.end] >= 0]).tolist()
        for k in rivals:
            lo, hi = max(f.start, kept[k].start), min(f.end, kept[k].end)
            ours = (*_score(f, lo, hi, draft), cited[f.source.path])
            if ours > (*_score(kept[k], lo, hi, draft), cited[kept[k].source.path]):
                trial[lo:hi][owner[lo:hi] == k] = -2
        span = trial[f.start : f.end]
        taken = draft.counts[f.start : f.end] & (span < 0)
        if int(taken.sum()) * 2 < int(draft.counts[f.start : f.end].sum()):
            for k in rivals:
                also[k].setdefault(f.source.path, f.source)
            continue
        span[taken] = len(kept)
        owner = np.where(trial == -2, -1, trial)  # won characters that do not count
        holders: dict[str, Source] = {}
        for k in rivals:  # f holds their text: their mentions are f's too
            holders.update({kept[k].source.path: kept[k].source, **also[k]})
            also[k].setdefault(f.source.path, f.source)
        kept.append(f)
        also.append(holders)
    entries: dict[int, dict[str, Any]] = {}
    for k, f in enumerate(kept):
        chars = int(((owner == k) & draft.counts).sum())
        if chars < min_passage:
            continue
        entry = entries.setdefault(f.source.id, _entry(f.source))
        passage = _passage(draft.text, f)
        passage["also_in"] = [_reference(s) for p, s in also[k].items() if p != f.source.path]
        entry["passages"].append(passage)
        entry["_chars"] += chars
    for entry in entries.values():
        entry["passages"].sort(key=lambda p: p["start"])
        entry["literal"] = _literal(entry["passages"])
        entry["source_ratio"] = _source_ratio(entry)
    return list(entries.values())


def _score(f: _Found, lo: int, hi: int, draft: _Draft) -> tuple[int, int]:
    """How literal ``f`` is on draft characters [lo, hi): (evidence, literal characters)."""
    part = f.literal[lo - f.start : hi - f.start]
    return int((part & draft.evidence[lo:hi]).sum()), int(part.sum())


def _reference(source: Source) -> dict[str, Any]:
    return {"path": source.path, "title": source.title, "doc_number": source.doc_number}


def _entry(source: Source) -> dict[str, Any]:
    return {**_reference(source), "passages": [], "_chars": 0, "_text": source.text}


def _passage(text: str, f: _Found) -> dict[str, Any]:
    return {
        "start": f.start,
        "end": f.end,
        "source_start": f.source_start,
        "source_end": f.source_end,
        "similarity": round(f.similarity, 3),
        "evidence": f.evidence,
        "text": text[f.start : f.end],
        "source_text": f.source.text[f.source_start : f.source_end],
    }


def _source_ratio(entry: dict[str, Any]) -> float:
    """Share of the source reproduced in the draft (a forwarded document: nearly all)."""
    source_text = entry.pop("_text")
    mask = np.zeros(len(source_text), dtype=bool)
    for p in entry["passages"]:
        mask[p["source_start"] : p["source_end"]] = True
    return _share(mask, text_chars(source_text))


def _share(mask: np.ndarray, counts: np.ndarray) -> float:
    return round(int((mask & counts).sum()) / max(int(counts.sum()), 1), 4)


def _literal(passages: list[dict[str, Any]]) -> float:
    """Share of the draft's raw 4-grams in the passages that the source has verbatim."""
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

    def __init__(
        self, index: Index, settings: Settings, boilerplate: Boilerplate | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.boilerplate = boilerplate or load_boilerplate(packaged_rules_dir())

    def run(self, doc: Document) -> CheckOutcome:
        data = detect(doc, self.index, self.settings, self.boilerplate)
        return CheckOutcome(findings=tuple(findings(doc, data, self.settings)), data=data)


def build(config: Config, options: AuditOptions) -> CopyCheck | None:
    settings, section = config.parsed("reference")
    extra = section.get("boilerplate")
    boilerplate = load_boilerplate(config.rules_dir, config.resolve(extra) if extra else None)
    index = open_reference(config, options.against)
    if index is None:
        return None
    return CopyCheck(index, settings, boilerplate)
