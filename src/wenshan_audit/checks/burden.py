"""Burden-demand lint (负面清单): demands that load work onto the grassroots.

The rules are data (``rules/burden.yaml``). One Aho-Corasick pass over the
document finds every literal cue of every rule; regexes (counts of ledgers,
meeting sizes, night meetings) run only on the sentences that hold one of their
cues. A hit becomes a finding unless its context shows the sentence is the cure
rather than the disease: a prohibition before it in the same clause (不得要求…拍照留痕),
a description of the problem (有的地方要求…), an item under a prohibition list
lead (严禁下列行为：), or a quoted cue in a heading (（三）整治“指尖上的形式主义”).
Findings are reported per sentence, at most one per rule and sentence.

Cue lists never cover every wording, so a sentence classifier
(:mod:`sentence_model`, trained on ``rules/burden_sentences.csv``: one class per
rule id plus ``none``) reads the sentences no rule fired on. When its demand
probability (the summed probability of the families in force) reaches the
threshold tuned at training time, the sentence becomes a finding of the most probable family, explained by the words
that drove the model; the same context vetoes (prohibition, description,
quotation, prohibition list) are judged at the strongest of those words.
An office adds its own families (a province's 负面清单) as ``burden-*.yaml``
files in its rules directory, merged with ``burden.yaml``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick

from .. import sentences as sentence_splitter
from ..config import Config
from ..errors import ConfigError
from ..model import CheckOutcome, Document, Finding, Severity
from ..ruleset import load_rules, packaged_rules_dir
from ..sentence_model import Example, SentenceModel, f1_score, fit, folds, load_model
from ..sentences import Sentence

if TYPE_CHECKING:
    from ..audit import AuditOptions

RULES_FILE = "burden.yaml"
EXTRA_RULES = "burden-*.yaml"  # an office's own families, next to burden.yaml in its rules dir
MODEL_NAME = "burden_model.json.gz"
DATA_NAME = "burden_sentences.csv"
NONE = "none"  # the model's class for a sentence that demands nothing
MODES = ("rules", "model", "combined")
# the model reads whole sentences only: table cells, addressee lines ("各单位：") and short
# fragments carry too few characters for its n-grams to mean anything
MODEL_MIN_CHARS = 15
CONFIG_KEYS = ("enabled", "rules_file", "disable", "model", "use_model", "training_data")
RULE_KEYS = ("id", "severity", "name", "patterns", "requires", "explanation", "source")
REGEX_KEYS = ("regex", "cues", "min_count", "min_matches")
CONTEXT_KEYS = (
    "negations",
    "not_negations",
    "scope_breaks",
    "cures_after",
    "descriptions",
    "list_leads",
    "demand_bans",
    "demand_resumes",
)

_CLAUSE_BREAK = re.compile(r"[，,；;：:]")
_SENTENCE_END = tuple("。！？；!?;")
_CLOSERS = "”’」』）)"
_HEADING_MAX = 60  # a line this short without a full stop reads as a heading or title

_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_count(text: str) -> int | None:
    """``"12"`` / ``"十二"`` / ``"一百零一"`` -> int; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            return None
    return total + digit if text else None


@dataclass(frozen=True)
class RegexPattern:
    regex: re.Pattern[str]
    cues: tuple[str, ...]
    min_count: int | None = None  # the (?P<count>…) group must be at least this
    min_matches: int | None = None  # the regex must match this often in the sentence


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    name: str
    literals: tuple[str, ...]
    regexes: tuple[RegexPattern, ...]
    requires: tuple[str, ...]
    explanation: str
    source: str


@dataclass(frozen=True)
class Hit:
    """A place where a rule may apply; ``anchor`` is where its context is judged."""

    rule: Rule
    start: int
    end: int
    anchor: int
    cue: str
    count: int | None = None
    score: float | None = None  # the model's demand probability (model hits only)
    words: tuple[str, ...] = ()  # the words that drove the model (model hits only)


