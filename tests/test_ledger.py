"""The ledger: schema and migration, never counting twice, importers for folders and registers."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from wenshan_audit.checks.quota.config import parse
from wenshan_audit.config import Config
from wenshan_audit.errors import ConfigError, ReadError
from wenshan_audit.ledger import (
    DEFAULT_COLUMNS,
    SCHEMA_VERSION,
    Entry,
    Ledger,
    LedgerError,
    content_hash,
    entries_from_folder,
    entries_from_register,
    normalise_doc_number,
    parse_register_date,
    register_columns,
)

UNIT = "云岭市人民政府办公室"
CONFIG = {
    "quota": {
        "year": 2026,
        "units": [
            {
                "name": UNIT,
                "aliases": ["市政府办公室"],
                "number_prefixes": ["云政办发", "云政办函"],
                "limits": {"总量": 10},
            },
            {"name": "云岭市农业农村局", "number_prefixes": ["云农发"]},
        ],
    }
}


def resolver(tmp_path: Path):
    quota = parse(Config(path=tmp_path / "wenshan-audit.toml", data=CONFIG))
    assert quota is not None
    return quota


def entry(n: int, unit: str = UNIT, number: str | None = "auto", **kw) -> Entry:
    doc_number = f"云政办发〔2026〕{n}号" if number == "auto" else number
    return Entry(
        unit=unit,
        kind=kw.pop("kind", "通知"),
        year=2026,
        content_hash=content_hash(f"document {n}"),
        source="test",
        doc_number=doc_number,
        title=kw.pop("title", f"关于第{n}项工作的通知"),
        date=kw.pop("date", "2026-03-01"),
        **kw,
    )


def write_issued(
    path: Path, number: str | None, title: str, date_cn: str, issuer: str = UNIT
) -> Path:
    lines = [f"{issuer}文件"] if number else []
    lines += [number] if number else []
    lines += [
        title,
        "各县（市、区）人民政府：",
        f"现将{title}有关事项通知如下，请认真贯彻执行。",
        issuer,
        date_cn,
    ]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_new_ledger_is_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "ledger.sqlite"
    with Ledger.open(path):
        pass
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
    for name in ("unit", "kind", "doc_number", "title", "date", "year", "content_hash", "source"):
        assert name in columns


def test_reopening_keeps_rows_and_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.add([entry(1)])
    with Ledger.open(path) as ledger:
        assert len(ledger) == 1
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LedgerError, match="升级"):
        Ledger.open(path)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="备份后重新导入"):
        Ledger.open(path)


def test_same_document_is_never_counted_twice(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        first = ledger.add([entry(1), entry(2)])
        assert len(first.added) == 2
        again = ledger.add([entry(1)])
        assert again.added == [] and again.duplicates[0][1].doc_number == "云政办发〔2026〕1号"
        # same number, other text (e.g. the PDF of the same document)
        renumbered = Entry(**{**entry(1).to_dict(), "id": None, "content_hash": "x" * 64})
        assert ledger.add([renumbered]).added == []
        # same text under another number
        assert ledger.add([entry(2, number="云政办发〔2026〕99号", title="别的标题")]).added == []
        # two white-header papers without number: the same (unit, title, date) is one paper
        tip = entry(3, number=None, kind="工作提示", title="关于防汛的工作提示", red_header=False)
        assert len(ledger.add([tip]).added) == 1
        copy = Entry(**{**tip.to_dict(), "id": None, "content_hash": "y" * 64})
        assert ledger.add([copy]).added == []
        assert len(ledger) == 3


def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        bad = Entry(unit=None, kind="通知", year=2026, content_hash="z", source="t")  # type: ignore[arg-type]
        with pytest.raises(LedgerError, match="整体撤销"):
            ledger.add([entry(1), bad])
        assert len(ledger) == 0


def test_remove_by_id_number_and_source(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        added = ledger.add([entry(1), entry(2), entry(3)]).added
        assert [e.id for e in ledger.remove(ids=[added[0].id])] == [added[0].id]
        assert len(ledger.remove(numbers=["云政办发[2026]02号"])) == 1
        assert len(ledger.remove(source="test")) == 1
        assert len(ledger) == 0


def test_tally_counts_by_kind_and_header_up_to_a_date(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        ledger.add(
            [
                entry(1, date="2026-01-10"),
                entry(2, date="2026-06-10"),
                entry(3, number=None, kind="工作提示", red_header=False, date="2026-02-01"),
                entry(4, unit="云岭市农业农村局"),
            ]
        )
        assert ledger.tally([UNIT], 2026) == {("通知", True): 2, ("工作提示", False): 1}
        assert ledger.tally([UNIT], 2026, until="2026-03-31")[("通知", True)] == 1
        assert ledger.tally([UNIT], 2025) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("云政办发〔2026〕01号", "云政办发〔2026〕1号"),
        ("云政办发[2026]1号", "云政办发〔2026〕1号"),
        ("云政办发（2026）第1号", "云政办发〔2026〕1号"),
        (" ", None),
    ],
)
def test_document_numbers_are_normalised(raw: str, expected: str | None) -> None:
    assert normalise_doc_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2025, 3, 1, 0, 0), "2025-03-01"),
        ("2025/3/1", "2025-03-01"),
        ("2025.03.01", "2025-03-01"),
        ("2025年3月1日", "2025-03-01"),
        ("二〇二五年三月一日", "2025-03-01"),
        (45717, "2025-03-01"),  # Excel serial number
        ("2025-02-30", None),
        ("下周", None),
    ],
)
def test_register_dates(raw: object, expected: str | None) -> None:
    assert parse_register_date(raw) == expected


REGISTER = [
    ["云岭市2026年发文登记簿"],
    ["序号", "发文单位", "发文字号", "标题", "文种", "成文日期"],
    [1, UNIT, "云政办发〔2026〕1号", "关于做好春耕工作的通知", "通知", "2026-02-03"],
    [2, "", "云政办函〔2026〕1号", "关于同意设立农贸市场的函", "", "2026/3/5"],
    [3, "市政府办公室", "", "关于防汛的工作提示", "工作提示", "2026年5月3日"],
    [4, "", "", "", "", ""],
    [5, UNIT, "", "关于某事的通知", "通知", "明天"],
]


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_register_in_every_office_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "register.csv", REGISTER, encoding)
    entries, problems = entries_from_register(path, DEFAULT_COLUMNS, resolver(tmp_path))
    assert [e.doc_number for e in entries] == ["云政办发〔2026〕1号", "云政办函〔2026〕1号", None]
    assert {e.unit for e in entries} == {UNIT}  # alias and number prefix resolve to the name
    assert [e.kind for e in entries] == ["通知", "函", "工作提示"]
    assert [e.red_header for e in entries] == [True, True, False]
    assert problems == ["register.csv 第 7 行：无法识别日期“明天”（应如 2025-03-01）"]


def test_xlsx_register_with_date_cells_and_configured_columns(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位名称", "文件编号", "文件题目", "印发时间"])
    sheet.append([UNIT, "云政办发〔2026〕7号", "关于开展安全检查的通知", datetime(2026, 4, 2)])
    sheet.append(["云岭市农业农村局", "云农发〔2026〕3号", "关于春耕的通知", datetime(2026, 3, 9)])
    path = tmp_path / "登记簿.xlsx"
    book.save(path)
    columns = register_columns(
        {"unit": "单位名称", "number": ["文件编号"], "title": "文件题目", "date": "印发时间"},
        "t.toml",
    )
    entries, problems = entries_from_register(path, columns, resolver(tmp_path))
    assert problems == []
    assert [(e.unit, e.date, e.kind) for e in entries] == [
        (UNIT, "2026-04-02", "通知"),
        ("云岭市农业农村局", "2026-03-09", "通知"),
    ]


def test_register_problems_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="quota.register.columns.numbr"):
        register_columns({"numbr": "文号"}, "t.toml")
    no_header = write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]], "utf-8")
    with pytest.raises(ReadError, match="找不到表头"):
        entries_from_register(no_header, DEFAULT_COLUMNS, None)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ReadError, match="不是有效的 .xlsx"):
        entries_from_register(fake, DEFAULT_COLUMNS, None)
    odd = tmp_path / "register.ods"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ReadError, match="另存为 .xlsx 或 .csv"):
        entries_from_register(odd, DEFAULT_COLUMNS, None)


def test_folder_import_reads_docx_and_text_and_reports_bad_files(tmp_path: Path) -> None:
    import docx

    folder = tmp_path / "issued"
    folder.mkdir()
    document = docx.Document()
    for line in (
        f"{UNIT}文件",
        "云政办发〔2026〕4号",
        f"{UNIT}关于做好防汛工作的通知",
        "各县（市、区）人民政府：",
        "请于6月30日前完成隐患排查。",
        UNIT,
        "2026年4月8日",
    ):
        document.add_paragraph(line)
    document.save(folder / "防汛.docx")
    write_issued(
        folder / "函.txt", "云政办函〔2026〕2号", f"{UNIT}关于同意调整项目的函", "2026年2月27日"
    )
    (folder / "empty.txt").write_bytes(b"")
    entries, problems = entries_from_folder(folder, resolver(tmp_path))
    assert sorted(e.doc_number for e in entries) == ["云政办函〔2026〕2号", "云政办发〔2026〕4号"]
    assert {e.unit for e in entries} == {UNIT} and {e.year for e in entries} == {2026}
    assert len(problems) == 1 and "empty.txt" in problems[0] and "为空" in problems[0]
