"""Copy-detection speed benchmark: index build, memory, check latency, throughput.

Run::

    .venv/bin/python bench/bench_copy_speed.py                 # 10,000 reference documents
    .venv/bin/python bench/bench_copy_speed.py --docs 100000   # the 100k target (a few minutes)

Everything is measured in the same run against a naive baseline: datasketch
``MinHash.update`` per shingle (its default SHA-1 token hash) and whole-document
``MinHashLSH``, on the first ``--baseline-docs`` documents (it is too slow for
more; its rate is per document, so the comparison is per document).
The synthetic corpus is generated once into a file in the temporary folder
(in parallel, not timed) and streamed from there into the build, as a build
streams files from disk. The cold CLI run is ``wenshan-audit check`` of one
10,000-character draft against the built index in a fresh process, next to
a bare ``python -c pass`` in the same run.
Prints figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.index import Entry, Index, Writer  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402

GIB = 1024**3


def corpus_file(n: int) -> tuple[Path, Path]:
    """The synthetic corpus of ``n`` documents: UTF-16 texts end to end, and offsets."""
    base = Path(tempfile.gettempdir()) / f"wenshan-bench-corpus-{n}"
    data, offsets = base.with_suffix(".utf16"), base.with_suffix(".npy")
    if not offsets.is_file():
        bounds = [0]
        with open(data, "wb") as fh, ProcessPoolExecutor(os.cpu_count()) as pool:
            for text in pool.map(synthetic.document, range(n), chunksize=256):
                blob = text.encode("utf-16-le")
                fh.write(blob)
                bounds.append(bounds[-1] + len(blob))
        np.save(offsets, np.array(bounds, dtype=np.int64))
    return data, offsets


def entries(n: int):
    data, offsets = corpus_file(n)
    blob = np.memmap(data, dtype=np.uint8, mode="r")
    bounds = np.load(offsets)
    for i in range(n):
        text = blob[bounds[i] : bounds[i + 1]].tobytes().decode("utf-16-le")
        yield Entry(
            path=f"/corpus/doc{i:07d}.txt", sha256=str(i), size=len(text), mtime_ns=0, text=text
        )


def cold_cli(index: Path, draft: str, runs: int = 5) -> tuple[float, float]:
    """Median wall time of ``wenshan-audit check`` in a fresh process, and of ``python -c pass``."""
    folder = Path(tempfile.mkdtemp(prefix="wenshan-draft-"))
    path = folder / "draft.txt"
    path.write_text(draft, encoding="utf-8")
    cli = Path(sys.executable).with_name("wenshan-audit")
    command = [str(cli), "check", str(path), "--against", str(index), "-f", "json"]

    def median(args: list[str]) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(args, capture_output=True, cwd=folder, check=False)
            times.append(time.perf_counter() - started)
            if done.returncode not in (0, 1):
                sys.exit(done.stderr.decode("utf-8", "replace"))
        return statistics.median(times)

    return median(command), median([sys.executable, "-c", "pass"])


def baseline_build(n: int) -> tuple[float, float]:
    """Naive: per-shingle MinHash.update (SHA-1) + whole-document MinHashLSH."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    chars = 0
    started = time.perf_counter()
    for i in range(n):
        text = synthetic.document(i)
        chars += len(text)
        m = MinHash(num_perm=128)
        for j in range(len(text) - 4):
            m.update(text[j : j + 5].encode("utf-8"))
        lsh.insert(str(i), m)
    seconds = time.perf_counter() - started
    return n / seconds, chars / seconds


def baseline_query(drafts: list[str]) -> float:
    from datasketch import MinHash

    started = time.perf_counter()
    for text in drafts:
        m = MinHash(num_perm=128)
        for j in range(len(text) - 4):
            m.update(text[j : j + 5].encode("utf-8"))
    return (time.perf_counter() - started) / len(drafts)


