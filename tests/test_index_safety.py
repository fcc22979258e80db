"""The embedded index under kills and concurrent readers, with the real CLI.

``index update`` runs as a real subprocess (``python -m wenshan_audit``) and is
killed with SIGKILL at moments spread over its run; readers run while real
updates commit. Nothing is mocked: real files, real fsync, real kills.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_copy import DRAFT, OTHER, UPPER, write

from wenshan_audit.checks.copying.check import CopyCheck, Settings
from wenshan_audit.checks.copying.index import Index, Writer
from wenshan_audit.readers import read_document

SRC = Path(__file__).resolve().parents[1] / "src"
OWN = "二是由市数据局牵头，在市民中心设立综合窗口12个，每周三开展帮办代办服务，年底前完成窗口改造。"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "wenshan_audit", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


def _filler(seed: int, n: int = 4000) -> str:
    """Random text with one boilerplate sentence (the stoplist has work to do)."""
    rng = np.random.default_rng(seed)
    chars = np.array([ord(c) for c in UPPER + OTHER if "\u4e00" <= c <= "\u9fff"])
    text = "".join(map(chr, rng.choice(chars, n)))
    return text[: n // 2] + "。现将有关事项通知如下，请结合实际认真贯彻执行。" + text[n // 2 :]


def _state(corpus: Path, b: bool) -> None:
    """Two corpus states that answer the draft differently: B's upper document also
    holds the draft's own sentence, and 60 fillers are replaced."""
    write(corpus, "upper.txt", UPPER + (OWN if b else ""))
    for i in range(60):
        old = corpus / f"{'a' if b else 'b'}{i:03d}.txt"
        old.unlink(missing_ok=True)
        write(corpus, f"{'b' if b else 'a'}{i:03d}.txt", _filler(i + (1000 if b else 0)))


def _ratio(index: Path, draft: Path) -> float:
    done = subprocess.run(
        _cli("check", str(draft), "--against", str(index), "-f", "json"),
        capture_output=True,
        env=_env(),
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    return json.loads(done.stdout)["documents"][0]["copy"]["ratio"]


def _update(corpus: Path, index: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _cli("index", "update", str(corpus), "-i", str(index), "-j", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
    )


def _killed_updates(tmp_path: Path, moments: int) -> None:
    corpus, index = tmp_path / "upper", tmp_path / "index"
    for name in range(100):  # a corpus large enough that an update takes a while
        write(corpus, f"base{name:03d}.txt", _filler(5000 + name))
    draft = write(tmp_path / "drafts", "draft.txt", DRAFT)
    _state(corpus, b=False)
    assert _update(corpus, index).wait() == 0
    answers = {False: _ratio(index, draft)}
    _state(corpus, b=True)
    started = time.perf_counter()
    assert _update(corpus, index).wait() == 0
    duration = time.perf_counter() - started
    answers[True] = _ratio(index, draft)
    assert answers[False] < answers[True]
    state, before_switch = True, 0
    for moment in range(moments):
        previous, state = state, not state
        _state(corpus, b=state)
        proc = _update(corpus, index)
        time.sleep(duration * (moment + 0.5) / moments)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # the old answer or the new one, never an error or a third answer
        seen = _ratio(index, draft)
        assert seen in (answers[previous], answers[state]), moment
        before_switch += seen == answers[previous]
        # and the next update completes and gives the new answer
        finished = _update(corpus, index)
        assert finished.wait() == 0, finished.stderr.read().decode()  # type: ignore[union-attr]
        assert _ratio(index, draft) == answers[state]
    assert before_switch  # some kills really came before the switch to the new generation
    leftovers = [p.name for p in index.iterdir() if p.name.startswith(("seg-", "g"))]
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    assert sorted(leftovers) == sorted(
        [f"seg-{s['id']}" for s in meta["segments"]] + [f"g{meta['generation']}"]
    )


def test_killed_updates_leave_a_usable_index(tmp_path: Path) -> None:
    _killed_updates(tmp_path, moments=3)


@pytest.mark.slow
def test_updates_killed_at_many_moments_leave_a_usable_index(tmp_path: Path) -> None:
    _killed_updates(tmp_path, moments=16)


def test_readers_see_one_generation_during_real_updates(tmp_path: Path) -> None:
    corpus, index = tmp_path / "upper", tmp_path / "index"
    draft_doc = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT))
    for name in range(60):
        write(corpus, f"base{name:03d}.txt", _filler(7000 + name))
    _state(corpus, b=False)
    writer = Writer(index)
    writer.update_from_folder(corpus, workers=1)
    writer.close()

    def answer(opened: Index) -> float:
        return CopyCheck(opened, Settings()).run(draft_doc).data["ratio"]

    pinned = Index(index)  # a check that started before the updates
    old = answer(pinned)
    seen: list[float] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                opened = Index(index)  # a reviewer's check: whatever generation is current
                first = answer(opened)
                time.sleep(0.01)
                assert answer(opened) == first  # the same generation from start to end
                seen.append(first)
                opened.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    answers = {False: old}
    for step in range(3):  # real updates in another process, each changing the answer
        state = step % 2 == 0
        _state(corpus, b=state)
        assert _update(corpus, index).wait() == 0
        if state not in answers:
            answers[state] = answer(Index(index))
        assert answer(pinned) == old  # the pinned reader keeps its generation
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors
    assert seen and set(seen) <= set(answers.values()), (set(seen), answers)
    assert answers[True] != answers[False]


def test_update_and_fresh_build_of_the_same_corpus_answer_alike(tmp_path: Path) -> None:
    corpus = tmp_path / "upper"
    for name in range(40):
        write(corpus, f"base{name:03d}.txt", _filler(9000 + name))
    _state(corpus, b=False)
    updated = Writer(tmp_path / "updated")
    updated.update_from_folder(corpus, workers=1)
    for step in range(3):  # updates that add, change and remove documents
        _state(corpus, b=step % 2 == 0)
        (corpus / f"base{step:03d}.txt").unlink()
        updated.update_from_folder(corpus, workers=1)
    updated.close()
    fresh = Writer(tmp_path / "fresh")
    fresh.update_from_folder(corpus, workers=1, rebuild=True)
    fresh.close()
    left, right = Index(tmp_path / "updated"), Index(tmp_path / "fresh")
    assert left.size == right.size
    assert np.array_equal(left.stoplist, right.stoplist) and len(left.stoplist)
    doc = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT + _filler(9010)[:300]))
    a = CopyCheck(left, Settings()).run(doc).data
    b = CopyCheck(right, Settings()).run(doc).data
    strip = [
        (Path(s["path"]).name, s["ratio"], [p["text"] for p in s["passages"]]) for s in a["sources"]
    ]
    assert strip == [
        (Path(s["path"]).name, s["ratio"], [p["text"] for p in s["passages"]]) for s in b["sources"]
    ]
    assert a["ratio"] == b["ratio"] > 0
