"""The hook under the real pre-commit tool, in a temporary git repository of drafts.

Behaviour tests run a ``repo: local`` hook on this venv's ``wenshan-audit`` (no
environment to build); one slow test installs the real ``language: python``
manifest with ``pre-commit try-repo`` (pip uses its configured package index).
PRE_COMMIT_HOME and the index cache live in the test's tmp dir.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BIN = Path(sys.executable).parent
UPPER_NEW = "省政府关于加快推进数字政府建设的实施意见.txt"
COPIED = "云岭市关于精简文件会议切实为基层减负的通知（照搬稿）.docx"
GOOD = "云岭市精简文件会议为基层减负十条措施（落实稿）.docx"
FILES = r"(?i)\.(docx|pdf|txt|md|doc|wps|ofd)$"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (BIN / "pre-commit").exists() or not SAMPLES.is_dir(),
    reason="needs git, pre-commit in the venv and the bundled samples/",
)

CONFIG = """
[hook]
drafts = ["drafts"]

[reference]
corpus = "upper"
cache_dir = ".wenshan-cache"
"""
LOCAL_HOOK = f"""
repos:
  - repo: local
    hooks:
      - id: wenshan-audit
        name: wenshan-audit
        entry: {BIN / "wenshan-audit"} hook
        language: unsupported
        files: {FILES}
        require_serial: true
        verbose: true
"""


def _git(
    repo: Path, env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=check
    )


def _pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "pre-commit"), *args], cwd=repo, env=env, capture_output=True, text=True
    )


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A drafting repository: two upper-level documents committed, the hook installed."""
    repo = tmp_path / "drafting"
    (repo / "upper").mkdir(parents=True)
    (repo / "drafts").mkdir()
    for source in sorted((SAMPLES / "upper").glob("*.txt")):
        if source.name != UPPER_NEW:
            shutil.copy(source, repo / "upper" / source.name)
    (repo / "wenshan-audit.toml").write_text(CONFIG, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(LOCAL_HOOK, encoding="utf-8")
    (repo / ".gitignore").write_text(".wenshan-cache/\n", encoding="utf-8")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "起草组",
        "GIT_AUTHOR_EMAIL": "drafts@example.invalid",
        "GIT_COMMITTER_NAME": "起草组",
        "GIT_COMMITTER_EMAIL": "drafts@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    _git(repo, env, "init", "-q", "-b", "main", ".")
    _git(repo, env, "add", ".")
    _git(repo, env, "commit", "-qm", "上级文件与配置")
    installed = _pre_commit(repo, env, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo, env


def _commit(repo: Path, env: dict[str, str], *paths: str) -> tuple[bool, str]:
    """Stage ``paths`` and try to commit; True when the commit went through."""
    head = _git(repo, env, "rev-parse", "HEAD").stdout
    _git(repo, env, "add", *paths)
    done = _git(repo, env, "commit", "-m", "提交草稿", check=False)
    moved = _git(repo, env, "rev-parse", "HEAD").stdout != head
    assert moved == (done.returncode == 0), done.stdout + done.stderr
    return moved, done.stdout + done.stderr


def test_copied_draft_is_refused_and_good_draft_passes(repo: tuple[Path, dict[str, str]]) -> None:
    path, env = repo
    shutil.copy(SAMPLES / "drafts" / COPIED, path / "drafts" / COPIED)
    committed, output = _commit(path, env, f"drafts/{COPIED}")
    assert not committed
    assert f"× drafts/{COPIED}：不能提交" in output
    assert "[copy.upper]" in output
    assert "《江川省人民政府办公厅关于精简文件会议切实为基层减负的通知》" in output
    _git(path, env, "rm", "-q", "--cached", f"drafts/{COPIED}")

    shutil.copy(SAMPLES / "drafts" / GOOD, path / "drafts" / GOOD)
    committed, output = _commit(path, env, f"drafts/{GOOD}")
    assert committed, output
    assert f"√ drafts/{GOOD}：通过" in output


def test_waiver_copied_from_the_refusal_lets_the_draft_through(
    repo: tuple[Path, dict[str, str]],
) -> None:
    path, env = repo
    shutil.copy(SAMPLES / "drafts" / COPIED, path / "drafts" / COPIED)
    committed, output = _commit(path, env, f"drafts/{COPIED}")
    assert not committed
    suggestion = re.search(r'sha256 = "([0-9a-f]+)"，rules = (\[[^\]]*\])', output)
    assert suggestion, output
    digest, rules = suggestion.groups()
    assert '"copy"' in rules
    waiver = (
        f'\n[[waivers]]\nsha256 = "{digest}"\nrules = {rules}\n'
        'approved_by = "王明（市政府办公室主任）"\napproval = "云政办批〔2026〕5号"\n'
        "date = 2026-03-02\n"
    )
    with (path / "wenshan-audit.toml").open("a", encoding="utf-8") as fh:
        fh.write(waiver)
    committed, output = _commit(path, env, f"drafts/{COPIED}", "wenshan-audit.toml")
    assert committed, output
    assert f"√ drafts/{COPIED}：通过" in output
    assert "已豁免 copy.upper（云政办批〔2026〕5号，王明（市政府办公室主任）批准）" in output


def test_changed_upper_corpus_is_picked_up(repo: tuple[Path, dict[str, str]]) -> None:
    path, env = repo
    upper = (SAMPLES / "upper" / UPPER_NEW).read_text(encoding="utf-8").split("\n\n")
    copied = [p for p in upper if len(p) > 60][2:5]
    draft = "\n\n".join(
        [
            "云岭市人民政府办公室关于推进数字政府建设的通知",
            "各县（市、区）人民政府，市直各部门：",
            *copied,
            "市数据局于2026年6月30日前完成全市政务数据目录编制，覆盖市直部门不少于45个。",
            "市财政局安排专项资金300万元，于2026年9月底前拨付到位。",
            "云岭市人民政府办公室",
            "2026年4月8日",
        ]
    )
    (path / "drafts" / "数字政府.txt").write_text(draft, encoding="utf-8")
    _git(path, env, "add", "drafts/数字政府.txt")
    before = _pre_commit(path, env, "run", "wenshan-audit", "--files", "drafts/数字政府.txt")
    assert before.returncode == 0, before.stdout + before.stderr
    assert "√ drafts/数字政府.txt：通过" in before.stdout

    shutil.copy(SAMPLES / "upper" / UPPER_NEW, path / "upper" / UPPER_NEW)
    committed, output = _commit(path, env, f"upper/{UPPER_NEW}", "drafts/数字政府.txt")
    assert not committed
    assert "× drafts/数字政府.txt：不能提交" in output
    assert "江川省人民政府关于加快推进数字政府建设的实施意见" in output
    assert "上级文件 1 份：不作草稿审核" in output


@pytest.mark.slow
def test_published_manifest_installs_and_refuses_a_copied_draft(
    repo: tuple[Path, dict[str, str]],
) -> None:
    """``language: python``: pre-commit pip-installs this repository (HEAD plus uncommitted
    changes, via try-repo's shadow repository) and runs the manifest's entry."""
    path, env = repo
    shutil.copy(SAMPLES / "drafts" / COPIED, path / "drafts" / COPIED)
    _git(path, env, "add", f"drafts/{COPIED}")
    done = _pre_commit(
        path, env, "try-repo", str(ROOT), "wenshan-audit", "--files", f"drafts/{COPIED}"
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"× drafts/{COPIED}：不能提交" in output
    assert "[copy.upper]" in output
