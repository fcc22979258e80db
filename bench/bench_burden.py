"""Burden-demand lint speed: rules + model vs rules alone vs a naive per-sentence regex loop.

    .venv/bin/python bench/bench_burden.py [--chars 10000] [--runs 200]

The document is ``--chars`` characters of real text: the burden sample draft,
the upper-level samples and the seed speeches (``../shared/seeds``), repeated
until long enough, so it holds demands, prohibitions and neutral text.

Printed, measured in the same run on the same sentences:

- split: the shared sentence splitter alone;
- lint (automaton): one Aho-Corasick pass over the document for every literal
  and regex cue, regexes only on the sentences holding one of their cues
  (target: well under 10 ms per 10,000-character document);
- lint (naive baseline): for every sentence, ``re.search`` each literal and each
  regex of every rule, then the same context judgement;
- lint (rules + model): the same, plus the sentence model on every sentence no
  rule fired on (the audit's default path); its ratio to the rules alone;
- the ratio, and a check that the automaton and the baseline give the same findings.
Building the automaton and loading the model once are timed separately (cached per run).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from wenshan_audit.checks import burden
from wenshan_audit.config import Config
from wenshan_audit.readers import read_document
from wenshan_audit.ruleset import packaged_rules_dir
from wenshan_audit.sentences import Sentence, split

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def corpus_text(chars: int) -> str:
    paths = sorted((ROOT / "samples" / "drafts").glob("*负担稿*"))
    paths += sorted((ROOT / "samples" / "upper").glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    parts = [read_document(p).text for p in paths]
    if not parts:
        raise SystemExit("没有可用的样例文本（samples/ 或 ../shared/seeds）")
    text = ""
    while len(text) < chars:
        text += "\n".join(parts) + "\n"
    cut = text.find("\n", chars)
    return text[: cut if cut > 0 else len(text)]


class NaiveLint:
    """The baseline: every pattern of every rule searched in every sentence."""

    def __init__(self, ruleset: burden.Ruleset) -> None:
        self.ruleset = ruleset
        self.literals = [
            (rule, cue, re.compile(re.escape(cue)))
            for rule in ruleset.rules
            for cue in rule.literals
        ]
        self.regexes = [(rule, pattern) for rule in ruleset.rules for pattern in rule.regexes]

    def lint(self, text: str, sentences: Sequence[Sentence]) -> tuple[burden.Finding, ...]:
        findings: list[burden.Finding] = []
        for index, sentence in enumerate(sentences):
            hits: list[burden.Hit] = []
            for rule, cue, pattern in self.literals:
                for match in pattern.finditer(text, sentence.start, sentence.end):
                    hits.append(burden.Hit(rule, match.start(), match.end(), match.start(), cue))
            hits = burden.longest_only(hits)
            for rule, regex in self.regexes:
                if regex.regex.search(text, sentence.start, sentence.end):
                    hits.extend(burden.regex_hits(rule, regex, text, sentence))
            if hits:
                findings.extend(self.ruleset.judge(text, sentences, index, hits))
        return tuple(findings)


def per_call(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """(best, median) seconds per call over ``runs`` calls after one warm-up call.

    The best run is the figure to compare: other processes on a shared machine
    only ever add time; the median shows how noisy the run was.
    """
    func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    rules_file = packaged_rules_dir() / "burden.yaml"
    start = time.perf_counter()
    ruleset = burden.load_ruleset(rules_file)
    build = time.perf_counter() - start
    start = time.perf_counter()
    combined = burden.ruleset_for(Config())
    load = time.perf_counter() - start
    text = corpus_text(args.chars)
    sentences = split(text)
    naive = NaiveLint(ruleset)

    fast_findings = ruleset.lint(text, sentences)
    naive_findings = naive.lint(text, sentences)
    patterns = sum(len(r.literals) + len(r.regexes) for r in ruleset.rules)

    t_split = per_call(lambda: split(text), args.runs)
    t_fast = per_call(lambda: ruleset.lint(text, split(text)), args.runs)
    t_model = per_call(lambda: combined.lint(text, split(text)), max(args.runs // 10, 5))
    model_findings = combined.lint(text, sentences)
    t_naive = per_call(lambda: naive.lint(text, split(text)), max(args.runs // 10, 5))

    print(
        f"document: {len(text)} characters, {len(sentences)} sentences; "
        f"{len(ruleset.rules)} rules, {patterns} patterns"
    )
    print(f"build rules + automaton (once per run): {build * 1000:.1f} ms")
    print(f"build rules + automaton + load the model (once per run): {load * 1000:.1f} ms")
    print("per document (split included)   best ms   median ms     docs/s (best)")
    for label, (best, median) in (
        ("split only", t_split),
        ("lint, automaton", t_fast),
        ("lint, rules + model", t_model),
        ("lint, naive re.search", t_naive),
    ):
        print(f"  {label:<28}{best * 1000:8.2f}  {median * 1000:10.2f}  {1 / best:13.0f}")
    print(f"speed-up over the naive baseline: {t_naive[0] / t_fast[0]:.1f}x (best runs)")
    print(f"rules + model vs rules alone: {t_model[0] / t_fast[0]:.1f}x the time (best runs)")
    print(
        f"findings, rules + model: {len(model_findings)} "
        f"({sum(f.evidence['detected_by'] == 'model' for f in model_findings)} from the model)"
    )
    same = [f.to_dict() for f in fast_findings] == [f.to_dict() for f in naive_findings]
    print(f"findings: {len(fast_findings)}; same as baseline: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
