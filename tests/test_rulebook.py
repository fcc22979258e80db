"""One rulebook, one batch path, a config that refuses typos (issue 15), through the real CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from wenshan_audit import rulebook
from wenshan_audit.batch import audit
from wenshan_audit.cli import app
from wenshan_audit.config import Config, load

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SRC = Path(__file__).resolve().parents[1] / "src" / "wenshan_audit"
SPRING = "云岭市农业农村局关于抓好春耕备耕工作的通知.docx"


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    """The sample drafts in a folder of their own, with an empty config beside them."""
    folder = tmp_path / "drafts"
    shutil.copytree(SAMPLES / "drafts", folder)
    (tmp_path / "wenshan-audit.toml").write_text("", encoding="utf-8")
    return folder


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wenshan-audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _batch_json(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["audit", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _merge_findings(data: dict) -> dict[str, list[dict]]:
    return {
        Path(d["path"]).name: [f for f in d["findings"] if f["rule"].startswith("merge.")]
        for d in data["documents"]
    }


# --- batch findings go through selection and waivers -----------------------------------


def test_ignore_merge_silences_merge_findings_and_groups(drafts: Path) -> None:
    config = str(drafts.parent / "wenshan-audit.toml")
    _, full = _batch_json(str(drafts), "--config", config)
    found = [f for items in _merge_findings(full).values() for f in items]
    assert len(found) >= 2 and full["batch"]["merge_candidates"]  # there is something to silence
    _, quiet = _batch_json(str(drafts), "--config", config, "--ignore", "merge")
    assert not any(_merge_findings(quiet).values())
    assert quiet["batch"]["merge_candidates"] == [] and quiet["batch"]["duplicates"] == []
    # the unit summary is still there, and counts what is reported
    assert quiet["batch"]["units"] and quiet["summary"]["infos"] < full["summary"]["infos"]
    _, only = _batch_json(str(drafts), "--config", config, "--select", "merge.candidate")
    assert {f["rule"] for d in only["documents"] for f in d["findings"]} == {"merge.candidate"}


def test_a_waiver_waives_one_merge_finding(drafts: Path) -> None:
    config = _config(
        drafts.parent,
        f"""
