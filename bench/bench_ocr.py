"""OCR speed (pages/s) and character accuracy on real scanned pages written here.

    PYTHONPATH=src .venv/bin/python bench/bench_ocr.py [--docs 3]
    PYTHONPATH=src .venv/bin/python bench/bench_ocr.py --formats   # the real files that need OCR

The pages are the 公文 of tests/scans.py typeset with a CJK font at 150 dpi with
scanner noise, in a PDF without a text layer. Baseline in the same run: the same
text as a PDF with a text layer (tests/conftest.write_pdf), read by the same
read_document. Character accuracy = matched characters / source characters
(difflib, whitespace ignored). Model loading (once per process) is timed apart.
``--formats`` times read_document on each real file of ../shared/corpus/formats
read through OCR (outlined and garbled PDFs): wall and CPU seconds, with the load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from conftest import write_pdf  # noqa: E402
from scans import PAGES, source_text, write_scanned_pdf  # noqa: E402
from test_readers_ocr import accuracy  # noqa: E402

from wenshan_audit.readers import ocr, read_document  # noqa: E402

FORMATS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "formats" / "pdf"
NEEDS_OCR = (
    "moe_jiaokeji-2020-2_sci-yijian_outlined.pdf",
    "moe_weilunwen-yijian_outlined.pdf",
    "moe_zhuanli-zhiliang-yijian_outlined.pdf",
    "c5soft_GBT-39677-2020_garbled-text.pdf",
)


def formats() -> None:
    ocr._engine()
    for name in NEEDS_OCR:
        wall, cpu = time.perf_counter(), time.process_time()
        doc = read_document(FORMATS / name)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{name}: {len(doc.ocr_pages)} pages, {wall:.1f} s wall, {cpu:.1f} s CPU, "
            f"{len(doc.ocr_pages) / wall:.2f} pages/s, load {os.getloadavg()[0]:.1f}, "
            f"发文字号 {doc.meta.doc_number}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=3, help="scanned documents (2 pages each)")
    parser.add_argument("--formats", action="store_true", help="time the real files needing OCR")
    args = parser.parse_args()
    if not ocr.available():
        sys.exit('OCR extra not installed: pip install "wenshan-audit[ocr]"')
    if args.formats:
        formats()
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scans = [write_scanned_pdf(folder / f"scan{i}.pdf", seed=10 * i) for i in range(args.docs)]
        layer = write_pdf(folder / "layer.pdf", [p for page in PAGES for p in page])
        started = time.perf_counter()
        ocr._engine()
        load = time.perf_counter() - started
        pages, scores = 0, []
        started = time.perf_counter()
        for path in scans:
            doc = read_document(path)
            pages += len(doc.ocr_pages)
            scores.append(accuracy(source_text(), doc.text))
        ocr_time = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(args.docs):
            read_document(layer)
        layer_time = time.perf_counter() - started
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"model load (once per process): {load:.2f} s")
    print(f"OCR: {pages} pages in {ocr_time:.1f} s = {pages / ocr_time:.2f} pages/s")
    print(f"baseline, same text with a text layer: {2 * args.docs / layer_time:.1f} pages/s")
    print(f"ratio OCR / text layer: {layer_time / ocr_time:.3f}")
    print(f"character accuracy: min {min(scores):.4f}, mean {sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()
