"""Word .docx (Office Open XML), read with zipfile + lxml.

python-docx's ``Paragraph.text`` misses text boxes, content controls, tracked
insertions, ``fldSimple`` results and smart tags (measured), so the reader
walks every ``w:p`` itself. Body paragraphs (including table cells and text
boxes) come in document order, then headers, then footers.

For the annotated-docx reporter: :func:`paragraph_elements` yields the body
``w:p`` elements in exactly the order of the Document's non-header/footer
paragraphs (one Paragraph per element with text), so a text offset maps back
to its ``w:p``. Pass it python-docx's ``document.element`` or any lxml root.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import ReadError
from ..model import Document
from ._build import assemble
from .limits import read_part

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {
    "w": W,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OFFICE_DOCUMENT = "/officeDocument"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


_P, _R, _T, _TAB, _BR, _CR = _w("p"), _w("r"), _w("t"), _w("tab"), _w("br"), _w("cr")
_VAL = _w("val")
# Subtrees whose text is not part of the paragraph: deleted or moved-away text,
# properties, drawings (their text boxes are separate w:p), and the VML copy
# of a text box inside mc:Fallback.
_SKIP = {
    _w("del"),
    _w("moveFrom"),
    _w("pPr"),
    _w("rPr"),
    _w("drawing"),
    _w("pict"),
    _w("object"),
    _P,
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}
_ALL_P = etree.XPath(
    ".//w:p[not(ancestor::mc:Fallback)]"
    "[not(ancestor::w:tc[1]/w:tcPr/w:vMerge[not(@w:val='restart')])]",  # hidden merged cells
    namespaces=_NS,
)
_IN_TEXTBOX = etree.XPath("boolean(ancestor::w:txbxContent)", namespaces=_NS)
_IN_TABLE = etree.XPath("boolean(ancestor::w:tbl)", namespaces=_NS)
_COLOR_VALUE = re.compile(rb'<(?:\w+:)?color\b[^>]*?val="([0-9A-Fa-f]{6})"')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass
class _Styles:
    """Font colours of styles (``basedOn`` resolved) and the default paragraph style."""

    colors: dict[str, str | None] = field(default_factory=dict)
    default_paragraph: str | None = None

    @classmethod
    def parse(cls, root: etree._Element) -> _Styles:
        styles = cls()
        own: dict[str, tuple[str | None, str | None]] = {}
        for style in root.iterfind("w:style", _NS):
            style_id = style.get(_w("styleId"))
            if not style_id:
                continue
            color = style.find("w:rPr/w:color", _NS)
            based = style.find("w:basedOn", _NS)
            own[style_id] = (
                color.get(_VAL) if color is not None else None,
                based.get(_VAL) if based is not None else None,
            )
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
                styles.default_paragraph = style_id
        for style_id in own:
            seen, current, color = set(), style_id, None
            while current in own and current not in seen and color is None:
                seen.add(current)
                color, current = own[current]
            styles.colors[style_id] = color
        return styles

    def color(self, style_id: str | None) -> str | None:
        return self.colors.get(style_id) if style_id else None


def is_red(color: str | None) -> bool:
    """Whether a ``w:color`` value is red (FF0000 and the dark or warm reds of red headers)."""
    if not color or not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        return False
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return r >= 0xB0 and g <= 0x60 and b <= 0x60


def _run_color(run: etree._Element, inherited: str | None, styles: _Styles) -> str | None:
    color = run.find("w:rPr/w:color", _NS)
    if color is not None:
        return color.get(_VAL)
    run_style = run.find("w:rPr/w:rStyle", _NS)
    own = styles.color(run_style.get(_VAL)) if run_style is not None else None
    return own or inherited


def _hidden(run: etree._Element) -> bool:
    vanish = run.find("w:rPr/w:vanish", _NS)
    return vanish is not None and vanish.get(_VAL) not in ("0", "false", "off")


def _collect(
    element: etree._Element, out: list[str], red: list[int], color: str | None, styles: _Styles
) -> None:
    """Append the visible text under ``element`` to ``out``; count red chars in ``red``."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _R:
            if not _hidden(child):
                _collect(child, out, red, _run_color(child, color, styles), styles)
        elif tag == _T:
            text = child.text or ""
            out.append(text)
            if is_red(color):
                red[0] += len(text.strip())
            red[1] += len(text.strip())
        elif tag == _TAB:
            out.append("\t")
        elif tag == _CR or (tag == _BR and child.get(_w("type")) in (None, "textWrapping")):
            out.append("\n")
        else:
            _collect(child, out, red, color, styles)


def paragraph_text(p: etree._Element, styles: _Styles | None = None) -> tuple[str, bool]:
    """A ``w:p``'s visible text and whether most of it is set in red."""
    styles = styles or _Styles()
    style = p.find("w:pPr/w:pStyle", _NS)
    base = styles.color(style.get(_VAL) if style is not None else styles.default_paragraph)
    out: list[str] = []
    red = [0, 0]
    _collect(p, out, red, base, styles)
    return "".join(out), red[1] > 0 and red[0] * 2 > red[1]


