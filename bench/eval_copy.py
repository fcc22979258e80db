"""Copy-detection evaluation that looks like real use, with PAN's text-alignment measures.

Run::

    .venv/bin/python bench/eval_copy.py                      # held-out split first, then dev
    .venv/bin/python bench/eval_copy.py --splits dev --drafts 20 --distractors 3000

Reference corpus (about 3,100 documents): the real 公文 of ``../shared/corpus/real``
and ``real2`` (only read, never copied into the repository), template families
(four yearly versions of a real document that differ only in their numbers,
as holiday notices do) and ``--distractors`` documents of real wording
(a character Markov chain trained on the other split's documents:
``synthetic.markov``).

Drafts: synthetic own text (with real boilerplate sentences) into which each
draft copies, edited in one of the ways lower-level documents edit
upper-level text: one passage of 30-600 characters, one single sentence, and
three scattered clauses of 15-40 characters (each its own case), every one
from text that occurs in exactly one reference document (PAN's corpora give
each case one source; no normalised 10-gram of it occurs elsewhere). Family
drafts copy from the newest sibling of a family; there the whole family is
the true source (any sibling counts; reporting the passage for two siblings
is granularity 2).

Reported separately, held-out split first: retrieval recall (is the true
source among the candidates the index returns, default ``max_sources``);
alignment with exhaustive candidates (every reference document sharing 3 or
more seed 8-grams with the draft: what aligning the whole corpus finds); and
end to end (the check as a user runs it). By edit kind and by shape.

Split: reference documents are split in two by a hash of the file name;
cases of split S copy from S's documents, S's distractors are made of the
other split's sentences. The thresholds of the check (literal evidence, short
passages, ownership) were tuned while looking at ``dev`` only; ``test`` is
held out.

Scorer: PAN@CLEF text alignment (Potthast et al. 2010; pan14-text-alignment-eval):
character-level macro precision and recall over both documents, granularity,
plagdet = F1 / log2(1 + granularity).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.align import SEED_K  # noqa: E402
from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.index import Index, Source, Writer  # noqa: E402
from wenshan_audit.checks.copying.minhash import kgram_hashes  # noqa: E402
from wenshan_audit.checks.copying.normalise import Normalised, normalise  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REAL = (SHARED / "real" / "docs", SHARED / "real2" / "docs")
KINDS = ("verbatim", "punctuation", "level", "numbers", "words", "reorder", "markers", "mixed")
SHAPES = ("passage", "sentence", "clause")
BOILERPLATE = (
    "现将有关事项通知如下。",
    "各有关单位要高度重视，切实加强组织领导，确保各项工作落到实处。",
    "请结合实际，认真贯彻执行。",
    "执行中遇到的问题，请及时报告。",
    "本通知自印发之日起施行。",
)
LEVEL_SWAPS = (
    ("各省、自治区、直辖市人民政府", "各市、县（区）人民政府"),
    ("国务院各部委、各直属机构", "省政府各部门"),
    ("国务院办公厅", "省政府办公厅"),
    ("国务院", "省政府"),
    ("全国", "全省"),
    ("国家", "省"),
    ("县级以上人民政府", "市、县人民政府"),
)
MARKERS = {
    "一、": "（一）",
    "二、": "（二）",
    "三、": "（三）",
    "四、": "（四）",
    "（一）": "一是",
    "（二）": "二是",
    "（三）": "三是",
}
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？\n]?")
_CLAUSE = re.compile(r"[^。；！？，,：\n]+")
UNIQUE_K = 10  # normalised characters: a case's text shares no such gram with another document
FAMILIES = 6  # template families per split
SIBLINGS = 4


@dataclass(frozen=True)
class Case:
    draft: str
    start: int
    end: int
    source: str  # path of the source (a family's cases: the family's name)
    source_start: int
    source_end: int
    kind: str
    shape: str = "passage"


def split_of(path: Path) -> str:
    return "test" if hashlib.sha1(path.name.encode()).digest()[0] % 2 == 0 else "dev"


def real_texts() -> dict[str, str]:
    """Every real document once (real2 repeats seven of real), by resolved path."""
    out: dict[str, str] = {}
    for folder in REAL:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if text not in out.values():
                out[str(path.resolve())] = text
    return out


def sibling(text: str, i: int) -> str:
    """Version ``i`` of a template document: years + i, other digits shifted; same length."""
    text = re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", lambda m: str(int(m.group()) + i), text)
    return re.sub(r"(?<![\d])\d(?![\d]{3})", lambda m: str((int(m.group()) + i) % 10), text)


class Grams:
    """Document frequency of normalised UNIQUE_K-grams over the reference corpus."""

    def __init__(self, texts: list[str]) -> None:
        per_doc = [np.unique(kgram_hashes(normalise(t).codes, UNIQUE_K)) for t in texts]
        self.hashes, self.df = np.unique(np.concatenate(per_doc), return_counts=True)

    def max_df(self, text: str) -> int:
        grams = kgram_hashes(normalise(text).codes, UNIQUE_K)
        if len(grams) == 0:
            return 0
        pos = np.minimum(np.searchsorted(self.hashes, grams), len(self.hashes) - 1)
        found = self.hashes[pos] == grams
        return int(self.df[pos][found].max()) if found.any() else 0


def spans(regex: re.Pattern[str], text: str, low: int, high: int) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text) if low <= len(m.group().strip()) <= high]


def pick(
    rng: random.Random, text: str, shape: str, grams: Grams, df: int = 1
) -> list[tuple[int, int]] | None:
    """Spans of ``text`` for one case group of ``shape``, each found in exactly ``df``
    reference documents (1: unique; a family: its siblings)."""
    for _ in range(40):
        if shape == "sentence":
            found = spans(_SENTENCE, text, 15, 120)
            picked = [rng.choice(found)] if found else []
        elif shape == "clause":
            found = spans(_CLAUSE, text, 15, 40)
            if len(found) < 6:
                return None
            i = rng.randrange(len(found) - 5)
            picked = sorted(rng.sample(found[i : i + 6], 3))
        else:
            sentences = spans(_SENTENCE, text, 5, 10_000)
            i = rng.randrange(len(sentences))
            start, end = sentences[i]
            target = rng.randint(30, 600)
            while end - start < target and i + 1 < len(sentences):
                i += 1
                end = sentences[i][1]
            picked = [(start, end)] if 30 <= end - start <= 700 else []
        if picked and all(grams.max_df(text[a:b]) == df for a, b in picked):
            return picked
    return None


def edit(kind: str, text: str, rng: random.Random) -> str:
    if kind == "verbatim":
        return text
    if kind == "mixed":
        for step in ("level", "numbers", "markers", "punctuation", "words"):
            text = edit(step, text, rng)
        return text
    if kind == "punctuation":
        table = {"，": ",", "。": ".", "；": ";", "：": ":", "、": ",", "（": "(", "）": ")"}
        out = []
        for char in text:
            out.append(table.get(char, char) if rng.random() < 0.7 else char)
            if rng.random() < 0.03:
                out.append(rng.choice((" ", "\n", "　")))
        return "".join(out)
    if kind == "level":
        for old, new in LEVEL_SWAPS:
            text = text.replace(old, new)
        return text
    if kind == "numbers":
        text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)
        return re.sub(
            r"[一二三四五六七八九十]+(?=[年月日项条个次])",
            lambda m: rng.choice("二三四五六七"),
            text,
        )
    if kind == "markers":
        for old, new in MARKERS.items():
            text = text.replace(old, new)
        return re.sub(r"(?m)^(\d+)\.", lambda m: f"（{m.group(1)}）", text)
    if kind == "words":
        chars = list(text)
        for _ in range(max(1, len(chars) // 20)):  # about 5% of characters edited
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.33:
                del chars[i : i + rng.randint(1, 2)]
            elif op < 0.66:
                chars.insert(i, rng.choice(("进一步", "切实", "全面", "认真", "积极", "有关")))
            else:
                chars[i] = rng.choice("加强推进落实完善健全")
        return "".join(chars)
    if kind == "reorder":
        sentences = [m.group() for m in _SENTENCE.finditer(text)]
        if len(sentences) > 1:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        return "".join(sentences)
    raise ValueError(kind)


def filler(rng: random.Random, low: int = 300, high: int = 1500) -> str:
    text = synthetic.text(rng.randrange(1 << 30), rng.randint(low, high))
    return text + "\n" + rng.choice(BOILERPLATE) + "\n"


@dataclass
class Draft:
    name: str
    text: str
    cases: list[Case]


def compose(name: str, pieces: list[tuple[str, Case]], rng: random.Random) -> Draft:
    """Own text, then each copied piece followed by own text; true offsets recorded."""
    text, cases = filler(rng), []
    for copied, case in pieces:
        cases.append(replace(case, draft=name, start=len(text), end=len(text) + len(copied)))
        text += copied + filler(rng, 50, 400)
    return Draft(name, text, cases)


def generate(
    sources: dict[str, str], grams: Grams, kind: str, drafts: int, seed: int
) -> list[Draft]:
    rng = random.Random(f"{seed}-{kind}")
    usable = sorted(p for p, t in sources.items() if len(t) >= 600)
    out = []
    for d in range(drafts):
        pieces = []
        for shape in SHAPES:
            for path in rng.sample(usable, k=len(usable)):
                picked = pick(rng, sources[path], shape, grams)
                if picked:
                    for a, b in picked:
                        copied = edit(kind, sources[path][a:b], rng)
                        pieces.append((copied, Case("", 0, 0, path, a, b, kind, shape)))
                    break
        out.append(compose(f"{kind}-{d}.txt", pieces, rng))
    return out


def generate_families(
    families: dict[str, list[str]], grams: Grams, drafts: int, seed: int
) -> list[Draft]:
    """Drafts that copy from the newest sibling of a family (verbatim or numbers edited)."""
    rng = random.Random(f"{seed}-family")
    out = []
    names = sorted(families)
    for d in range(drafts):
        family = names[d % len(names)]
        newest = families[family][-1]
        pieces = []
        for shape in ("passage", "sentence"):
            picked = pick(rng, newest, shape, grams, df=SIBLINGS + 1)
            for a, b in picked or []:
                kind = "verbatim" if d % 2 == 0 else "numbers"
                copied = edit(kind, newest[a:b], rng)
                pieces.append((copied, Case("", 0, 0, family, a, b, "family", shape)))
        out.append(compose(f"family-{d}.txt", pieces, rng))
    return out


# --- PAN measures ----------------------------------------------------------------


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo < hi else None


def _coverage(items: list[Case], others: list[Case]) -> tuple[float, list[int]]:
    """Mean share of each item's characters (draft + source) covered by the
    others that overlap it in both documents; and the count of such others."""
    shares, counts = [], []
    for s in items:
        d_cov, s_cov, n = set(), set(), 0
        for r in others:
            if r.draft != s.draft or r.source != s.source:
                continue
            d = _overlap((s.start, s.end), (r.start, r.end))
            o = _overlap((s.source_start, s.source_end), (r.source_start, r.source_end))
            if d and o:
                n += 1
                d_cov.update(range(*d))
                s_cov.update(range(*o))
        shares.append(
            (len(d_cov) + len(s_cov)) / ((s.end - s.start) + (s.source_end - s.source_start))
        )
        counts.append(n)
    return (sum(shares) / len(shares) if shares else 0.0), counts


def plagdet(cases: list[Case], detections: list[Case]) -> dict[str, float]:
    rec, counts = _coverage(cases, detections)
    prec, _ = _coverage(detections, cases) if detections else (0.0, [])
    detected = [c for c in counts if c > 0]
    gran = sum(detected) / len(detected) if detected else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "granularity": round(gran, 4),
        "plagdet": round(f1 / math.log2(1 + gran), 4),
        "cases": len(cases),
        "detections": len(detections),
    }


class Exhaustive:
    """The index with exhaustive candidates: every document sharing MIN_SEEDS seed
    8-grams with the draft (what aligning the whole corpus would find; the
    aligner needs at least three consecutive seeds for a 13-character passage)."""

    MIN_SEEDS = 3

    def __init__(self, index: Index, sources: list[Source]) -> None:
        self.index = index
        self.stoplist = index.stoplist
        pairs = [(np.unique(kgram_hashes(normalise(s.text).codes, SEED_K)), s.id) for s in sources]
        hashes = np.concatenate([h for h, _ in pairs])
        ids = np.concatenate([np.full(len(h), i, dtype=np.int64) for h, i in pairs])
        order = np.argsort(hashes, kind="stable")
        self.hashes, self.ids = hashes[order], ids[order]

    def retrieve(self, norm: Normalised, limit: int) -> list[int]:
        return self._ids

    def sources(self, ids: list[int]) -> list[Source]:
        return self.index.sources(ids)

    def prepare(self, text: str) -> None:
        grams = np.unique(kgram_hashes(normalise(text).codes, SEED_K))
        lo = np.searchsorted(self.hashes, grams, side="left")
        hi = np.searchsorted(self.hashes, grams, side="right")
        count = hi - lo
        within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        hits = self.ids[np.repeat(lo, count) + within]
        docs, n = np.unique(hits, return_counts=True)
        self._ids = docs[n >= self.MIN_SEEDS].tolist()


def detections(draft: Draft, data: dict, family_of: dict[str, str]) -> list[Case]:
    out = []
    for source in data["sources"]:
        for p in source["passages"]:
            out.append(
                Case(
                    draft.name,
                    p["start"],
                    p["end"],
                    family_of.get(source["path"], source["path"]),
                    p["source_start"],
                    p["source_end"],
                    "",
                )
            )
    return out


def _by(cases: list[Case], dets: list[Case], keep: set[str]) -> dict[str, float]:
    """PAN measures on the drafts in ``keep``: all their detections count."""
    return plagdet([c for c in cases if c.draft in keep], [d for d in dets if d.draft in keep])


def _by_shape(cases: list[Case], dets: list[Case], shape: str) -> dict[str, float]:
    """PAN measures on the cases of one shape; a detection counts when it overlaps one of
    them (or no case at all: a false detection in the draft)."""
    mine = [c for c in cases if c.shape == shape]
    others = [c for c in cases if c.shape != shape]

    def theirs(d: Case) -> bool:
        return any(
            o.draft == d.draft and _overlap((o.start, o.end), (d.start, d.end)) for o in others
        )

    return plagdet(mine, [d for d in dets if not theirs(d)])


def evaluate_split(split: str, args: argparse.Namespace, texts: dict[str, str]) -> dict:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=f"wenshan-eval-{split}-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for path in texts:
        (corpus / f"{Path(path).parent.parent.name}-{Path(path).name}").symlink_to(path)
    own = {p: t for p, t in texts.items() if split_of(Path(p)) == split}
    other = [t for p, t in texts.items() if split_of(Path(p)) != split]
    families: dict[str, list[str]] = {}
    family_of: dict[str, str] = {}
    for path in sorted(own, key=lambda p: -len(own[p]))[:FAMILIES]:
        name = f"family-{Path(path).stem}"
        families[name] = []
        family_of[path] = name  # the real document is the family's first version
        for i in range(1, SIBLINGS + 1):
            target = corpus / f"{name}-{i}.txt"
            target.write_text(sibling(own[path], i), encoding="utf-8")
            families[name].append(target.read_text(encoding="utf-8"))
            family_of[str(target.resolve())] = name
    distractors = synthetic.markov(other, args.distractors, seed=args.seed)
    for i, text in enumerate(distractors):
        (corpus / f"distractor-{i:05d}.txt").write_text(text, encoding="utf-8")
    writer = Writer(work / "index")
    writer.update_from_folder(corpus, workers=2)
    writer.close()
    index = Index(work / "index")
    all_sources = index.sources(index.all_ids())
    grams = Grams([s.text for s in all_sources])
    exhaustive = Exhaustive(index, all_sources)
    built = time.perf_counter()
    # family siblings are cases of their own kind: not sources of ordinary cases
    plain_sources = {p: t for p, t in own.items() if p not in family_of}
    drafts = [d for k in KINDS for d in generate(plain_sources, grams, k, args.drafts, args.seed)]
    drafts += generate_families(families, grams, args.drafts, args.seed)
    settings = Settings()
    end_to_end, aligned = CopyCheck(index, settings), CopyCheck(exhaustive, settings)  # type: ignore[arg-type]
    cases, e2e, exh = [], [], []
    retrieved = found = 0
    for draft in drafts:
        doc = Document(path=work / draft.name, text=draft.text, paragraphs=())
        ids = index.retrieve(normalise(draft.text), settings.max_sources)
        paths = {family_of.get(s.path, s.path) for s in index.sources(ids)}
        found += sum(1 for c in draft.cases if c.source in paths)
        retrieved += len(draft.cases)
        exhaustive.prepare(draft.text)
        cases += draft.cases
        e2e += detections(draft, end_to_end.run(doc).data, family_of)
        exh += detections(draft, aligned.run(doc).data, family_of)
    report: dict[str, object] = {
        "split": split,
        "reference_documents": index.size,
        "distractors": args.distractors,
        "cases": len(cases),
        "retrieval_recall": round(found / max(retrieved, 1), 4),
        "build_seconds": round(built - started, 1),
    }
    for label, dets in (("alignment (exhaustive candidates)", exh), ("end to end", e2e)):
        part: dict[str, object] = {}
        for kind in (*KINDS, "family"):
            keep = {d.name for d in drafts if d.name.startswith(f"{kind}-")}
            part[kind] = _by(cases, dets, keep)
        edited = {d.name for d in drafts if not d.name.startswith(("verbatim-", "family-"))}
        part["edited (all kinds but verbatim)"] = _by(cases, dets, edited)
        for shape in SHAPES:
            part[f"shape: {shape}"] = _by_shape(cases, dets, shape)
        part["all"] = plagdet(cases, dets)
        report[label] = part
    report["seconds"] = round(time.perf_counter() - started, 1)
    index.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--splits", nargs="+", choices=("test", "dev"), default=["test", "dev"])
    parser.add_argument(
        "--drafts", type=int, default=12, help="drafts per edit kind (5 cases each)"
    )
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not all(folder.is_dir() for folder in REAL):
        sys.exit(f"真实公文语料不在 {SHARED}，无法评测")
    texts = real_texts()
    for split in args.splits:
        print(
            json.dumps(evaluate_split(split, args, texts), ensure_ascii=False, indent=2), flush=True
        )


if __name__ == "__main__":
    main()
