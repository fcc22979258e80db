"""Pre-commit hook latency: one draft against a synthetic corpus of 10,000 upper-level documents.

    .venv/bin/python bench/bench_hook.py [--docs 10000] [--runs 5] [--keep DIR]

Every figure is a fresh process, as pre-commit starts one per commit (cold
interpreter, warm OS file cache). Printed:

- process floor: ``wenshan-audit hook`` with no files (interpreter + CLI import);
- first run: no index yet, the whole corpus is indexed (the baseline: what every
  commit would cost without the persistent, incremental index);
- warm runs: the draft checked against the built index (target ≤ 2 s);
- one upper-level document changed: the incremental update plus the check;
- through ``pre-commit run`` in a git repository (pre-commit's own start-up added).

The synthetic corpus recombines clauses of the real public documents in
``../shared/corpus/real/docs`` (or of ``samples/upper`` when that folder is
absent) into sentences, then replaces a fifth of the characters with characters
of the same texts, so that no two documents share long passages (recombined
real text alone makes every document look like boilerplate to the stoplist).
Lengths 2,000–20,000 characters, log-uniform (median about 6,300). The draft copies three paragraphs of one corpus
document and adds local measures, so the run exercises candidate retrieval and
alignment, and must be refused (exit 1).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real" / "docs"
BIN = Path(sys.executable).parent
MUTATION = 0.2  # share of Chinese characters replaced in each synthetic document
PLACES = ["江川省", "云岭市", "青石县", "白沙区", "临江市", "东岭县", "南湖区", "西山市"]
OFFICES = ["人民政府", "人民政府办公室", "发展改革委", "财政厅", "农业农村厅", "应急管理厅"]
CONFIG = """
[hook]
drafts = ["drafts"]

