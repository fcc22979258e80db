"""具体落实措施 (concrete measures): who does what, by when, how much — or only slogans.

Every sentence of the body is split into its elements (responsible unit,
deadline, quantity, instrument, slogan and background cues; patterns in
``rules/measures.yaml``) and labelled ``concrete``, ``slogan`` or ``neutral`` by
blending a transparent rule score with the sentence model
(:mod:`sentence_model`, trained on ``rules/measure_sentences.csv``). The share
of concrete sentences among the demands (concrete + slogan) of the
measure-bearing sections (主要任务、工作措施 …; the whole body when there are
none) gives the verdict. Findings: ``measures.none`` (error), ``measures.weak``
(warning), ``measures.slogan_paragraph`` (info).

Concrete measures inside passages copied from an upper document are that
document's measures, not the draft's: with the ``copy`` check enabled, the
section counts the draft's own concrete measures, and a draft whose concrete
measures are all copied gets ``measures.none_own`` (以文件落实文件).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..metadata import kinds
from ..model import CheckOutcome, Document, Finding, Paragraph, Severity
from ..ruleset import load_rules, packaged_rules_dir
from ..sentence_model import Example, SentenceModel, f1_score, fit, folds, load_model
from ..sentences import Sentence, of_document
from . import AuditOptions, Outcomes
from .copying import copied_spans

RULES_FILE = "measures.yaml"
ELEMENTS = ("unit", "deadline", "quantity", "instrument")
ELEMENT_NAMES = {
    "unit": "责任单位",
    "deadline": "时限",
    "quantity": "数量目标",
    "instrument": "具体抓手",
}
# a number: Arabic, full-width, Chinese numerals (a bare 一 is too idiomatic) or the placeholder X
NUM = (
    r"(?:[0-9０-９]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]{2,}"
    r"|[二两三四五六七八九十]|[XＸ]+)"
)
# rule score weights: how much each element says "this commits someone to something"
WEIGHTS = {"unit": 0.35, "deadline": 0.35, "quantity": 0.35, "instrument": 0.35}
DIRECTIVE_BONUS = 0.2
SLOGAN_PENALTY = 0.2
BACKGROUND_PENALTY = 0.45
_LEADING = "由对在将并和与及会同请经按"
_UNIT_CUT = re.compile("牵头|负责|配合|[是的在由对将和与及为了同]")
_QUOTED = re.compile("“[^“”]*”")
_CLAUSE = re.compile("[，,：:；;]")
_ENDS = "。！？；!?;"
_HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
)
_LEVELS = (("第", 0), ("、", 1), ("（", 2), ("(", 2))
COPIED_SHARE = 0.5  # a sentence is copied when this share of its characters is in copied passages
MIN_SCOPE = 3  # fewer demands than this in the measure-bearing sections: judge the whole body
SEVERITIES = {s.value: s for s in Severity}
LABELS = ("concrete", "slogan", "neutral")
MODEL_NAME = "measures_model.json.gz"
DATA_NAME = "measure_sentences.csv"
MEASURES_KEYS = {"min_share", "model", "use_model", "slogan_paragraph", "training_data"}


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns from ``measures.yaml``."""

    patterns: dict[str, tuple[re.Pattern[str], ...]]
    unit_name: re.Pattern[str]
    generic_units: tuple[str, ...]
    slogan: tuple[str, ...]
    background: tuple[re.Pattern[str], ...]
    directive: tuple[re.Pattern[str], ...]
    headings: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """One sentence's label, combined score, element cues and the two part scores."""

    label: str
    score: float
    elements: dict[str, list[str]]
    rule_score: float
    model_probs: dict[str, float] | None


