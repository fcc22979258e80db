"""A year of one office, end to end: config, ledger from a folder and a spreadsheet, drafts
under, at and over the limit, a white-header paper, safe re-imports, and the CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import docx
import openpyxl

UNIT = "云岭市人民政府办公室"
CONFIG = f"""
[quota]
year = 2026
ledger = ".wenshan/ledger.sqlite"
count_white_header = true

[[quota.units]]
name = "{UNIT}"
aliases = ["市政府办公室"]
number_prefixes = ["云政办发", "云政办函"]
limits = {{ "总量" = 6, "通知" = 4 }}

[quota.register]
columns = {{ number = "文号", date = ["发文日期"] }}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wenshan_audit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def issued_docx(path: Path, number: str, title: str, date_cn: str) -> None:
    document = docx.Document()
    for line in (
        f"{UNIT}文件",
        number,
        title,
        "各县（市、区）人民政府：",
        "请于6月30日前完成。",
        UNIT,
        date_cn,
    ):
        document.add_paragraph(line)
    document.save(path)


def text(path: Path, lines: list[str]) -> Path:
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def quota_of(tmp_path: Path, draft: Path, *extra: str) -> dict:
    result = run(
        "check", str(draft), "--format", "json", "--fail-on", "never", *extra, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    document = payload["documents"][0]
    return {
        "section": document["quota"],
        "rules": [f["rule"] for f in document["findings"]],
    }


def test_a_year_of_quota(tmp_path: Path) -> None:
    (tmp_path / "wenshan-audit.toml").write_text(CONFIG, encoding="utf-8")
    issued = tmp_path / "issued"
    issued.mkdir()
    issued_docx(
        issued / "1.docx", "云政办发〔2026〕1号", f"{UNIT}关于做好春耕工作的通知", "2026年2月3日"
    )
    issued_docx(
        issued / "2.docx", "云政办发〔2026〕2号", f"{UNIT}关于防汛工作的通知", "2026年4月8日"
    )
    text(
        issued / "函.txt",
        [
            f"{UNIT}",
            "云政办函〔2026〕1号",
            f"{UNIT}关于同意调整项目的函",
            "市发展改革委：",
            "同意调整。",
            UNIT,
            "2026年2月27日",
        ],
    )

    # 1. the folder: 3 documents
    first = run("ledger", "import", "issued", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "新增 3 份" in first.stdout

    draft = text(
        tmp_path / "draft.txt",
        [
            f"{UNIT}关于开展安全生产检查的通知",
            "各县（市、区）人民政府：",
            "请于2026年9月30日前完成重点企业检查。",
            UNIT,
            "2026年8月10日",
        ],
    )
    under = quota_of(tmp_path, draft)
    assert under["section"]["used"] == 2 and under["section"]["limit"] == 4  # 通知 binds: 2 left
    assert under["section"]["would_exceed"] is False and "quota.exceeded" not in under["rules"]

    # 2. the register spreadsheet: last year's rows, this year's rows, a white-header paper,
    #    and a row for a document already imported from the folder
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年发文登记簿"])
    sheet.append(["序号", "发文单位", "文号", "标题", "文种", "发文日期"])
    sheet.append(
        [1, UNIT, "云政办发〔2025〕9号", "关于去年工作的通知", "通知", datetime(2025, 11, 3)]
    )
    sheet.append(
        [2, UNIT, "云政办发〔2026〕1号", "关于做好春耕工作的通知", "通知", datetime(2026, 2, 3)]
    )
    sheet.append(
        [3, UNIT, "云政办发〔2026〕3号", "关于秋收工作的通知", "通知", datetime(2026, 6, 1)]
    )
    sheet.append([4, "市政府办公室", None, "关于防范强降雨的工作提示", "工作提示", "2026-07-02"])
    book.save(tmp_path / "登记簿.xlsx")
    second = run("ledger", "import", "登记簿.xlsx", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "新增 3 份" in second.stdout and "已登记 1 份" in second.stdout

    # 3. the same draft is now exactly at the limit: 总量 5 + 1 = 6, 通知 3 + 1 = 4
    at = quota_of(tmp_path, draft)
    limits = {u["name"]: (u["used"], u["limit"]) for u in at["section"]["limits"]}
    assert limits == {"总量": (5, 6), "通知": (3, 4)} and at["section"]["remaining"] == 1
    assert at["section"]["would_exceed"] is False and "quota.exceeded" not in at["rules"]

    # 4. it is issued (added by hand with its number); the next notice is over the limit
    added = run("ledger", "add", "draft.txt", "--number", "云政办发〔2026〕4号", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    recheck = quota_of(tmp_path, draft)
    assert (
        recheck["section"]["already_recorded"] is True and "quota.exceeded" not in recheck["rules"]
    )
    over_draft = text(
        tmp_path / "next.txt",
        [
            line.replace("安全生产检查", "消防检查")
            for line in draft.read_text(encoding="utf-8").split("\n\n")
        ],
    )
    over = quota_of(tmp_path, over_draft)
    assert over["section"]["would_exceed"] is True and "quota.exceeded" in over["rules"]

    # 5. a white-header 工作提示 counts toward 总量 (6 of 6 used) and is flagged
    tip = text(
        tmp_path / "tip.txt",
        [
            "关于做好高温防范工作的工作提示",
            "各县（市、区）：",
            "请于7月15日前完成排查。",
            "市政府办公室",
            "2026年7月10日",
        ],
    )
    white = quota_of(tmp_path, tip)
    assert white["section"]["white_header"] is True and white["section"]["used"] == 6
    assert {"quota.white_header", "quota.exceeded"} <= set(white["rules"])

    # 6. re-importing everything counts nothing twice
    for source in ("issued", "登记簿.xlsx"):
        again = run("ledger", "import", source, cwd=tmp_path)
        assert again.returncode == 0 and "新增 0 份" in again.stdout
    rows = sqlite3.connect(tmp_path / ".wenshan" / "ledger.sqlite").execute(
        "SELECT year, COUNT(*) FROM documents GROUP BY year ORDER BY year"
    )
    assert rows.fetchall() == [(2025, 1), (2026, 6)]

    # 7. quota status: JSON and CSV agree with the ledger
    status = json.loads(run("quota", "status", "--format", "json", cwd=tmp_path).stdout)
    total = next(r for r in status["rows"] if r["kind"] == "总量")
    notice = next(r for r in status["rows"] if r["kind"] == "通知")
    assert (total["limit"], total["used"], total["remaining"], total["last_year"]) == (6, 6, 0, 1)
    assert (notice["limit"], notice["used"], notice["remaining"]) == (4, 4, 0)
    csv_out = run("quota", "status", "--format", "csv", "--output", "status.csv", cwd=tmp_path)
    assert csv_out.returncode == 0
    raw = (tmp_path / "status.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and f"{UNIT},总量,2026,6,6,0,1".encode() in raw