[[waivers]]
path = "drafts/{SPRING}"
rules = ["merge.candidate"]
approved_by = "王明（市农业农村局局长）"
approval = "云农批〔2026〕2号"
date = 2026-03-02
""",
    )
    _, data = _batch_json(str(drafts), "--config", str(config))
    by_name = {Path(d["path"]).name: d for d in data["documents"]}
    waived = by_name[SPRING]
    assert not _merge_findings(data)[SPRING]
    assert [f["rule"] for f in waived["waived"]] == ["merge.candidate"]
    assert waived["waived"][0]["evidence"]["waiver"]["approval"] == "云农批〔2026〕2号"
    partners = [n for n, items in _merge_findings(data).items() if items]
    assert partners  # the other member of the group keeps its finding


def test_a_script_audits_a_batch_in_one_call(drafts: Path) -> None:
    result = audit(load(drafts.parent / "wenshan-audit.toml"), [drafts])
    assert len(result.documents) == 7 and not result.failures
    assert result.batch["merge_candidates"] and result.batch["units"] == list(result.units)
    assert set(result.rules) == {f.rule for d in result.documents for f in d.findings}


# --- selections and the config schema refuse typos --------------------------------------


@pytest.mark.parametrize(
    ("args", "named", "nearest"),
    [
        (["--select", "burdn"], "burdn", "burden"),
        (["--ignore", "copy.uper"], "copy.uper", "copy.upper"),
        (["--select", "burden.photo"], "burden.photo", "burden.photo_evidence"),
    ],
)
def test_unknown_selection_exits_2_with_did_you_mean(
    drafts: Path, args: list[str], named: str, nearest: str
) -> None:
    for command in ("check", "audit"):
        result = runner.invoke(app, [command, str(drafts), *args])
        assert result.exit_code == 2, result.output
        assert f"未知规则 {named}，您是不是要找 {nearest}？" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "named", "nearest"),
    [
        ('fial_on = "never"\n', "fial_on", "fail_on"),
        ('[refrence]\ncorpus = "upper"\n', "refrence", "reference"),
        ("[audit]\njobz = 2\n", "audit.jobz", "audit.jobs"),
        ('[hook]\ndraft = ["drafts"]\n', "hook.draft", "hook.drafts"),
        ('ignore = ["burdn"]\n', "burdn", "burden"),
        (
            '[[waivers]]\npath = "a.txt"\nrules = ["merge.candidat"]\napproved_by = "王"\n'
            'approval = "云批〔2026〕1号"\ndate = 2026-03-02\n',
            "merge.candidat",
            "merge.candidate",
        ),
    ],
)
def test_unknown_config_key_exits_2_naming_it(
    drafts: Path, text: str, named: str, nearest: str
) -> None:
    config = _config(drafts.parent, text)
    for command in (["check", str(drafts)], ["audit", str(drafts)], ["hook", str(drafts)]):
        result = runner.invoke(app, [*command, "--config", str(config)])
        assert result.exit_code == 2, result.output
        assert named in result.output and f"您是不是要找 {nearest}？" in result.output


def test_config_saved_in_gbk_names_the_line(drafts: Path) -> None:
    config = drafts.parent / "wenshan-audit.toml"
    config.write_bytes('fail_on = "error"\n\n# 发文限额\n'.encode("gbk"))
    result = runner.invoke(app, ["check", str(drafts), "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "UTF-8" in result.output and "第 3 行" in result.output
    assert "UnicodeDecodeError" not in result.output and "内部错误" not in result.output
    # a UTF-8 file with a BOM (as Notepad saves it) is fine
    config.write_bytes('\ufefffail_on = "never"\n'.encode())
    assert runner.invoke(app, ["check", str(drafts), "--config", str(config)]).exit_code == 0


def test_rules_folder_and_ledger_path_are_checked_when_the_config_loads(drafts: Path) -> None:
    config = _config(drafts.parent, 'rules = "/nonexistent"\n')
    result = runner.invoke(app, ["check", str(drafts), "--config", str(config)])
    assert result.exit_code == 2 and "/nonexistent" in result.output and "rules" in result.output
    (drafts.parent / "ledger-folder").mkdir()
    config = _config(drafts.parent, '[quota]\nledger = "ledger-folder"\n')
    for command in ("check", "audit"):
        result = runner.invoke(app, [command, str(drafts), "--config", str(config)])
        assert result.exit_code == 2, result.output
        assert "quota.ledger" in result.output and "文件夹" in result.output


# --- the rulebook --------------------------------------------------------------------------


def test_rule_explains_a_burden_rule_from_its_yaml_entry() -> None:
    entry = next(
        r
        for r in yaml.safe_load((SRC.parents[1] / "rules" / "burden.yaml").read_text("utf-8"))[
            "rules"
        ]
        if r["id"] == "burden.photo_evidence"
    )
    result = runner.invoke(app, ["rule", "burden.photo_evidence"])
    assert result.exit_code == 0, result.output
    assert entry["name"] in result.output and entry["source"].strip() in result.output
    assert entry["explanation"].strip() in result.output and "错误" in result.output
    typo = runner.invoke(app, ["rule", "burden.photo_evidenc"])
    assert typo.exit_code == 2 and "burden.photo_evidence" in typo.output


def test_rule_all_lists_every_rule_of_every_check() -> None:
    result = runner.invoke(app, ["rule", "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {r["id"]: r for r in json.loads(result.stdout)}
    assert {r["check"] for r in listed.values()} == set(rulebook.CHECKS)
    assert all(r["title"] and r["explanation"] and r["clause"] for r in listed.values())
    # every rule id written in the checks' code is in the rulebook ...
    written = set()
    for path in SRC.rglob("*.py"):
        written |= set(re.findall(r'rule="([a-z]+\.[a-z_]+)"', path.read_text("utf-8")))
        written |= set(re.findall(r'_finding\(\s*"([a-z]+\.[a-z_]+)"', path.read_text("utf-8")))
    assert len(written) >= 12 and written <= set(listed)
    # ... and so is every burden rule of the rule file
    burden = yaml.safe_load((SRC.parents[1] / "rules" / "burden.yaml").read_text("utf-8"))
    assert {r["id"] for r in burden["rules"]} <= set(listed)
    text = runner.invoke(app, ["rule", "--all"])
    assert text.exit_code == 0 and all(rule_id in text.output for rule_id in listed)


def test_a_rule_added_to_the_office_rule_file_is_registered(tmp_path: Path) -> None:
    rules = yaml.safe_load((SRC.parents[1] / "rules" / "burden.yaml").read_text("utf-8"))
    rules["rules"].append(
        {
            "id": "burden.weekend_report",
            "severity": "warning",
            "name": "周末报送材料",
            "patterns": ["周末前报送"],
            "explanation": "不得要求基层在周末加班报送材料。",
            "source": "本单位减负十条第三条",
        }
    )
    (tmp_path / "burden-office.yaml").write_text(
        yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8"
    )
    config = _config(tmp_path, '[burden]\nrules_file = "burden-office.yaml"\n')
    result = runner.invoke(app, ["rule", "burden.weekend_report", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "周末报送材料" in result.output and "本单位减负十条第三条" in result.output
    assert rulebook.load(Config()).get("burden.weekend_report") is None


def test_sarif_rule_metadata_comes_from_the_rulebook(drafts: Path) -> None:
    result = runner.invoke(app, ["check", str(drafts), "--format", "sarif"])
    assert result.exit_code == 1, result.output
    run = json.loads(result.stdout)["runs"][0]
    book = rulebook.load(Config())
    assert run["tool"]["driver"]["rules"]
    for descriptor in run["tool"]["driver"]["rules"]:
        rule = book.get(descriptor["id"])
        assert rule is not None
        assert descriptor["fullDescription"]["text"] == rule.explanation
        assert rule.title in descriptor["shortDescription"]["text"]
        assert descriptor["properties"]["clause"] == rule.clause


def test_selectors_are_whole_dotted_parts() -> None:
    assert rulebook.matches("burden.photo_evidence", "burden")
    assert rulebook.matches("burden.photo_evidence", "burden.")
    assert rulebook.matches("burden.photo_evidence", "burden.photo_evidence")
    assert not rulebook.matches("burden.photo_evidence", "burden.photo")
    assert not rulebook.matches("copy.upper", "cop")
