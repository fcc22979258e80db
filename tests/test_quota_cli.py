"""``ledger`` and ``quota`` commands: formats, removal, clear errors with exit 2, the samples."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wenshan_audit.cli import app

runner = CliRunner()
UNIT = "云岭市人民政府办公室"
CONFIG = f"""
[quota]
year = 2026
ledger = "db/ledger.sqlite"

[[quota.units]]
name = "{UNIT}"
aliases = ["市政府办公室"]
number_prefixes = ["云政办发", "云政办函"]
limits = {{ "总量" = 4 }}
"""
REGISTER = (
    "发文单位,发文字号,标题,文种,成文日期\n"
    f"{UNIT},云政办发〔2026〕1号,关于春耕的通知,通知,2026-02-03\n"
    f"{UNIT},云政办发〔2026〕2号,关于防汛的通知,通知,2026-04-08\n"
    f"{UNIT},云政办发〔2025〕1号,关于去年的通知,通知,2025-03-01\n"
    f"{UNIT},云政办发〔2025〕2号,关于去年的通知二,通知,2025-12-01\n"
    "云岭市统计局,云统发〔2026〕1号,关于统计的通知,通知,2026-05-01\n"
)


@pytest.fixture
def office(tmp_path: Path) -> Path:
    config = tmp_path / "wenshan-audit.toml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    result = runner.invoke(
        app, ["ledger", "import", str(tmp_path / "register.csv"), "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    return config


def test_ledger_list_in_three_formats(office: Path) -> None:
    as_json = runner.invoke(
        app, ["ledger", "list", "-c", str(office), "--year", "2026", "-f", "json"]
    )
    rows = json.loads(as_json.stdout)
    assert [r["doc_number"] for r in rows] == [
        "云政办发〔2026〕1号",
        "云政办发〔2026〕2号",
        "云统发〔2026〕1号",
    ]
    by_alias = runner.invoke(
        app, ["ledger", "list", "-c", str(office), "--unit", "市政府办公室", "-f", "json"]
    )
    assert len(json.loads(by_alias.stdout)) == 4
    as_csv = runner.invoke(app, ["ledger", "list", "-c", str(office), "-f", "csv"])
    assert as_csv.stdout.startswith("\ufeff编号,发文单位")
    assert len(list(csv.reader(io.StringIO(as_csv.stdout)))) == 6
    as_text = runner.invoke(app, ["ledger", "list", "-c", str(office)])
    assert "共 5 份" in as_text.stdout


def test_ledger_remove(office: Path, tmp_path: Path) -> None:
    removed = runner.invoke(app, ["ledger", "remove", "云政办发[2026]2号", "-c", str(office)])
    assert removed.exit_code == 0 and "共删除 1 条" in removed.stdout
    again = runner.invoke(app, ["ledger", "remove", "云政办发〔2026〕2号", "-c", str(office)])
    assert again.exit_code == 2 and "没有找到匹配的记录" in again.output
    by_source = runner.invoke(
        app, ["ledger", "remove", "--source", str(tmp_path / "register.csv"), "-c", str(office)]
    )
    assert "共删除 4 条" in by_source.stdout
    assert runner.invoke(app, ["ledger", "remove", "-c", str(office)]).exit_code == 2


def test_quota_status_formats_and_unconfigured_units(office: Path, tmp_path: Path) -> None:
    data = json.loads(
        runner.invoke(app, ["quota", "status", "-c", str(office), "-f", "json"]).stdout
    )
    total = data["rows"][0]
    assert (total["unit"], total["kind"], total["limit"], total["used"], total["remaining"]) == (
        UNIT,
        "总量",
        4,
        2,
        2,
    )
    assert total["last_year"] == 2
    stranger = [r for r in data["rows"] if r["unit"] == "云岭市统计局"]
    assert stranger and stranger[0]["configured"] is False and stranger[0]["limit"] is None
    text = runner.invoke(app, ["quota", "status", "-c", str(office), "--unit", "市政府办公室"])
    assert text.exit_code == 0 and "2026 年发文限额使用情况" in text.stdout and "50%" in text.stdout
    out = tmp_path / "out" / "status.csv"
    assert (
        runner.invoke(
            app, ["quota", "status", "-c", str(office), "-f", "csv", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert out.read_bytes().startswith("\ufeff发文单位,限额项".encode())
    past = json.loads(
        runner.invoke(
            app, ["quota", "status", "-c", str(office), "--year", "2025", "-f", "json"]
        ).stdout
    )
    assert past["as_of"] == "2025-12-31" and past["rows"][0]["used"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ledger", "add", "nowhere.txt"], "文件不存在"),
        (["ledger", "add", "d.txt", "--date", "下周三"], "无法识别日期"),
        (["ledger", "add", "d.txt", "--kind", "通知书"], "未知文种"),
        (["ledger", "import", "nowhere"], "不存在"),
        (["ledger", "import", "bad.csv"], "找不到表头"),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(
    office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.txt").write_text("关于某事的通知\n\n请办理。\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "-c", str(office)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_config_errors_and_missing_section_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[quota]\npacing = "weekly"\n', encoding="utf-8")
    result = runner.invoke(app, ["quota", "status", "-c", str(broken)])
    assert result.exit_code == 2 and "quota.pacing" in result.output
    empty = tmp_path / "empty.toml"
    empty.write_text('fail_on = "error"\n', encoding="utf-8")
    result = runner.invoke(app, ["quota", "status", "-c", str(empty)])
    assert result.exit_code == 2 and "没有 [quota] 节" in result.output


def test_document_without_a_date_needs_one(office: Path, tmp_path: Path) -> None:
    undated = tmp_path / "undated.txt"
    undated.write_text(f"{UNIT}关于某事的通知\n\n请办理。\n", encoding="utf-8")
    result = runner.invoke(app, ["ledger", "add", str(undated), "-c", str(office)])
    assert result.exit_code == 2 and "--date" in result.output
    dated = runner.invoke(
        app, ["ledger", "add", str(undated), "--date", "2026/5/6", "-c", str(office)]
    )
    assert dated.exit_code == 0 and "2026-05-06" in dated.stdout


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.skipif(
    not (SAMPLES / "issued").is_dir(), reason="samples/issued/ is not in this checkout"
)
def test_the_samples_demo(tmp_path: Path) -> None:
    """What ``make demo`` shows: the office close to its 通知 limit, 农业农村局 held to -15 %."""
    shutil.copytree(SAMPLES, tmp_path / "samples", ignore=shutil.ignore_patterns(".wenshan"))
    config = str(tmp_path / "samples" / "wenshan-audit.toml")
    imported = runner.invoke(
        app,
        [
            "ledger",
            "import",
            str(tmp_path / "samples" / "issued"),
            str(tmp_path / "samples" / "register-2025.csv"),
            "-c",
            config,
        ],
    )
    assert imported.exit_code == 0, imported.output
    rows = json.loads(runner.invoke(app, ["quota", "status", "-c", config, "-f", "json"]).stdout)[
        "rows"
    ]
    office = {r["kind"]: r for r in rows if r["unit"] == UNIT}
    assert office["通知"]["remaining"] == 1 and office["总量"]["used"] == 4
    farm = next(r for r in rows if r["unit"] == "云岭市农业农村局" and r["kind"] == "总量")
    assert farm["reduction_vs_last_year"] == 0.15 and farm["limit"] < farm["last_year"]