def _alternation(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class Context:
    """Words that show a sentence prohibits, cures or describes a burden (compiled)."""

    negations: re.Pattern[str] | None = None
    not_negations: re.Pattern[str] | None = None
    scope_breaks: re.Pattern[str] | None = None
    cures_after: re.Pattern[str] | None = None
    descriptions: re.Pattern[str] | None = None
    list_leads: re.Pattern[str] | None = None
    demand_bans: re.Pattern[str] | None = None
    demand_resumes: re.Pattern[str] | None = None

    @classmethod
    def of(cls, words: dict[str, tuple[str, ...]]) -> Context:
        return cls(**{key: _alternation(value) for key, value in words.items()})

    def negates(self, before: str) -> bool:
        """A prohibition in ``before`` (the clause up to the cue) that reaches the cue."""
        if self.negations is None:
            return False
        if self.not_negations is not None:
            before = self.not_negations.sub(lambda m: " " * len(m.group()), before)
        ends = [m.end() for m in self.negations.finditer(before)]
        return bool(ends) and not _found(self.scope_breaks, before[ends[-1] :])

    def bans_demands(self, before: str) -> bool:
        """A ban on demanding ("不得要求…") reaching over the listed demands that follow it.

        "不得要求基层拍照留痕，每日打卡，发送定位截图" bans all three; a new demand
        after the ban ("…，但须每日打卡", ``demand_resumes``) or a scope break ends its reach.
        """
        if self.demand_bans is None:
            return False
        ends = [m.end() for m in self.demand_bans.finditer(before)]
        if not ends:
            return False
        rest = before[ends[-1] :]
        return not _found(self.scope_breaks, rest) and not _found(self.demand_resumes, rest)

    def cures(self, after: str) -> bool:
        return _found(self.cures_after, after)

    def describes(self, before: str) -> bool:
        return _found(self.descriptions, before)

    def leads_list(self, text: str) -> bool:
        return _found(self.list_leads, text)


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


class Ruleset:
    """Compiled burden rules (one automaton over every cue) and, optionally, the model."""

    def __init__(
        self, rules: Sequence[Rule], context: Context, model: SentenceModel | None = None
    ) -> None:
        self.rules = tuple(rules)
        self.context = context
        self.model = model
        self.by_id = {rule.id: rule for rule in self.rules}
        entries: dict[str, list[tuple[int, int]]] = {}
        for index, rule in enumerate(self.rules):
            for cue in rule.literals:
                entries.setdefault(cue, []).append((index, -1))
            for number, pattern in enumerate(rule.regexes):
                for cue in pattern.cues:
                    entries.setdefault(cue, []).append((index, number))
        self.automaton = ahocorasick.Automaton()
        for cue, targets in entries.items():
            self.automaton.add_word(cue, (cue, tuple(targets)))
        if entries:
            self.automaton.make_automaton()

    def lint(
        self, text: str, sentences: Sequence[Sentence], mode: str = "combined"
    ) -> tuple[Finding, ...]:
        """The findings in ``sentences`` (offsets into ``text``), in text order.

        ``mode``: ``rules`` alone, ``model`` alone, or ``combined`` (the model
        reads only the sentences no rule fired on).
        """
        hits = self.hits(text, sentences) if mode != "model" else {}
        found = {index: self.judge(text, sentences, index, hits[index]) for index in hits}
        if self.model is not None and mode != "rules":
            unread = [i for i, s in enumerate(sentences) if not found.get(i) and _readable(s)]
            scores = self.model.score_many([sentences[i].text for i in unread])
            for index, probs in zip(unread, scores, strict=True):
                hit = self.model_hit(text, sentences, index, probs=probs)
                if hit is not None:
                    found[index] = [_finding(hit, sentences[index])]
        return tuple(f for index in sorted(found) for f in found[index])

    def model_hit(
        self,
        text: str,
        sentences: Sequence[Sentence],
        index: int,
        threshold: float | None = None,
        probs: dict[str, float] | None = None,
    ) -> Hit | None:
        """The model's reading of one sentence: a hit when its demand probability reaches
        ``threshold`` (the model's own by default) and its context does not veto it;
        ``probs`` are the sentence's class probabilities when already scored.

        The hit is anchored at the strongest driving words, so a prohibition or
        description before them in the sentence vetoes it as it would a cue.
        """
        assert self.model is not None
        sentence = sentences[index]
        if not _readable(sentence):
            return None
        probs = probs or self.model.score(sentence.text)
        # only the families in force count: a disabled one is neither reported nor
        # allowed to lift another family over the threshold
        families = [c for c in self.model.classes if c in self.by_id]
        demand = sum(probs[c] for c in families)
        limit = self.model.threshold if threshold is None else threshold
        if not families or demand < limit:
            return None
        family = max(families, key=probs.__getitem__)
        drivers = self.model.drivers(sentence.text, family, NONE)
        words, offset = drivers[0] if drivers else (sentence.text, 0)
        start = sentence.start + offset
        hit = Hit(
            self.by_id[family],
            start,
            start + len(words),
            start,
            words,
            score=demand,
            words=tuple(w for w, _ in drivers),
        )
        return hit if self._applies(text, sentences, index, hit) else None

    def hits(self, text: str, sentences: Sequence[Sentence]) -> dict[int, list[Hit]]:
        """Candidate hits by sentence index, from one automaton pass over ``text``."""
        if not sentences or not len(self.automaton):
            return {}
        starts = [s.start for s in sentences]
        literals: dict[int, list[Hit]] = {}
        regexes: dict[int, set[tuple[int, int]]] = {}
        for last, (cue, targets) in self.automaton.iter(text):
            start = last + 1 - len(cue)
            index = bisect.bisect_right(starts, start) - 1
            if index < 0 or last >= sentences[index].end:
                continue  # outside the body, or across a sentence boundary
            for rule_index, number in targets:
                if number < 0:
                    rule = self.rules[rule_index]
                    literals.setdefault(index, []).append(Hit(rule, start, last + 1, start, cue))
                else:
                    regexes.setdefault(index, set()).add((rule_index, number))
        result = {index: longest_only(found) for index, found in literals.items()}
        for index, scheduled in regexes.items():
            sentence = sentences[index]
            for rule_index, number in sorted(scheduled):
                rule = self.rules[rule_index]
                found = regex_hits(rule, rule.regexes[number], text, sentence)
                if found:
                    result.setdefault(index, []).extend(found)
        return result

    def judge(
        self, text: str, sentences: Sequence[Sentence], index: int, hits: Sequence[Hit]
    ) -> list[Finding]:
        """The findings of one sentence: the first hit of each rule its context allows."""
        sentence = sentences[index]
        reported: dict[str, Finding] = {}
        for hit in sorted(hits, key=lambda h: h.start):
            if hit.rule.id in reported or not self._applies(text, sentences, index, hit):
                continue
            reported[hit.rule.id] = _finding(hit, sentence)
        return list(reported.values())

    def _applies(self, text: str, sentences: Sequence[Sentence], index: int, hit: Hit) -> bool:
        sentence = sentences[index]
        rule = hit.rule
        model = hit.score is not None  # the model read the whole sentence; requires is for cues
        if not model and rule.requires and not any(w in sentence.text for w in rule.requires):
            return False
        if _is_heading(sentence) and _quoted(text, sentence, hit):
            return False
        before = text[sentence.start : hit.anchor]
        if self.context.describes(before):
            return False
        clause_start = _clause_start(before) + sentence.start
        if self.context.negates(text[clause_start : hit.anchor]) or self.context.bans_demands(
            before
        ):
            return False
        if clause_start > sentence.start and text[clause_start - 1] in "：:":
            # "严禁下列行为：要求…" — the lead-in before the colon governs the clause
            lead_start = _clause_start(text[sentence.start : clause_start - 1]) + sentence.start
            if self.context.leads_list(text[lead_start : clause_start - 1]):
                return False
        clause_end = _clause_end(text, hit.end, sentence.end)
        if self.context.cures(text[hit.end : clause_end]):
            return False
        return not self._under_prohibition_list(sentences, index)

    def _under_prohibition_list(self, sentences: Sequence[Sentence], index: int) -> bool:
        """A list item whose lead sentence (``严禁下列行为：``) prohibits the items."""
        if not sentence_splitter.is_list_item(sentences[index].text):
            return False
        lead = index - 1
        while lead >= 0 and sentence_splitter.is_list_item(sentences[lead].text):
            lead -= 1
        if lead < 0:
            return False
        text = sentences[lead].text
        return (text.endswith(("：", ":")) or _is_heading(sentences[lead])) and (
            self.context.leads_list(text)
        )


def _readable(sentence: Sentence) -> bool:
    """Whether the model reads this sentence (not a fragment or an addressee line)."""
    return len(sentence.text) >= MODEL_MIN_CHARS and not sentence.text.endswith(("：", ":"))


def longest_only(hits: list[Hit]) -> list[Hit]:
    """Drop literal hits inside a longer one (拍照留痕 wins over the 留痕 inside it)."""
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    kept: list[Hit] = []
    for hit in hits:
        inside = any(
            k.start <= hit.start and hit.end <= k.end and (k.end - k.start) > (hit.end - hit.start)
            for k in kept
        )
        if not inside:
            kept.append(hit)
    return kept


def regex_hits(rule: Rule, pattern: RegexPattern, text: str, sentence: Sentence) -> list[Hit]:
    matches = list(pattern.regex.finditer(text, sentence.start, sentence.end))
    if not matches:
        return []
    if pattern.min_matches is not None:
        if len(matches) < pattern.min_matches:
            return []
        first = matches[0]
        cue = f"{first.group()}（{len(matches)} 处）"
        return [Hit(rule, first.start(), first.end(), first.start(), cue, len(matches))]
    hits = []
    for match in matches:
        if pattern.min_count is None:
            # the match is the demand itself: a prohibition inside it
            # ("晚上和周末原则上不召开") negates it as well
            hits.append(Hit(rule, match.start(), match.end(), match.end(), match.group()))
            continue
        group = "count" if "count" in pattern.regex.groupindex else 1
        count = parse_count(match.group(group) or "")
        if count is not None and count >= pattern.min_count:
            anchor = match.start(group)
            hits.append(Hit(rule, match.start(), match.end(), anchor, match.group(), count))
    return hits


def _clause_start(before: str) -> int:
    """Offset in ``before`` where the clause holding its end begins."""
    last = -1
    for match in _CLAUSE_BREAK.finditer(before):
        last = match.start()
    return last + 1


def _clause_end(text: str, start: int, limit: int) -> int:
    match = _CLAUSE_BREAK.search(text, start, limit)
    return match.start() if match else limit


def _is_heading(sentence: Sentence) -> bool:
    body = sentence.text.rstrip(_CLOSERS)
    return len(sentence.text) <= _HEADING_MAX and not body.endswith(
        (*_SENTENCE_END, "，", ",", "：", ":")
    )


def _quoted(text: str, sentence: Sentence, hit: Hit) -> bool:
    spans = sentence_splitter.quoted_spans(text, sentence.start, sentence.end)
    return any(a <= hit.start and hit.end <= b for a, b in spans)


def _finding(hit: Hit, sentence: Sentence) -> Finding:
    rule = hit.rule
    evidence: dict[str, Any] = {"cue": hit.cue, "rule_source": rule.source}
    if hit.count is not None:
        evidence["count"] = hit.count
    if hit.score is None:
        evidence["detected_by"] = "rule"
        said = f"“{hit.cue}”"
    else:
        evidence.update(detected_by="model", score=round(hit.score, 3), words=list(hit.words))
        quoted = "".join(f"“{w}”" for w in hit.words)
        said = f"（模型判断，把握 {hit.score:.0%}，依据词语：{quoted}）"
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=f"{rule.name}：{said}加重基层负担。{rule.explanation}",
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        evidence=evidence,
    )


