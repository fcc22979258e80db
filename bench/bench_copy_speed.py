"""Copy-detection speed benchmark: index build, memory, disk, check latency.

Run::

    .venv/bin/python bench/bench_copy_speed.py                     # 10,000 reference documents
    nice .venv/bin/python bench/bench_copy_speed.py --docs 1000000 --index /work/bigindex/idx

The reference corpus is 公文-like text of 5,000-10,000 characters
(:func:`synthetic.gongwen`: the vocabulary of real documents recombined),
generated inside the build's worker processes as it is indexed (streamed, never
all in memory); generation time is measured separately and reported.

In the same run, on the same generated texts:

- ``bare hashing``: code points and the polynomial 8-gram hash of the raw text,
  the least any k-gram index must do per document;
- ``fingerprinting``: what the build does per document (normalise, winnow,
  pack the text), single process;
- ``naive datasketch``: ``MinHash.update`` per 5-character shingle (SHA-1)
  and ``MinHashLSH.insert`` per document, on ``--baseline-docs`` documents;
- warm check latency (in process, ``CopyCheck.run`` on drafts that copy
  passages of 30-1,000 characters from 1-3 reference documents) and the cold
  CLI (``wenshan-audit check`` in a fresh process, next to ``python -c pass``).

Peak memory is the maximum resident set of the build process and of its
worker processes (``getrusage``). Prints figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.fingerprint import fingerprints  # noqa: E402
from wenshan_audit.checks.copying.index import Entry, Index, Writer  # noqa: E402
from wenshan_audit.checks.copying.minhash import kgram_hashes  # noqa: E402
from wenshan_audit.checks.copying.normalise import code_points, normalise  # noqa: E402
from wenshan_audit.checks.copying.rows import Row, pack_text, parallel, row_of  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402

GIB = 1024**3
DRAFT_SEED = 50_000_000  # seeds of the drafts' own text, far from the corpus seeds


def entry(i: int) -> Entry:
    text, issuer = synthetic.gongwen(i)
    return Entry(
        path=f"/corpus/doc{i:07d}.txt",
        sha256=f"{i:064d}",
        size=len(text),
        mtime_ns=0,
        text=text,
        issuer=issuer,
    )


def entries(n: int) -> Iterator[Entry]:
    """The first ``n`` reference documents (for the other benchmarks)."""
    return (entry(i) for i in range(n))


def generated_rows(seeds: list[int]) -> list[Row]:
    """Worker side: generate and fingerprint documents."""
    return [row_of(entry(i)) for i in seeds]


def logged(rows: Iterator[Row], n: int, log: Path | None) -> Iterator[Row]:
    started = time.perf_counter()
    for done, row in enumerate(rows, 1):
        yield row
        if log and (done % 20_000 == 0 or done == n):
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(
                    f"{time.strftime('%H:%M:%S')} {done}/{n} docs "
                    f"{time.perf_counter() - started:.0f} s "
                    f"rss {rss_gib(resource.RUSAGE_SELF):.2f} GiB\n"
                )


def per_doc_ms(func, items: list) -> float:
    started = time.perf_counter()
    for item in items:
        func(item)
    return (time.perf_counter() - started) / len(items) * 1000


def baseline_datasketch(texts: list[str]) -> float:
    """ms per document of the naive pipeline: per-shingle MinHash.update + LSH insert."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    started = time.perf_counter()
    for i, text in enumerate(texts):
        m = MinHash(num_perm=128)
        for j in range(len(text) - 4):
            m.update(text[j : j + 5].encode("utf-8"))
        lsh.insert(str(i), m)
    return (time.perf_counter() - started) / len(texts) * 1000


def make_draft(i: int, n_docs: int) -> tuple[str, set[int]]:
    """A draft of about 6,000 characters: 1-3 passages of 30-1,000 characters copied
    from as many reference documents, the rest its own text."""
    rng = np.random.default_rng(DRAFT_SEED + i)
    own, _ = synthetic.gongwen(DRAFT_SEED + 1_000_000 + i, 6000)
    parts, sources, at = [], set(), 0
    for _ in range(int(rng.integers(1, 4))):
        doc = int(rng.integers(0, n_docs))
        src = entry(doc).text
        size = int(rng.integers(30, 1001))
        start = int(rng.integers(0, max(1, len(src) - size)))
        cut = at + int(rng.integers(100, 1500))
        parts += [own[at:cut], "。", src[start : start + size], "。"]
        at = cut
        sources.add(doc)
    parts.append(own[at:])
    return "".join(parts), sources


def cold_cli(index: Path, draft: str, runs: int = 5) -> tuple[float, float, float]:
    """First and median wall time of ``wenshan-audit check`` in a fresh process, and
    the median of ``python -c pass``."""
    folder = Path(tempfile.mkdtemp(prefix="wenshan-draft-"))
    path = folder / "draft.txt"
    path.write_text(draft, encoding="utf-8")
    command = [sys.executable, "-m", "wenshan_audit", "check", str(path), "--against", str(index)]
    command += ["-f", "json"]
    # the package this benchmark imports (a worktree's src/ on PYTHONPATH, or the installed one)
    import wenshan_audit

    env = {**os.environ, "PYTHONPATH": str(Path(wenshan_audit.__file__).resolve().parents[1])}

    def times(args: list[str]) -> list[float]:
        out = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(args, capture_output=True, cwd=folder, check=False, env=env)
            out.append(time.perf_counter() - started)
            if done.returncode not in (0, 1):
                sys.exit(done.stderr.decode("utf-8", "replace"))
        return out

    cli_times = times(command)
    python = statistics.median(times([sys.executable, "-c", "pass"]))
    shutil.rmtree(folder, ignore_errors=True)
    return cli_times[0], statistics.median(cli_times), python


