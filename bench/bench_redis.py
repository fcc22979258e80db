"""Shared Redis index versus the embedded index: concurrent checks from many processes.

Run::

    .venv/bin/python bench/bench_redis.py                      # 2,000 reference documents
    .venv/bin/python bench/bench_redis.py --docs 10000 --drafts 400
    .venv/bin/python bench/bench_redis.py --url redis://服务器:6379/0   # an existing server

The same synthetic corpus (bench/synthetic.py) goes into an embedded index and
into Redis (a ``redis-server`` started here on a free loopback port unless
``--url`` is given). Then ``--procs`` processes (default 8) each check their
share of 10,000-character drafts with the full ``copy`` check (retrieval,
source texts, alignment) against one backend, then the other. Prints
per-check latency (p50/p95), throughput and the index's memory per key; the
embedded index measured in the same run is the baseline. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # conftest.py starts redis-server for the tests too

from bench_copy_speed import entries, make_draft  # noqa: E402
from conftest import start_redis_server  # noqa: E402

from wenshan_audit.checks.copying.check import CopyCheck, Settings  # noqa: E402
from wenshan_audit.checks.copying.index import Index, Writer  # noqa: E402
from wenshan_audit.checks.copying.redis_backend import RedisIndex, RedisWriter  # noqa: E402
from wenshan_audit.model import Document  # noqa: E402

NAME = "bench"


def start_server(folder: Path) -> tuple[Any, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("未找到 redis-server：apt-get install redis-server，或用 --url 指定服务器")
    started = start_redis_server(binary, folder)
    if started is None:
        sys.exit("redis-server 未能启动")
    return started


def open_backend(kind: str, target: str) -> Any:
    return RedisIndex(target, NAME) if kind == "redis" else Index(Path(target))


def worker(args: tuple[str, str, list[int], int, Any]) -> list[float]:
    """One reviewer process: open the index, check its drafts, return each check's seconds."""
    kind, target, ids, n_docs, barrier = args
    index = open_backend(kind, target)
    check = CopyCheck(index, Settings())
    drafts = [make_draft(i, n_docs)[0] for i in ids]
    check.run(Document(path=Path("warm.txt"), text=drafts[0], paragraphs=()))  # warm caches
    barrier.wait()
    times = []
    for i, text in zip(ids, drafts, strict=True):
        started = time.perf_counter()
        check.run(Document(path=Path(f"draft{i}.txt"), text=text, paragraphs=()))
        times.append(time.perf_counter() - started)
    index.close()
    return times


def run(kind: str, target: str, drafts: int, procs: int, n_docs: int) -> dict[str, float]:
    shares = [list(range(p, drafts, procs)) for p in range(procs)]
    with mp.Manager() as manager:
        barrier = manager.Barrier(procs + 1)
        with mp.get_context("spawn").Pool(procs) as pool:
            pending = pool.map_async(worker, [(kind, target, s, n_docs, barrier) for s in shares])
            barrier.wait()  # every process has opened its index and warmed up
            started = time.perf_counter()
            times = [t for part in pending.get() for t in part]
            wall = time.perf_counter() - started
    times.sort()
    return {
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
        "throughput": len(times) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="reference documents")
    parser.add_argument("--drafts", type=int, default=240, help="drafts checked per backend")
    parser.add_argument("--procs", type=int, default=8, help="concurrent checking processes")
    parser.add_argument("--url", help="an existing Redis server (default: start one here)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-redis-"))
    proc, url = (None, args.url) if args.url else start_server(tmp)
    try:
        print(
            f"机器：{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}；参考文件 {args.docs} 份，"
            f"草稿 {args.drafts} 份（每份约 6,000 字），{args.procs} 个进程并发"
        )
        started = time.perf_counter()
        writer = Writer(tmp / "index")
        writer.add_texts(entries(args.docs))
        writer.close()
        embedded_build = time.perf_counter() - started
        started = time.perf_counter()
        with RedisWriter(url, NAME) as shared:
            shared.add_texts(entries(args.docs))
        redis_build = time.perf_counter() - started
        info = RedisIndex(url, NAME).stats()
        local = Index(tmp / "index").stats()
        print(f"建库：嵌入式 {embedded_build:.1f} 秒，Redis {redis_build:.1f} 秒")
        print(
            f"占用：嵌入式指纹表 {local['table_bytes'] / 1e6:.1f} MB（每个指纹 {local['bytes_per_posting']} 字节），"
            f"Redis 内存 {info['redis_used_memory'] / 1e6:.1f} MB，其中指纹表约 {info['table_bytes'] / 1e6:.1f} MB"
            f"（每个指纹 {info['bytes_per_posting']} 字节），文本 {info['text_store_bytes'] / 1e6:.1f} MB"
        )
        results = {}
        for kind, target in (("embedded", str(tmp / "index")), ("redis", url)):
            for procs in (1, args.procs):
                n = args.drafts if procs > 1 else max(procs * 10, args.drafts // 4)
                results[kind, procs] = r = run(kind, target, n, procs, args.docs)
                print(
                    f"{kind:8s} {procs} 进程：每份 p50 {r['p50_ms']:.0f} ms，p95 {r['p95_ms']:.0f} ms，"
                    f"吞吐 {r['throughput']:.1f} 份/秒"
                )
        for procs in (1, args.procs):
            e, r = results["embedded", procs], results["redis", procs]
            print(
                f"{procs} 进程 Redis/嵌入式：p50 {r['p50_ms'] / e['p50_ms']:.2f} 倍，"
                f"吞吐 {r['throughput'] / e['throughput']:.2f} 倍"
            )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
