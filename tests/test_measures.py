"""Concrete-measure analysis: elements, labels, verdicts, findings, model and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from wenshan_audit.audit import AuditOptions, Auditor
from wenshan_audit.checks.measures import (
    LABELS,
    MeasuresCheck,
    default_model_path,
    extract,
    judge,
    load_cues,
    settings,
    shipped_data_path,
)
from wenshan_audit.checks.measures_eval import (
    document_scores,
    read_document_labels,
    sentence_scores,
)
from wenshan_audit.cli import app
from wenshan_audit.config import Config, load
from wenshan_audit.errors import ConfigError
from wenshan_audit.readers import read_document
from wenshan_audit.ruleset import packaged_rules_dir
from wenshan_audit.sentence_model import fit, load_model, read_examples

ROOT = Path(__file__).resolve().parents[1]
DRAFTS = ROOT / "samples" / "drafts"
SLOGAN_DRAFT = DRAFTS / "云岭市关于加强作风建设的通知（空话稿）.txt"
GOOD_DRAFT = DRAFTS / "云岭市精简文件会议为基层减负十条措施（落实稿）.docx"
REAL_DOCS = ROOT.parent / "shared" / "corpus" / "real" / "docs"
runner = CliRunner()


@pytest.fixture(scope="module")
def cues():
    return load_cues(packaged_rules_dir())


@pytest.fixture(scope="module")
def model():
    return load_model(default_model_path(packaged_rules_dir()))


@pytest.fixture(scope="module")
def check() -> MeasuresCheck:
    return MeasuresCheck(Config(), AuditOptions())


def write_txt(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- elements -----------------------------------------------------------------


def test_elements_of_a_concrete_sentence(cues) -> None:
    found = extract(
        "（市发改委牵头，市财政局配合）9月30日前出台《发文限额管理办法》，压减30%。", cues
    )
    assert found["unit"] == ["市发改委", "市财政局"]
    assert "9月30日前" in found["deadline"]
    assert "30%" in found["quantity"]
    assert any("《发文限额管理办法》" in item for item in found["instrument"])
    assert found["slogan"] == []


def test_chinese_numerals_and_periods(cues) -> None:
    found = extract("县教育局每季度检查不超过三次，两个工作日内反馈结果。", cues)
    assert "不超过三" in found["quantity"]
    assert "每季度" in found["deadline"]
    assert "两个工作日内" in found["deadline"]
    assert found["unit"] == ["县教育局"]


def test_generic_subjects_and_quoted_formulas_are_not_elements(cues) -> None:
    found = extract("各部门要切实增强“四个意识”，确保取得实效。", cues)
    assert found["unit"] == []
    assert found["quantity"] == []
    assert {"切实增强", "取得实效"} <= set(found["slogan"])


def test_background_sentence_with_numbers_is_not_a_measure(cues, model) -> None:
    verdict = judge("截至目前，全市累计精简各类文件3200余份，降幅达22%。", cues, model)
    assert verdict.label == "neutral"
    assert "累计" in verdict.elements["background"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("市减负办于6月底前建立发文限额台账，每季度通报一次。", "concrete"),
        ("要高度重视，切实加强组织领导，确保各项工作落到实处。", "slogan"),
        ("现将有关事项通知如下：", "neutral"),
    ],
)
def test_labels(cues, model, text: str, label: str) -> None:
    assert judge(text, cues, model).label == label


# --- evaluation targets --------------------------------------------------------


def test_held_out_f1_meets_target(cues, model) -> None:
    examples = read_examples(shipped_data_path(), LABELS)
    assert len(examples) >= 500
    scores = {row.mode: row for row in sentence_scores(examples, cues, model)}
    assert scores["combined"].f1 >= 0.9
    assert scores["model"].f1 >= 0.9


def test_runtime_scoring_matches_sklearn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    # a third of the training data keeps the two fits quick; the equivalence is what matters
    examples = [e for e in read_examples(shipped_data_path(), LABELS) if e.split == "train"][::3]
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    exported = fit(texts, labels)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    classifier = LogisticRegression(C=10.0, max_iter=2000).fit(
        vectorizer.fit_transform(texts), labels
    )
    probe = ["市减负办于年底前完成清理。", "要进一步提高认识。", "本办法自印发之日起施行。"]
    expected = classifier.predict_proba(vectorizer.transform(probe))
    for text, row in zip(probe, expected, strict=True):
        ours = exported.score(text)
        for cls, value in zip(classifier.classes_, row, strict=True):
            assert ours[cls] == pytest.approx(value, abs=1e-6)


def test_sample_verdicts(check) -> None:
    if not SLOGAN_DRAFT.is_file() or not GOOD_DRAFT.is_file():
        pytest.skip("samples/drafts 中缺少空话稿或落实稿")
    slogan = check.run(read_document(SLOGAN_DRAFT))
    assert slogan.data["verdict"] == "none"
    assert any(f.rule == "measures.none" and f.severity.value == "error" for f in slogan.findings)
    assert any(f.rule == "measures.slogan_paragraph" for f in slogan.findings)
    good = check.run(read_document(GOOD_DRAFT))
    assert good.data["verdict"] == "ok"
    assert not any(f.rule == "measures.none" for f in good.findings)


def test_document_labels_accuracy() -> None:
    labels = read_document_labels(ROOT / "bench" / "measure_documents.csv")
    present = [(path, expected) for path, expected in labels if path.is_file()]
    if not present:
        pytest.skip("样例与真实语料均不存在")
    if not REAL_DOCS.is_dir():
        pytest.skip("真实语料目录 ../shared/corpus/real/docs 不存在，只有样例时不计准确率")
    combined = {row.mode: row for row in document_scores(present, Config())}["combined"]
    assert combined.accuracy >= 0.95, combined.errors


# --- documents and findings ----------------------------------------------------


def test_json_section_shape_through_the_auditor(tmp_path: Path) -> None:
    draft = write_txt(
        tmp_path / "d.txt",
        [
            "云岭市人民政府办公室关于规范会议的通知",
            "各县（市、区）人民政府，市直各部门：",
            "一、严控会议数量。市级会议每年不超过20个，由市政府办公室统筹。",
            "二、要高度重视，切实加强组织领导。",
        ],
    )
    result = Auditor(Config(), AuditOptions(select=("measures",))).audit_paths([draft])
    section = result.documents[0].sections["measures"]
    assert set(section) == {"verdict", "concrete", "own_concrete", "total", "share", "sentences"}
    assert section["own_concrete"] is None  # copy detection not run: unknown
    sentence = next(s for s in section["sentences"] if s["label"] == "concrete")
    assert set(sentence) == {"start", "end", "label", "elements", "score"}
    text = result.documents[0].document.text
    assert "不超过20个" in text[sentence["start"] : sentence["end"]]
    assert sentence["elements"]["quantity"]
    json.dumps(section, ensure_ascii=False)


def test_weak_names_worst_section_and_kind_rules(tmp_path: Path, check) -> None:
    lines = [
        "云岭市关于改进作风的实施方案",
        "一、主要任务",
        "（一）市委办公室于6月底前出台《会议管理办法》。",
        "（二）要提高认识，切实增强责任感。要统一思想，形成工作合力。要常抓不懈，久久为功。",
        "二、保障措施",
        "要加强组织领导，营造良好氛围。要强化宣传引导，确保取得实效。要狠抓落实，务求实效。",
    ]
    weak = check.run(read_document(write_txt(tmp_path / "方案.txt", lines)))
    finding = next(f for f in weak.findings if f.rule == "measures.weak")
    assert finding.severity.value == "warning"
    assert "保障措施" in finding.message
    assert weak.data["verdict"] == "weak"
    # a 函 full of slogans is not required to carry measures
    letter = ["云岭市人民政府办公室关于商请支持的函", "要高度重视，切实加强领导，确保取得实效。"]
    outcome = check.run(read_document(write_txt(tmp_path / "函.txt", letter)))
    assert outcome.data["verdict"] == "none"
    assert outcome.findings == ()


def test_slogan_paragraph_span_in_docx(tmp_path: Path, check) -> None:
    document = docx.Document()
    for line in [
        "云岭市关于加强作风建设的意见",
        "各级各部门要高度重视，切实提高站位，确保各项工作落到实处。",
        "市减负办每季度通报一次各部门发文数量。",
    ]:
        document.add_paragraph(line)
    path = tmp_path / "意见.docx"
    document.save(path)
    doc = read_document(path)
    findings = [f for f in check.run(doc).findings if f.rule == "measures.slogan_paragraph"]
    assert len(findings) == 1
    assert doc.text[findings[0].start : findings[0].end].startswith("各级各部门要高度重视")


def test_rules_only_mode_and_kind_override(tmp_path: Path) -> None:
    draft = write_txt(tmp_path / "x.txt", ["一份材料", "要高度重视，切实加强领导。"])
    plain = MeasuresCheck(Config(), AuditOptions(), mode="rules").run(read_document(draft))
    assert not any(f.rule == "measures.none" for f in plain.findings)  # kind unknown
    forced = MeasuresCheck(Config(), AuditOptions(kind="通知"), mode="rules").run(
        read_document(draft)
    )
    assert any(f.rule == "measures.none" for f in forced.findings)


# --- config and CLI ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[measures]\nmin_share = 2\n", "measures.min_share"),
        ("[measures]\nslogan_paragraph = 'loud'\n", "measures.slogan_paragraph"),
        ("[measures]\nthreshold = 0.5\n", "measures.threshold"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, body: str, key: str) -> None:
    path = tmp_path / "wenshan-audit.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        settings(load(path))
    assert info.value.key == key


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "wenshan-audit.toml"
    path.write_text("[measures]\nmodel = 'nope.json.gz'\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "eval", "--config", str(path)])
    assert result.exit_code == 2
    assert "rules train" in result.output


def test_train_without_target_and_bad_labels_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "wenshan-audit.toml"
    config.write_text("[measures]\nmin_share = 0.3\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "train", "--config", str(config)])
    assert result.exit_code == 2
    assert "--output" in result.output
    bad = tmp_path / "mine.csv"
    bad.write_text("text,label\n要抓好落实。,empty-talk\n", encoding="utf-8")
    result = runner.invoke(
        app, ["rules", "train", "--data", str(bad), "-o", str(tmp_path / "m.json.gz")]
    )
    assert result.exit_code == 2
    assert "第 2 行" in result.output


def test_eval_command_prints_all_three_modes() -> None:
    result = runner.invoke(app, ["rules", "eval"])
    assert result.exit_code == 0, result.output
    for name in ("仅规则", "仅模型", "规则+模型"):
        assert name in result.output


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(tmp_path: Path) -> None:
    target = tmp_path / "model.json.gz"
    result = runner.invoke(app, ["rules", "train", "-o", str(target)])
    assert result.exit_code == 0, result.output
    shipped = default_model_path(packaged_rules_dir())
    assert load_model(target).to_json() == load_model(shipped).to_json()


@pytest.mark.slow
def test_office_data_changes_the_model(tmp_path: Path) -> None:
    mine = tmp_path / "mine.jsonl"
    rows = [{"text": f"各单位要把第{i}项工作抓紧抓实。", "label": "slogan"} for i in range(30)]
    mine.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    config = tmp_path / "wenshan-audit.toml"
    config.write_text("[measures]\nmodel = 'office.json.gz'\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "train", "--data", str(mine), "--config", str(config)])
    assert result.exit_code == 0, result.output
    office = load_model(tmp_path / "office.json.gz")
    assert "抓紧抓实" in "".join(office.vocabulary)
    assert office.score("各单位要把第99项工作抓紧抓实。")["slogan"] > 0.5


# --- the draft's own measures (outside copied passages) ------------------------

UPPER_MEASURES = [
    "省政府办公厅关于精简会议的通知",
    "各市州人民政府，省政府各部门：",
    "为切实减轻基层负担，现就精简会议有关事项通知如下。",
    "一、省级部门召开的全省性会议每年不超过2次，由省政府办公厅统一审核。",
    "二、各类会议时间一般不超过90分钟，会议材料于会前3个工作日内印发。",
    "三、省政府办公厅每季度通报会议精简情况，年底前完成全年会议清单评估。",
]


def _audit_against_upper(tmp_path: Path, draft_lines: list[str]) -> tuple[dict, set[str]]:
    upper = tmp_path / "upper"
    upper.mkdir()
    write_txt(upper / "upper.txt", UPPER_MEASURES)
    config = Config(path=tmp_path / "w.toml", data={"reference": {"cache_dir": "cache"}})
    auditor = Auditor(config, AuditOptions(against=upper))
    result = auditor.audit_document(read_document(write_txt(tmp_path / "draft.txt", draft_lines)))
    return result.sections["measures"], {f.rule: f for f in result.findings}


def test_draft_whose_measures_are_all_copied_has_none_of_its_own(tmp_path: Path) -> None:
    draft = [
        "云岭市人民政府办公室关于精简会议的通知",
        "各县（区）人民政府，市政府各部门：",
        "根据省政府办公厅要求，结合我市实际，现就精简会议有关事项通知如下。",
        *UPPER_MEASURES[3:],
        "各单位要高度重视，认真抓好落实。",
    ]
    section, findings = _audit_against_upper(tmp_path, draft)
    assert section["concrete"] >= 3 and section["own_concrete"] == 0
    finding = findings["measures.none_own"]
    assert finding.severity.value == "warning" and "以文件落实文件" in finding.message
    copied = finding.evidence["copied"]
    assert len(copied) == section["concrete"]
    assert all(c["source"] == "《省政府办公厅关于精简会议的通知》" for c in copied)
    assert "copy.upper" in findings


def test_own_measure_beside_copied_ones_is_counted(tmp_path: Path) -> None:
    draft = [
        "云岭市人民政府办公室关于精简会议的通知",
        "各县（区）人民政府，市政府各部门：",
        *UPPER_MEASURES[3:5],
        "三、市政府办公室于6月30日前建立全市会议计划台账，每月5日前在市政府网站公布上月会议数量。",
    ]
    section, findings = _audit_against_upper(tmp_path, draft)
    assert section["own_concrete"] == 1 < section["concrete"]
    assert "measures.none_own" not in findings


def test_checks_run_in_dependency_order() -> None:
    from wenshan_audit.checks import dependency_order

    class Plain:
        def __init__(self, name: str, needs: tuple[str, ...] | None = None) -> None:
            self.name = name
            if needs is not None:
                self.needs = needs

        def run(self, doc, earlier=None):  # pragma: no cover - never called here
            raise AssertionError

    a, b, c = Plain("measures", ("copy",)), Plain("burden"), Plain("copy")
    assert [x.name for x in dependency_order([a, b, c])] == ["copy", "measures", "burden"]
    assert [x.name for x in dependency_order([a, b])] == ["measures", "burden"]  # copy disabled
    with pytest.raises(ValueError, match="copy -> measures -> copy"):
        dependency_order([Plain("copy", ("measures",)), a])
