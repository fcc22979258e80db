"""Both reference-index backends (embedded on disk, shared Redis) pass the same copy scenarios.

The Redis tests start a real ``redis-server`` on a free loopback port (the
``redis_url`` fixture of conftest.py) and are
skipped, with the reason, only when no ``redis-server`` binary or no ``redis``
client is installed (``apt-get install redis-server``; ``pip install -e .[dev]``).
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import free_port
from test_copy import DRAFT, OTHER, UPPER, write

from wenshan_audit.audit import AuditOptions
from wenshan_audit.checks.copying import redis_backend
from wenshan_audit.checks.copying.backend import open_configured
from wenshan_audit.checks.copying.check import CopyCheck, Settings, build
from wenshan_audit.checks.copying.index import CopyIndexError, Entry, Index, Writer
from wenshan_audit.checks.copying.normalise import normalise
from wenshan_audit.config import Config
from wenshan_audit.errors import ConfigError
from wenshan_audit.readers import read_document

REAL_DOCS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "docs"


class Backend:
    """Write and open one reference index in either backend, with one API."""

    def __init__(self, kind: str, root: Path, url: str | None) -> None:
        self.kind, self.root, self.url = kind, root, url
        self.name = uuid.uuid4().hex[:12]

    def writer(self) -> Any:
        if self.kind == "redis":
            return redis_backend.RedisWriter(self.url, self.name)
        return Writer(self.root)

    def open(self) -> Any:
        if self.kind == "redis":
            return redis_backend.RedisIndex(self.url, self.name)
        return Index(self.root)

    def update(self, corpus: Path) -> Any:
        writer = self.writer()
        try:
            return writer.update_from_folder(corpus, workers=1)
        finally:
            writer.close()


@pytest.fixture(params=["embedded", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    return Backend(request.param, tmp_path / "index", url)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "upper"
    write(folder, "upper.txt", UPPER)
    write(folder, "other.txt", OTHER)
    return folder


def _check(index: Any, folder: Path, name: str, text: str) -> Any:
    return CopyCheck(index, Settings()).run(read_document(write(folder, name, text)))


# --- the copy scenarios, on both backends -------------------------------------------


def test_copied_draft_reports_source_passages_and_ratio(
    backend: Backend, corpus: Path, tmp_path: Path
) -> None:
    backend.update(corpus)
    index = backend.open()
    outcome = _check(index, tmp_path / "drafts", "draft.txt", DRAFT)
    index.close()
    data = outcome.data
    assert [Path(s["path"]).name for s in data["sources"]] == ["upper.txt"]
    passage = data["sources"][0]["passages"][0]
    assert UPPER[passage["source_start"] : passage["source_end"]] == passage["source_text"]
    assert 0.3 < data["ratio_excluding_citations"] < data["ratio"] < 0.8
    assert {f.rule for f in outcome.findings} == {"copy.upper"}


def test_forwarding_wrapper_and_original_draft(
    backend: Backend, corpus: Path, tmp_path: Path
) -> None:
    backend.update(corpus)
    index = backend.open()
    wrapper = (
        "云岭市人民政府办公室转发的通知\n各县（区）人民政府：\n现转发给你们，请认真贯彻执行。\n"
        + UPPER
    )
    rules = {f.rule for f in _check(index, tmp_path, "wrapper.txt", wrapper).findings}
    own = (
        "云岭市农业农村局关于春耕备耕的通知\n"
        + "各乡镇农技站要在三月十日前完成种子检测和化肥储备核查。" * 2
    )
    clean = _check(index, tmp_path, "own.txt", own)
    index.close()
    assert rules == {"copy.upper", "copy.forwarding"}
    assert clean.data["ratio"] == 0 and clean.findings == ()


def test_unchanged_update_does_no_work(backend: Backend, corpus: Path) -> None:
    first = backend.update(corpus)
    again = backend.update(corpus)
    assert (first.added, again.added, again.unchanged, again.changed) == (2, 0, 2, False)
    index = backend.open()
    assert index.stats()["generation"] == 1
    index.close()


def test_update_adds_changes_and_drops(backend: Backend, corpus: Path) -> None:
    backend.update(corpus)
    (corpus / "other.txt").unlink()
    write(corpus, "upper.txt", UPPER.replace("杜绝变相审批", "严禁变相审批"))
    write(corpus, "new.txt", OTHER)
    stats = backend.update(corpus)
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    index = backend.open()
    info = index.stats()
    texts = [s.text for s in index.sources(index.retrieve(normalise(UPPER), limit=5))]
    index.close()
    assert info["documents"] == 2 and info["generation"] == 2
    assert any("严禁变相审批" in t for t in texts)
    assert all("杜绝变相审批" not in t for t in texts)


# --- the same answers from both backends ------------------------------------------------


def _synthetic_corpus(folder: Path, n: int) -> list[str]:
    """``n`` documents: shared boilerplate and sentences reused across documents."""
    rng = np.random.default_rng(7)
    chars = np.arange(0x4E00, 0x4E00 + 2000, dtype=np.uint32)
    sentences = [
        "".join(map(chr, rng.choice(chars, size=int(rng.integers(12, 40))))) + "。"
        for _ in range(600)
    ]
    boiler = sentences[:8]
    texts = []
    for i in range(n):
        picked = [
            sentences[j] for j in rng.integers(8, len(sentences), size=int(rng.integers(20, 90)))
        ]
        texts.append("".join(boiler[:4] + picked + boiler[4:]))
        write(folder, f"doc{i:03d}.txt", texts[-1])
    return texts


def _drafts(texts: list[str]) -> list[str]:
    rng = np.random.default_rng(11)
    drafts = []
    for i in range(12):
        a, b = texts[int(rng.integers(len(texts)))], texts[int(rng.integers(len(texts)))]
        drafts.append(
            f"云岭市第{i}号通知\n"
            + a[100:700]
            + "结合本地实际，由市政府办公室负责落实。"
            + b[-500:]
        )
    return drafts


def _answers(index: Any, drafts: list[str], folder: Path) -> list[Any]:
    out = []
    for i, text in enumerate(drafts):
        data = _check(index, folder, f"d{i}.txt", text).data
        names = [
            Path(p).name
            for p in (s.path for s in index.sources(index.retrieve(normalise(text), 20)))
        ]
        out.append(
            (
                names,
                data["ratio"],
                [(Path(s["path"]).name, s["ratio"], s["passages"]) for s in data["sources"]],
            )
        )
    return out


def test_redis_and_embedded_give_identical_results(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _synthetic_corpus(tmp_path / "corpus", 60)
    drafts = _drafts(texts)
    embedded = Backend("embedded", tmp_path / "index", None)
    shared = Backend("redis", tmp_path, redis_url)
    monkeypatch.setattr(redis_backend, "MAX_SEGMENTS", 2)  # exercise segment merging too
    for step in range(4):  # build, then three updates with removals and changes
        if step:
            (tmp_path / "corpus" / f"doc{step:03d}.txt").unlink()
            write(tmp_path / "corpus", f"doc{10 + step:03d}.txt", texts[10 + step][::-1])
        assert embedded.update(tmp_path / "corpus").changed
        shared.update(tmp_path / "corpus")
        left, right = embedded.open(), shared.open()
        assert np.array_equal(left.stoplist, right.stoplist)
        assert _answers(left, drafts, tmp_path / "d") == _answers(right, drafts, tmp_path / "d")
        assert left.stats()["documents"] == right.stats()["documents"]
        left.close()
        right.close()
    assert len(shared.open().manifest.segments) <= 2


@pytest.mark.skipif(not REAL_DOCS.is_dir(), reason="真实公文文件夹 shared/corpus/real/docs 不存在")
def test_identical_results_on_real_documents(redis_url: str, tmp_path: Path) -> None:
    embedded = Backend("embedded", tmp_path / "index", None)
    shared = Backend("redis", tmp_path, redis_url)
    embedded.update(REAL_DOCS)
    shared.update(REAL_DOCS)
    texts = [read_document(p).text for p in sorted(REAL_DOCS.glob("*.txt"))[:10]]
    drafts = [
        t[len(t) // 3 : len(t) // 3 + 900] + "由市政府办公室牵头，年底前完成。" for t in texts
    ]
    left, right = embedded.open(), shared.open()
    assert _answers(left, drafts, tmp_path / "d") == _answers(right, drafts, tmp_path / "d")


# --- Redis: versions, atomic switch, concurrency --------------------------------------


def _redis(url: str) -> Backend:
    return Backend("redis", Path("."), url)


def test_readers_see_whole_versions_during_updates(redis_url: str, corpus: Path) -> None:
    shared = _redis(redis_url)
    shared.update(corpus)
    r = shared.open()
    before = [s.path for s in r.sources(r.retrieve(normalise(UPPER), 5))]
    seen: set[tuple[str, ...]] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                index = shared.open()  # a new reviewer's run: whatever version is current
                seen.add(
                    tuple(
                        sorted(
                            Path(s.path).name
                            for s in index.sources(index.retrieve(normalise(UPPER), 5))
                        )
                    )
                )
                index.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for i in range(6):  # each update adds one copy of UPPER
        write(corpus, f"copy{i}.txt", UPPER + f"第{i}版。")
        shared.update(corpus)
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    # every answer is one whole version: upper.txt plus the first k copies, never a gap
    for answer in seen:
        copies = sorted(n for n in answer if n.startswith("copy"))
        assert copies == [f"copy{i}.txt" for i in range(len(copies))]
    # a reader opened before the updates keeps its version (a consistent snapshot)
    assert [s.path for s in r.sources(r.retrieve(normalise(UPPER), 5))] == before


def test_unfinished_update_is_invisible(redis_url: str, corpus: Path) -> None:
    shared = _redis(redis_url)
    shared.update(corpus)
    writer = shared.writer()
    entry = Entry(path="/x/new.txt", sha256="0" * 64, size=1, mtime_ns=1, text=UPPER)
    from wenshan_audit.checks.copying.fingerprint import fingerprints
    from wenshan_audit.checks.copying.postings import keys_of

    keys = keys_of(fingerprints(normalise(UPPER)))
    writer._write_segment(  # the data of an update that dies before its switch
        keys, np.full(len(keys), 999, np.uint32), {entry.path: [999, entry.sha256, 1, 1, "x", None]}
    )
    writer.close()
    index = shared.open()
    assert index.stats()["generation"] == 1
    names = [Path(s.path).name for s in index.sources(index.retrieve(normalise(UPPER), 5))]
    assert "new.txt" not in names and names[0] == "upper.txt"


def test_superseded_versions_are_collected_and_pinned_readers_move_on(
    redis_url: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    monkeypatch.setattr(redis_backend, "GRACE", 0.0)
    shared = _redis(redis_url)
    shared.update(corpus)
    pinned = shared.open()
    write(corpus, "new.txt", UPPER + "新增。")
    shared.update(corpus)
    (corpus / "new.txt").unlink()
    shared.update(corpus)  # version 1 is now collected
    client = redis.Redis.from_url(redis_url)
    keys = redis_backend.Keys(shared.name)
    assert client.get(keys.version(1)) is None and client.get(keys.version(3)) is not None
    names = [Path(s.path).name for s in pinned.sources(pinned.retrieve(normalise(UPPER), 5))]
    assert "new.txt" not in names and pinned.generation == 3
    # the removed document's data is gone once no kept version uses it
    left = [k for k in client.scan_iter(keys.prefix + "d:*")]
    assert len(left) == 2


def test_one_writer_at_a_time(redis_url: str) -> None:
    shared = _redis(redis_url)
    first = shared.writer()
    with pytest.raises(CopyIndexError, match="正由另一台机器更新"):
        shared.writer()
    first.close()
    shared.writer().close()


def test_missing_index_and_unreachable_server_are_clear_errors(redis_url: str) -> None:
    with pytest.raises(CopyIndexError, match="index build"):
        _redis(redis_url).open()
    with pytest.raises(CopyIndexError, match="无法连接 Redis"):
        redis_backend.RedisIndex(f"redis://127.0.0.1:{free_port()}/0", "x")


def test_backend_is_chosen_in_config(redis_url: str, corpus: Path, tmp_path: Path) -> None:
    shared = _redis(redis_url)
    shared.update(corpus)
    config = Config(data={"reference": {"backend": "redis", "url": redis_url, "name": shared.name}})
    index = open_configured(config)
    assert isinstance(index, redis_backend.RedisIndex) and index.stats()["documents"] == 2
    check = build(config, AuditOptions())  # a plain `check draft` uses the shared index
    draft = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT))
    assert [Path(s["path"]).name for s in check.run(draft).data["sources"]] == ["upper.txt"]
    assert open_configured(Config()) is None
    with pytest.raises(ConfigError, match="reference.url"):
        open_configured(Config(data={"reference": {"backend": "redis"}}))
    with pytest.raises(ConfigError, match="reference.backend"):
        open_configured(Config(data={"reference": {"backend": "mongo"}}))


def test_cli_index_commands_and_check_on_the_shared_index(
    redis_url: str, corpus: Path, tmp_path: Path
) -> None:
    import json

    from typer.testing import CliRunner

    from wenshan_audit.cli import app

    name = uuid.uuid4().hex[:12]
    cfg = write(
        tmp_path,
        "wenshan-audit.toml",
        f'[reference]\nbackend = "redis"\nurl = "{redis_url}"\nname = "{name}"\n',
    )
    runner = CliRunner()
    built = runner.invoke(app, ["index", "build", str(corpus), "-j", "1", "--config", str(cfg)])
    assert built.exit_code == 0, built.output
    write(corpus, "new.txt", OTHER + "补充。")
    updated = runner.invoke(app, ["index", "update", str(corpus), "-j", "1", "--config", str(cfg)])
    assert updated.exit_code == 0 and "新增 1 份" in updated.output
    shown = runner.invoke(app, ["index", "stats", "--json", "--config", str(cfg)])
    info = json.loads(shown.output)
    assert (info["backend"], info["documents"], info["generation"]) == ("redis", 3, 2)
    draft = write(tmp_path / "drafts", "draft.txt", DRAFT)
    checked = runner.invoke(
        app, ["check", str(draft), "--format", "json", "--fail-on", "never", "--config", str(cfg)]
    )
    assert checked.exit_code == 0, checked.output
    assert "upper.txt" in checked.output
