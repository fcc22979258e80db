"""Batch-level checks: 文件合并制发 candidates, duplicates, and the summary by issuing unit.

Merge candidates are documents of the batch on the same topic sent to the same
audience: cosine similarity of TF-IDF vectors over jieba words (title words
weighted up, 公文 boilerplate words dropped) plus overlapping main recipients.
Duplicates are near-identical texts (the same paper issued twice, or by two
units): datasketch's MinHashLSH over the MinHash of each text's character
5-grams proposes the pairs (no pair of the batch is compared one by one), and
the exact Jaccard similarity of the 5-gram sets confirms them, so that two
papers on one topic are not mistaken for one paper.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..model import AuditResult, DocumentResult, Finding, Severity

UNKNOWN_UNIT = "（未识别单位）"
TITLE_WEIGHT = 3  # a title states the topic; body words also carry the boilerplate
TOP_TERMS = 8
# MinHashLSH is tuned to 0.8 x the duplicate threshold, weighing a missed pair
# 9 times a needless comparison: with the default 0.9 it takes 18 bands of 7
# rows, so a pair of Jaccard 0.9 is missed with probability 8e-6 and one of
# 0.3 (two papers on one topic) is compared with probability 0.004
LSH_MARGIN = 0.8
LSH_WEIGHTS = (0.1, 0.9)  # (false positive, false negative)
# the topic of a 公文 is stated in its title and opening sections; segmenting the
# rest cost a third of the per-document audit time (measured) and adds no topic
TOPIC_CHARS = 3000
# words every 公文 uses whatever its topic; they say nothing about the topic
BOILERPLATE = frozenset(
    """关于 通知 意见 方案 办法 印发 工作 有关 事项 如下 进一步 加强 切实 认真 做好 抓好 推进 推动
    落实 贯彻 全面 深入 扎实 积极 各级 各地 各部门 各单位 单位 部门 要求 高度重视 重视 确保 实效
    坚持 持续 不断 提高 提升 充分 有效 相关 开展 建立 健全 完善 组织 领导 负责 按照 根据 结合 实际
    为了 为 进行 以及 同时 其中 通过 实施 情况 主要 重点 重要 问题 我市 全市 本市 各县 市区 县区
    人民政府 政府 办公室 办公厅 一是 二是 三是 四是 五是 现将 予以 及时 报送 特此""".split()
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_TEXT = re.compile(r"[\s\W_]+")


def topic_terms(doc_title: str | None, text: str, issuer: str | None = None) -> list[str]:
    """jieba words that can carry a topic, the title's words repeated.

    The issuer's name is left out (every paper of a unit carries it), and so is
    the part of the title before 关于, which names the issuer again.
    """
    import jieba  # lazy: about 1 s to load its dictionary

    jieba.setLogLevel(60)

    def words(s: str) -> list[str]:
        return [
            w
            for w in jieba.lcut(s, HMM=False)
            if len(w) >= 2 and _CJK.search(w) and w not in BOILERPLATE
        ]

    title = doc_title or ""
    title = title.split("关于", 1)[1] if "关于" in title else title
    text = text[:TOPIC_CHARS]
    if issuer:
        text = text.replace(issuer, "\n")
    return words(title) * TITLE_WEIGHT + words(text)


def _content(result: DocumentResult) -> str:
    """The text without what differs when one paper is issued twice or by another unit:
    issuer, document number, recipients and dates."""
    from ..metadata import DATE

    meta = result.document.meta
    text = result.document.text
    for part in (meta.issuer, meta.doc_number, *meta.recipients):
        if part:
            text = text.replace(part, "\n")
    return DATE.sub("\n", text)


@dataclass(frozen=True)
class Shingles:
    """A text's character 5-gram hashes and their MinHash (see :mod:`.shingles`)."""

    hashes: Any  # uint32, one per 5-gram (repeats kept: only candidate pairs need the sets)
    minhash: Any  # datasketch.LeanMinHash

    @classmethod
    def of(cls, text: str) -> Shingles:
        from datasketch import LeanMinHash

        from .copying.normalise import code_points
        from .shingles import SEED, signature, token_hashes

        hashes = token_hashes(code_points(_NOT_TEXT.sub("", text)))
        return cls(hashes, LeanMinHash(seed=SEED, hashvalues=signature(hashes), scheme="affine32"))

    def jaccard(self, other: Shingles) -> float:
        import numpy as np

        union = len(np.union1d(self.hashes, other.hashes))
        return len(np.intersect1d(self.hashes, other.hashes)) / union if union else 0.0