[reference]
corpus = "upper"
cache_dir = ".wenshan-cache"
"""
DRAFT_HEAD = (
    "云岭市人民政府办公室文件\n\n云政办发〔2026〕21号\n\n"
    "云岭市人民政府办公室关于贯彻落实数字政府建设工作的通知\n\n各县（市、区）人民政府，市直各部门：\n\n"
)
DRAFT_TAIL = (
    "市数据局于2026年6月30日前完成全市政务数据目录编制，覆盖市直部门不少于45个。\n\n"
    "市财政局安排专项资金300万元，9月底前拨付到位。\n\n"
    "云岭市人民政府办公室\n\n2026年4月8日\n"
)


def clause_pool() -> tuple[list[str], np.ndarray]:
    """Clauses of real documents, and their characters (for the replacements)."""
    folder = REAL if REAL.is_dir() else ROOT / "samples" / "upper"
    text = "\n".join(p.read_text("utf-8") for p in sorted(folder.glob("*.txt")))
    clauses = [c.strip() for c in re.split(r"[，。；！？、\n]", text)]
    clauses = [c for c in clauses if 4 <= len(c) <= 60]
    chars = np.array([ord(c) for c in "".join(clauses) if "\u4e00" <= c <= "\u9fff"], np.uint32)
    return clauses, chars


def _mutate(text: str, chars: np.ndarray, rng: np.random.Generator) -> str:
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32).copy()
    hit = (rng.random(codes.size) < MUTATION) & (codes >= 0x4E00) & (codes <= 0x9FFF)
    codes[hit] = rng.choice(chars, int(hit.sum()))
    return codes.tobytes().decode("utf-32-le")


def make_document(rng: random.Random, pool: tuple[list[str], np.ndarray], n: int) -> str:
    clauses, chars = pool
    place, office = rng.choice(PLACES), rng.choice(OFFICES)
    title = f"{place}{office}关于第{n}项重点工作的实施意见"
    target = int(math.exp(rng.uniform(math.log(2_000), math.log(20_000))))
    noise = np.random.default_rng(rng.getrandbits(32))
    paragraphs, size = [], 0
    while size < target:
        sentences = ["，".join(rng.sample(clauses, rng.randint(2, 4))) + "。" for _ in range(4)]
        paragraph = _mutate("".join(sentences), chars, noise)
        paragraphs.append(paragraph)
        size += len(paragraph)
    number = f"{place[:2]}{office[:2]}发〔{rng.randint(2015, 2026)}〕{rng.randint(1, 200)}号"
    return "\n\n".join([f"{place}{office}文件", number, title, *paragraphs])


def build_workspace(folder: Path, docs: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    pool = clause_pool()
    upper = folder / "upper"
    upper.mkdir(parents=True)
    for n in range(docs):
        (upper / f"u{n:06d}.txt").write_text(make_document(rng, pool, n), encoding="utf-8")
    source = (upper / f"u{docs // 2:06d}.txt").read_text("utf-8").split("\n\n")[3:6]
    (folder / "drafts").mkdir()
    draft = DRAFT_HEAD + "\n\n".join(source) + "\n\n" + DRAFT_TAIL
    (folder / "drafts" / "落实通知.txt").write_text(draft, encoding="utf-8")
    (folder / "wenshan-audit.toml").write_text(CONFIG, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, as the user waits
    cpu: float  # user + system seconds of the process: robust to other load on the machine
    code: int
    output: str


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, done.returncode, done.stdout + done.stderr)


def report(label: str, runs: list[Run]) -> Run:
    """Print the median run (by wall time) and the worst; return the median."""
    ordered = sorted(runs, key=lambda r: r.wall)
    median, worst = ordered[len(ordered) // 2], ordered[-1]
    walls = " ".join(f"{r.wall:.2f}/{r.cpu:.2f}" for r in runs)
    spread = f", max {worst.wall:5.2f} s (each wall/cpu: {walls})" if len(runs) > 1 else ""
    codes = sorted({r.code for r in runs})
    print(f"{label:<40} {median.wall:6.2f} s wall (cpu {median.cpu:5.2f} s){spread}  exit {codes}")
    return median


def git_repo(folder: Path) -> dict[str, str]:
    """Make ``folder`` a git repository with a local pre-commit hook on this venv's CLI."""
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(folder / ".pre-commit-home"),
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    (folder / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: wenshan-audit\n    name: wenshan-audit\n"
        f"    entry: {BIN / 'wenshan-audit'} hook\n    language: unsupported\n"
        "    files: (?i)\\.(docx|pdf|txt|md|doc|wps|ofd)$\n    require_serial: true\n",
        encoding="utf-8",
    )
    subprocess.run(["git", "init", "-q", "."], cwd=folder, check=True, env=env)
    (folder / ".gitignore").write_text(".wenshan-cache/\n.pre-commit-home/\n", encoding="utf-8")
    subprocess.run(
        ["git", "add", "upper", "wenshan-audit.toml", ".gitignore"], cwd=folder, check=True
    )
    subprocess.run(["git", "commit", "-qm", "corpus"], cwd=folder, check=True, env=env)
    subprocess.run(["git", "add", "drafts", ".pre-commit-config.yaml"], cwd=folder, check=True)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="reference documents")
    parser.add_argument("--runs", type=int, default=5, help="warm runs")
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-hook-"))
    hook = [str(BIN / "wenshan-audit"), "hook"]
    draft = "drafts/落实通知.txt"
    try:
        start = time.perf_counter()
        build_workspace(folder, args.docs)
        chars = sum(p.stat().st_size for p in (folder / "upper").iterdir()) // 3
        print(
            f"corpus: {args.docs} documents, about {chars / 1e6:.1f} M characters "
            f"(generated in {time.perf_counter() - start:.1f} s)"
        )
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        report("process floor (hook, no files)", [timed(hook, folder) for _ in range(3)])
        first = report("first run (indexes the whole corpus)", [timed([*hook, draft], folder)])
        if first.code != 1:
            print(first.output + "the copied draft was not refused: is the copy check enabled?")
        warm = report(
            f"warm hook runs ({args.runs})",
            [timed([*hook, draft], folder) for _ in range(args.runs)],
        )
        changed = folder / "upper" / "u000001.txt"
        changed.write_text(changed.read_text("utf-8") + "\n\n新增段落：本文件已修订。", "utf-8")
        report("one upper document changed", [timed([*hook, draft], folder)])
        env = git_repo(folder)
        pre_commit = [str(BIN / "pre-commit"), "run", "wenshan-audit", "--files", draft]
        timed(pre_commit, folder, env)  # pre-commit's first run sets up its cache
        report(
            f"via pre-commit run ({args.runs})",
            [timed(pre_commit, folder, env) for _ in range(args.runs)],
        )
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        print(
            f"warm hook vs first run (full indexing): {first.wall / warm.wall:.0f}x faster; "
            f"target ≤ 2 s for a warm hook run: {'met' if warm.wall <= 2 else 'NOT met'} (wall), "
            f"{'met' if warm.cpu <= 2 else 'NOT met'} (cpu)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