def load_cues(rules_dir: Path) -> Cues:
    data = load_rules(rules_dir, RULES_FILE)
    source = rules_dir / RULES_FILE
    if not isinstance(data, dict):
        raise ConfigError(source, "-", "应为一个 YAML 映射")
    unit = data.get("unit_name")
    if not isinstance(unit, str):
        raise ConfigError(source, "unit_name", "应为一个正则表达式字符串")
    patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
    for key in ELEMENTS:
        items = _strings(data, key, source)
        compiled = []
        for item in items:
            expanded = item.replace("{num}", NUM).replace("{unit}", f"(?P<u{len(compiled)}>{unit})")
            expanded = (
                re.sub(r"\(\?P<u\d+>", "(?:", expanded)
                if key != "unit"
                else _number_groups(expanded)
            )
            try:
                compiled.append(re.compile(expanded))
            except re.error as exc:
                raise ConfigError(source, key, f"正则表达式“{item}”有误：{exc}") from None
        patterns[key] = tuple(compiled)
    return Cues(
        patterns=patterns,
        unit_name=re.compile(unit),
        generic_units=tuple(_strings(data, "generic_units", source)),
        slogan=tuple(_strings(data, "slogan", source)),
        background=_regexes(data, "background", source),
        directive=_regexes(data, "directive", source),
        headings=tuple(_strings(data, "measure_headings", source)),
    )


def _number_groups(pattern: str) -> str:
    """Give every {unit} group of one pattern a distinct name (u0, u1 …)."""
    counter = iter(range(1000))
    return re.sub(r"\(\?P<u\d+>", lambda _m: f"(?P<u{next(counter)}>", pattern)


def _regexes(data: dict[str, Any], key: str, source: Path) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for item in _strings(data, key, source):
        try:
            compiled.append(re.compile(item))
        except re.error as exc:
            raise ConfigError(source, key, f"正则表达式“{item}”有误：{exc}") from None
    return tuple(compiled)