def duplicate_pairs(
    documents: Sequence[DocumentResult], duplicate_similarity: float
) -> list[dict[str, Any]]:
    """Pairs of near-identical documents (in input order) with their 5-gram Jaccard similarity.

    MinHashLSH is tuned to a threshold below ``duplicate_similarity`` so that a
    true pair is very rarely missed; the exact Jaccard decides.
    """
    from datasketch import MinHashLSH

    from .shingles import NUM_PERM

    shingles = [Shingles.of(_content(d)) for d in documents]
    lsh = MinHashLSH(
        threshold=duplicate_similarity * LSH_MARGIN, num_perm=NUM_PERM, weights=LSH_WEIGHTS
    )
    pairs = []
    for i, item in enumerate(shingles):
        for j in sorted(lsh.query(item.minhash)):
            overlap = item.jaccard(shingles[j])
            if overlap >= duplicate_similarity:
                pairs.append({"a": j, "b": i, "similarity": round(overlap, 4)})
        lsh.insert(i, item.minhash)
    return sorted(pairs, key=lambda p: (p["a"], p["b"]))


def _norm_recipient(name: str) -> str:
    return _NOT_TEXT.sub("", name).replace("（", "").replace("）", "")


def _anchor(result: DocumentResult) -> tuple[int, int, str]:
    """The span a batch finding points at: the title paragraph, else the first one."""
    doc = result.document
    title = doc.meta.title
    for para in doc.body:
        if title and para.text == title:
            return para.start, para.end, para.text
    first = doc.body[0] if doc.body else None
    return (first.start, first.end, first.text) if first else (0, 0, "")


def _label(result: DocumentResult) -> str:
    meta = result.document.meta
    return f"《{meta.title}》" if meta.title else result.document.path.name


