"""Understand a 公文 (GB/T 9704-2012): issuer, number, title, kind, date, recipients.

Works on the extracted paragraphs, so every format gets the same treatment;
readers add hints (paragraphs in red type) where the format has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .model import DocMeta, Document, Paragraph
from .ruleset import load_rules, packaged_rules_dir

_OPEN = re.escape("〔[［(（【")
_CLOSE = re.escape("〕]］)）】")
DOC_NUMBER = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fff]{{1,12}}?)\s*[{_OPEN}]\s*(?P<year>(?:19|20)\d\d)\s*[{_CLOSE}]"
    # an infix between year and sequence, as in 南宁站〔2025〕（通知）柳梧10号
    r"\s*(?P<infix>(?:[（(][\u4e00-\u9fff]{1,4}[）)])?[\u4e00-\u9fff]{0,4}?)"
    r"\s*第?\s*(?P<seq>\d{1,4})\s*号"
)
# 国务院令第722号: 令 and 条例 are numbered by the 令 that promulgates them
ORDER_NUMBER = re.compile(
    r"(?P<org>[\u4e00-\u9fff]{1,20}?令)\s*[（(]?\s*第\s*(?P<seq>\d{1,5})\s*号"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_NUM = r"[0-9０-９〇零○一二三四五六七八九十]"
DATE = re.compile(
    rf"(?P<y>{_NUM}{{4}})\s*年\s*(?P<m>{_NUM}{{1,3}})\s*月\s*(?P<d>{_NUM}{{1,3}})\s*日"
)
ORG_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|办公厅|委员会|局|委|厅|部|院|中心|办|署|会|处|所|队|组|站|室|公司|集团|党组|党委)$"
)
_SENTENCE_END = ("。", "！", "？", "；", "：", ":")
_TITLE_NOISE = re.compile(
    r"[（(]?第\s*\d+\s*期[）)]?$|[（(](试行|暂行|征求意见稿|草案|送审稿)[）)]$"
)


@dataclass(frozen=True)
class Kind:
    name: str
    suffixes: tuple[str, ...]
    needs_measures: bool
    white_header: bool


@lru_cache(maxsize=8)
def _kinds_cached(rules_dir: str) -> tuple[Kind, ...]:
    from pathlib import Path

    data = load_rules(Path(rules_dir), "kinds.yaml")
    return tuple(
        Kind(
            name=item["name"],
            suffixes=tuple(item.get("suffixes", [item["name"]])),
            needs_measures=bool(item.get("needs_measures", False)),
            white_header=bool(item.get("white_header", False)),
        )
        for item in data["kinds"]
    )


def kinds(rules_dir: str | None = None) -> tuple[Kind, ...]:
    """The document kinds from ``kinds.yaml`` (user rules dir, else packaged)."""
    return _kinds_cached(str(rules_dir or packaged_rules_dir()))


def kind_of(title: str | None, rules_dir: str | None = None) -> Kind | None:
    """The kind whose longest suffix ends the title (after 期号 and （试行）)."""
    if not title:
        return None
    stem = _TITLE_NOISE.sub("", title.strip().rstrip("。")).strip()
    best: tuple[int, Kind] | None = None
    for kind in kinds(rules_dir):
        for suffix in kind.suffixes:
            if stem.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), kind)
    return best[1] if best else None


def normalise_number(match: re.Match[str]) -> str:
    infix = match["infix"] or ""
    return f"{match['prefix']}〔{match['year']}〕{infix}{int(match['seq'])}号"


def _to_int(token: str) -> int:
    token = token.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if token.isdigit():
        return int(token)
    if "十" in token:  # 十, 十二, 二十, 二十一
        tens, _, units = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            _CN_DIGITS.get(units, 0) if units else 0
        )
    return int("".join(str(_CN_DIGITS[c]) for c in token))


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``yyyy-mm-dd`` (Arabic or Chinese numerals)."""
    match = DATE.search(text)
    if not match:
        return None
    try:
        year, month, day = (_to_int(match[g]) for g in ("y", "m", "d"))
    except (KeyError, ValueError):
        return None
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _find_number(head: list[Paragraph]) -> tuple[int, str] | None:
    """The 发文字号 of the 版头: before the recipients line and the first body paragraph.

    A 令 is numbered "国务院令第722号", often on two lines ("…国务院令" / "第722号").
    """
    for index, para in enumerate(head):
        if _signer(para.text):
            continue
        if para.text.endswith(("：", ":")) or (len(para.text) > 80 and "。" in para.text):
            break  # the body has started: numbers from here on are citations
        if len(para.text) <= 40:
            match = DOC_NUMBER.search(para.text)
            if match:
                return index, normalise_number(match)
            following = head[index + 1].text if index + 1 < len(head) else ""
            joined = para.text + (following if para.text.endswith("令") else "")
            joined = DATE.sub("", re.sub(r"\s+", "", joined))  # "2019年10月22日 国务院令…"
            order = ORDER_NUMBER.search(joined)
            if order:
                return index, f"{order['org']}第{int(order['seq'])}号"
    return None


