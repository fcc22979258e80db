"""The 发文登记簿 (ledger): a SQLite database of documents already issued.

One row per issued document. A document is never counted twice: its 发文字号
is unique when present, its content hash is always unique, and a paper
without a number is unique by (unit, title, date). Every write runs in a
``BEGIN IMMEDIATE`` transaction on a WAL database with a busy timeout, so
several processes (parallel pre-commit hooks, two clerks importing at once)
lose nothing and count nothing twice: ``INSERT … ON CONFLICT DO NOTHING``
inside the write lock makes "is it there already?" and "add it" one atomic
step (unlike ``INSERT OR IGNORE`` it still fails loudly on a missing field).

Importers turn a folder of documents, a register spreadsheet (.xlsx/.csv)
or a single file into :class:`Entry` rows; deciding the issuing unit is the
quota module's job, passed in as a :class:`UnitResolver`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from .errors import ConfigError, ReadError, WenshanError
from .metadata import DOC_NUMBER, kind_of, normalise_number, parse_date
from .model import DocMeta, Document

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 60_000
UNKNOWN_KIND = "其他"

# Each step moves the schema from version i to i + 1; never edit a released step.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id           INTEGER PRIMARY KEY,
        unit         TEXT NOT NULL,
        kind         TEXT NOT NULL,
        doc_number   TEXT UNIQUE,
        title        TEXT,
        date         TEXT,
        year         INTEGER NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        source       TEXT NOT NULL,
        red_header   INTEGER NOT NULL DEFAULT 1,
        added_at     TEXT NOT NULL
    );
    CREATE UNIQUE INDEX documents_unnumbered
        ON documents (unit, title, date)
        WHERE doc_number IS NULL AND title IS NOT NULL AND date IS NOT NULL;
    CREATE INDEX documents_unit_year ON documents (unit, year);
    """,
)

_COLUMNS = (
    "id, unit, kind, doc_number, title, date, year, content_hash, source, red_header, added_at"
)


class LedgerError(WenshanError):
    """The ledger database cannot be used (corrupt, newer schema, not writable)."""


class UnitResolver(Protocol):
    """Decides the canonical issuing unit of a document (see ``quota.QuotaConfig``)."""

    def unit_for(self, meta: DocMeta) -> str | None: ...


@dataclass(frozen=True)
class Entry:
    """One issued document as recorded in the ledger."""

    unit: str
    kind: str
    year: int
    content_hash: str
    source: str
    doc_number: str | None = None
    title: str | None = None
    date: str | None = None
    red_header: bool = True
    id: int | None = None
    added_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "unit": self.unit,
            "kind": self.kind,
            "doc_number": self.doc_number,
            "title": self.title,
            "date": self.date,
            "year": self.year,
            "red_header": self.red_header,
            "content_hash": self.content_hash,
            "source": self.source,
            "added_at": self.added_at,
        }


@dataclass
class ImportReport:
    """What an import did: nothing is dropped silently."""

    added: list[Entry] = field(default_factory=list)
    duplicates: list[tuple[Entry, Entry]] = field(default_factory=list)  # (new, already there)
    problems: list[str] = field(default_factory=list)  # Chinese: where and what is wrong

    def merge(self, other: ImportReport) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.problems += other.problems


def _normalise_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def content_hash(text: str) -> str:
    """Hash of the text with whitespace and full-/half-width differences removed."""
    return hashlib.sha256(_normalise_text(text).encode("utf-8")).hexdigest()


def normalise_doc_number(value: str | None) -> str | None:
    """``云政办发〔2026〕01号`` / ``云政办发[2026]1号`` -> ``云政办发〔2026〕1号``."""
    if not value or not value.strip():
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value.strip()))
    # NFKC turns 〔〕 into themselves but ［］（） into ASCII; the regex accepts both
    match = DOC_NUMBER.fullmatch(text) or DOC_NUMBER.search(text)
    return normalise_number(match) if match else text


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row_to_entry(row: sqlite3.Row | tuple) -> Entry:
    (id_, unit, kind, number, title, date_, year, chash, source, red, added) = tuple(row)
    return Entry(
        unit=unit,
        kind=kind,
        year=year,
        content_hash=chash,
        source=source,
        doc_number=number,
        title=title,
        date=date_,
        red_header=bool(red),
        id=id_,
        added_at=added,
    )


