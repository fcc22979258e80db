#!/usr/bin/env python3
"""Regenerate the binary and GB18030 files of the bundled sample set ``samples/``.

The texts live as UTF-8 ``.txt`` files in ``scripts/sample_sources/``; this
script lays them out as GB/T 9704-2012 style documents:

* ``.docx`` (python-docx): red 发文机关标志 (colour FF0000), 发文字号 with a red
  separator line, centred title, 主送机关, body paragraphs with first-line
  indent, headings (一、 黑体, （一） 楷体), right-aligned 署名 and 成文日期,
  版记 (抄送), a table for lines starting with ``|`` and a footer "— 1 —"
  (a PAGE field).
* ``.pdf`` (reportlab): multi-page A4 with a real text layer in the CID font
  ``STSong-Light`` (no font file needed to read it), lines wrapped by width
  so that sentences break across lines, page numbers "— n —".
* ``.txt`` in GB18030 for the white-header 工作提示.

The plain UTF-8 ``.txt`` samples in ``samples/`` are written by hand and are
not touched here.

Output is deterministic: fixed core properties and zip timestamps in the
.docx, ``invariant=1`` in reportlab.  After writing, every generated file is
read back (python-docx, pdfplumber, GB18030 decoding) and compared with its
source text; any difference makes the script exit with status 1.

Usage::

    .venv/bin/python scripts/make_samples.py [--no-check]

Source conventions (one paragraph per line, blank lines ignored):

* a first line ending in 文件 is the 发文机关标志 (red in the output);
* a line like ``云政办发〔2026〕4号`` is the 发文字号, the next line the title;
* the first line after the title ending in ``：`` is the 主送机关;
* ``一、…`` headings, ``（一）…`` sub-headings (up to the first 。 when the
  heading runs into its paragraph);
* ``|a|b|c`` lines form a table (first row is the header);
* a date line ``2026年3月15日`` is the 成文日期, the line before it the 署名;
* ``抄送：…`` is the 版记 line, ``（此件…）`` a note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sample_sources"
SAMPLES = ROOT / "samples"

RED = "FF0000"


@dataclass(frozen=True)
class Sample:
    source: str  # file name in scripts/sample_sources/
    output: str  # path relative to samples/
    author: str
    created: dt.datetime


SAMPLE_SET = [
    Sample(
        "云岭市关于精简文件会议切实为基层减负的通知（照搬稿）.txt",
        "drafts/云岭市关于精简文件会议切实为基层减负的通知（照搬稿）.docx",
        "云岭市人民政府办公室",
        dt.datetime(2026, 3, 12, 9, 30, 0),
    ),
    Sample(
        "云岭市精简文件会议为基层减负十条措施（落实稿）.txt",
        "drafts/云岭市精简文件会议为基层减负十条措施（落实稿）.docx",
        "云岭市人民政府办公室",
        dt.datetime(2026, 3, 18, 15, 0, 0),
    ),
    Sample(
        "云岭市农业农村局关于抓好春耕备耕工作的通知.txt",
        "drafts/云岭市农业农村局关于抓好春耕备耕工作的通知.docx",
        "云岭市农业农村局",
        dt.datetime(2026, 3, 3, 10, 0, 0),
    ),
    Sample(
        "云岭市关于开展环境卫生整治督查的通知（负担稿）.txt",
        "drafts/云岭市关于开展环境卫生整治督查的通知（负担稿）.pdf",
        "云岭市人民政府办公室",
        dt.datetime(2026, 3, 24, 16, 0, 0),
    ),
    Sample(
        "关于做好春节期间安全生产工作的工作提示.txt",
        "drafts/关于做好春节期间安全生产工作的工作提示.txt",
        "云岭市应急管理局办公室",
        dt.datetime(2026, 2, 6, 9, 0, 0),
    ),
]

# --------------------------------------------------------------------------
# Parsing the source layout
# --------------------------------------------------------------------------

DOCNO_RE = re.compile(r"^\S{1,12}〔\d{4}〕\d+号$")
DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
H1_RE = re.compile(r"^[一二三四五六七八九十]+、")
H2_RE = re.compile(r"^（[一二三四五六七八九十]+）")


@dataclass
class Block:
    role: str  # masthead docno title recipients h1 h2 body table note signature date cc
    text: str = ""
    rows: list[list[str]] | None = None


def parse_source(text: str) -> list[Block]:
    lines = [ln.strip().strip("\u3000") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    blocks: list[Block] = []
    i = 0
    if lines and lines[0].endswith("文件"):
        blocks.append(Block("masthead", lines[0]))
        i = 1
    if i < len(lines) and DOCNO_RE.match(lines[i]):
        blocks.append(Block("docno", lines[i]))
        i += 1
    blocks.append(Block("title", lines[i]))
    i += 1
    if i < len(lines) and lines[i].endswith("："):
        blocks.append(Block("recipients", lines[i]))
        i += 1
    rest = lines[i:]
    for j, ln in enumerate(rest):
        if ln.startswith("|"):
            row = [c.strip() for c in ln.strip("|").split("|")]
            if blocks[-1].role == "table":
                blocks[-1].rows.append(row)
            else:
                blocks.append(Block("table", rows=[row]))
        elif DATE_RE.match(ln):
            blocks.append(Block("date", ln))
        elif j + 1 < len(rest) and DATE_RE.match(rest[j + 1]):
            blocks.append(Block("signature", ln))
        elif ln.startswith("抄送："):
            blocks.append(Block("cc", ln))
        elif ln.startswith("（此件"):
            blocks.append(Block("note", ln))
        elif H1_RE.match(ln):
            blocks.append(Block("h1", ln))
        elif H2_RE.match(ln):
            blocks.append(Block("h2", ln))
        else:
            blocks.append(Block("body", ln))
    return blocks


def split_heading(text: str) -> tuple[str, str]:
    """'（一）标题。正文…' -> ('（一）标题。', '正文…'); a bare heading -> (text, '')."""
    k = text.find("。")
    if 0 <= k < 40 and k + 1 < len(text):
        return text[: k + 1], text[k + 1 :]
    return text, ""


# --------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------


def build_docx(blocks: list[Block], sample: Sample) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(25)

    def set_font(run, name: str, size: float, bold: bool = False, color: str | None = None):
        run.font.name = name
        rpr = run._element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), name)
        run.font.size = Pt(size)
        run.font.bold = bold
        if color:
            run.font.color.rgb = RGBColor.from_string(color)

    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.element.get_or_add_rPr()
    normal.font.size = Pt(16)

    def para(
        align=None,
        first_indent: float | None = 32,
        right_indent: float | None = None,
        before: float = 0,
        after: float = 0,
    ):
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(28)
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        if first_indent:
            pf.first_line_indent = Pt(first_indent)
        if right_indent:
            pf.right_indent = Pt(right_indent)
        if align is not None:
            p.alignment = align
        return p

    def border(p, side: str, color: str, size: int = 12):
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:space"), "6")
        edge.set(qn("w:color"), color)
        bdr.append(edge)
        ppr.append(bdr)

    body_font, body_size = "仿宋_GB2312", 16
    for b in blocks:
        if b.role == "masthead":
            p = para(WD_ALIGN_PARAGRAPH.CENTER, None, before=24, after=24)
            p.paragraph_format.line_spacing = Pt(48)
            set_font(p.add_run(b.text), "方正小标宋简体", 32, color=RED)
        elif b.role == "docno":
            p = para(WD_ALIGN_PARAGRAPH.CENTER, None, after=12)
            set_font(p.add_run(b.text), body_font, body_size)
            border(p, "bottom", RED, 18)
        elif b.role == "title":
            p = para(WD_ALIGN_PARAGRAPH.CENTER, None, before=28, after=28)
            p.paragraph_format.line_spacing = Pt(36)
            set_font(p.add_run(b.text), "方正小标宋简体", 22)
        elif b.role == "recipients":
            p = para(WD_ALIGN_PARAGRAPH.JUSTIFY, None)
            set_font(p.add_run(b.text), body_font, body_size)
        elif b.role in ("h1", "h2"):
            head, rest = split_heading(b.text)
            p = para(WD_ALIGN_PARAGRAPH.JUSTIFY)
            set_font(p.add_run(head), "黑体" if b.role == "h1" else "楷体_GB2312", body_size)
            if rest:
                set_font(p.add_run(rest), body_font, body_size)
        elif b.role == "body":
            p = para(WD_ALIGN_PARAGRAPH.JUSTIFY)
            set_font(p.add_run(b.text), body_font, body_size)
        elif b.role == "note":
            p = para(WD_ALIGN_PARAGRAPH.LEFT)
            set_font(p.add_run(b.text), body_font, body_size)
        elif b.role == "signature":
            p = para(WD_ALIGN_PARAGRAPH.RIGHT, None, right_indent=48, before=28)
            set_font(p.add_run(b.text), body_font, body_size)
        elif b.role == "date":
            p = para(WD_ALIGN_PARAGRAPH.RIGHT, None, right_indent=64)
            set_font(p.add_run(b.text), body_font, body_size)
        elif b.role == "cc":
            p = para(WD_ALIGN_PARAGRAPH.LEFT, None, before=28)
            set_font(p.add_run(b.text), body_font, 14)
            border(p, "top", "000000", 8)
        elif b.role == "table":
            rows = b.rows or []
            ncol = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=ncol)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            widths = [Mm(14), Mm(62), Mm(46), Mm(34)][:ncol]
            for c, w in enumerate(widths):
                table.columns[c].width = w
            for r, row in enumerate(rows):
                for c in range(ncol):
                    cell = table.cell(r, c)
                    cell.width = widths[c] if c < len(widths) else Mm(30)
                    cp = cell.paragraphs[0]
                    cp.alignment = (
                        WD_ALIGN_PARAGRAPH.CENTER if c == 0 or r == 0 else WD_ALIGN_PARAGRAPH.LEFT
                    )
                    text = row[c] if c < len(row) else ""
                    set_font(cp.add_run(text), "黑体" if r == 0 else body_font, 12)
        else:  # pragma: no cover - parse_source only emits the roles above
            raise ValueError(b.role)

    # Footer: "— PAGE —" as a real field whose cached result is 1.
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def field_char(kind: str):
        r = fp.add_run()
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)
        set_font(r, "宋体", 14)

    set_font(fp.add_run("— "), "宋体", 14)
    field_char("begin")
    r = fp.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    r._r.append(instr)
    field_char("separate")
    set_font(fp.add_run("1"), "宋体", 14)
    field_char("end")
    set_font(fp.add_run(" —"), "宋体", 14)

    title = next(b.text for b in blocks if b.role == "title")
    cp = doc.core_properties
    cp.title = title
    cp.author = sample.author
    cp.last_modified_by = sample.author
    cp.created = sample.created
    cp.modified = sample.created
    cp.revision = 1
    cp.subject = ""
    cp.keywords = ""
    cp.comments = ""
    cp.category = ""
    cp.language = "zh-CN"

    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------
# .pdf
# --------------------------------------------------------------------------

NO_LINE_START = set("，。、；：？！）》」』”’〕】％…—·,.;:?!)%")
NO_LINE_END = set("（《「『“‘〔【(")
TOKEN_RE = re.compile(r"[0-9A-Za-z.%]+|.", re.S)


def wrap(text: str, width: float, font: str, size: float, first_indent: float = 0) -> list[str]:
    """Greedy line breaking by width with simple 避头尾 rules; digits stay together."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    tokens = TOKEN_RE.findall(text)
    lines: list[str] = []
    cur = ""
    avail = width - first_indent
    for tok in tokens:
        if cur and stringWidth(cur + tok, font, size) > avail:
            if tok in NO_LINE_START:
                cur += tok  # hang the punctuation mark at the line end
                lines.append(cur)
                cur, avail = "", width
                continue
            carry = ""
            while cur and cur[-1] in NO_LINE_END:
                carry = cur[-1] + carry
                cur = cur[:-1]
            lines.append(cur)
            cur, avail = carry + tok, width
        else:
            cur += tok
    if cur:
        lines.append(cur)
    return lines