def _signer(text: str) -> bool:
    """A 签发 line (签发人 of a 上行文, or a 签发 box above the title)."""
    return text.lstrip().startswith("签发")


def _is_org_line(text: str) -> bool:
    """A bare organ name such as a letter-format 版头: no 关于, not itself a title."""
    return len(text) <= 25 and "关于" not in text and bool(ORG_SUFFIX.search(text))


def _is_furniture(text: str) -> bool:
    """版头 lines that must never be glued into the title."""
    compact = re.sub(r"\s+", "", text)
    return (
        _signer(compact)
        or (len(compact) <= 40 and DOC_NUMBER.search(compact) is not None)
        or compact.endswith("文件")
        or (_is_org_line(compact) and kind_of(compact) is None)
    )


def _find_title(
    head: list[Paragraph], start: int, rules_dir: str | None
) -> tuple[int, int, str] | None:
    """(first, last, text) of the title: up to three lines joined, ending with a kind."""
    for first in range(start, len(head)):
        joined = ""
        for last in range(first, min(first + 3, len(head))):
            line = head[last].text
            if line.endswith(("：", ":", "。")) or len(line) > 120 or _is_furniture(line):
                break
            joined += line
            if kind_of(joined, rules_dir) and ("关于" in joined or last == first):
                return first, last, joined
    return None


def _first_line(head: list[Paragraph]) -> str | None:
    """Without a recognised title: the first line that is not 版头 furniture (签发, 文号)."""
    for para in head[:3]:
        text = para.text
        if len(text) <= 120 and not text.endswith(("：", ":")) and not _is_furniture(text):
            return text
    return head[0].text if head and len(head[0].text) <= 120 else None


def _masthead(head: list[Paragraph], red: set[int]) -> str | None:
    for index, para in enumerate(head[:4]):
        text = re.sub(r"\s+", "", para.text)
        if text.endswith("文件") and len(text) <= 30 and ORG_SUFFIX.search(text[:-2]):
            return text[:-2]
        if (index in red or index == 0) and _is_org_line(text):
            return text
    return None


def _signatures(body: list[Paragraph]) -> list[tuple[str | None, str]]:
    """(signing organ or None, ISO date) for each 成文日期 line, in document order."""
    found: list[tuple[str | None, str]] = []
    for index, para in enumerate(body):
        text = re.sub(r"\s+", "", para.text.strip("（）() \u3000"))
        if len(text) > 20 or not DATE.fullmatch(text):
            continue
        date = parse_date(text)
        if date is None:
            continue
        prev = body[index - 1].text.strip() if index else ""
        organ = prev if len(prev) <= 40 and ORG_SUFFIX.search(prev) and "：" not in prev else None
        found.append((organ, date))
    return found


def _pick_issuer(masthead: str | None, from_title: str | None, signed: list[str]) -> str | None:
    if masthead:
        return masthead
    # "市政府办公室关于…" is signed "宿迁市人民政府办公室": prefer the full signed name
    if from_title and (not signed or not from_title.startswith(("市", "省", "县", "区", "自治区"))):
        return from_title
    return signed[-1] if signed else from_title


def _recipients(head: list[Paragraph], start: int) -> tuple[str, ...]:
    """The 主送机关 line after the title; a line broken in two (a layout's visual lines)
    is joined from the line after the title up to the one ending with the colon."""
    for index in range(start, min(start + 3, len(head))):
        text = head[index].text
        if text.endswith(("：", ":")) and len(text) <= 200 and "。" not in text:
            before: list[str] = []
            for para in reversed(head[start:index]):  # the run of fragments right above
                if not _recipient_fragment(para.text):
                    break
                before.insert(0, para.text)
            text = "".join(before) + text
            parts = re.split(r"[，,；;]", text[:-1])  # 、 joins items of one group
            return tuple(p.strip() for p in parts if p.strip())
    return ()


def _recipient_fragment(text: str) -> bool:
    """The first visual line of a 主送 line broken in two: organ names joined by 、 or ，."""
    return (
        len(text) <= 60
        and not text.endswith(_SENTENCE_END)
        and "：" not in text
        and not _is_furniture(text)
        and ("，" in text or "、" in text or ORG_SUFFIX.search(text) is not None)
    )


