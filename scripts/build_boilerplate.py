"""Build rules/boilerplate.yaml: wording common to unrelated real 公文.

Run (reads the real documents in ../shared/corpus; writes only the derived list)::

    PYTHONPATH=src .venv/bin/python scripts/build_boilerplate.py [FOLDER ...] [-o rules/boilerplate.yaml]

Method. Every document is cut into clauses (at 。！？；，：and line breaks,
list markers removed). Two documents are related when they share at least
``FAMILY_GRAMS`` normalised 20-grams and ``FAMILY_SHARE`` of the smaller
one's (a national text and the provincial text that copies it, holiday notices from
one template). A clause of 4-24 normalised characters found in at least
``MIN_FAMILIES`` pairwise unrelated documents is boilerplate: it is written
into ``phrases`` in its most frequent spelling; so is every longest run of
normalised 10-grams found in ``RUN_SPREAD`` unrelated documents (formulas
longer than a clause, or inside one).
The hand-written ``PATTERNS`` (legal formulas whose middle varies, list
markers) are written as they are. The documents themselves never enter the
repository.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from wenshan_audit.checks.copying.minhash import kgram_hashes
from wenshan_audit.checks.copying.normalise import DIGIT, LEVEL, normalise
from wenshan_audit.errors import WenshanError
from wenshan_audit.readers import iter_files, read_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
FOLDERS = (SHARED / "real" / "docs", SHARED / "real2" / "docs", SHARED / "formats")
FAMILY_K = 20
FAMILY_GRAMS = 5
FAMILY_SHARE = 0.02
MIN_FAMILIES = 3
LENGTHS = (4, 24)
RUN_K = 10  # normalised characters of the grams whose common runs are formulas
# Runs need a wider spread than clauses: a truncated lower document that copies
# a parent's wording shares too few 20-grams with it to count as related, so a
# topic family (营商环境 regulations, 政务新媒体 documents: up to 10 in this
# material) would otherwise lend its copied text to the list.
RUN_SPREAD = 11
_CLAUSE = re.compile(r"[^。！？；;，,：:\n]+")
_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．]"
    r"|第[一二三四五六七八九十百零\d]+[条章节款项]|[一二三四五六七八九十]+是)\s*"
)
_SPECIFIC = re.compile(r"[\d〔]")  # targets and 文号 (城镇新增就业1244万人) are no boilerplate
#: legal and procedural formulas whose middle varies, and list markers
PATTERNS = (
    r"本(?:条例|办法|规定|细则|意见|通知|方案|决定|规则|准则|制度|实施方案|实施意见|实施细则)"
    r"(?:自|从)[^。；\n]{0,30}?(?:起|之日起)(?:施行|实施|执行|生效)",
    r"本(?:条例|办法|规定|细则|意见|通知|方案|决定|规则|准则|实施意见|实施细则)"
    r"(?:由|具体(?:应用)?问题由)[^。；\n]{0,30}?负责解释",
    r"(?:此前|以前|原)[^。；\n]{0,40}?(?:与本|同时)[^。；\n]{0,20}?(?:废止|为准)",
    r"(?:特此通知|特此通报|特此函告|特此批复|此复)[。！]?",
    r"(?m)^[ \t\u3000]*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]"
    r"|\d+[、.．]|第[一二三四五六七八九十百零\d]+[条章节])",
)


def clauses(text: str) -> list[str]:
    out = []
    for m in _CLAUSE.finditer(text):
        clause = _MARKER.sub("", m.group()).strip()
        codes = normalise(clause).codes
        evidence = int(np.count_nonzero((codes != DIGIT) & (codes != LEVEL)))
        if (
            LENGTHS[0] <= len(codes) <= LENGTHS[1]
            and evidence >= LENGTHS[0]
            and not _SPECIFIC.search(clause)
        ):
            out.append(clause)
    return out


def related(texts: list[str]) -> np.ndarray:
    """Pairs of related documents: they share FAMILY_SHARE of the smaller one's 20-grams.

    A relative threshold, because unrelated documents share whole political
    formulas (以习近平新时代中国特色社会主义思想为指导…) but only a small part of
    their text; a document and its copy or a template sibling share much more.
    """
    grams = [np.unique(kgram_hashes(normalise(t).codes, FAMILY_K)) for t in texts]
    out = np.eye(len(texts), dtype=bool)
    for i in range(len(texts)):
        for j in range(i):
            shared = len(np.intersect1d(grams[i], grams[j], assume_unique=True))
            small = max(min(len(grams[i]), len(grams[j])), 1)
            out[i, j] = out[j, i] = shared >= FAMILY_GRAMS and shared / small >= FAMILY_SHARE
    return out


def unrelated_count(docs: set[int], rel: np.ndarray) -> int:
    """Size of a greedy set of pairwise unrelated documents among ``docs``."""
    picked: list[int] = []
    for d in sorted(docs):
        if not rel[d, picked].any():
            picked.append(d)
    return len(picked)


def common_runs(texts: list[str], rel: np.ndarray) -> dict[str, tuple[str, int]]:
    """Longest runs of normalised RUN_K-grams found in >= RUN_SPREAD unrelated documents
    (normalised text -> spelling, spread): formulas longer than a clause or inside one
    (深入贯彻党的十九大和十九届二中、三中全会精神 / 全面贯彻…)."""
    norms = [normalise(t) for t in texts]
    grams = [kgram_hashes(n.codes, RUN_K) for n in norms]
    unique = [np.unique(g) for g in grams]
    hashes, df = np.unique(np.concatenate(unique), return_counts=True)
    frequent = hashes[df >= MIN_FAMILIES]
    holders: dict[int, set[int]] = defaultdict(set)
    for doc, u in enumerate(unique):
        for h in np.intersect1d(u, frequent, assume_unique=True).tolist():
            holders[h].add(doc)
    common = np.array(
        sorted(h for h, docs in holders.items() if unrelated_count(docs, rel) >= RUN_SPREAD),
        dtype=np.uint64,
    )
    out: dict[str, tuple[str, int]] = {}
    for text, norm, g in zip(texts, norms, grams, strict=True):
        flag = np.concatenate(([False], np.isin(g, common), [False]))
        edges = np.flatnonzero(np.diff(flag.astype(np.int8)))
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            phrase = text[norm.offsets[a] : norm.offsets[b - 1 + RUN_K - 1] + 1].strip()
            if "\n" not in phrase and not _SPECIFIC.search(phrase):
                key = normalise(phrase).text
                spread = min(len(holders[int(h)]) for h in g[a:b].tolist())
                out.setdefault(key, (phrase, spread))
    return out


def read_all(folders: list[Path]) -> list[str]:
    texts, seen = [], set()
    for path in iter_files([f for f in folders if f.exists()]):
        try:
            text = read_document(path).text
        except WenshanError as exc:
            print(f"跳过 {path}：{exc}", file=sys.stderr)
            continue
        if text not in seen and len(text) >= 100:
            seen.add(text)
            texts.append(text)
    return texts


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=list(FOLDERS))
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "rules" / "boilerplate.yaml")
    args = parser.parse_args()
    texts = read_all(args.folders)
    if not texts:
        sys.exit(f"没有可读的文件：{', '.join(map(str, args.folders))}")
    rel = related(texts)
    seen_in: dict[str, set[int]] = defaultdict(set)
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, text in enumerate(texts):
        for clause in clauses(text):
            key = normalise(clause).text
            seen_in[key].add(doc)
            spelling[key][clause] += 1
    spread = {
        k: unrelated_count(docs, rel) for k, docs in seen_in.items() if len(docs) >= MIN_FAMILIES
    }
    phrases = {
        k: (spelling[k].most_common(1)[0][0], n) for k, n in spread.items() if n >= MIN_FAMILIES
    }
    for key, value in common_runs(texts, rel).items():
        phrases.setdefault(key, value)
    common = sorted(phrases, key=lambda k: (-phrases[k][1], k))
    lines = [
        "# Boilerplate of 公文: no evidence of copying (see src/wenshan_audit/checks/copying/boilerplate.py).",
        "# Generated by scripts/build_boilerplate.py; do not edit by hand (add an office's own",
        '# phrases with [reference] boilerplate = "file.yaml" in the same format).',
        f"# Source: {len(texts)} distinct real documents;",
        f"# phrases: clauses of {LENGTHS[0]}-{LENGTHS[1]} normalised characters in >= {MIN_FAMILIES},"
        " and longest runs"
        f" of {RUN_K}-grams in >= {RUN_SPREAD}, found in pairwise unrelated documents.",
        "patterns:",
        *(f"  - {_quote(p)}" for p in PATTERNS),
        "phrases:",
        *(f"  - {_quote(phrases[k][0])}  # {phrases[k][1]}" for k in common),
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(texts)} 份文件，{len(common)} 条常用语 -> {args.output}")


if __name__ == "__main__":
    main()
