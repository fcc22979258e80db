"""Real implementing documents find their parent in a corpus of parents + distractors.

Uses ``bench/eval_real_pairs.py`` (pairs and negatives of ../shared/corpus/real2)
with 1,000 distractors, so that it runs in the default suite; the bench runs
the same with 3,000 (figures in the README).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import eval_real_pairs  # noqa: E402

from wenshan_audit.checks.copying.check import Settings  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (eval_real_pairs.REAL2.is_dir() and eval_real_pairs.REAL.is_dir()),
    reason=f"真实公文语料不在 {eval_real_pairs.SHARED}（仅在开发机上有）",
)


def test_real_pairs_find_their_parent_among_distractors(tmp_path: Path) -> None:
    report = eval_real_pairs.evaluate(tmp_path, distractors=1000, settings=Settings())
    assert report["reference_documents"] > 1000
    assert report["pairs_that_copy"] == len(eval_real_pairs.PAIRS)
    # the parent holds (owns, or is listed as also_in on) its text as when checked alone
    assert report["kept_held_share"] >= 0.9, report["pairs"]
    # owned outright: text shared with a sibling that copies the same parent goes to the
    # source the draft cites (15 of 16; 广西 2017's parent is not found)
    assert report["kept_share"] >= 0.9, report["pairs"]
    found = [p for p in report["pairs"] if p["rank"] is not None]
    assert len(found) >= 15, report["pairs"]
    # same-topic documents that do not copy stay near zero (one known exception:
    # 岳阳 2017 shares policy formulas such as 以公开为常态、不公开为例外)
    assert report["negatives_below_0.05"] >= len(eval_real_pairs.NEGATIVES) - 1, report
