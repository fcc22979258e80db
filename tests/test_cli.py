"""The CLI shell: exit codes, JSON contract, config discovery, init, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wenshan_audit.cli import app

runner = CliRunner()

CLEAN = "云岭市人民政府办公室关于做好春耕工作的通知\n各县（市、区）人民政府：\n请市农业农村局于2026年4月30日前完成春播面积统计。\n云岭市人民政府办公室\n2026年3月5日\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_json_output_follows_the_documented_shape(tmp_path: Path) -> None:
    draft = _write(tmp_path / "draft.txt", CLEAN)
    result = runner.invoke(app, ["check", str(draft), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"documents", "failures", "summary"}
    doc = data["documents"][0]
    assert doc["path"] == str(draft)
    assert set(doc["metadata"]) == {
        "issuer",
        "doc_number",
        "title",
        "kind",
        "date",
        "recipients",
        "red_header",
    }
    assert doc["metadata"]["title"] == "云岭市人民政府办公室关于做好春耕工作的通知"
    for finding in doc["findings"]:
        assert set(finding) >= {"rule", "severity", "message", "start", "end", "text"}
        assert draft.read_text("utf-8")[finding["start"] : finding["end"]] == finding["text"]
    assert data["summary"]["documents"] == 1


def test_missing_file_is_an_error_and_others_still_audited(tmp_path: Path) -> None:
    draft = _write(tmp_path / "draft.txt", CLEAN)
    result = runner.invoke(
        app, ["check", str(draft), str(tmp_path / "nope.docx"), "--format", "json"]
    )
    # something was audited: exit 2 is only for "nothing could be audited"; the unreadable
    # file counts as an error, so the default --fail-on error fails the run
    assert result.exit_code == 1
    never = runner.invoke(
        app, ["check", str(draft), str(tmp_path / "nope.docx"), "--fail-on", "never"]
    )
    assert never.exit_code == 0
    alone = runner.invoke(app, ["check", str(tmp_path / "nope.docx")])
    assert alone.exit_code == 2 and "文件不存在" in alone.output
    data = json.loads(result.stdout)
    assert len(data["documents"]) == 1
    assert "文件不存在" in data["failures"][0]["message"]
    assert "nope.docx" in data["failures"][0]["message"]


def test_folder_without_readable_files_is_exit_2(tmp_path: Path) -> None:
    _write(tmp_path / "empty" / "notes.xyz", "x")
    result = runner.invoke(app, ["check", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "没有找到可审核的文件" in result.output
    assert str(tmp_path / "empty") in result.output.replace("\n", "")  # names the folder
    assert "Traceback" not in result.output


def test_fail_on_never_and_warning(tmp_path: Path) -> None:
    draft = _write(
        tmp_path / "d.txt",
        "关于开展督查的通知\n各单位：\n请各单位每日打卡并发送定位截图，工作群24小时在线。\n",
    )
    strict = runner.invoke(app, ["check", str(draft), "--fail-on", "info"])
    never = runner.invoke(app, ["check", str(draft), "--fail-on", "never"])
    assert strict.exit_code == 1
    assert never.exit_code == 0


def test_config_is_discovered_upwards_and_invalid_config_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "wenshan-audit.toml").write_text('fail_on = "sometimes"\n', encoding="utf-8")
    draft = _write(tmp_path / "sub" / "d.txt", CLEAN)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "wenshan_audit", "check", str(draft)],
        cwd=tmp_path / "sub",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
    )
    assert proc.returncode == 2
    assert "fail_on" in proc.stderr and "配置错误" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_pyproject_tool_section_is_a_config(tmp_path: Path) -> None:
    from wenshan_audit.config import load

    (tmp_path / "pyproject.toml").write_text(
        '[tool.wenshan-audit]\nfail_on = "warning"\n', encoding="utf-8"
    )
    (tmp_path / "a" / "b").mkdir(parents=True)
    config = load(start=tmp_path / "a" / "b")
    assert config.path == (tmp_path / "pyproject.toml").resolve()
    assert config.fail_on == "warning"


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    bad = _write(tmp_path / "wenshan-audit.toml", "fail_on = \n")
    draft = _write(tmp_path / "d.txt", CLEAN)
    result = runner.invoke(app, ["check", str(draft), "--config", str(bad)])
    assert result.exit_code == 2
    assert "TOML 格式错误" in result.output


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    from wenshan_audit.config import load

    target = tmp_path / "wenshan-audit.toml"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert load(target).fail_on == "error"
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_text_report_in_chinese(tmp_path: Path, encoding: str) -> None:
    draft = _write(tmp_path / "d.txt", CLEAN, encoding)
    result = runner.invoke(app, ["check", str(draft)])
    assert "发文机关：云岭市人民政府办公室" in result.stdout
    assert "共审核 1 份文件" in result.stdout


def test_text_report_lists_waived_findings_with_their_approval(tmp_path: Path) -> None:
    draft = _write(
        tmp_path / "d.txt",
        "关于开展督查的通知\n各单位：\n请各单位每日打卡并发送定位截图。\n",
    )
    config = _write(
        tmp_path / "wenshan-audit.toml",
        '[[waivers]]\npath = "d.txt"\nrules = ["burden"]\napproved_by = "市减负办"\n'
        'approval = "云减负函〔2026〕3号"\ndate = 2026-03-01\n',
    )
    result = runner.invoke(
        app, ["check", str(draft), "--config", str(config), "--select", "burden"]
    )
    assert result.exit_code == 0, result.output
    assert "已豁免" in result.stdout
    assert "云减负函〔2026〕3号" in result.stdout


def test_report_reads_correctly_on_a_gbk_console(tmp_path: Path) -> None:
    """Offices run Chinese Windows: every character of the report must exist in GBK."""
    draft = _write(
        tmp_path / "d.txt", "关于开展督查的通知\n各单位：\n请各单位每日打卡并发送定位截图。\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    proc = subprocess.run(
        [sys.executable, "-m", "wenshan_audit", "check", str(draft), "--fail-on", "never"],
        cwd=tmp_path,
        capture_output=True,
        env=env,
    )
    assert proc.returncode == 0
    text = proc.stdout.decode("gbk")  # strict: fails on anything that is not GBK
    assert "每日打卡" in text and "共审核 1 份文件" in text
    assert "?" not in text  # no character was replaced for want of a GBK code


def test_version() -> None:
    from wenshan_audit import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"wenshan-audit {__version__}"


def test_every_character_the_cli_prints_exists_in_gbk() -> None:
    """Offices run Chinese Windows consoles: a glyph outside GBK prints as '?'."""
    import wenshan_audit

    package = Path(wenshan_audit.__file__).parent
    missing = set()
    for source in [*(package / "cli").rglob("*.py"), *(package / "reporters").glob("*.py")]:
        for char in source.read_text(encoding="utf-8"):
            if ord(char) > 0x7F:
                try:
                    char.encode("gbk")
                except UnicodeEncodeError:
                    missing.add((source.name, char))
    assert not missing, sorted(missing)