def _strings(data: dict[str, Any], key: str, source: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(source, key, "应为字符串列表")
    return value


def extract(text: str, cues: Cues) -> dict[str, list[str]]:
    """The measure elements and cues found in one sentence (each list de-duplicated)."""
    found: dict[str, list[str]] = {
        key: [] for key in (*ELEMENTS, "slogan", "background", "directive")
    }
    # quoted formulas (“四个意识”“一张表”) are slogans or names, never quantities
    unquoted = _QUOTED.sub(lambda m: "“" + "　" * (len(m.group()) - 2) + "”", text)
    for key in ELEMENTS:
        for pattern in cues.patterns[key]:
            for match in pattern.finditer(unquoted if key == "quantity" else text):
                values = _units(match, cues) if key == "unit" else [match.group()]
                found[key].extend(v for v in values if v not in found[key])
    found["slogan"] = [c for c in cues.slogan if c in text]
    found["background"] = [m.group() for p in cues.background for m in p.finditer(text)]
    found["directive"] = sorted({m.group() for p in cues.directive for m in p.finditer(text)})
    return found


def _units(match: re.Match[str], cues: Cues) -> list[str]:
    """The named units of a unit match, without leading particles and generic subjects."""
    if match.group().startswith(("（", "(")):  # a division of labour: every unit inside
        values = [m.group() for m in cues.unit_name.finditer(match.group())]
    else:
        values = [v for g, v in match.groupdict().items() if g.startswith("u") and v]
    names = []
    for value in values:
        name = _UNIT_CUT.split(value)[-1].lstrip(_LEADING)
        if len(name) >= 2 and not name.startswith(cues.generic_units) and name not in names:
            names.append(name)
    return names


def rule_score(elements: dict[str, list[str]]) -> float:
    """How strongly the cues alone say "concrete", in [0, 1]."""
    score = sum(weight for key, weight in WEIGHTS.items() if elements[key])
    if score and elements["directive"]:
        score += DIRECTIVE_BONUS
    if elements["slogan"]:
        score -= SLOGAN_PENALTY
    if elements["background"]:
        score -= BACKGROUND_PENALTY
    return max(0.0, min(1.0, score))


def rule_label(elements: dict[str, list[str]]) -> str:
    if rule_score(elements) >= 0.5:
        return "concrete"
    return "slogan" if elements["slogan"] else "neutral"


MODES = ("rules", "model", "combined")


def judge(text: str, cues: Cues, model: SentenceModel | None, mode: str = "combined") -> Judgement:
    """Label one sentence from its cues and (when loaded) the model.

    ``mode`` picks the evidence: ``rules`` alone, ``model`` alone (its most
    probable class) or ``combined`` (the blend tuned at training time).
    """
    elements = extract(text, cues)
    rules = rule_score(elements)
    if model is None or mode == "rules":
        return Judgement(rule_label(elements), round(rules, 3), elements, rules, None)
    probs = model.score(text)
    if mode == "model":
        label = max(probs, key=probs.__getitem__)
        return Judgement(label, round(probs["concrete"], 3), elements, rules, probs)
    score = model.blend * probs["concrete"] + (1 - model.blend) * rules
    if score >= model.threshold:
        label = "concrete"
    else:
        label = "slogan" if probs["slogan"] >= probs["neutral"] else "neutral"
    return Judgement(label, round(score, 3), elements, rules, probs)


def train_model(examples: Sequence[Example], cues: Cues) -> SentenceModel:
    """Fit the model on ``examples`` and tune the blend with the rules by cross-validation.

    The blend weight and threshold are chosen on out-of-fold predictions of the
    training data only, so the held-out split stays untouched.
    """
    texts = [e.text for e in examples]
    labels = [e.label for e in examples]
    rules = [rule_score(extract(t, cues)) for t in texts]
    out_of_fold = [0.0] * len(texts)
    for train_idx, test_idx in folds(labels):
        part = fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        for i in test_idx:
            out_of_fold[i] = part.score(texts[i])["concrete"]
    truth = [label == "concrete" for label in labels]
    best = (-1.0, 0.5, 0.5)
    for blend in (i / 10 for i in range(11)):
        for threshold in (i / 20 for i in range(4, 17)):
            predicted = [
                blend * m + (1 - blend) * r >= threshold
                for m, r in zip(out_of_fold, rules, strict=True)
            ]
            f1 = f1_score(truth, predicted)[2]
            if f1 > best[0] + 1e-9:
                best = (f1, blend, threshold)
    return fit(texts, labels).tuned(best[1], best[2])


# --- documents -------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    min_share: float = 0.3
    model_path: Path | None = None
    use_model: bool = True
    slogan_paragraph: Severity = Severity.INFO
    training_data: tuple[Path, ...] = ()


def settings(config: Config) -> Settings:
    """Validate ``[measures]`` of the config."""
    section = config.section("measures", MEASURES_KEYS)
    share = section.get("min_share", 0.3)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ConfigError(config.source, "measures.min_share", "应为 0 到 1 之间的数，如 0.3")
    use_model = section.get("use_model", True)
    if not isinstance(use_model, bool):
        raise ConfigError(config.source, "measures.use_model", "应为 true 或 false")
    severity = section.get("slogan_paragraph", "info")
    if severity not in SEVERITIES:
        raise ConfigError(
            config.source, "measures.slogan_paragraph", "取值应为 info / warning / error"
        )
    model = section.get("model")
    if model is not None and not isinstance(model, str):
        raise ConfigError(config.source, "measures.model", "应为模型文件路径字符串")
    return Settings(
        min_share=float(share),
        model_path=config.resolve(model) if model else None,
        use_model=use_model,
        slogan_paragraph=SEVERITIES[severity],
        training_data=tuple(
            config.resolve(p) for p in config.get_list("measures", "training_data")
        ),
    )


def default_model_path(rules_dir: Path) -> Path:
    path = rules_dir / MODEL_NAME
    return path if path.is_file() else packaged_rules_dir() / MODEL_NAME


def shipped_data_path() -> Path:
    return packaged_rules_dir() / DATA_NAME


@lru_cache(maxsize=4)
def _cached_model(path: Path, mtime: float) -> SentenceModel:
    return load_model(path)


def model_for(config: Config) -> SentenceModel | None:
    """The configured model (cached per file and mtime), or None when disabled."""
    options: Settings = config.parsed("measures")
    if not options.use_model:
        return None
    path = (options.model_path or default_model_path(config.rules_dir)).resolve()
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return _cached_model(path, mtime)


@dataclass(frozen=True)
class Section:
    heading: str
    level: int
    start: int
    end: int
    bears_measures: bool


def _level(text: str) -> int:
    stripped = text.lstrip()
    return next(
        (
            level
            for marker, level in _LEVELS
            if stripped.startswith(marker) or marker in stripped[:4]
        ),
        1,
    )


def sections(doc: Document, cues: Cues) -> list[Section]:
    """Headed sections (第X章 / 一、 / （一）) of the body; heading text up to its first 。."""
    heads: list[tuple[Paragraph, str, int]] = []
    for para in doc.body:
        if _HEADING.match(para.text):
            heading = re.split(r"[。：:]", para.text.strip(), maxsplit=1)[0]
            if len(heading) <= 40:
                heads.append((para, heading, _level(heading)))
    result = []
    for index, (para, heading, level) in enumerate(heads):
        end = len(doc.text)
        for later, _, later_level in heads[index + 1 :]:
            if later_level <= level:
                end = later.start
                break
        bears = any(cue in heading for cue in cues.headings)
        result.append(Section(heading, level, para.start, end, bears))
    return result


def _is_heading(sentence: Sentence) -> bool:
    """A title, heading or signature line rather than a demand.

    Lines without closing punctuation (titles, 一、总体要求, signatures) and short
    inline headings (（一）严控发文数量。) qualify.
    """
    text = sentence.text
    if len(text) < 6 or (len(text) <= 40 and not _CLAUSE.search(text) and text[-1] not in _ENDS):
        return True
    return bool(_HEADING.match(text)) and len(text) <= 30 and not _CLAUSE.search(text)


def _is_demand(sentence: Sentence, judgement: Judgement) -> bool:
    """A sentence that asks for something; an inline heading counts when it is concrete."""
    if judgement.label == "neutral":
        return False
    if not _is_heading(sentence):
        return True
    return judgement.label == "concrete" and sentence.text[-1] in _ENDS


class MeasuresCheck:
    """Labels every sentence and judges whether the document carries concrete measures."""

    name = "measures"
    needs = ("copy",)  # copied passages: measures inside them are not the draft's own

    def __init__(self, config: Config, options: AuditOptions, mode: str = "combined") -> None:
        self.settings: Settings = config.parsed("measures")
        self.rules_dir = config.rules_dir
        self.cues = load_cues(self.rules_dir)
        self.model = model_for(config) if mode != "rules" else None
        self.mode = mode
        self.kind_override = options.kind
        self.kinds = {k.name: k for k in kinds(str(self.rules_dir))}

    def run(self, doc: Document, earlier: Outcomes | None = None) -> CheckOutcome:
        sentences = of_document(doc)
        judged = [(s, judge(s.text, self.cues, self.model, self.mode)) for s in sentences]
        heads = sections(doc, self.cues)
        everywhere = [(s, j) for s, j in judged if _is_demand(s, j)]
        bearing = [b for b in heads if b.bears_measures]
        demands = [
            (s, j) for s, j in everywhere if any(b.start <= s.start < b.end for b in bearing)
        ]
        if len(demands) < MIN_SCOPE:  # too few to judge by: the whole body
            demands = everywhere
        concrete = sum(1 for _, j in demands if j.label == "concrete")
        total = len(demands)
        share = concrete / total if total else 0.0
        has_any = any(j.label == "concrete" for _, j in everywhere)
        verdict = "none" if not has_any else "weak" if share < self.settings.min_share else "ok"
        copy = (earlier or {}).get("copy")
        copied = _copied(doc, everywhere, copy.data) if copy and copy.data is not None else None
        data = {
            "verdict": verdict,
            "concrete": concrete,
            # concrete measures outside copied passages (None: copy detection not run)
            "own_concrete": None
            if copied is None
            else concrete
            - sum(1 for s, j in demands if j.label == "concrete" and s.start in copied),
            "total": total,
            "share": round(share, 4),
            "sentences": [
                {
                    "start": s.start,
                    "end": s.end,
                    "label": j.label,
                    "elements": j.elements,
                    "score": j.score,
                }
                for s, j in judged
            ],
        }
        findings = self._findings(doc, judged, demands, heads, verdict, share)
        if copied is not None:
            findings += self._none_own(doc, everywhere, copied)
        return CheckOutcome(findings=tuple(findings), data=data)

    def _none_own(
        self,
        doc: Document,
        everywhere: list[tuple[Sentence, Judgement]],
        copied: dict[int, str],
    ) -> list[Finding]:
        """``measures.none_own``: every concrete measure of the draft is copied."""
        concrete = [s for s, j in everywhere if j.label == "concrete"]
        if not self._requires(doc) or not concrete or any(s.start not in copied for s in concrete):
            return []
        sources = sorted({copied[s.start] for s in concrete})
        return [
            Finding(
                rule="measures.none_own",
                severity=Severity.WARNING,
                message=(
                    f"没有本单位自己的具体措施：全文 {len(concrete)} 句具体措施都照搬自上级文件"
                    f"（{'、'.join(sources[:3])}），"
                    "属于以文件落实文件。请结合本地实际写明本单位的责任分工、时限和抓手"
                ),
                start=concrete[0].start,
                end=concrete[-1].end,
                text=concrete[0].text,
                evidence={
                    "copied": [
                        {"start": s.start, "end": s.end, "text": s.text, "source": copied[s.start]}
                        for s in concrete
                    ]
                },
            )
        ]

    def _requires(self, doc: Document) -> bool | None:
        """Whether the document's kind should carry measures (None: kind unknown)."""
        name = self.kind_override or doc.meta.kind
        kind = self.kinds.get(name) if name else None
        return kind.needs_measures if kind else None

    def _findings(
        self,
        doc: Document,
        judged: list[tuple[Sentence, Judgement]],
        demands: list[tuple[Sentence, Judgement]],
        heads: list[Section],
        verdict: str,
        share: float,
    ) -> list[Finding]:
        required = self._requires(doc)
        kind = self.kind_override or doc.meta.kind
        findings: list[Finding] = []
        missing = _missing(demands)
        if required and verdict == "none":
            span = _body_span(doc)
            findings.append(
                Finding(
                    rule="measures.none",
                    severity=Severity.ERROR,
                    message=f"{kind}应当有具体落实措施，但全文没有一句写明由谁、何时、做到什么程度"
                    + (
                        f"：{len(demands)} 句要求性表述都是原则性要求（{missing}）"
                        if demands
                        else "，也没有任何部署性要求"
                    )
                    + "。请补充责任单位、完成时限、数量目标或具体抓手。",
                    start=span[0],
                    end=span[1],
                    text=doc.text[span[0] : span[1]][:200],
                    evidence={
                        "kind": kind,
                        "demands": len(demands),
                        "missing": _missing_counts(demands),
                    },
                )
            )
        elif required and verdict == "weak":
            worst = _worst_sections(heads, judged)
            names = "、".join(f"“{w['heading']}”（{w['concrete']}/{w['total']}）" for w in worst)
            span = (worst[0]["start"], worst[0]["end"]) if worst else _body_span(doc)
            findings.append(
                Finding(
                    rule="measures.weak",
                    severity=Severity.WARNING,
                    message=f"具体落实措施偏少：要求性表述中具体措施仅占 {share:.0%}，"
                    f"低于 {self.settings.min_share:.0%}"
                    + (f"；最薄弱的部分：{names}" if names else "")
                    + (f"；{missing}" if missing else "")
                    + "。",
                    start=span[0],
                    end=span[1],
                    text=doc.text[span[0] : span[1]][:200],
                    evidence={
                        "share": round(share, 4),
                        "min_share": self.settings.min_share,
                        "worst_sections": worst,
                    },
                )
            )
        if required is not False:
            findings.extend(self._slogan_paragraphs(doc, judged))
        return findings

    def _slogan_paragraphs(
        self, doc: Document, judged: list[tuple[Sentence, Judgement]]
    ) -> list[Finding]:
        findings = []
        for para in doc.body:
            inside = [
                (s, j) for s, j in judged if para.start <= s.start < para.end and _is_demand(s, j)
            ]
            labels = [j.label for _, j in inside]
            cues = sorted({c for _, j in inside for c in j.elements["slogan"]})
            has_element = any(j.elements[key] for _, j in inside for key in ELEMENTS)
            # only what a reader can see is a slogan: explicit slogan cues and not a single
            # element of a measure (a unit, a deadline, a number) anywhere in the paragraph
            if "slogan" in labels and "concrete" not in labels and cues and not has_element:
                findings.append(
                    Finding(
                        rule="measures.slogan_paragraph",
                        severity=self.settings.slogan_paragraph,
                        message=f"本段只有原则性要求，没有具体落实措施（套话：{'、'.join(cues[:5])}）。建议写明责任单位、时限或量化目标，或删去空话。",
                        start=para.start,
                        end=para.end,
                        text=para.text,
                        evidence={"slogan_cues": cues, "sentences": len(inside)},
                    )
                )
        return findings


def _copied(
    doc: Document, sentences: list[tuple[Sentence, Judgement]], copy: dict[str, Any]
) -> dict[int, str]:
    """Start of each sentence that lies mostly inside a copied passage -> its source."""
    out = {}
    for s, _ in sentences:
        chars = sum(1 for c in doc.text[s.start : s.end] if not c.isspace())
        for start, end, source in copied_spans(copy):
            inside = doc.text[max(s.start, start) : min(s.end, end)]
            if sum(1 for c in inside if not c.isspace()) >= COPIED_SHARE * max(chars, 1):
                out[s.start] = source
                break
    return out


def _body_span(doc: Document) -> tuple[int, int]:
    body = doc.body
    return (body[0].start, body[-1].end) if body else (0, len(doc.text))


def _missing_counts(demands: list[tuple[Sentence, Judgement]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, j in demands:
        for key in ELEMENTS:
            if not j.elements[key]:
                counts[key] += 1
    return dict(counts.most_common())


def _missing(demands: list[tuple[Sentence, Judgement]]) -> str:
    """The elements most often missing, in Chinese (e.g. 缺少时限 12 句、缺少责任单位 10 句)."""
    counts = _missing_counts(demands)
    return "、".join(f"缺少{ELEMENT_NAMES[k]} {n} 句" for k, n in list(counts.items())[:3])


def _worst_sections(
    heads: list[Section], judged: list[tuple[Sentence, Judgement]]
) -> list[dict[str, Any]]:
    """The (up to three) headed sections with the lowest share of concrete demands."""
    rows = []
    for section in heads:
        inner = [
            j for s, j in judged if section.start <= s.start < section.end and _is_demand(s, j)
        ]
        total = sum(1 for j in inner if j.label != "neutral")
        if total >= 2:
            concrete = sum(1 for j in inner if j.label == "concrete")
            rows.append(
                {
                    "heading": section.heading,
                    "start": section.start,
                    "end": section.end,
                    "concrete": concrete,
                    "total": total,
                    "share": round(concrete / total, 4),
                }
            )
    rows.sort(key=lambda r: (r["share"], -r["total"], r["start"]))
    return rows[:3]


def build(config: Config, options: AuditOptions) -> MeasuresCheck:
    return MeasuresCheck(config, options)
