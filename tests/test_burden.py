"""The burden-demand lint (负面清单): rules, context, config, rule-file validation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wenshan_audit.audit import AuditOptions, Auditor
from wenshan_audit.checks import burden
from wenshan_audit.config import Config, load
from wenshan_audit.errors import ConfigError
from wenshan_audit.model import Finding, Severity
from wenshan_audit.readers import read_document
from wenshan_audit.ruleset import packaged_rules_dir
from wenshan_audit.sentences import split

ROOT = Path(__file__).resolve().parents[1]
LABELLED = Path(__file__).parent / "data" / "burden_sentences.tsv"
SEEDS = Path("/work/shared/seeds")
REAL_DOCS = Path("/work/shared/corpus/real/docs")


@pytest.fixture(scope="module")
def ruleset() -> burden.Ruleset:
    check = burden.build(Config(), AuditOptions())
    assert check is not None
    return check.ruleset


def lint(ruleset: burden.Ruleset, text: str) -> tuple[Finding, ...]:
    return ruleset.lint(text, split(text))


def rules_of(ruleset: burden.Ruleset, text: str) -> set[str]:
    return {f.rule for f in lint(ruleset, text)}


# --- the labelled set -------------------------------------------------------------------------


def labelled() -> list[tuple[str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, sentence = line.split("\t")
            rows.append((label, sentence))
    return rows


def test_labelled_set_is_large_and_balanced() -> None:
    rows = labelled()
    demands = sum(1 for label, _ in rows if label != "-")
    assert len(rows) >= 80
    assert 0.4 <= demands / len(rows) <= 0.6


def test_precision_and_recall_on_labelled_sentences(ruleset: burden.Ruleset) -> None:
    tp = fp = fn = 0
    misses: list[str] = []
    for label, sentence in labelled():
        found = rules_of(ruleset, sentence)
        if label == "-":
            fp += bool(found)
            if found:
                misses.append(f"误报 {sorted(found)}：{sentence}")
        elif label in found:
            tp += 1
        else:
            fn += 1
            misses.append(f"漏报 {label}（得到 {sorted(found)}）：{sentence}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(
        f"\nburden lint on {tp + fn} demands / {len(labelled()) - tp - fn} others: "
        f"precision {precision:.3f}, recall {recall:.3f} (tp={tp} fp={fp} fn={fn})"
    )
    assert precision >= 0.9, misses
    assert recall >= 0.9, misses


# --- both sides of the context rules ----------------------------------------------------------

NOT_FINDINGS = [
    "不得要求每日打卡。",
    "不得要求基层拍照留痕。",
    "严禁要求基层干部上传定位截图。",
    "禁止在夜间、周末召开视频会议。",
    "杜绝“层层转发”。",
    "不再要求基层补充台账资料。",
    "不搞“全员上线”。",
    "不以工作群消息已读率作为考核依据。",
    "减少签到表等过程材料。",
    "避免“24小时在线”。",
    "纠治“即时回复”等指尖上的形式主义。",
    "整治层层召开会议问题。",
    "（三）整治“指尖上的形式主义”",
    "（二）“每日打卡”",
    "有的地方要求基层每日打卡。",
    "部分部门要求基层对每项工作都拍照留证。",
    "基层干部不得不花费大量时间晒痕迹。",
    "已读率、活跃度不得作为考核指标。",
    "对仍要求“每日打卡、实时定位”的APP坚决清理。",
    "晚上和周末原则上不召开市级会议。",
    "线上会议参会人员不得超过100人。",
    "各村纸质台账不超过3类。",
    "县应急管理局要实行24小时值班制度。",
]

FINDINGS = [
    ("要求每日打卡、不得迟到。", "burden.daily_checkin"),
    ("各村要拍照留痕，不得弄虚作假。", "burden.photo_evidence"),
    ("为避免遗漏，请各网格员每日打卡。", "burden.daily_checkin"),
    ("不得要求基层拍照留痕，但各村干部须每天打卡。", "burden.daily_checkin"),
    ("各单位要整治环境卫生后须拍照上传对比图。", "burden.photo_evidence"),
    ("整治期间每周六晚8时召开全市视频调度会。", "burden.off_hours_meeting"),
    ("（二）落实每日打卡", "burden.daily_checkin"),
    ("各乡镇建立4类纸质台账。", "burden.paper_ledgers"),
    ("每所学校须建立十二本纸质台账。", "burden.paper_ledgers"),
    ("本次视频会议开到村一级，参会人员约500人。", "burden.large_online_meeting"),
    ("工作群须24小时在线、消息即时回复。", "burden.always_online"),
    ("工作群须24小时在线、消息即时回复。", "burden.instant_reply"),
]


@pytest.mark.parametrize("sentence", NOT_FINDINGS)
def test_prohibitions_descriptions_and_quoted_headings_are_not_findings(
    ruleset: burden.Ruleset, sentence: str
) -> None:
    assert rules_of(ruleset, sentence) == set()


@pytest.mark.parametrize(("sentence", "rule"), FINDINGS)
def test_demands_are_findings(ruleset: burden.Ruleset, sentence: str, rule: str) -> None:
    assert rule in rules_of(ruleset, sentence)


def test_counts_decide_ledgers_and_meeting_size(ruleset: burden.Ruleset) -> None:
    assert rules_of(ruleset, "各村建立3类台账。") == set()
    assert rules_of(ruleset, "各村建立三类台账。") == set()
    assert "burden.paper_ledgers" in rules_of(ruleset, "各村建立四类台账。")
    assert "burden.paper_ledgers" not in rules_of(ruleset, "建立人口台账、房屋台账和企业台账。")
    assert "burden.paper_ledgers" in rules_of(
        ruleset, "建立人口台账、房屋台账、企业台账和矛盾纠纷台账。"
    )
    assert rules_of(ruleset, "视频会议参会人员约100人。") == set()
    assert "burden.large_online_meeting" in rules_of(ruleset, "视频会议参会人员约101人。")


def test_items_under_a_prohibition_lead_are_not_findings(ruleset: burden.Ruleset) -> None:
    prohibited = "严禁下列行为：\n（一）要求基层对常规工作拍照留痕；\n（二）要求干部每日打卡。"
    assert lint(ruleset, prohibited) == ()
    inline = "严禁下列行为：要求基层拍照留痕。"
    assert lint(ruleset, inline) == ()
    demanded = "工作要求：\n（一）各村对整治工作拍照留痕；\n（二）干部每日打卡。\n下一段。"
    assert {f.rule for f in lint(ruleset, demanded)} == {
        "burden.photo_evidence",
        "burden.daily_checkin",
    }


def test_finding_points_at_the_sentence(ruleset: burden.Ruleset) -> None:
    text = "一、工作要求\n各单位要加强领导。各村整治后须拍照留痕，于周五前报送。其他事项另行通知。"
    (finding,) = lint(ruleset, text)
    assert finding.rule == "burden.photo_evidence"
    assert finding.severity is Severity.ERROR
    assert finding.text == "各村整治后须拍照留痕，于周五前报送。"
    assert text[finding.start : finding.end] == finding.text
    assert finding.evidence["cue"] == "拍照留痕"
    assert "基层工作留痕负面清单" in finding.evidence["rule_source"]
    assert finding.message.startswith("常规工作拍照留痕：")
    assert "业务系统" in finding.message  # the remedy


def test_one_finding_per_rule_and_sentence(ruleset: burden.Ruleset) -> None:
    findings = lint(ruleset, "各村每日打卡，网格员每天打卡，驻村干部实时打卡。")
    assert [f.rule for f in findings] == ["burden.daily_checkin"]


def test_regex_hit_reports_count_in_evidence(ruleset: burden.Ruleset) -> None:
    (finding,) = lint(ruleset, "每所学校须建立十二本纸质台账。")
    assert finding.evidence["count"] == 12


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4", 4),
        ("１２", 12),
        ("四", 4),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两", 2),
        ("一百零一", 101),
        ("三百", 300),
        ("一千二百", 1200),
        ("百", 100),
        ("台", None),
        ("", None),
    ],
)
def test_parse_count(text: str, value: int | None) -> None:
    assert burden.parse_count(text) == value


# --- real documents ---------------------------------------------------------------------------


def test_burden_sample_draft_is_full_of_findings() -> None:
    drafts = sorted((ROOT / "samples" / "drafts").glob("*负担稿*.pdf"))
    if not drafts:
        pytest.skip("samples/drafts 中没有负担稿 PDF")
    result = Auditor(Config()).audit_document(read_document(drafts[0]))
    rules = {f.rule for f in result.findings if f.rule.startswith("burden.")}
    assert {
        "burden.photo_evidence",
        "burden.paper_ledgers",
        "burden.daily_checkin",
        "burden.location_screenshot",
        "burden.always_online",
        "burden.chat_read_rate",
        "burden.all_staff_online",
        "burden.off_hours_meeting",
        "burden.inspection_materials",
    } <= rules


def test_upper_documents_that_prohibit_burdens_give_no_errors(ruleset: burden.Ruleset) -> None:
    paths = sorted((ROOT / "samples" / "upper").glob("*.txt"))
    if not paths:
        pytest.skip("samples/upper 中没有上级文件样例")
    for path in paths:
        text = read_document(path).text
        assert [f for f in lint(ruleset, text) if f.severity is not Severity.INFO] == [], path.name


def test_seed_speeches_rarely_trigger(ruleset: burden.Ruleset) -> None:
    paths = sorted(SEEDS.glob("*.txt"))
    if not paths:
        pytest.skip(f"{SEEDS} 不存在")
    findings = [f for p in paths for f in lint(ruleset, p.read_text(encoding="utf-8"))]
    chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    print(f"\nseed speeches: {len(findings)} findings in {chars} characters")
    # the seeds describe and prohibit burdens; they demand none
    assert len(findings) <= 2, [f.text for f in findings]


def test_real_public_documents_have_few_false_alarms(ruleset: burden.Ruleset) -> None:
    if not REAL_DOCS.is_dir():
        pytest.skip(f"{REAL_DOCS} 不存在（真实公开文件语料未挂载）")
    chars = findings = 0
    for path in sorted(REAL_DOCS.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        chars += len(text)
        findings += len(lint(ruleset, text))
    print(f"\nreal documents: {findings} findings in {chars} characters")
    assert findings <= chars / 100_000


# --- configuration ----------------------------------------------------------------------------


def write_config(tmp_path: Path, body: str) -> Config:
    path = tmp_path / "wenshan-audit.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load(path)


def test_disabled_check(tmp_path: Path) -> None:
    config = write_config(tmp_path, "[burden]\nenabled = false\n")
    assert burden.build(config, AuditOptions()) is None


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[burden]\nenable = true\n", "burden.enable"),
        ('[burden]\nenabled = "yes"\n', "burden.enabled"),
        ('[burden]\nrules_file = "nowhere.yaml"\n', "burden.rules_file"),
        ("[burden]\nrules_file = 3\n", "burden.rules_file"),
        ('[burden]\ndisable = ["burden.no_such_rule"]\n', "burden.disable"),
        ('[burden]\ndisable = "burden.photo_evidence"\n', "burden.disable"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:  # when the config is loaded, before any check runs
        write_config(tmp_path, body)
    assert info.value.key == key
    assert key in str(info.value)


def test_disable_drops_a_rule(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[burden]\ndisable = ["burden.daily_checkin"]\n')
    check = burden.build(config, AuditOptions())
    assert check is not None
    ids = {r.id for r in check.ruleset.rules}
    assert "burden.daily_checkin" not in ids and "burden.photo_evidence" in ids
    assert rules_of(check.ruleset, "各村干部每日打卡。") == set()


def test_ruleset_is_built_once_per_run() -> None:
    first = burden.build(Config(), AuditOptions())
    second = burden.build(Config(), AuditOptions())
    assert first is not None and second is not None
    assert first.ruleset is second.ruleset


CUSTOM = """\
context:
  negations: [不得]