def extract(doc: Document, rules_dir: str | None = None) -> DocMeta:
    """Extract 公文 metadata from a Document's body paragraphs."""
    body = [p for p in doc.paragraphs if p.part in ("body", "table", "textbox")]
    head = body[:15]
    number = _find_number(head)
    title_at = _find_title(head, 0, rules_dir)
    title = title_at[2] if title_at else _first_line(head)
    kind = kind_of(title, rules_dir)
    after_title = title_at[1] + 1 if title_at else 1
    if number and number[0] >= after_title:
        after_title = number[0] + 1
    red_ids = {id(doc.paragraphs[i]) for i in doc.red_paragraphs}
    red = {i for i, p in enumerate(body) if id(p) in red_ids}
    masthead = _masthead(head, red)
    signatures = _signatures(body)
    issuer = _pick_issuer(masthead, _issuer_from_title(title), [o for o, _ in signatures if o])
    if issuer is None and number and "令第" in number[1]:
        issuer = number[1].split("令第")[0]  # 国务院令第722号 is issued by 国务院
    own = [d for o, d in signatures if o and o == issuer]
    date = own[0] if own else (signatures[-1][1] if signatures else None)
    if date is None:
        date = next(
            (parse_date(p.text) for p in head if len(p.text) <= 20 and parse_date(p.text)), None
        )
    white_kind = bool(kind and kind.white_header)
    meta = DocMeta(
        issuer=issuer,
        doc_number=number[1] if number else None,
        title=title,
        kind=kind.name if kind else None,
        date=date,
        recipients=_recipients(head, after_title),
        red_header=bool(number or masthead) and not white_kind,
    )
    return _with_tags(meta, dict(doc.tagged), rules_dir) if doc.tagged else meta


def _with_tags(meta: DocMeta, tags: dict[str, str], rules_dir: str | None) -> DocMeta:
    """Metadata the file states itself (OFD 电子公文 tags) wins over the layout's."""
    changes: dict[str, object] = {}
    if "issuer" in tags:
        changes["issuer"] = tags["issuer"]
    if "doc_number" in tags:
        match = DOC_NUMBER.search(tags["doc_number"])
        changes["doc_number"] = normalise_number(match) if match else tags["doc_number"]
    if "title" in tags:
        kind = kind_of(tags["title"], rules_dir)
        changes.update(title=tags["title"], kind=kind.name if kind else meta.kind)
    if "recipients" in tags:
        parts = re.split(r"[，,；;]", tags["recipients"].rstrip("：:"))
        changes["recipients"] = tuple(p.strip() for p in parts if p.strip())
    return replace(meta, **changes)


def _issuer_from_title(title: str | None) -> str | None:
    if not title:
        return None
    prefix = re.split(r"关于|转发|印发", title, maxsplit=1)[0].strip()
    if prefix == title:
        return None
    return prefix if prefix and ORG_SUFFIX.search(prefix) else None


# 版记 lines after the 成文日期: publication note, 抄送/抄报, the printing line
_COLOPHON = re.compile(r"^[（(]?此件|^抄[送报]|^附注|印发$|^联系人|^[（(]联系")


def furniture_spans(doc: Document, rules_dir: str | None = None) -> list[tuple[int, int]]:
    """Spans of ``doc.text`` that are 公文 furniture rather than content.

    The 版头 (masthead, 发文字号, title, 主送 line) and the signature block
    (signing organs, 成文日期, 版记 lines after it) are written to a fixed
    pattern: every notice to the same addressees shares them, so copy
    detection and similar comparisons leave them out. Only lines recognised
    with confidence are returned; anything else counts as content.
    """
    body = [p for p in doc.paragraphs if p.part in ("body", "table", "textbox")]
    head = body[:15]
    spans: list[tuple[int, int]] = []
    title_at = _find_title(head, 0, rules_dir)
    number = _find_number(head)
    last = max(title_at[1] if title_at else -1, number[0] if number else -1)
    # furniture only if every line before the title is short (masthead, 文号, 签发人)
    if last >= 0 and all(len(p.text) <= 40 for p in head[: title_at[0] if title_at else last]):
        for para in head[last + 1 : last + 3]:
            if para.text.endswith(("：", ":")) and len(para.text) <= 200 and "。" not in para.text:
                last = head.index(para)
                break
        spans.append((head[0].start, head[last].end))
    dates = [
        i
        for i, p in enumerate(body)
        if len(re.sub(r"\s+", "", p.text)) <= 20
        and DATE.fullmatch(re.sub(r"\s+", "", p.text.strip("（）() \u3000")))
        and i > last
    ]
    if dates:
        first = end = dates[-1]
        while first - 1 > last and first > end - 5:
            prev = re.sub(r"\s+", "", body[first - 1].text)
            if len(prev) > 40 or "。" in prev or "：" in prev or not ORG_SUFFIX.search(prev):
                break
            first -= 1
        while end + 1 < len(body) and _COLOPHON.search(re.sub(r"\s+", "", body[end + 1].text)):
            end += 1
        spans.append((body[first].start, body[end].end))
    return spans