def build_pdf(blocks: list[Block], sample: Sample) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    page_w, page_h = A4
    left, right = 28 * mm, page_w - 26 * mm
    top, bottom = page_h - 37 * mm, 35 * mm
    width = right - left
    size, leading = 15.5, 28.5

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    title = next(b.text for b in blocks if b.role == "title")
    c.setTitle(title)
    c.setAuthor(sample.author)
    c.setCreator("wenshan-audit scripts/make_samples.py")
    c.setSubject("wenshan-audit 示例文件")

    state = {"y": top, "page": 1}

    def footer():
        c.setFillColorRGB(0, 0, 0)
        c.setFont(font, 14)
        c.drawCentredString(page_w / 2, 22 * mm, f"— {state['page']} —")

    def new_page():
        footer()
        c.showPage()
        state["page"] += 1
        state["y"] = top

    def line(
        text: str,
        x: float | None = None,
        fsize: float = size,
        lead: float = leading,
        align: str = "left",
        color=(0, 0, 0),
    ):
        if state["y"] - lead < bottom:
            new_page()
        state["y"] -= lead
        c.setFont(font, fsize)
        c.setFillColorRGB(*color)
        if align == "center":
            c.drawCentredString(page_w / 2, state["y"], text)
        elif align == "right":
            c.drawRightString(x if x is not None else right, state["y"], text)
        else:
            c.drawString(x if x is not None else left, state["y"], text)

    def paragraph(text: str, indent_chars: float = 2):
        indent = indent_chars * size
        for k, ln in enumerate(wrap(text, width, font, size, indent)):
            line(ln, left + (indent if k == 0 else 0))

    for b in blocks:
        if b.role == "masthead":
            state["y"] -= 10
            line(b.text, fsize=30, lead=40, align="center", color=(1, 0, 0))
            state["y"] -= 20
        elif b.role == "docno":
            line(b.text, align="center")
            state["y"] -= 10
            c.setStrokeColorRGB(1, 0, 0)
            c.setLineWidth(1.5)
            c.line(left, state["y"], right, state["y"])
            state["y"] -= 12
        elif b.role == "title":
            state["y"] -= 14
            tsize = 20
            parts = wrap(b.text, width * 0.85, font, tsize)
            if len(parts) == 2 and "关于" in b.text:  # break after 发文机关+关于
                k = b.text.index("关于") + 2
                if stringWidth(b.text[:k], font, tsize) <= width * 0.85:
                    parts = [b.text[:k], b.text[k:]]
            for ln in parts:
                line(ln, fsize=tsize, lead=32, align="center")
            state["y"] -= 14
        elif b.role == "recipients":
            paragraph(b.text, 0)
        elif b.role in ("h1", "h2", "body", "note"):
            paragraph(b.text)
        elif b.role == "signature":
            state["y"] -= leading
            line(b.text, x=right - 3 * size, align="right")
        elif b.role == "date":
            line(b.text, x=right - 4 * size, align="right")
        elif b.role == "cc":
            state["y"] -= leading
            c.setStrokeColorRGB(0, 0, 0)
            c.setLineWidth(0.7)
            c.line(left, state["y"] - 8, right, state["y"] - 8)
            for ln in wrap(b.text, width, font, 14):
                line(ln, fsize=14)
        elif b.role == "table":
            for row in b.rows or []:
                paragraph("　".join(row), 0)
        else:  # pragma: no cover
            raise ValueError(b.role)
    footer()
    c.showPage()
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Read-back checks
# --------------------------------------------------------------------------