class Ledger:
    """A ledger database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> Ledger:
        """Open (creating and migrating as needed) the ledger at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(
                f"无法创建登记簿目录 {path.parent}：{exc.strerror}。"
                "请检查 [quota] ledger 路径与权限。"
            ) from None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开登记簿 {path}：{exc}。请检查路径与权限。") from None
        ledger = cls(conn, path)
        ledger._prepare(wal=True)
        return ledger

    @classmethod
    def memory(cls) -> Ledger:
        """An empty in-memory ledger (used when no ledger file exists yet)."""
        ledger = cls(sqlite3.connect(":memory:", isolation_level=None), None)
        ledger._prepare(wal=False)
        return ledger

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "（空登记簿）"

    def _prepare(self, wal: bool) -> None:
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if wal:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise LedgerError(
                f"登记簿 {self.where} 无法使用（{exc}）。如文件已损坏，请改名备份后重新导入。"
            ) from None

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"登记簿 {self.where} 由更新版本的 wenshan-audit 创建（结构版本 {version}，"
                f"本程序支持 {SCHEMA_VERSION}），请升级 wenshan-audit。"
            )
        with self.transaction():
            # re-read inside the write lock: another process may have migrated meanwhile
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def add(self, entries: Iterable[Entry]) -> ImportReport:
        """Record entries in one transaction; already-recorded documents are reported, not added."""
        report = ImportReport()
        now = _now()
        try:
            with self.transaction():
                for entry in entries:
                    cursor = self.conn.execute(
                        "INSERT INTO documents (unit, kind, doc_number, title, date,"
                        " year, content_hash, source, red_header, added_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                        (
                            entry.unit,
                            entry.kind,
                            entry.doc_number,
                            entry.title,
                            entry.date,
                            entry.year,
                            entry.content_hash,
                            entry.source,
                            int(entry.red_header),
                            now,
                        ),
                    )
                    if cursor.rowcount == 1:
                        report.added.append(replace(entry, id=cursor.lastrowid, added_at=now))
                    else:
                        existing = self.find(entry)
                        report.duplicates.append((entry, existing or entry))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                f"写入登记簿 {self.where} 失败（{exc}），本次写入已整体撤销。"
            ) from None
        return report

    def remove(
        self, ids: Sequence[int] = (), numbers: Sequence[str] = (), source: str | None = None
    ) -> list[Entry]:
        """Delete rows by id, by 发文字号 or by import source; return what was removed."""
        clauses, params = [], []
        if ids:
            clauses.append(f"id IN ({','.join('?' * len(ids))})")
            params += list(ids)
        normalised = [n for n in (normalise_doc_number(x) for x in numbers) if n]
        if normalised:
            clauses.append(f"doc_number IN ({','.join('?' * len(normalised))})")
            params += normalised
        if source:
            clauses.append("source = ?")
            params.append(source)
        if not clauses:
            return []
        where = " OR ".join(clauses)
        with self.transaction():
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM documents WHERE {where}", params
            ).fetchall()
            self.conn.execute(f"DELETE FROM documents WHERE {where}", params)
        return [_row_to_entry(r) for r in rows]

    # -- reading -------------------------------------------------------------
    def find(self, entry: Entry) -> Entry | None:
        """The recorded row that makes ``entry`` a duplicate, if any."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE content_hash = ?"
            " OR (doc_number IS NOT NULL AND doc_number = ?)"
            " OR (doc_number IS NULL AND ? IS NULL AND unit = ? AND title = ? AND date = ?)"
            " LIMIT 1",
            (
                entry.content_hash,
                entry.doc_number,
                entry.doc_number,
                entry.unit,
                entry.title,
                entry.date,
            ),
        ).fetchone()
        return _row_to_entry(row) if row else None

    def entries(
        self, units: Sequence[str] = (), year: int | None = None, kind: str | None = None
    ) -> list[Entry]:
        clauses, params = ["1 = 1"], []
        if units:
            clauses.append(f"unit IN ({','.join('?' * len(units))})")
            params += list(units)
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE {' AND '.join(clauses)}"
            " ORDER BY year, unit, COALESCE(date, ''), id",
            params,
        ).fetchall()
        return [_row_to_entry(r) for r in rows]

    def tally(
        self, units: Sequence[str], year: int, until: str | None = None
    ) -> Counter[tuple[str, bool]]:
        """Documents of ``units`` in ``year`` by (kind, red_header), optionally up to ``until``.

        Undated rows count as issued at the start of the year (the strict reading).
        """
        if not units:
            return Counter()
        sql = (
            "SELECT kind, red_header, COUNT(*) FROM documents"
            f" WHERE year = ? AND unit IN ({','.join('?' * len(units))})"
        )
        params: list[Any] = [year, *units]
        if until is not None:
            sql += " AND (date IS NULL OR date <= ?)"
            params.append(until)
        rows = self.conn.execute(sql + " GROUP BY kind, red_header", params).fetchall()
        return Counter({(kind, bool(red)): n for kind, red, n in rows})

    def units(self, year: int | None = None) -> list[str]:
        sql, params = "SELECT DISTINCT unit FROM documents", []
        if year is not None:
            sql += " WHERE year = ?"
            params.append(year)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY unit", params)]

    def last_date(self, year: int) -> str | None:
        row = self.conn.execute(
            "SELECT MAX(date) FROM documents WHERE year = ?", (year,)
        ).fetchone()
        return row[0] if row else None

    def __len__(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: the write lock is taken up front, so a
    read-then-write inside is atomic across processes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


# -- building entries ----------------------------------------------------------


def _year_of(date_iso: str | None, number: str | None) -> int | None:
    if date_iso:
        return int(date_iso[:4])
    if number:
        match = DOC_NUMBER.search(number)
        if match:
            return int(match["year"])
    return None


def entry_from_document(
    doc: Document,
    resolver: UnitResolver | None = None,
    unit: str | None = None,
    kind: str | None = None,
    date_iso: str | None = None,
    doc_number: str | None = None,
) -> Entry:
    """An Entry for an issued document; overrides win over its metadata.

    Raises ReadError (with what to pass instead) when the unit or year cannot be known.
    """
    meta = doc.meta
    number = normalise_doc_number(doc_number) or meta.doc_number
    meta = replace(meta, doc_number=number)
    when = date_iso or meta.date
    the_unit = unit or (resolver.unit_for(meta) if resolver else None) or meta.issuer
    if not the_unit:
        raise ReadError(
            doc.path,
            "无法识别发文单位",
            "请用 ledger add --unit 指定，或在 [[quota.units]] 中配置字号前缀",
        )
    year = _year_of(when, number)
    if year is None:
        raise ReadError(
            doc.path, "无法识别成文日期或发文年份", "请用 ledger add --date YYYY-MM-DD 指定"
        )
    return Entry(
        unit=the_unit,
        kind=kind or meta.kind or UNKNOWN_KIND,
        year=year,
        content_hash=content_hash(doc.text),
        source=str(doc.path.resolve()),
        doc_number=number,
        title=meta.title,
        date=when,
        red_header=meta.red_header,
    )


def entries_from_folder(
    folder: Path, resolver: UnitResolver | None, unit: str | None = None, kind: str | None = None
) -> tuple[list[Entry], list[str]]:
    """Entries for every supported document under ``folder``; unreadable files become problems."""
    from .readers import iter_files, read_document

    entries, problems = [], []
    for path in iter_files([folder]):
        try:
            entries.append(entry_from_document(read_document(path), resolver, unit, kind))
        except ReadError as exc:
            problems.append(exc.message)
    return entries, problems


# -- register spreadsheets (发文登记簿) ------------------------------------------

#: ledger field -> header names accepted by default (config may replace them)
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("发文单位", "发文机关", "单位"),
    "number": ("发文字号", "文号", "字号"),
    "title": ("标题", "文件标题", "文件名称", "题目"),
    "kind": ("文种", "文件类型"),
    "date": ("成文日期", "发文日期", "印发日期", "日期"),
    "header": ("版头", "红头/白头", "文件形式"),
}
HEADER_SCAN_ROWS = 10  # registers often carry a title line or two above the header


def register_columns(spec: dict[str, Any] | None, source: str) -> dict[str, tuple[str, ...]]:
    """Merge ``[quota.register] columns`` over the defaults, validating names."""
    columns = dict(DEFAULT_COLUMNS)
    for key, value in (spec or {}).items():
        if key not in DEFAULT_COLUMNS:
            raise ConfigError(
                source,
                f"quota.register.columns.{key}",
                f"未知字段，可选：{'、'.join(DEFAULT_COLUMNS)}",
            )
        names = [value] if isinstance(value, str) else value
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n for n in names)
        ):
            raise ConfigError(
                source, f"quota.register.columns.{key}", '应为列名或列名列表，如 "发文字号"'
            )
        columns[key] = tuple(names)
    return columns


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_EXCEL_EPOCH = date(1899, 12, 30)


def parse_register_date(value: Any) -> str | None:
    """A register cell as ISO date.

    Accepts datetime cells, Excel serials, 2025-03-01, 2025/3/1, 2025.3.1 and 2025年3月1日.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    text = _cell_text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T].*)?", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    return parse_date(text)


