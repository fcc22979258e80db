"""Shared fixtures: builders that write real documents (PDF via reportlab, OFD by hand),
and a throwaway redis-server (also started by bench/bench_redis.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

# A paragraph for write_pdf: plain text is a body paragraph (indented two chars);
# ("center", text) is a centred line such as a title; ("red", text) a centred red line.
PdfItem = str | tuple[str, str]

PDF_FONT = "STSong-Light"
PDF_SIZE = 16.0
PDF_LEFT = 72.0


def write_pdf(
    path: Path,
    items: Sequence[PdfItem],
    *,
    chars_per_line: int = 28,
    lines_per_page: int = 22,
    header: str | None = None,
    page_number: str | None = "— {n} —",
    encrypt: object = None,  # a password, or a reportlab StandardEncryption
) -> Path:
    """Write a 公文-like PDF: body lines run to the right margin, paragraphs flow over pages.

    ``page_number`` is the footer's format, with ``{n}`` and ``{total}``; None for no footer.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    width, height = 595.0, 842.0
    measure = chars_per_line * PDF_SIZE
    lines: list[tuple[str, float, tuple[float, float, float]]] = []  # text, x, colour
    for item in items:
        kind, text = ("body", item) if isinstance(item, str) else item
        if kind == "body":  # filled by width, as a typesetter does (digits are narrower)
            chunk, indent = "", 2 * PDF_SIZE
            for char in text:
                if indent + stringWidth(chunk + char, PDF_FONT, PDF_SIZE) > measure:
                    lines.append((chunk, PDF_LEFT + indent, (0, 0, 0)))
                    chunk, indent = "", 0.0
                chunk += char
            lines.append((chunk, PDF_LEFT + indent, (0, 0, 0)))
        else:
            x = (width - len(text) * PDF_SIZE) / 2
            lines.append((text, x, (1, 0, 0) if kind == "red" else (0, 0, 0)))
    c = canvas.Canvas(str(path), pagesize=(width, height), encrypt=encrypt)
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    for number, page in enumerate(pages, start=1):
        if header:
            c.setFont(PDF_FONT, 10)
            c.drawString(PDF_LEFT, height - 40, header)
        c.setFont(PDF_FONT, PDF_SIZE)
        for row, (text, x, colour) in enumerate(page):
            c.setFillColorRGB(*colour)
            c.drawString(x, height - 90 - row * 30, text)
        c.setFillColorRGB(0, 0, 0)
        if page_number:
            c.setFont(PDF_FONT, 12)
            c.drawCentredString(width / 2, 40, page_number.format(n=number, total=len(pages)))
        c.showPage()
    c.save()
    return path


_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def write_ofd(path: Path, pages: Sequence[Sequence[str]]) -> Path:
    """Write a minimal OFD (GB/T 33190) with one TextObject per line ("" leaves a gap).

    An empty page gets a drawn path instead of text, as a scanned or vector-only page would.
    """

    def text_object(i: int, y: float, text: str, size: float = 5.6) -> str:
        return (
            f'<ofd:TextObject ID="{i}" Boundary="25 {y} 170 {size * 1.5}" Font="2" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size}" DeltaX="g {max(len(text) - 1, 0)} {size}">{text}'
            "</ofd:TextCode></ofd:TextObject>"
        )

    head = '<?xml version="1.0" encoding="UTF-8"?>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'{head}<ofd:OFD {_OFD_NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            "<ofd:DocID>6f2c3d1e0a0b4c5d8e9f000000000001</ofd:DocID><ofd:Title>测试公文</ofd:Title>"
            "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_list = "".join(
            f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(pages))
        )
        z.writestr(
            "Doc_0/Document.xml",
            f"{head}<ofd:Document {_OFD_NS}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>"
            "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
            f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
        )
        z.writestr(
            "Doc_0/PublicRes.xml",
            f'{head}<ofd:Res {_OFD_NS} BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        for i, lines in enumerate(pages):
            objects = "".join(
                text_object(10 + j, 30 + 10 * j, escape(t)) for j, t in enumerate(lines) if t
            )
            if not lines:
                objects = (
                    '<ofd:PathObject ID="10" Boundary="20 20 170 250">'
                    "<ofd:AbbreviatedData>M 0 0 L 170 0 L 170 250 C</ofd:AbbreviatedData>"
                    "</ofd:PathObject>"
                )
            z.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'{head}<ofd:Page {_OFD_NS}><ofd:Content><ofd:Layer ID="{3 + i}">{objects}'
                "</ofd:Layer></ofd:Content></ofd:Page>",
            )
    return path


@pytest.fixture
def pdf_writer() -> Callable[..., Path]:
    return write_pdf


@pytest.fixture
def ofd_writer() -> Callable[..., Path]:
    return write_ofd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis_server(binary: str, folder: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    """A redis-server without persistence on a free loopback port, and its URL; None if it
    would not start."""
    import redis

    for _ in range(5):  # another process may take the port between the probe and the bind
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        if proc.poll() is None:
            return proc, url
    return None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for the shared-index tests; skipped, with the reason, without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "未找到 redis-server（Debian: apt-get install redis-server），跳过 Redis 后端测试"
        )
    pytest.importorskip(
        "redis", reason="未安装 redis 客户端（pip install -e .[dev]），跳过 Redis 后端测试"
    )
    started = start_redis_server(binary, tmp_path_factory.mktemp("redis"))
    if started is None:
        pytest.skip("redis-server 无法在回环地址上启动，跳过 Redis 后端测试")
    proc, url = started
    yield url
    proc.terminate()
    proc.wait(timeout=10)
