"""The 密级 decision: is a document marked secret where GB/T 9704-2012 §7.2.2 puts the marking?

The 份号 and 密级和保密期限 ("机密★5年", "秘密★1年", "绝密") stand alone at the top
left of the 版头, above the 发文机关标志; Word/WPS templates often put them in a
header or a text box. Only such a line counts: "保守国家秘密" or "机密" inside a
sentence of the body is not a marking, nor is a masthead such as "××机密文件".
"""

from __future__ import annotations

import re

from ..model import Document

_MARKING = re.compile(
    r"^(?:份号[：:]?)?\d{0,8}"  # 份号, e.g. 000123, often on the same visual line
    r"(?:密级[：:])?(?P<level>绝密|机密|秘密)"
    r"(?P<term>[★☆*＊](?:\d{1,3}(?:年|个月)|[一二三四五六七八九十]{1,3}年|长期))?"
    r"(?:特急|加急|特提|平急)?$"  # 紧急程度 follows on the same line in some layouts
)
_LEVELS = ("秘密", "机密", "绝密")
_HEAD_LINES = 8  # the 版头 is a few short lines


def _head(doc: Document) -> list[str]:
    """Lines where a marking may sit: the 版头 of the body, headers and text boxes."""
    lines: list[str] = []
    for para in doc.paragraphs:
        if para.part not in ("body", "table"):
            continue
        if len(lines) >= _HEAD_LINES or len(para.text) > 40 or para.text.endswith(("：", ":")):
            break  # the recipients line or the body has started
        lines.append(para.text)
    lines += [p.text for p in doc.paragraphs if p.part in ("header", "textbox")]
    return lines


def marking(doc: Document) -> str | None:
    """The 密级 marking of ``doc`` (e.g. "机密★5年"), or None when it carries none.

    With several markings (a 版头 line and a header), the highest level is named.
    """
    found: list[tuple[int, int, str]] = []
    for line in _head(doc):
        match = _MARKING.match(re.sub(r"\s+", "", line))
        if match:
            term = match["term"] or ""
            text = match["level"] + ("★" + term[1:] if term else "")
            found.append((_LEVELS.index(match["level"]), len(term), text))
    return max(found)[2] if found else None