def _read_rows(path: Path) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(path)
    elif suffix == ".csv":
        yield from _csv_rows(path)
    else:
        raise ReadError(path, f"不支持的登记簿格式“{path.suffix}”", "请另存为 .xlsx 或 .csv")


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(
            path, f"不是有效的 .xlsx 文件（{exc}）", "请用 Excel 或 WPS 打开后另存为 .xlsx 再试"
        ) from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    from .readers.text import decode

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"读取失败（{exc.strerror}）") from None
    text, _ = decode(path, data)
    yield from csv.reader(io.StringIO(text.lstrip("\ufeff")))


def _locate_header(
    rows: list[list[Any]], columns: dict[str, tuple[str, ...]]
) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [_normalise_text(_cell_text(c)) for c in row]
        found: dict[str, int] = {}
        for key, names in columns.items():
            for name in names:
                if _normalise_text(name) in cells:
                    found[key] = cells.index(_normalise_text(name))
                    break
        if "title" in found or "number" in found:
            return index, found
    return None


def entries_from_register(
    path: Path, columns: dict[str, tuple[str, ...]], resolver: UnitResolver | None
) -> tuple[list[Entry], list[str]]:
    """Entries for each row of a 发文登记簿; a bad row becomes a problem naming its row number."""
    rows = list(_read_rows(path))
    located = _locate_header(rows, columns)
    if located is None:
        wanted = "、".join(columns["number"] + columns["title"])
        raise ReadError(
            path,
            f"前 {HEADER_SCAN_ROWS} 行中找不到表头（应含以下列名之一：{wanted}）",
            "请检查表头，或在配置 [quota.register] columns 中指定列名",
        )
    header_at, found = located
    entries, problems = [], []
    source = str(path.resolve())
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cell = {key: (row[i] if i < len(row) else None) for key, i in found.items()}
        if not any(_cell_text(v) for v in cell.values()):
            continue
        try:
            entries.append(_register_entry(cell, resolver, source))
        except ValueError as exc:
            problems.append(f"{path.name} 第 {offset} 行：{exc}")
    return entries, problems


