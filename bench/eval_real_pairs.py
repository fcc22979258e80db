"""Real implementing documents against their parents, in a corpus of thousands.

Run::

    .venv/bin/python bench/eval_real_pairs.py                    # 3,000 distractors
    .venv/bin/python bench/eval_real_pairs.py --distractors 500 --exhaustive

The 16 lower documents of ``../shared/corpus/real2`` that cite and reuse an
upper document (the chains its README describes: 政务新媒体, 科研自主权,
holiday notices, 就业, 合法性审核 …; 清远 → 广东 → 国办发〔2018〕123号) are
checked twice: against their parent alone, and against a reference corpus of
every parent, the other real documents of ``real`` and ``--distractors``
documents of real wording (``synthetic.markov`` of those other documents,
so no parent's sentence is in them). A pair passes when the parent is found
in the corpus with a ratio within 20 % of its parent-alone ratio; pairs whose
parent-alone ratio is 0 reuse nothing the detector can see and are reported
apart. Also reported: the share of the draft the parent *holds* (passages it
owns or is listed on as ``also_in``), since text the parent shares with a more
literal source (another province's document, last year's notice) is owned by
that source. The 8 same-topic negatives (检查通报, 2017 网站集约化 and 就业, 2015
文化转企, 2022 幼儿园 …) must stay below 0.05 excluding quoted titles.
Nothing here was tuned on these documents beyond what the README says.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.index import Index, Writer  # noqa: E402
from wenshan_audit.readers import read_document  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REAL = SHARED / "real" / "docs"
REAL2 = SHARED / "real2" / "docs"
XINMEITI = "c_gbf-2018-123_zhengwu-xinmeiti"
BANFA = "c_fangjia-banfa-2013"
PAIRS = (
    ("prov_chongqing_keyan-zizhuquan", "c_gbf-2018-127_keyan-zizhuquan"),
    ("prov_yunnan_keyan-zizhuquan", "c_gbf-2018-127_keyan-zizhuquan"),
    ("prov_gansu_zhengwu-xinmeiti", XINMEITI),
    ("prov_guangdong_zhengwu-xinmeiti", XINMEITI),
    ("prov_hubei_zhengwu-xinmeiti-zhuanfa", XINMEITI),
    ("prov_jiangsu_zhengwu-xinmeiti", XINMEITI),
    ("prov_zhejiang_jiceng-zhengwu-xinmeiti-2022", XINMEITI),
    ("city_qingyuan_zhengwu-xinmeiti", "prov_guangdong_zhengwu-xinmeiti"),
    ("prov_guangxi_2017-sanyuesan", "c_gbfmd-2016-17_jiejiari2017"),
    ("prov_henan_2021-yuandan", "c_gbfmd-2020-27_jiejiari2021"),
    ("prov_hunan_duchajili", "c_gbf-2018-117_zhenzhuashigan-jili"),
    ("prov_hunan_jiuye-20tiao", "c_gf-2018-39_cujin-jiuye"),
    ("county_gaoqing_guifanxing-wenjian", "c_gbf-2018-115_hefaxing-shenhe"),
    ("city_lasa_2023-zangli-xinnian", BANFA),
    ("city_lasa_2025-zangli-xinnian", BANFA),
    ("county_karuo-2019-chunjie-fangjia", BANFA),
)
NEGATIVES = (
    "city_suzhou_xinmeiti-jiancha-tongbao-2023q1",
    "prov_zhejiang_xinmeiti-jiancha-tongbao-2022q3",
    "prov_ningxia_wangzhan-jiyuehua-2017",
    "city_jining_jiuye-chuangye-2017",
    "prov_yunnan_wenhua-zhuanqi-2015",
    "dept_zhejiang-jiaoyuting_youeryuan-2022",
    "city_yueyang_zhengwu-gongkai-2017",
    "prov_gansu_kuoda-neixu-2020",
)
TOLERANCE = 0.2  # the corpus ratio may differ from the parent-alone ratio by 20 %
NEGATIVE_MAX = 0.05


@dataclass(frozen=True)
class PairResult:
    lower: str
    parent: str
    alone: float
    in_corpus: float  # the parent's ratio in the corpus (0 if not found)
    rank: int | None  # position of the parent among the sources (None: not found)
    held: float  # share of the draft in passages the parent owns or is listed on (also_in)

    @property
    def kept(self) -> bool:
        """Found, owning a ratio within TOLERANCE of the parent-alone ratio."""
        return self.rank is not None and abs(self.in_corpus - self.alone) <= TOLERANCE * self.alone

    @property
    def kept_held(self) -> bool:
        """Found, holding (owned or also_in) a ratio within TOLERANCE of the alone ratio:
        text the parent shares with a more literal source is owned by that source."""
        return abs(self.held - self.alone) <= TOLERANCE * self.alone


def _index(folder: Path, root: Path) -> Index:
    writer = Writer(root)
    writer.update_from_folder(folder, workers=2)
    writer.close()
    return Index(root)


def _held(text: str, data: dict, parent: Path) -> float:
    covered = [False] * len(text)
    for source in data["sources"]:
        for p in source["passages"]:
            holders = [source["path"], *(a["path"] for a in p["also_in"])]
            if any(Path(h).resolve() == parent.resolve() for h in holders):
                covered[p["start"] : p["end"]] = [True] * (p["end"] - p["start"])
    chars = sum(1 for c, on in zip(text, covered, strict=True) if on and not c.isspace())
    return round(chars / data["total_chars"], 4)


def _parent_ratio(data: dict, parent: Path) -> tuple[float, int | None]:
    for rank, source in enumerate(data["sources"]):
        if Path(source["path"]).resolve() == parent.resolve():
            return source["ratio"], rank
    return 0.0, None


def build_corpus(work: Path, distractors: int, seed: int) -> Path:
    """Parents + the other real documents + distractors of their wording."""
    chain = {name for pair in PAIRS for name in pair} | set(NEGATIVES)
    lower = {lower for lower, _ in PAIRS} | set(NEGATIVES)
    chain_texts = {(REAL2 / f"{n}.txt").read_text(encoding="utf-8") for n in chain}
    corpus = work / "corpus"
    corpus.mkdir()
    others = []
    for path in sorted(REAL.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if text not in chain_texts:
            others.append(text)
            (corpus / path.name).symlink_to(path)
    for name in sorted(chain - lower) + [p for _, p in PAIRS if p in lower]:
        if not (corpus / f"{name}.txt").exists():
            (corpus / f"{name}.txt").symlink_to(REAL2 / f"{name}.txt")
    for i, text in enumerate(synthetic.markov(others, distractors, seed)):
        (corpus / f"distractor-{i:05d}.txt").write_text(text, encoding="utf-8")
    return corpus


def evaluate(work: Path, distractors: int, settings: Settings, seed: int = 1) -> dict:
    """Pair results and negative ratios; ``settings`` choose retrieval (max_sources)."""
    corpus = build_corpus(work, distractors, seed)
    index = _index(corpus, work / "index")
    check = CopyCheck(index, settings)
    pairs = []
    for lower, parent in PAIRS:
        alone_dir = work / f"alone-{parent}"
        if not alone_dir.exists():
            alone_dir.mkdir()
            (alone_dir / f"{parent}.txt").symlink_to(REAL2 / f"{parent}.txt")
            _index(alone_dir, work / f"alone-index-{parent}").close()
        alone = Index(work / f"alone-index-{parent}")
        doc = read_document(REAL2 / f"{lower}.txt")
        ratio_alone, _ = _parent_ratio(
            CopyCheck(alone, settings).run(doc).data, corpus / f"{parent}.txt"
        )
        alone.close()
        data = check.run(doc).data
        ratio, rank = _parent_ratio(data, corpus / f"{parent}.txt")
        held = _held(doc.text, data, corpus / f"{parent}.txt")
        pairs.append(PairResult(lower, parent, ratio_alone, ratio, rank, held))
    negatives = {
        name: check.run(read_document(REAL2 / f"{name}.txt")).data["ratio_excluding_citations"]
        for name in NEGATIVES
    }
    size = index.size
    index.close()
    copying = [p for p in pairs if p.alone > 0]
    return {
        "reference_documents": size,
        "max_sources": settings.max_sources,
        "pairs": [{**p.__dict__, "kept": p.kept, "kept_held": p.kept_held} for p in pairs],
        "pairs_that_copy": len(copying),
        "kept": sum(p.kept for p in copying),
        "kept_share": round(sum(p.kept for p in copying) / max(len(copying), 1), 4),
        "kept_held": sum(p.kept_held for p in copying),
        "kept_held_share": round(sum(p.kept_held for p in copying) / max(len(copying), 1), 4),
        "negatives": negatives,
        "negatives_below_0.05": sum(v < NEGATIVE_MAX for v in negatives.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument(
        "--exhaustive", action="store_true", help="align every document (no retrieval)"
    )
    args = parser.parse_args()
    if not REAL2.is_dir() or not REAL.is_dir():
        sys.exit(f"真实公文语料不在 {SHARED}，无法评测")
    settings = Settings(max_sources=10**9) if args.exhaustive else Settings()
    started = time.perf_counter()
    report = evaluate(Path(tempfile.mkdtemp(prefix="wenshan-pairs-")), args.distractors, settings)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