rules:
  - id: burden.trace
    severity: info
    name: 留痕
    patterns: [留痕]
    explanation: 不要留痕。
    source: 测试
  - id: burden.photo
    severity: warning
    name: 拍照留痕
    patterns: [拍照留痕]
    explanation: 不要拍照。
    source: 测试
"""


def test_rules_file_relative_to_config_and_longest_cue_wins(tmp_path: Path) -> None:
    (tmp_path / "my_rules").mkdir()
    (tmp_path / "my_rules" / "burden.yaml").write_text(CUSTOM, encoding="utf-8")
    config = write_config(tmp_path, '[burden]\nrules_file = "my_rules/burden.yaml"\n')
    check = burden.build(config, AuditOptions())
    assert check is not None
    assert [f.rule for f in lint(check.ruleset, "各村拍照留痕。")] == ["burden.photo"]
    assert [f.rule for f in lint(check.ruleset, "各村全程留痕。")] == ["burden.trace"]
    assert lint(check.ruleset, "不得要求各村拍照留痕。") == ()


def test_rules_directory_from_config_is_used(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "burden.yaml").write_text(CUSTOM, encoding="utf-8")
    config = write_config(tmp_path, 'rules = "rules"\n')
    check = burden.build(config, AuditOptions())
    assert check is not None
    assert {r.id for r in check.ruleset.rules} == {"burden.trace", "burden.photo"}


RULE = """\
  - id: burden.x
    severity: warning
    name: 测试
    patterns: [测试词]
    explanation: 说明。
    source: 依据