def rss_gib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss * 1024 / GIB


def disk_bytes(root: Path) -> int:
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--baseline-docs", type=int, default=100)
    parser.add_argument("--sample-docs", type=int, default=2000, help="for the per-doc rates")
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="build processes")
    parser.add_argument("--index", type=Path, default=None, help="index directory (default: temp)")
    parser.add_argument("--log", type=Path, default=None, help="progress log")
    parser.add_argument("--skip-build", action="store_true", help="measure an existing --index")
    args = parser.parse_args()
    results: dict[str, object] = {"docs": args.docs, "workers": args.workers}

    results["generate_ms_per_doc"] = round(per_doc_ms(entry, list(range(args.sample_docs))), 3)
    entries = [entry(i) for i in range(args.sample_docs)]
    sample = [e.text for e in entries]
    bare = per_doc_ms(lambda t: kgram_hashes(code_points(t), 8), sample)
    ours = per_doc_ms(row_of, entries)
    norms = [normalise(t) for t in sample]
    naive = baseline_datasketch(sample[: args.baseline_docs])
    results.update(
        mean_chars=round(float(np.mean([len(t) for t in sample])), 1),
        bare_hashing_ms_per_doc=round(bare, 3),
        of_which_normalise_ms=round(per_doc_ms(normalise, sample), 3),
        of_which_winnowing_ms=round(per_doc_ms(fingerprints, norms), 3),
        of_which_text_packing_ms=round(per_doc_ms(pack_text, sample), 3),
        fingerprinting_ms_per_doc=round(ours, 3),
        fingerprinting_vs_bare_hashing=round(ours / bare, 2),
        naive_datasketch_ms_per_doc=round(naive, 1),
        naive_vs_fingerprinting=round(naive / ours, 1),
    )
    print(json.dumps(results, ensure_ascii=False), flush=True)

    root = args.index or Path(tempfile.mkdtemp(prefix="wenshan-bench-")) / "index"
    if not args.skip_build:
        started = time.perf_counter()
        cpu0 = os.times()
        writer = Writer(root)
        rows = parallel(generated_rows, range(args.docs), args.workers, small=False)
        writer.commit(logged(rows, args.docs, args.log), [], corpus=None, rebuild=True)
        writer.close()
        seconds = time.perf_counter() - started
        cpu1 = os.times()
        cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        cpu += (cpu1.children_user - cpu0.children_user) + (
            cpu1.children_system - cpu0.children_system
        )
        results.update(
            build_seconds=round(seconds, 1),
            build_docs_per_s=round(args.docs / seconds, 1),
            build_cpu_ms_per_doc=round(cpu / args.docs * 1000, 3),
            build_cpu_ms_per_doc_without_generation=round(
                cpu / args.docs * 1000 - float(results["generate_ms_per_doc"]),
                3,  # type: ignore[arg-type]
            ),
            build_peak_rss_gib_parent=round(rss_gib(resource.RUSAGE_SELF), 2),
            build_peak_rss_gib_worker=round(rss_gib(resource.RUSAGE_CHILDREN), 2),
        )
        print(json.dumps(results, ensure_ascii=False), flush=True)

    index = Index(root)
    info = index.stats()
    results.update(
        {
            k: info[k]
            for k in (
                "documents",
                "characters",
                "postings",
                "stoplist_kgrams",
                "table_bytes",
                "text_store_bytes",
                "bytes_per_posting",
                "bytes_per_document",
            )
        }
    )
    results["disk_gib"] = round(disk_bytes(root) / GIB, 2)

    check = CopyCheck(index, Settings())
    drafts = [make_draft(i, info["documents"]) for i in range(args.drafts)]

    def run(text: str) -> dict:
        return check.run(Document(path=Path("draft.txt"), text=text, paragraphs=())).data

    run(drafts[0][0])  # warm: numpy, the normalisation table
    latencies, found, candidates = [], 0.0, []
    for text, sources in drafts:
        t0 = time.perf_counter()
        data = run(text)
        latencies.append(time.perf_counter() - t0)
        hit = {int(Path(s["path"]).stem[3:]) for s in data["sources"]}
        found += len(sources & hit) / len(sources)
        candidates.append(len(index.retrieve(normalise(text), 10**9)))
    results.update(
        check_latency_median_ms=round(statistics.median(latencies) * 1000, 1),
        check_latency_p95_ms=round(float(np.percentile(latencies, 95)) * 1000, 1),
        check_true_sources_found=round(found / len(drafts), 4),
        candidates_per_draft_median=int(statistics.median(candidates)),
        candidates_per_draft_max=int(max(candidates)),
        query_peak_rss_gib=round(rss_gib(resource.RUSAGE_SELF), 2),
    )
    index.close()
    first, cli_s, python_s = cold_cli(root, drafts[0][0])
    results.update(
        cold_cli_check_first_s=round(first, 2),
        cold_cli_check_median_s=round(cli_s, 2),
        cold_python_startup_s=round(python_s, 3),
    )
    print(json.dumps(results, ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    main()