WS_RE = re.compile(r"\s+")


def flat(text: str) -> str:
    return WS_RE.sub("", text.replace("|", ""))


def check_docx(path: Path, source: str) -> list[str]:
    from docx import Document

    doc = Document(str(path))
    parts: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for tr in child.iter():
                if tr.tag.endswith("}tc"):
                    parts.append("".join(t.text or "" for t in tr.iter() if t.tag.endswith("}t")))
    problems = []
    if flat("".join(parts)) != flat(source):
        problems.append("body text differs from source")
    footer = "".join(p.text for p in doc.sections[0].footer.paragraphs)
    if footer.strip() != "— 1 —":
        problems.append(f"footer is {footer!r}")
    first = doc.paragraphs[0]
    if first.text.endswith("文件") and not all(
        r.font.color.rgb is not None and str(r.font.color.rgb) == RED for r in first.runs
    ):
        problems.append("masthead is not red")
    return problems


def check_pdf(path: Path, source: str) -> list[str]:
    try:
        import pdfplumber
    except ImportError:
        return []
    problems = []
    with pdfplumber.open(str(path)) as pdf:
        if len(pdf.pages) < 2:
            problems.append("PDF has fewer than 2 pages")
        texts = []
        for n, page in enumerate(pdf.pages, 1):
            lines = (page.extract_text() or "").splitlines()
            if not lines or lines[-1].strip() != f"— {n} —":
                problems.append(f"page {n}: no page number at the bottom")
            else:
                lines = lines[:-1]
            texts.append("".join(lines))
    got, want = flat("".join(texts)), flat(source.replace("|", "　"))
    if got != want:
        k = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
            min(len(got), len(want)),
        )
        problems.append(
            f"extracted text differs at {k}: {got[k - 10 : k + 10]!r} vs {want[k - 10 : k + 10]!r}"
        )
    return problems


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-check", action="store_true", help="skip reading the outputs back")
    args = ap.parse_args(argv)

    failed = False
    for sample in SAMPLE_SET:
        source = (SOURCES / sample.source).read_text(encoding="utf-8")
        out = SAMPLES / sample.output
        out.parent.mkdir(parents=True, exist_ok=True)
        suffix = out.suffix.lower()
        if suffix == ".docx":
            out.write_bytes(build_docx(parse_source(source), sample))
        elif suffix == ".pdf":
            out.write_bytes(build_pdf(parse_source(source), sample))
        elif suffix == ".txt":
            out.write_bytes(source.encode("gb18030"))
        else:  # pragma: no cover
            raise ValueError(out)
        problems: list[str] = []
        if not args.no_check:
            if suffix == ".docx":
                problems = check_docx(out, source)
            elif suffix == ".pdf":
                problems = check_pdf(out, source)
            else:
                if out.read_bytes().decode("gb18030") != source:
                    problems = ["GB18030 round trip failed"]
        status = "ok" if not problems else "FAILED: " + "; ".join(problems)
        print(f"{out.relative_to(ROOT)}  {status}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
