"""Concrete-measure analysis: accuracy (via ``rules eval``) and speed figures.

Prints the held-out P/R/F1 (rules / model / combined), document accuracy of
``measures.none``, the model load time against reading the same file's bytes,
and sentences per second of the combined labeller against rules alone, over
the real documents in ../shared/corpus/real/docs (skipped when absent).

    .venv/bin/python bench/eval_measures.py
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from typer.testing import CliRunner

from wenshan_audit.checks.measures import default_model_path, judge, load_cues
from wenshan_audit.cli import app
from wenshan_audit.readers import read_document
from wenshan_audit.ruleset import packaged_rules_dir
from wenshan_audit.sentence_model import load_model
from wenshan_audit.sentences import of_document

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real" / "docs"


def best_of(runs: int, func) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    result = CliRunner().invoke(
        app, ["rules", "eval", "--documents", str(ROOT / "bench" / "measure_documents.csv")]
    )
    print(result.output.rstrip())
    path = default_model_path(packaged_rules_dir())
    raw = best_of(5, lambda: gzip.decompress(path.read_bytes()))
    load = best_of(5, lambda: load_model(path))
    print(
        f"模型加载：{load * 1000:.1f} ms（仅解压读取 {raw * 1000:.1f} ms，比值 {load / raw:.1f}）"
    )
    if not REAL.is_dir():
        print("真实语料目录不存在，跳过吞吐量测试")
        return
    sentences = [s.text for p in sorted(REAL.glob("*.txt")) for s in of_document(read_document(p))]
    cues, model = load_cues(packaged_rules_dir()), load_model(path)
    rules = best_of(2, lambda: [judge(t, cues, model, "rules") for t in sentences])
    combined = best_of(2, lambda: [judge(t, cues, model) for t in sentences])
    print(
        f"吞吐量（{len(sentences)} 句真实公文）：规则+模型 {len(sentences) / combined:,.0f} 句/秒，"
        f"仅规则 {len(sentences) / rules:,.0f} 句/秒（基线），比值 {combined / rules:.2f}"
    )


if __name__ == "__main__":
    main()
