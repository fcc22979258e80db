"""Spark corpus build: throughput per core in local mode, for the cluster projection.

Run::

    .venv/bin/python bench/bench_spark.py                 # 1,000 synthetic documents
    .venv/bin/python bench/bench_spark.py --docs 4000

Writes ``--docs`` synthetic reference documents (bench/synthetic.py, 2,000 to
20,000 characters) as .txt files, then builds the same embedded index three
ways, measured in the same run: the local build with one process (the
baseline), PySpark ``local[1]`` and ``local[N]`` (N = cores). Spark's session
start-up is timed apart from the build. Prints documents and characters per
second per core; a cluster's build rate is about that figure times its cores,
up to what the driver can write (see the README). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from wenshan_audit.checks.copying import spark_build  # noqa: E402
from wenshan_audit.checks.copying.index import Index, Writer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-spark-"))
    corpus = tmp / "corpus"
    corpus.mkdir()
    chars = 0
    for i in range(args.docs):
        text = synthetic.document(i)
        chars += len(text)
        (corpus / f"doc{i:06d}.txt").write_text(text, encoding="utf-8")
    print(
        f"机器：{cores} 核，负载 {os.getloadavg()[0]:.1f}；{args.docs} 份文件，"
        f"{chars / 1e6:.1f} 百万字"
    )
    try:
        started = time.perf_counter()
        writer = Writer(tmp / "local")
        writer.update_from_folder(corpus, workers=1, rebuild=True)
        writer.close()
        base = time.perf_counter() - started
        print(
            f"本机单进程：{base:.1f} 秒，{args.docs / base:.0f} 份/秒，{chars / base / 1e6:.2f} 百万字/秒"
        )
        for n in (1, cores):
            started = time.perf_counter()
            spark = spark_build.session(f"local[{n}]")
            spark.sparkContext.setLogLevel("ERROR")
            spark.sparkContext.parallelize([0], 1).count()  # executors up
            boot = time.perf_counter() - started
            writer = Writer(tmp / f"spark{n}")
            stats = spark_build.build(corpus, writer, spark)
            writer.close()
            spark.stop()
            took = stats.seconds
            same = np.array_equal(Index(tmp / "local").windows, Index(tmp / f"spark{n}").windows)
            print(
                f"Spark local[{n}]：启动 {boot:.1f} 秒，建库 {took:.1f} 秒，"
                f"{args.docs / took / n:.0f} 份/秒/核，{chars / took / n / 1e6:.2f} 百万字/秒/核，"
                f"相对本机单进程 {base / took:.2f} 倍；分桶表与本机建库{'相同' if same else '不同'}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