# --- loading and validating the rule file -------------------------------------------------


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _parse_regex(path: Path, rule_id: str, entry: dict[str, Any]) -> RegexPattern:
    key = f"{rule_id}.patterns"
    unknown = sorted(set(entry) - set(REGEX_KEYS))
    if unknown:
        raise ConfigError(
            path,
            key,
            f"未知字段 {'、'.join(map(str, unknown))}；正则条目可用 {'、'.join(REGEX_KEYS)}",
        )
    source = entry.get("regex")
    if not isinstance(source, str) or not source:
        raise ConfigError(path, key, "正则条目缺少 regex（正则表达式文本）")
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise ConfigError(path, key, f"正则表达式“{source}”有误：{exc}；请修正后重试") from None
    cues = entry.get("cues")
    if not _strings(cues) or not cues:
        raise ConfigError(path, key, f"正则“{source}”须给出 cues（线索词列表），如 cues: [台账]")
    limits: dict[str, int] = {}
    for name in ("min_count", "min_matches"):
        value = entry.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(path, key, f"{name} 应为正整数，现为 {value!r}")
        limits[name] = value
    if "min_count" in limits and "count" not in regex.groupindex and regex.groups < 1:
        raise ConfigError(path, key, f"正则“{source}”使用 min_count，须用 (?P<count>…) 捕获数量")
    return RegexPattern(regex, tuple(cues), **limits)


