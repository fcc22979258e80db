"""Batch audit: merge candidates, duplicates, unit summary, parallel runs, broken files, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wenshan_audit.batch import BatchSettings, audit, select_files, settings
from wenshan_audit.config import Config
from wenshan_audit.errors import ConfigError
from wenshan_audit.model import AuditResult
from wenshan_audit.reporters import ReportOptions, renderer
from wenshan_audit.reporters.json_report import as_dict

TOPICS = {
    "spring": (
        "做好春季农业生产工作",
        "春耕备耕关系全年粮食丰收。各县区要在4月10日前完成种子、化肥、农药等农资储备调运，"
        "组织农机手检修拖拉机和播种机，确保春播粮食面积稳定在150万亩以上。"
        "要加强病虫害监测预警，指导农户科学施肥，推广玉米大豆带状复合种植。",
    ),
    "spring2": (
        "抓好春耕备耕工作",
        "当前正值春耕备耕关键时期。各县区农业农村部门要摸清种子、化肥、农药等农资库存，"
        "4月15日前完成农机检修，落实粮食播种面积，推广玉米大豆带状复合种植技术，"
        "做好病虫害监测预警和科学施肥指导。",
    ),
    "fire": (
        "加强森林草原防灭火工作",
        "清明前后是森林火灾高发期。各乡镇要严格野外火源管理，在林区入口设置检查站，"
        "护林员每日巡山不少于两次，扑火队伍24小时备勤，储备风力灭火机和灭火水车，"
        "发现火情30分钟内报告市森林草原防灭火指挥部。",
    ),
    "wage": (
        "保障农民工工资支付",
        "春节前是农民工工资支付的关键节点。人社部门要对在建工程项目开展工资支付专项检查，"
        "建立欠薪线索台账，1月20日前动态清零，落实工资专用账户和实名制管理，"
        "对恶意欠薪的施工企业依法移送公安机关。",
    ),
}
UNITS = {
    "agri": ("云岭市农业农村局", "云农发", "各县（市、区）农业农村局"),
    "gov": ("云岭市人民政府办公室", "云政办发", "各县（市、区）人民政府"),
}


def write_doc(
    folder: Path,
    name: str,
    topic: str,
    unit: str = "agri",
    number: int = 1,
    recipients: str | None = None,
) -> Path:
    issuer, prefix, default_recipients = UNITS[unit]
    title, body = TOPICS[topic]
    text = (
        f"{issuer}文件\n{prefix}〔2026〕{number}号\n{issuer}关于{title}的通知\n"
        f"{recipients or default_recipients}：\n{body}\n{issuer}\n2026年3月{number}日\n"
    )
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "quarter"
    write_doc(folder, "a-spring.txt", "spring", "agri", 1)
    write_doc(folder, "b-spring2.txt", "spring2", "agri", 2)
    write_doc(folder, "c-fire.txt", "fire", "gov", 3)
    write_doc(folder, "d-wage.txt", "wage", "gov", 4)
    # the same paper issued by a second unit: only the letterhead differs
    write_doc(folder, "sub/e-wage-copy.txt", "wage", "agri", 5)
    return folder


def audit_result(folder: Path, jobs: int, config: Config | None = None) -> AuditResult:
    """The library's one call for a batch: what the CLI's ``audit`` runs."""
    config = config or Config()
    return audit(config, [folder], batch=settings(config, jobs=jobs))


def audit_folder(folder: Path, jobs: int, config: Config | None = None) -> dict:
    return as_dict(audit_result(folder, jobs, config))


def _names(group: dict) -> set[str]:
    return {Path(d["path"]).name for d in group["documents"]}


def test_merge_candidates_duplicates_and_units(batch_dir: Path) -> None:
    data = audit_folder(batch_dir, jobs=1)
    groups = data["batch"]["merge_candidates"]
    assert [_names(g) for g in groups] == [{"a-spring.txt", "b-spring2.txt"}]
    terms = groups[0]["shared_terms"]
    assert "春耕" in terms and "云岭" not in terms  # topic words, not the unit's name
    assert groups[0]["shared_recipients"] == ["各县（市、区）农业农村局"]

    dups = data["batch"]["duplicates"]
    assert len(dups) == 1 and not dups[0]["same_unit"]
    assert {Path(d["path"]).name for d in dups[0]["documents"]} == {"d-wage.txt", "e-wage-copy.txt"}

    by_path = {Path(d["path"]).name: d for d in data["documents"]}
    assert [
        f["rule"] for f in by_path["a-spring.txt"]["findings"] if f["rule"].startswith("merge")
    ] == ["merge.candidate"]
    assert any(f["rule"] == "merge.duplicate" for f in by_path["e-wage-copy.txt"]["findings"])
    assert not any(f["rule"].startswith("merge") for f in by_path["c-fire.txt"]["findings"])

    units = {u["unit"]: u for u in data["batch"]["units"]}
    assert units["云岭市农业农村局"]["documents"] == 3
    assert units["云岭市人民政府办公室"]["kinds"] == {"通知": 2}


def test_terminal_summary(batch_dir: Path) -> None:
    text = renderer("text")(audit_result(batch_dir, jobs=1), ReportOptions(width=160))
    assert "按发文单位汇总" in text and "云岭市农业农村局" in text
    assert "建议合并制发：1 组" in text and "疑似重复发文：1 对" in text


def test_same_topic_without_shared_recipients_is_not_a_merge_candidate(tmp_path: Path) -> None:
    write_doc(tmp_path, "a.txt", "spring", "agri", 1)
    write_doc(tmp_path, "b.txt", "spring2", "agri", 2, recipients="市种子管理站")
    assert audit_folder(tmp_path, jobs=1)["batch"]["merge_candidates"] == []


def test_parallel_audit_equals_serial(batch_dir: Path) -> None:
    serial = audit_folder(batch_dir, jobs=1)
    parallel = audit_folder(batch_dir, jobs=2)
    assert parallel == serial
    assert len(serial["documents"]) == 5


def test_broken_file_is_reported_and_the_rest_audited(batch_dir: Path) -> None:
    (batch_dir / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    (batch_dir / "empty.txt").write_bytes(b"")
    data = audit_folder(batch_dir, jobs=2)
    assert len(data["documents"]) == 5
    failed = {Path(f["path"]).name: f["message"] for f in data["failures"]}
    assert set(failed) == {"broken.docx", "empty.txt"}
    assert "broken.docx" in failed["broken.docx"] and "无法读取" in failed["empty.txt"]


def test_include_exclude_globs(batch_dir: Path) -> None:
    only_sub = select_files([batch_dir], BatchSettings(include=("sub/*",)))
    assert [p.name for p in only_sub] == ["e-wage-copy.txt"]
    without = select_files([batch_dir], BatchSettings(exclude=("*spring*",)))
    assert sorted(p.name for p in without) == ["c-fire.txt", "d-wage.txt", "e-wage-copy.txt"]


def test_worker_count() -> None:
    import os

    assert BatchSettings(jobs=4).workers(2) == 2  # never more workers than files
    assert BatchSettings(jobs=3).workers(100) == 3
    assert BatchSettings().workers(5) == 1  # default: a few files are audited in-process
    assert BatchSettings().workers(10_000) == (os.cpu_count() or 1)


def test_audit_config_is_validated(tmp_path: Path) -> None:
    bad = Config(path=tmp_path / "wenshan-audit.toml", data={"audit": {"merge_similarity": 3}})
    with pytest.raises(ConfigError, match="audit.merge_similarity"):
        settings(bad)
    with pytest.raises(ConfigError, match="audit.jobz"):
        settings(Config(data={"audit": {"jobz": 2}}))
    cfg = Config(data={"audit": {"jobs": 3, "exclude": ["*.md"]}})
    assert settings(cfg, exclude=["x*"], jobs=None) == BatchSettings(exclude=("*.md", "x*"), jobs=3)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wenshan_audit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def test_cli_audit_json_report_annotations_and_broken_file(batch_dir: Path, tmp_path: Path) -> None:
    from docx import Document as new_docx

    (batch_dir / "broken.docx").write_bytes(b"not a word file at all")
    burden = "各乡镇每日上传工作照片，拍照留痕，并于当日18时前报送。"
    draft = new_docx()
    for text in (
        "云岭市人民政府办公室关于开展环境卫生整治的通知",
        "各县（市、区）人民政府：",
        burden,
    ):
        draft.add_paragraph(text)
    (batch_dir / "sub" / "整治.docx").parent.mkdir(exist_ok=True)
    draft.save(str(batch_dir / "sub" / "整治.docx"))
    out = tmp_path / "out.json"
    report = tmp_path / "report.html"
    annotated = tmp_path / "批注版"
    done = _cli(
        "audit",
        str(batch_dir),
        "-j",
        "2",
        "-f",
        "json",
        "-o",
        str(out),
        "--report",
        str(report),
        "--annotate-dir",
        str(annotated),
        "--fail-on",
        "never",
        cwd=tmp_path,
    )
    # documents were audited: not 2; the broken file counts as an error, but --fail-on never
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "broken.docx" in done.stderr and "审核完成" in done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"documents", "failures", "summary", "batch"} <= set(data)
    assert len(data["documents"]) == 6 and len(data["failures"]) == 1
    assert {"path", "metadata", "findings"} <= set(data["documents"][0])
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="duplicate-table"' in html
    assert "e-wage-copy.txt" in html and "第 1 组" in html
    # the annotated copy keeps the folder layout; only .docx files get one
    copies = [p.relative_to(annotated).as_posix() for p in annotated.rglob("*.docx")]
    assert copies == ["sub/整治.docx"]
    comments = [c.text for c in new_docx(str(annotated / "sub" / "整治.docx")).comments]
    assert comments and all("burden." in c for c in comments)


def test_cli_audit_errors_are_chinese(tmp_path: Path) -> None:
    done = _cli("audit", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2 and "路径不存在" in done.stderr
    (tmp_path / "empty").mkdir()
    done = _cli("audit", str(tmp_path / "empty"), cwd=tmp_path)
    assert done.returncode == 2 and "没有找到可审核的文件" in done.stderr
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    done = _cli("audit", str(tmp_path), "--report", str(tmp_path / "r.pdf"), cwd=tmp_path)
    assert done.returncode == 2 and "--report 应为 .html 文件" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups and SIGINT")
def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground group: parent and workers alike."""
    import os
    import signal
    import time

    folder = tmp_path / "many"
    topics = list(TOPICS)
    for i in range(400):
        write_doc(folder, f"{i:03d}.txt", topics[i % len(topics)], "agri", i + 1)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wenshan_audit",
            "audit",
            str(folder),
            "-j",
            "2",
            "-f",
            "json",
            "-o",
            str(tmp_path / "out.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    assert proc.stderr is not None
    assert "正在审核" in proc.stderr.readline()
    time.sleep(0.5)  # the workers are starting or auditing
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "已中断" in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def test_duplicate_similarity_is_the_exact_jaccard_of_5_gram_sets() -> None:
    """The MinHash only proposes pairs; the similarity reported is the exact set Jaccard."""
    from wenshan_audit.checks.merge import Shingles

    a = "各地要切实做好安全生产工作。" * 3 + "市应急管理局于6月30日前完成全面排查。"
    b = "各地要切实做好安全生产工作。" * 2 + "市应急管理局于7月15日前完成全面排查整改。"

    def grams(text: str) -> set[str]:
        flat = "".join(ch for ch in text if ch.isalnum())
        return {flat[i : i + 5] for i in range(len(flat) - 4)}

    exact = len(grams(a) & grams(b)) / len(grams(a) | grams(b))
    assert Shingles.of(a).jaccard(Shingles.of(b)) == pytest.approx(exact)
    assert Shingles.of(a).jaccard(Shingles.of(a)) == 1.0
