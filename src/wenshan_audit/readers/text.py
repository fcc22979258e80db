"""Plain text and Markdown, in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK.

Encoding is decided by a strict decode cascade (BOM -> UTF-8 -> GB18030), not a
detector: measured here, detectors mislabel short Chinese text (cp949, big5),
while GBK bytes of CJK text never decode as valid UTF-8. GB18030 is a superset
of GBK and GB2312. For UTF-8 text with ``\\n`` line endings the Document's text
is the file content unchanged, so offsets point into the file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import ReadError
from ..model import Document, Paragraph

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Common characters of 公文; GB18030 decoding of Big5 bytes gives mojibake without them.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处府"
)


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise ReadError when no encoding fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" or _plausible_chinese(text):
            return text, encoding
    raise ReadError(
        path,
        "无法识别文件编码（既不是 UTF-8，也不是 GB18030/GBK）",
        "请用记事本或 WPS 打开后“另存为”UTF-8 编码的文本文件再试",
    )


def _plausible_chinese(text: str) -> bool:
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) < 20:
        return True  # too short to judge; GB18030 decoded without error
    return sum(c in _COMMON for c in cjk) / len(cjk) >= 0.2


def read(path: Path, data: bytes) -> Document:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(path, "这不是文本文件（含二进制内容）", "请确认扩展名与文件实际格式一致")
    text, encoding = decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = tuple(
        Paragraph(m.start() + lead, m.end() - trail, m.group().strip())
        for m in re.finditer(r"[^\n]+", text)
        if m.group().strip()
        for lead, trail in [(_lead(m.group()), _trail(m.group()))]
    )
    warnings = (
        () if encoding.startswith("utf-8") else (f"文件编码为 {encoding.upper()}，已自动转换",)
    )
    return Document(path=path, text=text, paragraphs=paragraphs, warnings=warnings)


def _lead(line: str) -> int:
    return len(line) - len(line.lstrip())


def _trail(line: str) -> int:
    return len(line) - len(line.rstrip())