def _parse_rule(path: Path, position: int, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigError(
            path, f"rules 第 {position} 条", "每条规则应为一个映射（id、severity、patterns 等字段）"
        )
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.startswith("burden."):
        raise ConfigError(
            path,
            f"rules 第 {position} 条",
            "缺少 id，或 id 不以 burden. 开头（如 burden.photo_evidence）",
        )
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise ConfigError(
            path,
            rule_id,
            f"未知字段 {'、'.join(map(str, unknown))}；可用字段：{'、'.join(RULE_KEYS)}",
        )
    severity = raw.get("severity")
    if severity not in {s.value for s in Severity}:
        raise ConfigError(path, rule_id, f"severity 应为 error、warning 或 info，现为 {severity!r}")
    for field in ("name", "explanation", "source"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise ConfigError(path, rule_id, f"缺少 {field}（中文文字）")
    patterns = raw.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise ConfigError(path, rule_id, "缺少 patterns（触发词或正则列表）")
    literals: list[str] = []
    regexes: list[RegexPattern] = []
    for entry in patterns:
        if isinstance(entry, str) and entry.strip():
            literals.append(entry.strip())
        elif _strings(entry):
            literals.extend(word.strip() for word in entry)
        elif isinstance(entry, dict):
            regexes.append(_parse_regex(path, rule_id, entry))
        else:
            raise ConfigError(
                path, f"{rule_id}.patterns", f"无效条目 {entry!r}：应为词语或 regex 映射"
            )
    requires = raw.get("requires", [])
    if not _strings(requires):
        raise ConfigError(path, f"{rule_id}.requires", "应为词语列表")
    return Rule(
        id=rule_id,
        severity=Severity(severity),
        name=raw["name"].strip(),
        literals=tuple(literals),
        regexes=tuple(regexes),
        requires=tuple(requires),
        explanation=raw["explanation"].strip(),
        source=raw["source"].strip(),
    )


def _parse_context(path: Path, raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(path, "context", "应为一个映射（negations、descriptions 等）")
    values: dict[str, tuple[str, ...]] = {}
    for key, words in raw.items():
        if key not in CONTEXT_KEYS:
            raise ConfigError(path, f"context.{key}", f"未知字段；可用：{'、'.join(CONTEXT_KEYS)}")
        if not _strings(words):
            raise ConfigError(path, f"context.{key}", "应为词语列表")
        values[key] = tuple(words)
    return values


def parse_rules(path: Path, data: Any) -> tuple[tuple[Rule, ...], dict[str, tuple[str, ...]]]:
    """Validate the parsed YAML of a burden rule file: its rules and its context words."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(path, "rules", "规则文件应含有 rules: 列表")
    rules = tuple(_parse_rule(path, n, raw) for n, raw in enumerate(data["rules"], 1))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(path, rule.id, "规则编号重复，请改为唯一的 id")
        seen.add(rule.id)
    return rules, _parse_context(path, data.get("context"))


@lru_cache(maxsize=32)
def _parsed(path: Path, mtime: float) -> tuple[tuple[Rule, ...], dict[str, tuple[str, ...]]]:
    return parse_rules(path, load_rules(path.parent, path.name))


def _versions(paths: Sequence[Path]) -> tuple[tuple[Path, float], ...]:
    resolved = [p.resolve() for p in paths]
    return tuple((p, p.stat().st_mtime) for p in resolved)


def _merged(files: tuple[tuple[Path, float], ...]) -> tuple[tuple[Rule, ...], Context]:
    """The rules of every file (the first is burden.yaml) and their context words, merged."""
    rules: list[Rule] = []
    origin: dict[str, Path] = {}
    words: dict[str, list[str]] = {}
    for path, mtime in files:
        found, context = _parsed(path, mtime)
        for rule in found:
            if rule.id in origin:
                raise ConfigError(
                    path, rule.id, f"规则编号与 {origin[rule.id]} 中的重复，请改为唯一的 id"
                )
            origin[rule.id] = path
        rules.extend(found)
        for key, values in context.items():
            words.setdefault(key, []).extend(v for v in values if v not in words[key])
    return tuple(rules), Context.of({k: tuple(v) for k, v in words.items()})


@lru_cache(maxsize=16)
def _compiled(
    files: tuple[tuple[Path, float], ...],
    disabled: frozenset[str],
    model: tuple[Path, float] | None,
) -> Ruleset:
    rules, context = _merged(files)
    loaded = load_model(model[0], "burden.model") if model is not None else None
    return Ruleset([r for r in rules if r.id not in disabled], context, loaded)


def load_ruleset(
    path: Path,
    disabled: frozenset[str] = frozenset(),
    extras: Sequence[Path] = (),
    model: Path | None = None,
) -> Ruleset:
    """The rules of ``path`` plus ``extras`` (and the model at ``model``), built once per version."""
    version = None
    if model is not None:
        resolved = model.resolve()
        version = (resolved, resolved.stat().st_mtime if resolved.is_file() else 0.0)
    return _compiled(_versions([path, *extras]), disabled, version)


def rule_ids(path: Path, extras: Sequence[Path] = ()) -> tuple[str, ...]:
    """The ids of the (validated) rules in ``path`` and ``extras``."""
    return tuple(r.id for r in _merged(_versions([path, *extras]))[0])


def defined_rules(config: Config) -> tuple[Rule, ...]:
    """The rules of the configured burden files, enabled or not (for the rulebook)."""
    chosen: Settings = config.parsed("burden")
    return _merged(_versions([chosen.rules_file, *chosen.extras]))[0]


# --- the check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurdenCheck:
    ruleset: Ruleset
    name: str = "burden"

    def run(self, doc: Document) -> CheckOutcome:
        found = self.ruleset.lint(doc.text, sentence_splitter.of_document(doc))
        return CheckOutcome(findings=found)


@dataclass(frozen=True)
class Settings:
    """``[burden]`` of the config, validated."""

    enabled: bool
    rules_file: Path
    extras: tuple[Path, ...]
    disabled: frozenset[str]
    model_path: Path | None  # None: the model is switched off (use_model = false)
    configured_model: Path | None  # ``model = …`` of the config (where ``rules train`` writes)
    training_data: tuple[Path, ...]


def _rules_path(config: Config, section: dict[str, Any]) -> Path:
    value = section.get("rules_file")
    if value is None:
        path = config.rules_dir / RULES_FILE
        return path if path.is_file() else packaged_rules_dir() / RULES_FILE
    return config.existing(value, "burden.rules_file", "规则文件")


def default_model_path(rules_dir: Path) -> Path:
    path = rules_dir / MODEL_NAME
    return path if path.is_file() else packaged_rules_dir() / MODEL_NAME


def shipped_data_path() -> Path:
    return packaged_rules_dir() / DATA_NAME


def settings(config: Config) -> Settings:
    section = config.section("burden", CONFIG_KEYS)
    for key in ("enabled", "use_model"):
        if not isinstance(section.get(key, True), bool):
            raise ConfigError(config.source, f"burden.{key}", "应为 true 或 false")
    model = section.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise ConfigError(config.source, "burden.model", "应为模型文件路径字符串")
    path = _rules_path(config, section)
    extras = tuple(sorted(config.rules_dir.glob(EXTRA_RULES))) if config.rules_dir.is_dir() else ()
    disabled = frozenset(config.get_list("burden", "disable"))
    unknown = sorted(disabled - set(rule_ids(path, extras)))
    if unknown:
        raise ConfigError(
            config.source,
            "burden.disable",
            f"{path} 中没有编号为 {'、'.join(unknown)} 的规则，请核对规则 id",
        )
    model_path = config.resolve(model) if model else default_model_path(config.rules_dir)
    return Settings(
        enabled=section.get("enabled", True),
        rules_file=path,
        extras=extras,
        disabled=disabled,
        model_path=model_path if section.get("use_model", True) else None,
        configured_model=config.resolve(model) if model else None,
        training_data=tuple(config.resolve(p) for p in config.get_list("burden", "training_data")),
    )


def ruleset_for(config: Config, with_model: bool = True) -> Ruleset:
    """The configured rules (office families merged) and, unless switched off, the model."""
    options: Settings = config.parsed("burden")
    model = options.model_path if with_model else None
    return load_ruleset(options.rules_file, options.disabled, options.extras, model)


def build(config: Config, options: AuditOptions) -> BurdenCheck | None:
    """The burden check configured by ``[burden]``; None when ``enabled = false``."""
    if not config.parsed("burden").enabled:
        return None
    return BurdenCheck(ruleset_for(config))


# --- training and evaluation ----------------------------------------------------------------


def labels_of(ruleset: Ruleset) -> frozenset[str]:
    """The labels a training sentence may carry: a rule id of the ruleset, or ``none``."""
    return frozenset({*ruleset.by_id, NONE})


def _families(ruleset: Ruleset, text: str, mode: str) -> set[str]:
    return {f.rule for f in ruleset.lint(text, sentence_splitter.split(text), mode)}


def _model_scores(ruleset: Ruleset, text: str) -> float:
    """The highest demand probability the model gives a sentence of ``text`` its context allows."""
    sentences = sentence_splitter.split(text)
    best = 0.0
    for index in range(len(sentences)):
        hit = ruleset.model_hit(text, sentences, index, threshold=0.0)
        if hit is not None and hit.score is not None:
            best = max(best, hit.score)
    return best


THRESHOLDS = tuple(round(0.3 + 0.025 * i, 3) for i in range(25))  # 0.30 … 0.90
MIN_PRECISION = 0.97  # on out-of-fold training predictions: a false alarm costs a reviewer's trust


def train_model(examples: Sequence[Example], rules: Ruleset) -> SentenceModel:
    """Fit the burden model on ``examples`` and tune its threshold by cross-validation.

    The threshold is the lowest one (most recall) at which rules + model keep a
    precision of at least ``MIN_PRECISION`` on out-of-fold predictions of the
    training data (the best F1 when none does); the held-out split is untouched.
    """
    texts = [e.text for e in examples]
    labels = [e.label for e in examples]
    by_rules = [bool(_families(rules, t, "rules")) for t in texts]
    out_of_fold = [0.0] * len(texts)
    for train_idx, test_idx in folds(labels):
        part = fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        judged = Ruleset(rules.rules, rules.context, part)
        for i in test_idx:
            out_of_fold[i] = 0.0 if by_rules[i] else _model_scores(judged, texts[i])
    truth = [label != NONE for label in labels]
    scored = []
    for threshold in THRESHOLDS:
        predicted = [r or m >= threshold for r, m in zip(by_rules, out_of_fold, strict=True)]
        precision, _recall, f1 = f1_score(truth, predicted)
        scored.append((precision >= MIN_PRECISION, f1, -threshold))
    *_, negative = max(scored)
    return fit(texts, labels).tuned(1.0, -negative)


@dataclass(frozen=True)
class Scores:
    """Precision and recall of one mode on the held-out split (errors for ``--errors``)."""

    mode: str
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int
    families: dict[str, tuple[float, float, int]]  # rule id -> (precision, recall, support)
    errors: tuple[tuple[str, str, str], ...]  # (text, label, found)


def evaluate(examples: Sequence[Example], ruleset: Ruleset) -> list[Scores]:
    """Held-out (``split=test``) precision/recall per mode: demand or not, and per family.

    A demand counts as found when any finding is raised on it; a family counts
    as found when a finding of that family is.
    """
    held_out = [e for e in examples if e.split == "test"]
    if not held_out:
        raise ConfigError("标注数据", "split", "没有 split=test 的留出句子，无法评估")
    results = []
    for mode in MODES if ruleset.model is not None else ("rules",):
        found = [_families(ruleset, e.text, mode) for e in held_out]
        truth = [e.label != NONE for e in held_out]
        flagged = [bool(f) for f in found]
        precision, recall, _ = f1_score(truth, flagged)
        families = {}
        for family in sorted({e.label for e in held_out} - {NONE}):
            p, r, _ = f1_score([e.label == family for e in held_out], [family in f for f in found])
            families[family] = (p, r, sum(e.label == family for e in held_out))
        errors = tuple(
            (e.text, e.label, "、".join(sorted(f)) or NONE)
            for e, f in zip(held_out, found, strict=True)
            if (e.label != NONE) != bool(f) or (e.label != NONE and e.label not in f)
        )
        tp = sum(t and p for t, p in zip(truth, flagged, strict=True))
        fp = sum(p and not t for t, p in zip(truth, flagged, strict=True))
        fn = sum(t and not p for t, p in zip(truth, flagged, strict=True))
        results.append(Scores(mode, precision, recall, tp, fp, fn, families, errors))
    return results
