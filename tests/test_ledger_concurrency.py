"""Several real processes write one ledger at once: nothing is lost, nothing is counted twice."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from wenshan_audit.ledger import Entry, Ledger, content_hash

WORKERS = 6
PER_WORKER = 40
STRIDE = 15  # workers overlap: worker k writes documents k*15 .. k*15+39


def _entry(n: int) -> Entry:
    return Entry(
        unit="云岭市人民政府办公室",
        kind="通知",
        year=2026,
        content_hash=content_hash(f"文件正文 {n}"),
        source=f"worker-{os.getpid()}",
        doc_number=f"云政办发〔2026〕{n}号",
        title=f"关于第{n}项工作的通知",
        date="2026-05-01",
    )


def _writer(path: str, worker: int, start: multiprocessing.synchronize.Event) -> int:  # type: ignore[name-defined]
    """Open the ledger (racing the others to create and migrate it), then add one document
    per transaction so that transactions of different processes interleave."""
    start.wait()
    added = 0
    with Ledger.open(Path(path)) as ledger:
        for n in range(worker * STRIDE, worker * STRIDE + PER_WORKER):
            added += len(ledger.add([_entry(n)]).added)
    return added


def test_concurrent_processes_lose_nothing_and_count_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"  # does not exist yet: creation and migration race too
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(WORKERS) as pool:
        pending = [pool.apply_async(_writer, (str(path), k, start)) for k in range(WORKERS)]
        start.set()
        added = [p.get(timeout=120) for p in pending]
    distinct = len({n for k in range(WORKERS) for n in range(k * STRIDE, k * STRIDE + PER_WORKER)})
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT COUNT(*), COUNT(DISTINCT doc_number) FROM documents").fetchone()
    writers = conn.execute("SELECT COUNT(DISTINCT source) FROM documents").fetchone()[0]
    assert rows == (distinct, distinct)  # every document once
    assert sum(added) == distinct  # each insert was reported as added by exactly one process
    assert writers > 1  # the processes really did share the work


def _cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wenshan_audit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_concurrent_cli_imports_and_adds(tmp_path: Path) -> None:
    """Real ``wenshan-audit ledger import`` and ``ledger add`` processes started together."""
    config = tmp_path / "wenshan-audit.toml"
    config.write_text(
        '[quota]\nledger = "db/ledger.sqlite"\n\n[[quota.units]]\nname = "云岭市农业农村局"\n'
        'number_prefixes = ["云农发"]\nlimits = { "总量" = 50 }\n',
        encoding="utf-8",
    )
    folder = tmp_path / "issued"
    folder.mkdir()
    files = []
    for n in range(1, 13):
        path = folder / f"{n:02d}.txt"
        path.write_text(
            f"云岭市农业农村局文件\n\n云农发〔2026〕{n}号\n\n关于第{n}项农业工作的通知\n\n"
            f"各县（市、区）农业农村局：\n\n请于{n}月底前完成第{n}项工作。\n\n云岭市农业农村局\n2026年{n}月2日\n",
            encoding="utf-8",
        )
        files.append(path)
    procs = [_cli("ledger", "import", str(folder), "--config", str(config)) for _ in range(2)]
    procs += [_cli("ledger", "add", str(f), "--config", str(config)) for f in files[:4]]
    results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs if p.stderr]
    assert all(code == 0 for code, _ in results), results
    conn = sqlite3.connect(tmp_path / "db" / "ledger.sqlite")
    assert conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT doc_number) FROM documents"
    ).fetchone() == (12, 12)
