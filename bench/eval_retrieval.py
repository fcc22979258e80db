"""Retrieval recall of the reference index, against exhaustive alignment.

Run::

    .venv/bin/python bench/eval_retrieval.py                 # held-out split, 2,000 distractors
    .venv/bin/python bench/eval_retrieval.py --split dev --distractors 3000

Reference corpus: ``--distractors`` generated 公文-like documents
(:func:`synthetic.gongwen`), template families (a generated notice and its
yearly versions from one issuer: dates and numbers changed, one or two
sentences rewritten) and the real documents of ``../shared/corpus/real`` and
``real2`` (read, never copied into the repository).

Drafts, by kind, each its own text (generated) with copied material:

- ``sentence``: one sentence of 10-80 characters from a real document, level
  words changed (国务院 -> 省政府, 全国 -> 全省 …);
- ``clauses``: 3-6 clauses of 10-40 characters from one document, scattered;
- ``family``: a paragraph of 100-300 characters from the newest member of a family;
- ``passage``: 100-600 characters with about 5 % of the characters edited.

Truth is exhaustive alignment: the check run with every reference document
aligned that shares one seed 8-gram with the draft (the aligner finds nothing
in the others; see :class:`Exhaustive`). Retrieval recall is the share of the sources exhaustive alignment
reports (and of the copied characters it finds) that the index's candidates
contain, at the check's default ``max_sources`` and without a limit.
Also the real case: each lower document of ``real2`` whose parent it cites is
checked against the whole corpus; its parent must be a candidate and a reported source.

Drafts and real documents are split in two (dev / test) by seed or by a hash
of the file name; nothing was tuned on ``test`` (the default, reported first).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.align import is_stop  # noqa: E402
from wenshan_audit.checks.copying.check import CopyCheck, Settings, detect  # noqa: E402
from wenshan_audit.checks.copying.fingerprint import seed_set  # noqa: E402
from wenshan_audit.checks.copying.index import Entry, Index, Source, Writer  # noqa: E402
from wenshan_audit.checks.copying.normalise import normalise  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402
from wenshan_audit.readers import read_document  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KINDS = ("sentence", "clauses", "family", "passage")
CUTS = (10, 50, 100)  # candidate limits also reported
LEVEL_SWAPS = (
    ("国务院办公厅", "省政府办公厅"),
    ("国务院", "省政府"),
    ("全国", "全省"),
    ("国家", "省"),
    ("各省、自治区、直辖市", "各市、县（区）"),
)
_SENTENCE = re.compile(r"[^。；！？\n]{10,80}[。；！？]")
_CLAUSE = re.compile(r"[^，。；！？\n]{10,40}[，。；]")


def split_of(name: str) -> str:
    return "test" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "dev"


def family(f: int, members: int) -> list[tuple[str, str]]:
    """(text, issuer) of a template family: yearly versions of one notice."""
    base, issuer = synthetic.gongwen(90_000_000 + f, 3000)
    sentences = base.split("。")
    out = []
    for year in range(members):
        rng = random.Random(f * 100 + year)
        version = list(sentences)
        for _ in range(2):
            i = rng.randrange(len(version))
            version[i] = synthetic.gongwen(91_000_000 + f * 100 + year + i, 40)[0]
        text = f"关于{2010 + year}年有关工作安排的通知\n" + "。".join(version)
        out.append((re.sub(r"\d+", lambda m, y=year: str(int(m.group()) + y), text), issuer))
    return out


def level(text: str) -> str:
    for old, new in LEVEL_SWAPS:
        text = text.replace(old, new)
    return text


def words(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 20)):
        chars[rng.randrange(len(chars))] = rng.choice("加强推进落实完善健全")
    return "".join(chars)


def make_draft(
    kind: str, seed: int, texts: dict[str, str], real: list[str], families: list[list[str]]
) -> tuple[str, str]:
    """(draft text, the path of the document it copies from)."""
    rng = random.Random(seed)
    own = synthetic.gongwen(80_000_000 + seed, 3000)[0]
    if kind == "family":
        source = rng.choice(families)[-1]  # the newest member
    elif kind == "passage":
        source = rng.choice(sorted(texts))
    else:
        source = rng.choice(real)
    src = texts[source]
    if kind == "sentence":
        found = [m.group() for m in _SENTENCE.finditer(src)] or [src[:60]]
        pieces = [level(rng.choice(found))]
    elif kind == "clauses":
        found = [m.group() for m in _CLAUSE.finditer(src)] or [src[:30]]
        pieces = [level(c) for c in rng.sample(found, k=min(len(found), rng.randint(3, 6)))]
    elif kind == "family":
        start = rng.randrange(0, max(1, len(src) - 300))
        pieces = [src[start : start + rng.randint(100, 300)]]
    else:
        start = rng.randrange(0, max(1, len(src) - 600))
        pieces = [words(src[start : start + rng.randint(100, 600)], rng)]
    cuts = sorted(rng.sample(range(len(own)), k=len(pieces)))
    parts, at = [], 0
    for cut, piece in zip(cuts, pieces, strict=True):
        parts += [own[at:cut], "。", piece]
        at = cut
    parts.append(own[at:])
    return "".join(parts), source


class Exhaustive:
    """The index with every document that could yield a passage a candidate: the truth
    retrieval is measured against.

    The aligner seeds passages only with 8-grams the draft and the source share
    (stoplist aside), so aligning just the documents that share one gives exactly
    what aligning every document gives, much faster; found through an in-memory
    inverted list of every 8-gram of every reference document.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self.stoplist = index.stoplist
        ids = index.all_ids()
        grams, docs = [], []
        for source in index.sources(ids):
            seeds = seed_set(normalise(source.text))
            grams.append(seeds)
            docs.append(np.full(len(seeds), source.id, dtype=np.uint32))
        grams_all, docs_all = np.concatenate(grams), np.concatenate(docs)
        order = np.argsort(grams_all)
        self.grams, self.docs = grams_all[order], docs_all[order]

    def retrieve(self, norm, limit: int) -> list[int]:  # noqa: ANN001 - same as Index
        seeds = seed_set(norm)
        seeds = seeds[~is_stop(seeds, self.stoplist)]
        lo = np.searchsorted(self.grams, seeds, side="left")
        hi = np.searchsorted(self.grams, seeds, side="right")
        hits = [self.docs[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        return np.unique(np.concatenate(hits)).tolist() if hits else []

    def sources(self, ids) -> list[Source]:  # noqa: ANN001
        return self.index.sources(ids)


def copied_chars(data: dict, paths: set[str]) -> int:
    mask: set[int] = set()
    for s in data["sources"]:
        if s["path"] in paths:
            for p in s["passages"]:
                mask.update(range(p["start"], p["end"]))
    return len(mask)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--distractors", type=int, default=2000)
    parser.add_argument("--families", type=int, default=12)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--drafts", type=int, default=12, help="drafts per kind")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"真实公文语料不在 {SHARED}，无法评测")

    work = Path(tempfile.mkdtemp(prefix="wenshan-retrieval-"))
    real: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(SHARED.glob("real*/docs/*.txt")):
        text = read_document(path).text
        if text not in seen:  # real2 repeats some real files
            seen.add(text)
            real[str(path.resolve())] = text
    fam_texts = [family(f, args.members) for f in range(args.families)]
    entries = [
        Entry(path=p, sha256=hashlib.sha256(t.encode()).hexdigest(), size=0, mtime_ns=0, text=t)
        for p, t in real.items()
    ]
    families: list[list[str]] = []
    for f, members in enumerate(fam_texts):
        families.append([])
        for m, (text, issuer) in enumerate(members):
            path = f"/families/f{f:02d}-{m}.txt"
            entries.append(Entry(path, f"f{f}-{m}", 0, 0, text, issuer=issuer))
            families[-1].append(path)
            real[path] = text  # a family member's text, by path (drafts copy from it)
    for i in range(args.distractors):
        text, issuer = synthetic.gongwen(i)
        path = f"/generated/doc{i:06d}.txt"
        entries.append(Entry(path, f"g{i}", 0, 0, text, issuer=issuer))
        real[path] = text
    started = time.perf_counter()
    writer = Writer(work / "index")
    writer.add_texts(entries, workers=2)
    writer.close()
    build_s = time.perf_counter() - started
    index = Index(work / "index")
    default = Settings()
    exhaustive = Exhaustive(index)
    report: dict[str, object] = {
        "split": args.split,
        "reference_documents": index.size,
        "distractors": args.distractors,
        "families": f"{args.families} x {args.members}",
        "build_s": round(build_s, 1),
        "default_max_sources": default.max_sources,
    }
    real_paths = [p for p in real if not p.startswith(("/families/", "/generated/"))]
    offset = 0 if args.split == "test" else 1
    for kind in KINDS:
        rows = []
        for d in range(args.drafts):
            seed = (KINDS.index(kind) * 1000 + d) * 2 + offset
            text, truth = make_draft(kind, seed, real, real_paths, families)
            doc = Document(path=Path(f"/drafts/{kind}-{d}.txt"), text=text, paragraphs=())
            norm = normalise(text)
            t0 = time.perf_counter()
            ranked = index.retrieve(norm, 10**9)
            retrieval_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            checked = CopyCheck(index, default).run(doc).data
            check_ms = (time.perf_counter() - t0) * 1000
            full = detect(doc, exhaustive, Settings(max_sources=10**9))  # type: ignore[arg-type]
            paths = {s.path: s.id for s in index.sources(ranked)}
            want = {s["path"] for s in full["sources"]}
            top = set(list(paths)[: default.max_sources])
            cut = {n: copied_chars(full, want & set(list(paths)[:n])) for n in CUTS}
            rows.append(
                {
                    "exhaustive_sources": len(want),
                    "found_unlimited": len(want & set(paths)),
                    "found_default": len(want & top),
                    "chars": copied_chars(full, want),
                    "chars_unlimited": copied_chars(full, want & set(paths)),
                    "chars_default": copied_chars(full, want & top),
                    "chars_cut": cut,
                    "found_cut": {n: len(want & set(list(paths)[:n])) for n in CUTS},
                    "truth_in_exhaustive": truth in want,
                    "truth_rank": list(paths).index(truth) + 1 if truth in paths else None,
                    "truth_reported": truth in {s["path"] for s in checked["sources"]},
                    "candidates": len(ranked),
                    "retrieval_ms": retrieval_ms,
                    "check_ms": check_ms,
                }
            )
        total = sum(r["exhaustive_sources"] for r in rows) or 1
        chars = sum(r["chars"] for r in rows) or 1
        ranks = [r["truth_rank"] for r in rows if r["truth_rank"] is not None]
        report[kind] = {
            "drafts": len(rows),
            "source_recall_default": round(sum(r["found_default"] for r in rows) / total, 4),
            "source_recall_unlimited": round(sum(r["found_unlimited"] for r in rows) / total, 4),
            "char_recall_default": round(sum(r["chars_default"] for r in rows) / chars, 4),
            "char_recall_unlimited": round(sum(r["chars_unlimited"] for r in rows) / chars, 4),
            "char_recall_at": {
                n: round(sum(r["chars_cut"][n] for r in rows) / chars, 4) for n in CUTS
            },
            "source_recall_at": {
                n: round(sum(r["found_cut"][n] for r in rows) / total, 4) for n in CUTS
            },
            "exhaustive_sources_per_draft": round(total / len(rows), 2),
            "true_source_found_by_exhaustive": sum(r["truth_in_exhaustive"] for r in rows),
            "true_source_reported_by_check": sum(r["truth_reported"] for r in rows),
            "true_source_rank_median": statistics.median(ranks) if ranks else None,
            "true_source_rank_max": max(ranks) if ranks else None,
            "candidates_per_draft_median": statistics.median(r["candidates"] for r in rows),
            "retrieval_ms_median": round(statistics.median(r["retrieval_ms"] for r in rows), 1),
            "check_ms_median": round(statistics.median(r["check_ms"] for r in rows), 1),
        }
        print(json.dumps({kind: report[kind]}, ensure_ascii=False), flush=True)

    # the real case: lower documents of real2 and the parents they cite
    pairs = real_pairs()
    found = reported = 0
    misses = []
    for lower, parent in pairs:
        if split_of(Path(lower).name) != args.split:
            continue
        doc = read_document(Path(lower))
        ranked = index.retrieve(normalise(doc.text), default.max_sources)
        ids = {Path(s.path).name for s in index.sources(ranked)}
        checked = CopyCheck(index, default).run(doc).data
        hit = parent in ids
        rep = parent in {Path(s["path"]).name for s in checked["sources"]}
        found += hit
        reported += rep
        if not (hit and rep):
            misses.append(Path(lower).name)
    n = sum(1 for lower, _ in pairs if split_of(Path(lower).name) == args.split)
    report["real_pairs"] = {
        "pairs": n,
        "parent_in_candidates": found,
        "parent_reported": reported,
        "missed": misses,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


def real_pairs() -> list[tuple[str, str]]:
    """(lower document path, parent file name) of real2: the central document whose
    title the lower one cites."""
    folder = SHARED / "real2" / "docs"
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    central = {
        p: re.sub(r"\s", "", t.splitlines()[0]) for p, t in texts.items() if p.name.startswith("c_")
    }
    out = []
    for path, text in texts.items():
        if path.name.startswith("c_"):
            continue
        cited = [re.sub(r"\s", "", c) for c in re.findall(r"《([^》]{4,80})》", text)]
        for parent, title in central.items():
            if any(title in c for c in cited):
                out.append((str(path.resolve()), parent.name))
                break
    return out


if __name__ == "__main__":
    main()
