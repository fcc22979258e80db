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

The synthetic corpus recombines sentences of the real public documents in
``../shared/corpus/real/docs`` (or of ``samples/upper`` when that folder is
absent), with random numbers and local names so no two documents are alike;
lengths 2,000–20,000 characters. The draft copies three paragraphs of one corpus
document and adds local measures, so the run exercises candidate retrieval and
alignment, and must be refused (exit 1).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real" / "docs"
BIN = Path(sys.executable).parent
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


def sentence_pool() -> list[str]:
    folder = REAL if REAL.is_dir() else ROOT / "samples" / "upper"
    text = "\n".join(p.read_text("utf-8") for p in sorted(folder.glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[。；！？])", text)]
    return [s for s in sentences if 12 <= len(s) <= 200]


def make_document(rng: random.Random, pool: list[str], n: int) -> str:
    place, office = rng.choice(PLACES), rng.choice(OFFICES)
    title = f"{place}{office}关于第{n}项重点工作的实施意见"
    target = rng.randint(2_000, 20_000)
    paragraphs, size = [], 0
    while size < target:
        sentences = rng.sample(pool, rng.randint(3, 7))
        stamp = f"到{rng.randint(2020, 2030)}年，{place}完成{rng.randint(10, 9_999)}项任务。"
        paragraph = "".join(sentences) + stamp
        paragraphs.append(paragraph)
        size += len(paragraph)
    number = f"{place[:2]}{office[:2]}发〔{rng.randint(2015, 2026)}〕{rng.randint(1, 200)}号"
    return "\n\n".join([f"{place}{office}文件", number, title, *paragraphs])


def build_workspace(folder: Path, docs: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    pool = sentence_pool()
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


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


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
        floor = statistics.median(timed(hook, folder)[0] for _ in range(3))
        print(f"process floor (hook, no files):        {floor:6.2f} s")
        first, code, out = timed([*hook, draft], folder)
        print(f"first run (indexes the corpus):         {first:6.2f} s   exit {code}")
        if code != 1:
            print(out)
            print("the copied draft was not refused: is the copy check enabled?")
        warm = [timed([*hook, draft], folder) for _ in range(args.runs)]
        times = sorted(t for t, _, _ in warm)
        print(
            f"warm runs ({args.runs}): median {statistics.median(times):.2f} s, "
            f"max {times[-1]:.2f} s   exit {sorted({c for _, c, _ in warm})}"
        )
        changed = folder / "upper" / "u000001.txt"
        changed.write_text(changed.read_text("utf-8") + "\n\n新增段落：本文件已修订。", "utf-8")
        incremental, code, _ = timed([*hook, draft], folder)
        print(f"one upper document changed:             {incremental:6.2f} s   exit {code}")
        env = git_repo(folder)
        pre_commit = [str(BIN / "pre-commit"), "run", "wenshan-audit", "--files", draft]
        timed(pre_commit, folder, env)  # pre-commit's first run sets up its cache
        via = sorted(timed(pre_commit, folder, env)[0] for _ in range(args.runs))
        print(
            f"via pre-commit run (warm, {args.runs} runs): median {statistics.median(via):.2f} s, "
            f"max {via[-1]:.2f} s"
        )
        print(
            f"warm hook vs first run (full indexing): {first / statistics.median(times):.0f}x "
            f"faster; target ≤ 2 s: {'met' if times[-1] <= 2 else 'NOT met'}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
