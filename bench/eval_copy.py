"""Copy-detection evaluation with PAN's text-alignment measures, by edit kind.

Run::

    .venv/bin/python bench/eval_copy.py                      # test split, 20 drafts per kind
    .venv/bin/python bench/eval_copy.py --split dev --drafts 40

Generator: passages of 150-800 characters are cut at sentence boundaries from
real 公文 (``../shared/corpus/real/docs``; only read, never copied into the
repository), edited in one of the ways lower-level documents edit upper-level
text, and embedded in new text (synthetic, plus real 公文 boilerplate
sentences as distractors). The true offsets in the draft and in the source's
extracted text are recorded. The documents are split in two by a hash of the
file name; the detector was tuned while looking at ``dev`` documents only, so
``test`` (the default) is held out.

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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.index import Index, Writer  # noqa: E402
from wenshan_audit.checks.copying.normalise import normalise  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402
from wenshan_audit.readers import read_document  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "docs"
KINDS = ("verbatim", "punctuation", "level", "numbers", "words", "reorder", "markers", "mixed")
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


@dataclass(frozen=True)
class Case:
    draft: str
    start: int
    end: int
    source: str
    source_start: int
    source_end: int
    kind: str


def split_of(path: Path) -> str:
    return "test" if hashlib.sha1(path.name.encode()).digest()[0] % 2 == 0 else "dev"


def pick_passage(rng: random.Random, text: str) -> tuple[int, int]:
    sentences = [m.span() for m in _SENTENCE.finditer(text) if m.end() - m.start() > 4]
    for _ in range(50):
        i = rng.randrange(len(sentences))
        start, end = sentences[i][0], sentences[i][1]
        target = rng.randint(150, 800)
        j = i
        while end - start < target and j + 1 < len(sentences):
            j += 1
            end = sentences[j][1]
        if end - start >= 150:
            return start, end
    return 0, min(len(text), 400)


UNIQUE_K = 10  # normalised characters: the shortest stretch the detector reports (13 text chars)


def _grams(norm: str) -> set[str]:
    return {norm[i : i + UNIQUE_K] for i in range(len(norm) - UNIQUE_K + 1)}


def shared_grams(texts: dict[str, str]) -> set[str]:
    """Normalised UNIQUE_K-grams found in two or more reference documents."""
    seen: set[str] = set()
    shared: set[str] = set()
    for text in texts.values():
        grams = _grams(normalise(text).text)
        shared |= grams & seen
        seen |= grams
    return shared


def unique_passage(
    rng: random.Random, text: str, shared: set[str], tries: int = 50
) -> tuple[int, int] | None:
    """A passage of ``text`` that shares no UNIQUE_K-gram with any other reference document.

    The real corpus holds families (a national text and the provincial texts
    that copy it, holiday notices written from one template). A passage
    present in a sibling has two true sources, which PAN's measures cannot
    express: a detection against the sibling would count as false. PAN's own
    corpora give every case exactly one source, so the generator takes only
    text that is unique in the whole reference corpus (checked against every
    document, not only the obvious siblings), or None when this document has
    none.
    """
    for _ in range(tries):
        start, end = pick_passage(rng, text)
        if not (_grams(normalise(text[start:end]).text) & shared):
            return start, end
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


def filler(rng: random.Random) -> str:
    text = synthetic.text(rng.randrange(1 << 30), rng.randint(300, 1500))
    return text + "\n" + rng.choice(BOILERPLATE) + "\n"


def generate(
    sources: list[Path], kind: str, drafts: int, seed: int
) -> tuple[list[tuple[str, str]], list[Case]]:
    rng = random.Random(f"{seed}-{kind}")
    texts = {str(p.resolve()): read_document(p).text for p in sources}
    shared = shared_grams(texts)
    usable = [p for p, t in texts.items() if len(t) >= 600]
    out, cases = [], []
    for d in range(drafts):
        name = f"{kind}-{d}.txt"
        parts = [filler(rng)]
        picked: list[tuple[str, tuple[int, int]]] = []
        for source in rng.sample(usable, k=len(usable)):
            span = unique_passage(rng, texts[source], shared)
            if span is not None:
                picked.append((source, span))
            if len(picked) == 2:
                break
        length = len(parts[0])
        for source, (s_start, s_end) in picked:
            copied = edit(kind, texts[source][s_start:s_end], rng)
            cases.append(Case(name, length, length + len(copied), source, s_start, s_end, kind))
            parts.append(copied)
            parts.append(filler(rng))
            length += len(copied) + len(parts[-1])
        out.append((name, "".join(parts)))
    return out, cases


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument(
        "--drafts", type=int, default=20, help="drafts per edit kind (2 cases each)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"真实公文语料不在 {REAL}，无法评测")
    sources = sorted(p for p in REAL.glob("*.txt") if split_of(p) == args.split)
    work = Path(tempfile.mkdtemp(prefix="wenshan-eval-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for path in sources:
        (corpus / path.name).symlink_to(path)
    writer = Writer(work / "index")
    writer.update_from_folder(corpus, workers=1)
    writer.close()
    index = Index(work / "index")
    check = CopyCheck(index, Settings())
    report: dict[str, object] = {"split": args.split, "reference_documents": len(sources)}
    edited_cases, edited_dets = [], []
    for kind in KINDS:
        drafts, cases = generate(sorted(corpus.iterdir()), kind, args.drafts, args.seed)
        detections = []
        for name, text in drafts:
            data = check.run(Document(path=work / name, text=text, paragraphs=())).data
            for source in data["sources"]:
                for p in source["passages"]:
                    detections.append(
                        Case(
                            name,
                            p["start"],
                            p["end"],
                            source["path"],
                            p["source_start"],
                            p["source_end"],
                            kind,
                        )
                    )
        report[kind] = plagdet(cases, detections)
        if kind != "verbatim":
            edited_cases += cases
            edited_dets += detections
    report["edited (all kinds but verbatim)"] = plagdet(edited_cases, edited_dets)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
