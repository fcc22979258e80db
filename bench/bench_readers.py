"""Reading speed: documents/s for .docx (and .doc, .ofd, .txt), pages/s for PDF.

    .venv/bin/python bench/bench_readers.py [--docs 40] [--pages 60] [--runs 3]

Files are generated into a temporary folder from real text: the public documents
in ../shared/corpus/real/docs/ when present, otherwise the project's samples.
Each .docx gets a red masthead, a table, a header and a footer; the PDF is A4
公文 layout (16 pt body, 28 chars a line, a page number on every page).

Printed, measured in the same run on the same files (best of ``--runs``):

- docx: read_document (our lxml reader + metadata) vs. the python-docx baseline
  (``Document(path)`` + ``paragraphs`` text, which misses tables and text boxes);
- pdf: read_document (dedupe_chars, furniture removal, line re-joining) vs. the
  pdfplumber baseline (``page.extract_text()`` per page, nothing else);
- .doc (LibreOffice-made, when soffice is on PATH), .ofd and .txt: documents/s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real" / "docs"
sys.path.insert(0, str(ROOT / "tests"))  # the tests' real PDF and OFD writers
from conftest import write_ofd, write_pdf  # noqa: E402


def source_texts(count: int) -> list[list[str]]:
    """Paragraph lists of real documents (repeated when fewer than ``count``)."""
    paths = sorted(CORPUS.glob("*.txt")) or sorted((ROOT / "samples").rglob("*.txt"))
    if not paths:
        raise SystemExit("没有可用的文本（../shared/corpus/real/docs 或 samples/）")
    texts = []
    for path in paths:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if lines:
            texts.append(lines[:80])  # a 公文 of a few pages, not a whole statute
    return [texts[i % len(texts)] for i in range(count)]


def write_docx(path: Path, paragraphs: Sequence[str]) -> None:
    from docx import Document
    from docx.shared import RGBColor

    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "内部资料"
    doc.sections[0].footer.paragraphs[0].text = "— 1 —"
    doc.add_paragraph().add_run("文山县人民政府办公室文件").font.color.rgb = RGBColor(0xFF, 0, 0)
    half = len(paragraphs) // 2
    for text in paragraphs[:half]:
        doc.add_paragraph(text)
    table = doc.add_table(rows=3, cols=3)
    for row in range(3):
        for col in range(3):
            table.cell(row, col).text = f"第{row + 1}行第{col + 1}列"
    for text in paragraphs[half:]:
        doc.add_paragraph(text)
    doc.save(str(path))


def pdf_items(paragraphs: Sequence[str], pages: int) -> list[str]:
    """Enough paragraphs (repeated) to fill about ``pages`` A4 pages of 22 lines of 28 chars."""
    items: list[str] = []
    while sum(len(p) // 28 + 1 for p in items) < pages * 22:
        items.extend(paragraphs)
    return items


def ofd_pages(paragraphs: Sequence[str]) -> list[list[str]]:
    """Paragraphs cut into lines of 28 characters, 22 lines a page."""
    lines = [text[i : i + 28] for text in paragraphs for i in range(0, len(text), 28)]
    return [lines[i : i + 22] for i in range(0, len(lines), 22)]


def best(runs: int, work: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, count: int, unit: str, ours: float, base: float | None = None) -> None:
    line = f"{label:<6} {count / ours:9.1f} {unit}/s  ({ours * 1000 / count:6.1f} ms each)"
    if base is not None:
        line += (
            f"   baseline {count / base:9.1f} {unit}/s   ours/baseline time = {ours / base:4.2f}"
        )
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=40, help="documents per format")
    parser.add_argument("--pages", type=int, default=60, help="pages of the benchmark PDF")
    parser.add_argument("--runs", type=int, default=3, help="repeats; the best is reported")
    args = parser.parse_args()

    import pdfplumber
    from docx import Document

    from wenshan_audit.readers import read_document

    texts = source_texts(args.docs)
    source = "real corpus" if CORPUS.is_dir() else "samples"
    print(
        f"{args.docs} documents from the {source}, PDF of {args.pages} pages, best of {args.runs}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-readers-") as tmp:
        folder = Path(tmp)
        docx_files = []
        for i, paragraphs in enumerate(texts):
            docx_files.append(folder / f"d{i}.docx")
            write_docx(docx_files[-1], paragraphs)
        ours = best(args.runs, lambda: [read_document(p) for p in docx_files])
        base = best(
            args.runs, lambda: [[p.text for p in Document(str(f)).paragraphs] for f in docx_files]
        )
        report("docx", len(docx_files), "docs", ours, base)

        pdf = folder / "long.pdf"
        write_pdf(pdf, pdf_items([p for ps in texts for p in ps], args.pages))
        pages = read_document(pdf).pages
        ours = best(args.runs, lambda: read_document(pdf))

        def plain() -> None:
            with pdfplumber.open(pdf) as doc:
                for page in doc.pages:
                    page.extract_text()

        report("pdf", pages, "pages", ours, best(args.runs, plain))

        ofd_files = []
        for i, paragraphs in enumerate(texts):
            ofd_files.append(folder / f"o{i}.ofd")
            write_ofd(ofd_files[-1], ofd_pages(paragraphs))
        report(
            "ofd",
            len(ofd_files),
            "docs",
            best(args.runs, lambda: [read_document(p) for p in ofd_files]),
        )

        txt_files = []
        for i, paragraphs in enumerate(texts):
            txt_files.append(folder / f"t{i}.txt")
            txt_files[-1].write_bytes("\n".join(paragraphs).encode("gb18030"))
        report(
            "txt",
            len(txt_files),
            "docs",
            best(args.runs, lambda: [read_document(p) for p in txt_files]),
        )

        soffice = shutil.which("soffice")
        if soffice is None:
            print("doc    skipped: LibreOffice (soffice) is not on PATH to make .doc files")
            return
        subprocess.run(
            [
                soffice,
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                str(folder),
                *map(str, docx_files),
            ],
            capture_output=True,
            check=True,
        )
        doc_files = [p.with_suffix(".doc") for p in docx_files]
        report(
            "doc",
            len(doc_files),
            "docs",
            best(args.runs, lambda: [read_document(p) for p in doc_files]),
        )


if __name__ == "__main__":
    main()
