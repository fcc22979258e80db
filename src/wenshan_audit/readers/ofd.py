"""OFD (GB/T 33190), the format of many issued 公文, via ofdkit.

ofdkit (stdlib only) orders text by position, which real producers need (some
write one character per TextObject). Its lines then go through the same
furniture removal and line re-joining as PDF; line widths are measured in
characters (a CJK char is 1, a Latin char 0.5) since only the text is used.

Files made by 电子公文 systems also carry semantic tags (``Tags/Tag_OfficeDoc.xml``:
发文机关, 发文字号, 标题, 主送机关 as references to text objects); they are
passed on in ``Document.tagged`` and win over what the layout suggests.
"""

from __future__ import annotations

import io
import posixpath
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..errors import ReadError
from ..model import Document
from . import ocr
from ._build import assemble
from ._lines import Line, clean, paragraphs, strip_furniture
from .limits import read_part


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _page_lines(text: str) -> list[Line]:
    """Lines of a page; ofdkit puts a blank line where a wide vertical gap separates paragraphs."""
    lines: list[Line] = []
    gap = False
    for raw in text.split("\n"):
        line = clean(raw)
        if line:
            lines.append(Line(line, 0.0, _width(line), 1.0, starts=gap))
        gap = not line
    return lines


# 电子公文 semantic tags (GB/T 33190 custom tags, namespace eGovDoc): element -> DocMeta field
_TAGS = {
    "发文机关名称": "issuer",
    "发文字号": "doc_number",
    "标题": "title",
    "主送机关": "recipients",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _tagged(path: Path, data: bytes, ofd: Any) -> tuple[tuple[str, str], ...]:
    """Metadata from ``Tags/Tag_OfficeDoc.xml`` when the producer wrote it, else ()."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if n.lower().endswith("tags/tag_officedoc.xml")]
        if not names:
            return ()
        try:
            root = ElementTree.fromstring(read_part(path, zf, names[0]))
        except ElementTree.ParseError:
            return ()  # a broken tag file: the layout text still gives the metadata

    def text_of(element: ElementTree.Element) -> str:
        texts = []
        for ref in element.iter():
            if _local(ref.tag) == "ObjectRef" and (ref.text or "").strip():
                page = ofd.page_by_id(ref.get("PageRef") or "")
                texts.append(clean((page.object_text(ref.text) if page else None) or ""))
        return "".join(texts)

    found: list[tuple[str, str]] = []
    for element in root.iter():
        field = _TAGS.get(_local(element.tag))
        text = text_of(element) if field else ""
        if field == "doc_number":
            # the tags hold 代字, 年份 and 顺序号 without the 〔〕 and 号 drawn around them
            parts = {_local(c.tag): text_of(c) for c in element}
            year, seq = parts.get("年份", ""), parts.get("发文顺序号", "")
            if year.isdigit() and seq.isdigit():
                text = f"{parts.get('发文机关代字', '')}〔{year}〕{int(seq)}号"
        if field and text:
            found.append((field, text))
    return tuple(found)


def _page_images(path: Path, data: bytes) -> list[bytes | None]:
    """The largest image of each page (a scanned OFD holds one per page), in page order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = {n.lstrip("/"): n for n in zf.namelist()}

        def xml(name: str) -> ElementTree.Element | None:
            real = names.get(name.lstrip("/"))
            try:
                return ElementTree.fromstring(read_part(path, zf, real)) if real else None
            except ElementTree.ParseError:
                return None

        def find(folder: str, location: str) -> str:
            location = location.strip()
            if location.startswith("/"):
                return posixpath.normpath(location.lstrip("/"))
            return posixpath.normpath(posixpath.join(folder, location))

        root = xml("OFD.xml")
        doc_root = (
            next((e.text for e in root.iter() if _local(e.tag) == "DocRoot"), None)
            if root is not None
            else None
        )
        document = xml(doc_root.strip()) if doc_root else None
        if document is None:
            return []
        folder = posixpath.dirname(doc_root.strip())
        media: dict[str, str] = {}  # resource ID -> part name
        for element in document.iter():
            if _local(element.tag) not in ("PublicRes", "DocumentRes") or not element.text:
                continue
            res_name = find(folder, element.text)
            res = xml(res_name)
            if res is None:
                continue
            base = find(posixpath.dirname(res_name), res.get("BaseLoc") or "")
            for item in res.iter():
                if _local(item.tag) == "MultiMedia":
                    files = [c.text for c in item if _local(c.tag) == "MediaFile" and c.text]
                    if files:
                        media[item.get("ID", "")] = find(base, files[0])
        images: list[bytes | None] = []
        for page in (e for e in document.iter() if _local(e.tag) == "Page" and e.get("BaseLoc")):
            content = xml(find(folder, page.get("BaseLoc", "")))
            best: tuple[float, str] | None = None
            for obj in content.iter() if content is not None else ():
                if _local(obj.tag) == "ImageObject" and obj.get("ResourceID") in media:
                    box = [float(v) for v in (obj.get("Boundary") or "0 0 0 0").split()[:4]]
                    area = box[2] * box[3] if len(box) == 4 else 0.0
                    if best is None or area > best[0]:
                        best = (area, media[obj.get("ResourceID", "")])
            real = names.get(best[1]) if best else None
            images.append(read_part(path, zf, real) if real else None)
        return images


def read(path: Path, data: bytes) -> Document:
    import ofdkit

    try:
        with ofdkit.open(data) as ofd:
            pages = [_page_lines(page.text()) for page in ofd.pages]
            problems = list(ofd.warnings)
            tagged = _tagged(path, data, ofd)
    except Exception as exc:  # OFDError, XML errors, zip errors
        raise ReadError(
            path,
            f"OFD 文件已损坏或格式不正确（{exc}）",
            "请用 OFD 阅读器（如数科、福昕）打开确认，或提供 PDF/Word 版本",
        ) from None
    warnings = [f"OFD 部分内容无法读取：{problem}" for problem in problems]
    recognised: tuple[int, ...] = ()
    if not any(pages) and ocr.available():
        images = _page_images(path, data)
        if any(images):
            pages = ocr.image_pages(path, images)
            recognised = tuple(n for n, lines in enumerate(pages, start=1) if lines)
            if recognised:
                listed = "、".join(map(str, recognised))
                warnings.append(f"第 {listed} 页是图像（扫描件），已用 OCR 识别")
    if not any(pages):
        hint = "" if ocr.available() else f"（安装 OCR 组件 {ocr.INSTALL} 后可识别扫描件）"
        raise ReadError(
            path,
            "OFD 文件没有文字层（可能是扫描件或纯图形）"
            + ("，OCR 也未识别出文字" if ocr.available() else ""),
            f"请提供可复制文字的 OFD/PDF 或 Word 版本{hint}",
        )
    joined = paragraphs(strip_furniture(pages))
    doc = assemble(
        path, [(text, "body") for text, _ in joined], warnings=warnings, pages=len(pages)
    )
    return replace(doc, tagged=tagged, ocr_pages=recognised)
