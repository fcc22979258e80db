"""Corpus build with Apache Spark, for reference corpora one machine cannot read in time.

The expensive part of a build is reading every document (docx/pdf/ofd parsing)
and fingerprinting it; Spark executors do exactly that by calling the local
build's own function (:func:`.rows.read_and_fingerprint`: the project's
readers, the same normalisation and winnowing fingerprints), so there is no
second implementation. The rows stream back to the
driver in corpus order and go to the same writer as a local build: the embedded
:class:`.index.Writer` (an index directory the normal ``check`` loads) or the
shared :class:`.redis_backend.RedisWriter`. The writer sorts the postings and
computes the boilerplate stoplist from its sample of the corpus, as in a local
build, so both builds are identical.

Executors must see the corpus at the same path as the driver (a shared mount:
NFS, CephFS, a FUSE-mounted object store) and have this package installed
(see the README, 共享索引（Redis）与大规模建库（Spark）). Run it with::

    spark-submit --master spark://主节点:7077 \\
        $(python -c "import wenshan_audit.checks.copying.spark_build as m; print(m.__file__)") \\
        /mnt/文库 --index /mnt/索引            # or: --redis redis://文库服务器:6379/0 --name 省级文库

or, on one machine or from a driver, ``wenshan-audit index build --engine spark``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .index import CopyIndexError, CorpusWriter, UpdateStats, Writer
from .rows import BATCH, Row, chunks, read_and_fingerprint

APP_NAME = "wenshan-audit index build"
FILES_PER_PARTITION = 64  # small partitions: documents vary a lot in parsing cost


def _fingerprint_partition(items: Iterator[str]) -> Iterator[Any]:
    """Executor side: the local build's read-and-fingerprint, a batch at a time."""
    for batch in chunks(items, BATCH):
        yield from read_and_fingerprint(batch)


def corpus_paths(corpus: Path) -> list[str]:
    """The files a local build would index, in the same order."""
    from ...readers import iter_files

    if not corpus.is_dir():
        raise CopyIndexError(f"上级文件夹 {corpus} 不存在或不是文件夹。请检查路径")
    return [str(p.resolve()) for p in iter_files([corpus])]


def session(master: str | None = None) -> Any:
    """A SparkSession: the one spark-submit configured, else ``master`` (default local[*])."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise CopyIndexError(
            "用 Spark 建库需要 PySpark，当前未安装。请运行：pip install 'wenshan-audit[spark]'"
            "（另需 Java 17 或更高版本）"
        ) from None
    # executors in local mode must run this interpreter (the one with wenshan_audit installed)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName(APP_NAME)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit: this machine
        builder = builder.master("local[*]")
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Java missing or the cluster unreachable: py4j raises plain errors
        raise CopyIndexError(
            f"无法启动 Spark（{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}）。"
            "请确认已安装 Java 17+，且 --master 地址可达"
        ) from None


def fingerprinted(spark: Any, paths: list[str], stats: UpdateStats) -> Iterator[Row]:
    """Rows of every readable file, in ``paths`` order; unreadable files go to ``stats``."""
    from pyspark import StorageLevel

    slices = max(1, -(-len(paths) // FILES_PER_PARTITION))
    rdd = spark.sparkContext.parallelize(paths, slices).mapPartitions(_fingerprint_partition)
    # every partition is fingerprinted in parallel and kept on the executors; only then
    # are they streamed to the driver, in order (toLocalIterator alone runs them one by one)
    rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
    rdd.count()
    try:
        for item in rdd.toLocalIterator(prefetchPartitions=True):
            if isinstance(item[0], str):
                stats.failures.append(item)
            else:
                stats.added += 1
                yield item
    finally:
        rdd.unpersist()


def build(corpus: Path, writer: CorpusWriter, spark: Any) -> UpdateStats:
    """Rebuild the index held by ``writer`` from ``corpus`` with Spark."""
    started = time.perf_counter()
    stats = UpdateStats()
    rows = fingerprinted(spark, corpus_paths(corpus), stats)
    writer.commit(rows, [], corpus=str(corpus.resolve()), rebuild=True)
    stats.seconds = time.perf_counter() - started
    return stats


def main(argv: list[str] | None = None) -> int:
    """``spark-submit`` entry point; messages in Chinese, exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="spark_build", description="用 Spark 建立照搬检测索引")
    parser.add_argument("corpus", type=Path, help="上级文件文件夹（各执行节点须以同一路径可见）")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--index", type=Path, help="写入的索引目录（check --against 可直接使用）")
    target.add_argument("--redis", help="写入共享索引的 Redis 地址，如 redis://文库服务器:6379/0")
    parser.add_argument("--name", default="default", help="共享索引名（与 [reference] name 一致）")
    parser.add_argument("--master", help="Spark master（spark-submit 已指定时不需要）")
    args = parser.parse_args(argv)
    try:
        corpus_paths(args.corpus)  # a bad path fails before Spark starts
        spark = session(args.master)
        if args.redis:
            from .redis_backend import RedisWriter

            writer: CorpusWriter = RedisWriter(args.redis, args.name)
        else:
            writer = Writer(args.index)
        try:
            stats = build(args.corpus, writer, spark)
        finally:
            writer.close()
    except CopyIndexError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(
        f"Spark 建库完成：{stats.added} 份文件，跳过 {len(stats.failures)} 份，"
        f"用时 {stats.seconds:.1f} 秒（{spark.sparkContext.defaultParallelism} 个核）"
    )
    for path, message in stats.failures:
        print(f"跳过 {path}：{message}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