def _register_entry(cell: dict[str, Any], resolver: UnitResolver | None, source: str) -> Entry:
    number = normalise_doc_number(_cell_text(cell.get("number")))
    title = _cell_text(cell.get("title")) or None
    raw_date = cell.get("date")
    when = parse_register_date(raw_date)
    if raw_date not in (None, "") and when is None:
        raise ValueError(f"无法识别日期“{_cell_text(raw_date)}”（应如 2025-03-01）")
    unit_text = _cell_text(cell.get("unit")) or None
    meta = DocMeta(issuer=unit_text, doc_number=number, title=title, date=when)
    unit = (resolver.unit_for(meta) if resolver else None) or unit_text
    if not unit:
        raise ValueError("缺少发文单位，且发文字号未匹配任何已配置单位")
    year = _year_of(when, number)
    if year is None:
        raise ValueError("缺少成文日期，且发文字号中没有年份")
    kind_text = _cell_text(cell.get("kind"))
    found_kind = kind_of(kind_text) or kind_of(title)
    kind = found_kind.name if found_kind else (kind_text or UNKNOWN_KIND)
    header = _cell_text(cell.get("header"))
    white_kind = bool(found_kind and found_kind.white_header)
    red = "红" in header if header else (number is not None and not white_kind)
    identity = "|".join(["register", unit, number or "", title or "", when or ""])
    return Entry(
        unit=unit,
        kind=kind,
        year=year,
        content_hash=content_hash(identity),
        source=source,
        doc_number=number,
        title=title,
        date=when,
        red_header=red,
    )