def make_draft(i: int, n_docs: int) -> tuple[str, set[int]]:
    """A 10,000-character draft: three passages of 1,000 characters copied from
    three reference documents, the rest new text."""
    rng = np.random.default_rng(1_000_000 + i)
    parts, sources = [], set()
    for k in range(3):
        doc = int(rng.integers(0, n_docs))
        src = synthetic.document(doc)
        start = int(rng.integers(0, max(1, len(src) - 1000)))
        parts.append(synthetic.text(2_000_000 + i * 10 + k, 2300))
        parts.append(src[start : start + 1000])
        sources.add(doc)
    parts.append(synthetic.text(3_000_000 + i, max(500, 10_000 - sum(map(len, parts)))))
    return "".join(parts), sources


def rss_gib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss * 1024 / GIB


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--baseline-docs", type=int, default=100)
    parser.add_argument("--drafts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="build processes")
    parser.add_argument(
        "--index", type=Path, default=None, help="index directory (default: temporary)"
    )
    args = parser.parse_args()

    results: dict[str, object] = {"docs": args.docs, "workers": args.workers}
    list(entries(1))  # generate the corpus file first (not timed)
    base_docs_s, base_chars_s = baseline_build(args.baseline_docs)
    results["baseline_build_docs_per_s"] = round(base_docs_s, 2)

    root = args.index or Path(tempfile.mkdtemp(prefix="wenshan-bench-")) / "index"
    writer = Writer(root)
    stats = writer.add_texts(entries(args.docs), workers=args.workers)
    writer.close()
    docs_s = args.docs / stats.seconds
    results.update(
        build_seconds=round(stats.seconds, 1),
        build_docs_per_s=round(docs_s, 1),
        build_speedup_vs_baseline=round(docs_s / base_docs_s, 1),
        build_peak_rss_gib_parent=round(rss_gib(resource.RUSAGE_SELF), 2),
        build_peak_rss_gib_worker=round(rss_gib(resource.RUSAGE_CHILDREN), 2),
    )

    index = Index(root)
    info = index.stats()
    results.update(
        {
            k: info[k]
            for k in (
                "documents",
                "characters",
                "window_keys",
                "stoplist_kgrams",
                "table_bytes",
                "text_store_bytes",
                "bytes_per_key",
                "bytes_per_document",
            )
        }
    )
    results["projected_1M_disk_gib"] = round(info["bytes_per_document"] * 1_000_000 / GIB, 1)
    results["projected_1M_table_gib"] = round(info["table_bytes"] / args.docs * 1_000_000 / GIB, 1)

    check = CopyCheck(index, Settings())
    drafts = [make_draft(i, args.docs) for i in range(args.drafts)]

    def run(text: str) -> dict:
        return check.run(Document(path=Path("draft.txt"), text=text, paragraphs=())).data

    run(drafts[0][0])  # warm: page cache, numpy, normalisation table
    latencies, found = [], 0
    started = time.perf_counter()
    for text, sources in drafts:
        t0 = time.perf_counter()
        data = run(text)
        latencies.append(time.perf_counter() - t0)
        hit = {int(Path(s["path"]).stem[3:]) for s in data["sources"]}
        found += len(sources & hit) / len(sources)
    total = time.perf_counter() - started
    base_q = baseline_query([t for t, _ in drafts[:20]])
    results.update(
        check_latency_median_ms=round(statistics.median(latencies) * 1000, 1),
        check_latency_p95_ms=round(float(np.percentile(latencies, 95)) * 1000, 1),
        check_throughput_drafts_per_s=round(len(drafts) / total, 1),
        check_true_sources_found=round(found / len(drafts), 4),
        baseline_query_ms_minhash_only=round(base_q * 1000, 1),
        query_peak_rss_gib=round(rss_gib(resource.RUSAGE_SELF), 2),
    )
    index.close()
    cli_s, python_s = cold_cli(root, drafts[0][0])
    results.update(cold_cli_check_s=round(cli_s, 2), cold_python_startup_s=round(python_s, 3))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