"""


@pytest.mark.parametrize(
    ("rule", "key", "words"),
    [
        (RULE.replace("  - id: burden.x\n", "  - name0: x\n"), "rules 第 1 条", "id"),
        (RULE.replace("id: burden.x", "id: photo"), "rules 第 1 条", "burden."),
        (RULE.replace("    patterns: [测试词]\n", ""), "burden.x", "patterns"),
        (RULE.replace("patterns: [测试词]", "patterns: []"), "burden.x", "patterns"),
        (RULE.replace("severity: warning", "severity: fatal"), "burden.x", "severity"),
        (RULE.replace("    source: 依据\n", ""), "burden.x", "source"),
        (RULE + "    serverity: error\n", "burden.x", "serverity"),
        (
            RULE.replace("patterns: [测试词]", "patterns: [{regex: '建立(\\d+类', cues: [建立]}]"),
            "burden.x.patterns",
            "正则表达式",
        ),
        (
            RULE.replace("patterns: [测试词]", "patterns: [{regex: '建立\\d+类'}]"),
            "burden.x.patterns",
            "cues",
        ),
        (
            RULE.replace(
                "patterns: [测试词]",
                "patterns: [{regex: '建立\\d+类', cues: [建立], min_count: 4}]",
            ),
            "burden.x.patterns",
            "count",
        ),
        (
            RULE.replace(
                "patterns: [测试词]",
                "patterns: [{regex: '(\\d+)类', cues: [类], min_count: zero}]",
            ),
            "burden.x.patterns",
            "min_count",
        ),
        (RULE.replace("patterns: [测试词]", "patterns: [3]"), "burden.x.patterns", "无效条目"),
        (RULE + RULE, "burden.x", "重复"),
    ],
)
def test_malformed_rule_names_file_and_rule(
    tmp_path: Path, rule: str, key: str, words: str
) -> None:
    path = tmp_path / "burden.yaml"
    path.write_text("rules:\n" + rule, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        burden.load_ruleset(path)
    assert info.value.key == key
    assert str(path.resolve()) in str(info.value)
    assert words in str(info.value)


def test_rule_file_without_rules_list(tmp_path: Path) -> None:
    path = tmp_path / "burden.yaml"
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rules"):
        burden.load_ruleset(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "burden.yaml"
    path.write_text("rules:\n  - id: burden.x\n    patterns: [未闭合\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML"):
        burden.load_ruleset(path)


def test_unknown_context_field(tmp_path: Path) -> None:
    path = tmp_path / "burden.yaml"
    path.write_text("context:\n  negation: [不得]\nrules:\n" + RULE, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        burden.load_ruleset(path)
    assert info.value.key == "context.negation"


def test_shipped_rule_file_covers_the_negative_list() -> None:
    rules = {r.id: r for r in burden.load_ruleset(packaged_rules_dir() / "burden.yaml").rules}
    assert len(rules) >= 12
    for rule in rules.values():
        assert rule.name and rule.explanation and rule.source
    cues = {cue for r in rules.values() for cue in r.literals}
    for cue in (
        "拍照留痕",
        "签到表",
        "每日打卡",
        "定位截图",
        "24小时在线",
        "即时回复",
        "全员上线",
        "层层召开",
        "层层转发",
        "已读率",
        "汇报材料",
        "展板",
    ):
        assert cue in cues
