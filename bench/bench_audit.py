"""Batch-audit throughput: 1,000 generated 公文 drafts audited with all checks.

Builds a synthetic reference index (default 10,000 documents, see
bench_copy_speed.py) unless ``--no-reference``, writes the drafts as UTF-8
text files (letterhead, number, title, recipients, body mixing real 公文
sentences, passages copied from reference documents and synthetic text), then
audits them with ``--jobs 1`` and with ``--jobs N`` in the same run, followed by
the batch-level analysis (merge candidates, duplicates, unit summary).

    .venv/bin/python bench/bench_audit.py                 # 1,000 drafts, 10,000 references
    .venv/bin/python bench/bench_audit.py --docs 200 --reference-docs 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import synthetic  # noqa: E402

from wenshan_audit.audit import AuditOptions, Auditor  # noqa: E402
from wenshan_audit.batch import BatchSettings, finish, run  # noqa: E402
from wenshan_audit.config import Config  # noqa: E402
from wenshan_audit.reporters.json_report import as_dict  # noqa: E402

UNITS = [
    ("云岭市人民政府办公室", "云政办发", "各县（市、区）人民政府，市政府各部门"),
    ("云岭市农业农村局", "云农发", "各县（市、区）农业农村局"),
    ("云岭市应急管理局", "云应急发", "各县（市、区）应急管理局"),
    ("云岭市教育体育局", "云教体发", "各县（市、区）教育体育局，市直各学校"),
    ("云岭市卫生健康委员会", "云卫发", "各县（市、区）卫生健康局，市直各医疗卫生单位"),
]
TOPICS = [
    "做好春季农业生产工作",
    "加强森林草原防灭火工作",
    "开展安全生产大检查",
    "做好防汛抗旱准备工作",
    "推进数字政府建设",
    "精简文件会议切实为基层减负",
    "做好学校秋季开学工作",
    "加强传染病防控工作",
    "开展环境卫生整治",
    "做好农民工工资支付工作",
    "加强耕地保护",
    "推进营商环境优化",
]
SENTENCES = [
    "由市农业农村局牵头，于2026年4月30日前完成全市高标准农田建设项目验收。",
    "各县（市、区）要高度重视，切实加强组织领导，确保各项工作取得实效。",
    "各乡镇每日上传工作照片，拍照留痕，并于当日18时前报送。",
    "市应急管理局每季度组织一次联合检查，检查结果在市政府门户网站公开。",
    "要进一步提高思想认识，强化责任担当，扎实推进各项工作落地见效。",
    "2026年6月底前，清理整合各类政务APP不超过5个，停止使用的一律下架。",
    "实行会议计划管理，全市性会议每年不超过12个，会议时间一般不超过1.5小时。",
    "各单位要认真贯彻落实上级决策部署，坚持问题导向，狠抓工作落实。",
]


def reference_index(root: Path, n: int, workers: int) -> float:
    from wenshan_audit.checks.copying.index import Entry, Writer

    def entries():  # noqa: ANN202
        for i in range(n):
            text = synthetic.document(i)
            yield Entry(
                path=f"/corpus/doc{i:07d}.txt", sha256=str(i), size=len(text), mtime_ns=0, text=text
            )

    started = time.perf_counter()
    writer = Writer(root)
    writer.add_texts(entries(), workers=workers)
    writer.close()
    return time.perf_counter() - started


def quota_config(root: Path) -> Config:
    """Every unit of the drafts with an annual quota, on an empty SQLite ledger."""
    units = [
        {"name": issuer, "number_prefixes": [prefix], "limits": {"总量": 150, "通知": 120}}
        for issuer, prefix, _ in UNITS
    ]
    data = {"quota": {"year": 2026, "ledger": "ledger.sqlite", "units": units}}
    return Config(path=root / "wenshan-audit.toml", data=data)


def write_drafts(folder: Path, n: int, references: int) -> list[Path]:
    rng = random.Random(2026)
    paths = []
    for i in range(n):
        issuer, prefix, recipients = UNITS[i % len(UNITS)]
        topic = TOPICS[rng.randrange(len(TOPICS))]
        body = [rng.choice(SENTENCES) for _ in range(rng.randint(4, 10))]
        if references and rng.random() < 0.4:  # a draft copying part of an upper document
            source = synthetic.document(rng.randrange(references))
            start = rng.randrange(max(1, len(source) - 800))
            body.insert(rng.randrange(len(body)), source[start : start + rng.randint(200, 800)])
        body.append(synthetic.text(5_000_000 + i, rng.randint(1500, 3500)))
        text = (
            f"{issuer}文件\n{prefix}〔2026〕{i + 1}号\n{issuer}关于{topic}的通知\n{recipients}：\n"
            + "\n".join(body)
            + f"\n{issuer}\n2026年{rng.randint(1, 12)}月{rng.randint(1, 28)}日\n"
        )
        path = folder / f"{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker pool)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(paths: list[Path], auditor: Auditor, jobs: int) -> tuple[float, float, float, dict]:
    """Audit seconds, total seconds (with the batch analysis), CPU seconds, JSON result."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    examined = run(paths, auditor, jobs)
    audited = time.perf_counter() - started
    result = finish(auditor, examined, BatchSettings(jobs=jobs))  # what batch.audit runs after
    total = time.perf_counter() - started
    return audited, total, cpu_seconds() - cpu, as_dict(result)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000, help="drafts in the batch")
    parser.add_argument(
        "--reference-docs", type=int, default=10_000, help="documents in the reference index"
    )
    parser.add_argument("--no-reference", action="store_true", help="audit without copy detection")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes for the parallel run"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wenshan-bench-audit-") as tmp:
        root = Path(tmp)
        figures: dict[str, object] = {"docs": args.docs, "jobs": args.jobs, "cpus": os.cpu_count()}
        against = None
        references = 0 if args.no_reference else args.reference_docs
        if references:
            against = root / "index"
            figures["reference_docs"] = references
            figures["index_build_s"] = round(reference_index(against, references, args.jobs), 1)
        drafts = root / "drafts"
        drafts.mkdir()
        paths = write_drafts(drafts, args.docs, references)
        auditor = Auditor(quota_config(root), AuditOptions(against=against))
        figures["checks"] = [c.name for c in auditor.checks]

        load = os.getloadavg()[0]
        serial_audit, serial_total, serial_cpu, serial = timed(paths, auditor, 1)
        parallel_audit, parallel_total, parallel_cpu, parallel = timed(paths, auditor, args.jobs)
        figures.update(
            serial_docs_per_s=round(args.docs / serial_total, 1),
            parallel_docs_per_s=round(args.docs / parallel_total, 1),
            speedup=round(serial_total / parallel_total, 2),
            serial_seconds=round(serial_total, 1),
            parallel_seconds=round(parallel_total, 1),
            batch_analysis_seconds=round(parallel_total - parallel_audit, 2),
            # other processes on the machine slow the wall-clock figures; CPU time does not
            load_average_before=round(load, 2),
            cpu_ms_per_doc_serial=round(serial_cpu / args.docs * 1000, 1),
            cpu_ms_per_doc_parallel=round(parallel_cpu / args.docs * 1000, 1),
            same_result=serial == parallel,
            findings=sum(len(d["findings"]) for d in parallel["documents"]),
            merge_groups=len(parallel["batch"]["merge_candidates"]),
            failures=len(parallel["failures"]),
        )
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    target = 20.0
    verdict = "达到" if figures["parallel_docs_per_s"] >= target else "未达到"  # type: ignore[operator]
    print(
        f"并行 {figures['parallel_docs_per_s']} 份/秒"
        f"（单进程 {figures['serial_docs_per_s']} 份/秒），"
        f"{verdict}目标 {target:.0f} 份/秒"
    )


if __name__ == "__main__":
    main()