def _components(pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _vectors(terms: Sequence[Sequence[str]]) -> tuple[Any, Any] | None:
    """L2-normalised TF-IDF rows (one per document) and the vocabulary; None without words."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # lazy: heavy import

    vectorizer = TfidfVectorizer(
        analyzer=lambda tokens: tokens,
        sublinear_tf=True,
        norm="l2",
        # document frequency says "boilerplate" only in a batch large enough to show it
        max_df=0.5 if len(terms) >= 20 else 1.0,
    )
    try:
        matrix = vectorizer.fit_transform(list(terms))
    except ValueError:  # no topic word in any document
        return None
    return matrix.tocsr(), vectorizer.get_feature_names_out()


def merge_pairs(
    documents: Sequence[DocumentResult],
    matrix: Any,
    merge_similarity: float,
    duplicates: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Pairs on one topic (TF-IDF cosine) sharing a main recipient; duplicates left out."""
    import numpy as np

    cosine = (matrix @ matrix.T).tocoo()
    keep = (cosine.row < cosine.col) & (cosine.data >= merge_similarity)
    recipients = [{_norm_recipient(r): r for r in d.document.meta.recipients} for d in documents]
    same = {(p["a"], p["b"]) for p in duplicates}
    merges = []
    order = np.lexsort((cosine.col[keep], cosine.row[keep]))  # stable, input order
    rows, cols, scores = cosine.row[keep][order], cosine.col[keep][order], cosine.data[keep][order]
    for i, j, score in zip(rows.tolist(), cols.tolist(), scores.tolist(), strict=True):
        if (i, j) in same:
            continue
        shared = [name for key, name in recipients[i].items() if key in recipients[j]]
        if shared:
            merges.append(
                {"a": i, "b": j, "similarity": round(score, 4), "shared_recipients": shared}
            )
    return merges


def _group_terms(matrix: Any, vocabulary: Any, members: list[int]) -> list[str]:
    """The heaviest words present in at least half of the group's documents."""
    import numpy as np

    rows = matrix[members]
    presence = np.asarray((rows > 0).sum(axis=0)).ravel()
    weight = np.asarray(rows.sum(axis=0)).ravel()
    weight[presence < max(2, (len(members) + 1) // 2)] = 0
    top = np.argsort(-weight, kind="stable")[:TOP_TERMS]
    return [str(vocabulary[t]) for t in top if weight[t] > 0]


def _doc_ref(result: DocumentResult) -> dict[str, Any]:
    meta = result.document.meta
    return {
        "path": str(result.document.path),
        "title": meta.title,
        "issuer": meta.issuer,
        "doc_number": meta.doc_number,
    }


def _finding(
    rule: str, severity: Severity, message: str, result: DocumentResult, evidence: dict[str, Any]
) -> Finding:
    start, end, text = _anchor(result)
    return Finding(rule, severity, message, start, end, text, evidence)


def merge_groups(
    documents: Sequence[DocumentResult],
    pairs: list[dict[str, Any]],
    matrix: Any,
    vocabulary: Any,
) -> tuple[list[dict[str, Any]], dict[Path, list[Finding]]]:
    """Connected groups of merge pairs, with one ``merge.candidate`` finding per member."""
    groups, findings = [], defaultdict(list)
    by_member: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        by_member[pair["a"]].append(pair)
        by_member[pair["b"]].append(pair)
    for number, members in enumerate(_components([(p["a"], p["b"]) for p in pairs]), start=1):
        inside = [p for m in members for p in by_member[m] if p["a"] == m]
        recipients = Counter(r for p in inside for r in p["shared_recipients"])
        shared_recipients = [r for r, _ in recipients.most_common()]
        terms = _group_terms(matrix, vocabulary, members)
        links = []
        for m in members:
            best = max(by_member[m], key=lambda p: p["similarity"])
            other = best["b"] if best["a"] == m else best["a"]
            links.append(
                {
                    "path": str(documents[m].document.path),
                    "closest": str(documents[other].document.path),
                    "similarity": best["similarity"],
                }
            )
        group = {
            "group": number,
            "documents": [_doc_ref(documents[m]) for m in members],
            "similarity": max(p["similarity"] for p in inside),
            "shared_recipients": shared_recipients,
            "shared_terms": terms,
            "links": links,
        }
        groups.append(group)
        for m in members:
            others = [documents[o] for o in members if o != m]
            message = (
                f"与{'、'.join(_label(o) for o in others[:3])}{'等' if len(others) > 3 else ''}"
                f"主题相同（共同主题词：{'、'.join(terms[:5])}），"
                f"主送机关重叠（{'、'.join(shared_recipients[:3])}），建议合并制发，减少发文数量"
            )
            findings[documents[m].document.path].append(
                _finding(
                    "merge.candidate",
                    Severity.INFO,
                    message,
                    documents[m],
                    {
                        "group": number,
                        "with": [str(o.document.path) for o in others],
                        "shared_terms": terms,
                        "shared_recipients": shared_recipients,
                        "similarity": group["similarity"],
                    },
                )
            )
    return groups, findings


def duplicate_entries(
    documents: Sequence[DocumentResult], pairs: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[Path, list[Finding]]]:
    entries, findings = [], defaultdict(list)
    for pair in pairs:
        a, b = documents[pair["a"]], documents[pair["b"]]
        ua, ub = a.document.meta.issuer, b.document.meta.issuer
        same_unit = ua == ub
        entries.append(
            {
                "documents": [_doc_ref(a), _doc_ref(b)],
                "similarity": pair["similarity"],
                "same_unit": same_unit,
            }
        )
        how = (
            "同一单位重复发文"
            if same_unit
            else f"不同单位（{ua or '未识别'}、{ub or '未识别'}）重复发文"
        )
        for this, other in ((a, b), (b, a)):
            findings[this.document.path].append(
                _finding(
                    "merge.duplicate",
                    Severity.WARNING,
                    f"与{_label(other)}（{other.document.path.name}）内容几乎相同"
                    f"（文字重合度 {pair['similarity']:.0%}），疑似{how}，请核实是否需要两次印发",
                    this,
                    {
                        "with": str(other.document.path),
                        "similarity": pair["similarity"],
                        "same_unit": same_unit,
                    },
                )
            )
    return entries, findings


def unit_of(result: DocumentResult) -> str:
    quota = result.sections.get("quota") or {}
    return quota.get("unit") or result.document.meta.issuer or UNKNOWN_UNIT


def unit_summary(documents: Sequence[DocumentResult]) -> list[dict[str, Any]]:
    """Per issuing unit: documents, kinds, copy ratios, missing measures, burden, quota."""
    by_unit: dict[str, list[DocumentResult]] = defaultdict(list)
    for result in documents:
        by_unit[unit_of(result)].append(result)
    rows = []
    for unit, results in sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ratios = [(r.sections["copy"]["ratio"], r) for r in results if "copy" in r.sections]
        worst = max(ratios, key=lambda x: x[0]) if ratios else None
        quota: dict[tuple[int, str], dict[str, Any]] = {}
        for r in results:
            q = r.sections.get("quota") or {}
            for limit in q.get("limits", []):
                entry = quota.setdefault(
                    (q.get("year"), limit["name"]),
                    {
                        "year": q.get("year"),
                        "name": limit["name"],
                        "limit": limit["limit"],
                        "used": limit["used"],
                        "remaining": limit["remaining"],
                        "new_in_batch": 0,
                        "would_exceed": 0,
                    },
                )
                if q.get("counted") and not q.get("already_recorded"):
                    entry["new_in_batch"] += 1
                entry["would_exceed"] += bool(limit.get("would_exceed"))
        for entry in quota.values():
            # each draft alone may fit while the batch together does not
            limit = entry["limit"]
            entry["batch_exceeds"] = (
                limit is not None and entry["used"] + entry["new_in_batch"] > limit
            )
        rows.append(
            {
                "unit": unit,
                "documents": len(results),
                "kinds": dict(
                    Counter(r.document.meta.kind or "未识别" for r in results).most_common()
                ),
                "copy_ratio_avg": round(sum(x for x, _ in ratios) / len(ratios), 4)
                if ratios
                else None,
                "copy_ratio_max": round(worst[0], 4) if worst else None,
                "copy_ratio_max_path": str(worst[1].document.path) if worst else None,
                "without_measures": sum(
                    any(f.rule == "measures.none" for f in r.findings) for r in results
                ),
                "burden_findings": sum(
                    f.rule.startswith("burden.") for r in results for f in r.findings
                ),
                "errors": sum(f.severity is Severity.ERROR for r in results for f in r.findings),
                "warnings": sum(
                    f.severity is Severity.WARNING for r in results for f in r.findings
                ),
                "quota": sorted(quota.values(), key=lambda e: (e["year"] or 0, e["name"])),
            }
        )
    return rows


def with_batch_findings(result: AuditResult, extra: dict[Path, list[Finding]]) -> AuditResult:
    """Add batch-level findings (merge, duplicate) to the documents they concern."""
    documents = []
    for doc in result.documents:
        added = extra.get(doc.document.path)
        if added:
            findings = sorted((*doc.findings, *added), key=lambda f: (f.start, -f.severity.rank))
            doc = replace(doc, findings=tuple(findings))
        documents.append(doc)
    return replace(result, documents=tuple(documents))


def analyze(
    result: AuditResult,
    terms: Sequence[Sequence[str]],
    merge_similarity: float,
    duplicate_similarity: float,
) -> AuditResult:
    """The result with batch findings on its documents, and its merge groups and duplicates.

    ``terms[i]`` are the :func:`topic_terms` of ``result.documents[i]``.
    """
    documents = result.documents
    dups = duplicate_pairs(documents, duplicate_similarity) if len(documents) >= 2 else []
    duplicates, dup_findings = duplicate_entries(documents, dups)
    vectors = _vectors(terms) if len(documents) >= 2 else None
    groups: list[dict[str, Any]] = []
    merge_findings: dict[Path, list[Finding]] = {}
    if vectors is not None:
        matrix, vocabulary = vectors
        merges = merge_pairs(documents, matrix, merge_similarity, dups)
        groups, merge_findings = merge_groups(documents, merges, matrix, vocabulary)
    findings: dict[Path, list[Finding]] = defaultdict(list)
    for source in (merge_findings, dup_findings):
        for path, items in source.items():
            findings[path].extend(items)
    result = with_batch_findings(result, findings)
    batch = {
        "merge_candidates": groups,
        "duplicates": duplicates,
        "settings": {
            "merge_similarity": merge_similarity,
            "duplicate_similarity": duplicate_similarity,
        },
    }
    return replace(result, batch={**result.batch, **batch})
