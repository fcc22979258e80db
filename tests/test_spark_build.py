"""Spark build (PySpark local mode): the same index, hence the same results, as a local build.

Skipped with the reason when PySpark or Java is not installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_backends import _drafts, _synthetic_corpus
from test_copy import write

from wenshan_audit.checks.copying import spark_build
from wenshan_audit.checks.copying.check import CopyCheck, Settings
from wenshan_audit.checks.copying.index import Index, Writer
from wenshan_audit.readers import read_document

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="未安装 Java（Spark 需要 Java 17+）"
)


@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark", reason="未安装 PySpark（pip install -e .[dev]）")
    session = spark_build.session("local[2]")
    yield session
    session.stop()


def _results(index: Any, drafts: list[str], folder: Path) -> list[Any]:
    out = []
    for i, text in enumerate(drafts):
        data = (
            CopyCheck(index, Settings()).run(read_document(write(folder, f"d{i}.txt", text))).data
        )
        out.append([(s["path"], s["ratio"], s["passages"]) for s in data["sources"]])
    return out


def test_spark_and_local_builds_are_identical(spark: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    texts = _synthetic_corpus(corpus, 80)
    write(corpus, "broken.pdf", "not a pdf")  # skipped by both builds, with the reason
    local = Writer(tmp_path / "local")
    local.update_from_folder(corpus, workers=1, rebuild=True)
    local.close()
    writer = Writer(tmp_path / "spark")
    stats = spark_build.build(corpus, writer, spark)
    writer.close()
    assert stats.added == 80 and [Path(p).name for p, _ in stats.failures] == ["broken.pdf"]
    left, right = Index(tmp_path / "local"), Index(tmp_path / "spark")
    (a,), (b,) = left.segments, right.segments
    for name in ("off", "key", "doc"):
        assert np.array_equal(getattr(a.postings, name), getattr(b.postings, name))
    assert [s.text for s in left.sources(a.ids)] == [s.text for s in right.sources(b.ids)]
    assert np.array_equal(left.stoplist, right.stoplist) and len(left.stoplist)
    drafts = _drafts(texts)
    expected = _results(left, drafts, tmp_path / "d")
    assert any(expected) and _results(right, drafts, tmp_path / "d") == expected


def test_spark_build_into_redis_answers_like_local(
    spark: Any,
    redis_url: str,
    tmp_path: Path,
) -> None:
    from wenshan_audit.checks.copying.redis_backend import RedisIndex, RedisWriter

    corpus = tmp_path / "corpus"
    texts = _synthetic_corpus(corpus, 40)
    local = Writer(tmp_path / "local")
    local.update_from_folder(corpus, workers=1, rebuild=True)
    local.close()
    with RedisWriter(redis_url, "spark-test") as writer:
        spark_build.build(corpus, writer, spark)
    drafts = _drafts(texts)
    shared = RedisIndex(redis_url, "spark-test")
    assert _results(shared, drafts, tmp_path / "d") == _results(
        Index(tmp_path / "local"), drafts, tmp_path / "d"
    )


def test_spark_submit_entry_point_reports_bad_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = spark_build.main(
        [str(tmp_path / "missing"), "--index", str(tmp_path / "i"), "--master", "local[1]"]
    )
    assert code == 2 and "不存在" in capsys.readouterr().err