def _paragraphs(
    root: etree._Element, styles: _Styles, part: str | None = None
) -> Iterator[tuple[etree._Element, str, str, bool]]:
    """``(w:p, text, part, red)`` for every paragraph with text under ``root``."""
    for p in _ALL_P(root):
        text, red = paragraph_text(p, styles)
        if not text.strip():
            continue
        kind = part or ("textbox" if _IN_TEXTBOX(p) else "table" if _IN_TABLE(p) else "body")
        yield p, text, kind, red


def paragraph_elements(
    body_root: etree._Element, styles_root: etree._Element | None = None
) -> list[etree._Element]:
    """Body ``w:p`` elements, one per body/table/textbox Paragraph of the Document, in order.

    The list does not depend on styles; ``styles_root`` only makes the walk identical
    to the reader's (red detection) for callers that have it.
    """
    styles = _Styles.parse(styles_root) if styles_root is not None else _Styles()
    return [p for p, _, _, _ in _paragraphs(body_root, styles)]


class _Package:
    """The parts of a .docx that the reader needs, located through relationships."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self.zf = zf
        self.names = set(zf.namelist())

    def read(self, name: str) -> bytes:
        return read_part(self.path, self.zf, name)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.read(name), _PARSER)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (relationship type, target part name) for internal relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.names:
            return {}
        out = {}
        for rel in self.xml(rels_name).iterfind("rel:Relationship", _NS):
            if rel.get("TargetMode") == "External":
                continue
            target = (rel.get("Target") or "").replace("\\", "/")
            name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[rel.get("Id") or ""] = (rel.get("Type") or "", posixpath.normpath(name))
        return out

    def main_part(self) -> str | None:
        for rel_type, name in self.rels("").values():
            if rel_type.endswith(_OFFICE_DOCUMENT) and name in self.names:
                return name
        return "word/document.xml" if "word/document.xml" in self.names else None


def _not_a_word_package(path: Path, names: set[str]) -> ReadError:
    if "OFD.xml" in names:
        actual = "OFD 版式文件"
        remedy = "请把扩展名改为 .ofd 后重试"
    elif any(n.startswith("xl/") for n in names):
        actual, remedy = "Excel 表格", "请提供 Word 文档"
    elif any(n.startswith("ppt/") for n in names):
        actual, remedy = "PowerPoint 演示文稿", "请提供 Word 文档"
    else:
        actual, remedy = "普通压缩包", "请确认文件是 Word 文档，或用 Word/WPS“另存为”.docx"
    return ReadError(path, f"这不是 Word 文档，而是{actual}（压缩包中没有 Word 正文）", remedy)


def _read_package(path: Path, package: _Package) -> Document:
    main = package.main_part()
    if main is None:
        raise _not_a_word_package(path, package.names)
    body = package.xml(main)
    rels = package.rels(main)
    styles = _Styles()
    for rel_type, name in rels.values():
        if rel_type.endswith("/styles") and name in package.names:
            raw = package.read(name)
            # Style colours matter only for red detection: skip parsing (it can be a
            # 350 KB part) when no style sets a red colour.
            if any(is_red(v.decode()) for v in _COLOR_VALUE.findall(raw)):
                styles = _Styles.parse(etree.fromstring(raw, _PARSER))
    found = list(_paragraphs(body, styles))
    for kind in ("header", "footer"):
        seen: set[str] = set()
        for ref in body.iterfind(f".//w:sectPr/w:{kind}Reference", _NS):
            rel_type, name = rels.get(ref.get(_R_ID) or "", ("", ""))
            if rel_type.endswith("/" + kind) and name in package.names and name not in seen:
                seen.add(name)
                found.extend(_paragraphs(package.xml(name), styles, kind))
    return assemble(
        path,
        [(text, part) for _, text, part, _ in found],
        red=[i for i, (_, _, _, red) in enumerate(found) if red],
    )


def read(path: Path, data: bytes) -> Document:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _read_package(path, _Package(path, zf))
    except ReadError:
        raise
    except etree.XMLSyntaxError as exc:
        raise ReadError(
            path,
            f"文档内部 XML 已损坏（{exc.msg}）",
            "请用 Word/WPS 打开并修复后“另存为”.docx，或重新获取文件",
        ) from None
    except Exception as exc:  # zipfile.BadZipFile, zlib.error, EOFError, KeyError, ...
        raise ReadError(
            path,
            f"文件已损坏（不是完整的 .docx 压缩包：{type(exc).__name__}）",
            "可能下载或复制不完整；请用 Word/WPS 打开并修复后“另存为”.docx，或重新获取文件",
        ) from None
