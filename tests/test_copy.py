"""Copy detection: normalisation, signatures, alignment, index, check and CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from wenshan_audit.audit import AuditOptions, Auditor
from wenshan_audit.checks.copying.align import DraftSeeds, align
from wenshan_audit.checks.copying.check import CopyCheck, Settings, build, citation_spans
from wenshan_audit.checks.copying.index import CopyIndexError, Index, Writer
from wenshan_audit.checks.copying.normalise import LEVEL, normalise
from wenshan_audit.cli import app
from wenshan_audit.config import Config
from wenshan_audit.errors import ConfigError
from wenshan_audit.model import CheckOutcome
from wenshan_audit.readers import read_document

UPPER = (
    "国务院关于进一步优化政务服务提升行政效能的通知\n"
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
    "为深入推进政务服务标准化规范化便利化，现就有关事项通知如下。\n"
    "一、全面推行政务服务事项清单管理。2023年底前，全国各级政府部门要按照统一标准编制公布政务服务事项目录，"
    "实现同一事项在不同地区无差别受理、同标准办理，减少自由裁量空间，杜绝变相审批和隐性门槛。\n"
    "二、深化一网通办改革。依托全国一体化政务服务平台，推动高频事项跨部门联办，"
    "申请材料能减尽减，办理时限压缩百分之五十以上，让企业和群众少跑腿、好办事、不添堵。\n"
    "三、加强电子证照共享应用。各地区各部门要加快推进电子证照扩大应用领域和全国互通互认，"
    "凡是能通过电子证照获取的信息，一律不再要求申请人提交纸质材料。\n"
)
OTHER = (
    "国务院办公厅关于加强秋冬季森林草原防火工作的通知\n"
    "秋冬季节气候干燥，火险等级高，森林草原防火形势严峻。各林区要落实巡山护林责任，"
    "在进山路口设置检查站，严禁携带火种进山，发现火情及时扑救并逐级报告，确保不发生重大森林火灾。\n"
)
DRAFT = (
    "云岭市人民政府关于进一步优化政务服务提升行政效能的通知\n"
    "各县（区）人民政府，市直各部门：\n"
    "根据《国务院关于进一步优化政务服务提升行政效能的通知》精神，结合我市实际，现就有关事项通知如下。\n"
    "一是全面推行政务服务事项清单管理。2024年6月底前，全市各级政府部门要按照统一标准编制公布政务服务事项目录，"
    "实现同一事项在不同地区无差别受理、同标准办理，减少自由裁量空间，杜绝变相审批和隐性门槛。\n"
    "二是由市数据局牵头，在市民中心设立综合窗口12个，每周三开展帮办代办服务，年底前完成窗口改造。\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "upper"
    write(folder, "upper.txt", UPPER)
    write(folder, "other.txt", OTHER)
    return folder


@pytest.fixture()
def index(corpus: Path, tmp_path: Path) -> Index:
    writer = Writer(tmp_path / "index")
    writer.update_from_folder(corpus, workers=1)
    writer.close()
    opened = Index(tmp_path / "index")
    yield opened
    opened.close()


# --- normalisation ---------------------------------------------------------------


def test_normalise_maps_back_to_original_offsets() -> None:
    text = "一、全国要 切实加强（ＡＢ）2019年12月"
    norm = normalise(text)
    assert norm.text == f"0{chr(LEVEL)}要切实加强ab0年0月"
    assert [text[i] for i in norm.offsets[:3]] == ["一", "全", "要"]
    start, end = norm.span(2, 6)
    assert text[start:end] == "要 切实加"


def test_normalise_makes_level_substitutions_and_markers_equal() -> None:
    upper = normalise("各省、自治区、直辖市人民政府：（一）全国推行清单管理。")
    lower = normalise("各市、县（区）人民政府:1.全省推行清单管理")
    assert upper.text == lower.text


# --- winnowing ---------------------------------------------------------------------


def test_every_shared_run_of_guarantee_length_shares_a_fingerprint() -> None:
    from wenshan_audit.checks.copying.fingerprint import GUARANTEE, fingerprints

    rng = np.random.default_rng(5)
    chars = np.array([ord(c) for c in UPPER + OTHER if "\u4e00" <= c <= "\u9fff"])
    for trial in range(200):
        a = "".join(map(chr, rng.choice(chars, 400)))
        b = "".join(map(chr, rng.choice(chars, 400)))
        size = GUARANTEE if trial % 2 else GUARANTEE + int(rng.integers(0, 30))
        start = int(rng.integers(0, 380 - size))
        run = a[start : start + size]
        pos = int(rng.integers(0, 380))
        b = b[:pos] + run + b[pos:]
        shared = np.intersect1d(fingerprints(normalise(a)), fingerprints(normalise(b)))
        assert len(shared) >= 1, (trial, run)
    # fewer characters than that carry no guarantee, and unrelated texts share none
    assert not len(np.intersect1d(fingerprints(normalise(UPPER)), fingerprints(normalise(OTHER))))


def test_one_copied_sentence_is_retrieved_among_many_documents(tmp_path: Path) -> None:
    from wenshan_audit.checks.copying.index import Entry

    rng = np.random.default_rng(9)
    chars = np.array([ord(c) for c in UPPER + OTHER if "\u4e00" <= c <= "\u9fff"])
    texts = ["".join(map(chr, rng.choice(chars, 3000))) for _ in range(300)]
    writer = Writer(tmp_path / "index")
    writer.add_texts(
        [Entry(f"/c/{i}.txt", str(i), 0, 0, t) for i, t in enumerate(texts + [UPPER])], workers=1
    )
    writer.close()
    index = Index(tmp_path / "index")
    sentence = "凡是能通过电子证照获取的信息，一律不再要求申请人提交纸质材料。"  # 29 characters
    draft = texts[7][:500].replace(texts[7][100], "甲") + sentence + OTHER
    ids = index.retrieve(normalise(draft), limit=5)
    assert "/c/300.txt" in [s.path for s in index.sources(ids)]
    index.close()


# --- alignment ---------------------------------------------------------------------


def test_edited_passage_is_one_passage_with_true_offsets() -> None:
    draft, source = normalise(DRAFT), normalise(UPPER)
    passages = align(DraftSeeds.of(draft, np.zeros(0, np.uint64)), source)
    item = "全面推行政务服务事项清单管理。2024年6月底前，全市各级政府部门"
    first, last = DRAFT.index(item), DRAFT.index("隐性门槛") + 4
    # the edited item (date, level word, list marker changed) is inside one passage
    (passage,) = [
        p
        for p in passages
        if draft.span(p.start, p.end)[0] <= first < draft.span(p.start, p.end)[1]
    ]
    start, end = draft.span(passage.start, passage.end)
    s_start, s_end = source.span(passage.source_start, passage.source_end)
    assert last <= end <= last + 3  # may take the next list marker, which matches too
    assert UPPER[s_start:s_end].rstrip("。\n二").endswith("杜绝变相审批和隐性门槛")
    assert UPPER.index("全面推行政务服务事项清单管理") >= s_start
    assert passage.similarity > 0.7


def test_unrelated_text_has_no_passage() -> None:
    passages = align(DraftSeeds.of(normalise(OTHER), np.zeros(0, np.uint64)), normalise(UPPER))
    assert passages == []


def test_stoplisted_boilerplate_is_not_a_seed() -> None:
    draft, source = normalise(DRAFT), normalise(UPPER)
    seeds = DraftSeeds.of(draft, np.zeros(0, np.uint64))
    stop = np.unique(seeds.hashes)  # everything is boilerplate
    assert align(DraftSeeds.of(draft, stop), source) == []


# --- index -------------------------------------------------------------------------


def test_index_update_does_no_work_when_unchanged(corpus: Path, tmp_path: Path) -> None:
    writer = Writer(tmp_path / "index")
    first = writer.update_from_folder(corpus, workers=1)
    again = writer.update_from_folder(corpus, workers=1)
    writer.close()
    assert (first.added, again.added, again.unchanged, again.changed) == (2, 0, 2, False)
    meta = json.loads((tmp_path / "index" / "meta.json").read_text(encoding="utf-8"))
    assert meta["generation"] == 1  # nothing rewritten


def test_index_update_adds_changes_and_drops(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    writer = Writer(root)
    writer.update_from_folder(corpus, workers=1)
    (corpus / "other.txt").unlink()
    write(corpus, "upper.txt", UPPER.replace("杜绝变相审批", "严禁变相审批"))
    write(corpus, "new.txt", OTHER)
    stats = writer.update_from_folder(corpus, workers=1)
    writer.close()
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    opened = Index(root)
    info = opened.stats()
    assert info["documents"] == 2 and info["generation"] == 2
    assert not (root / "g1").exists()
    ids = opened.retrieve(normalise(UPPER), limit=5)
    texts = [s.text for s in opened.sources(ids)]
    assert any("严禁变相审批" in t for t in texts)
    assert all("杜绝变相审批" not in t for t in texts)
    opened.close()


def test_crashed_update_is_rolled_back(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    writer = Writer(root)
    writer.update_from_folder(corpus, workers=1)
    writer.close()
    # what a killed update leaves: a half-written segment, generation and meta
    (root / "seg-7").mkdir()
    (root / "seg-7" / "records.bin").write_bytes(b"half")
    (root / "g2").mkdir()
    (root / "meta.json.tmp").write_text("{", encoding="utf-8")
    assert Index(root).stats()["documents"] == 2  # readers still see generation 1
    Writer(root).close()
    assert not (root / "g2").exists() and not (root / "seg-7").exists()
    assert not (root / "meta.json.tmp").exists()
    assert Index(root).stats()["documents"] == 2


def test_index_from_other_version_is_refused(index: Index) -> None:
    meta_path = index.root / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["scheme"]["fingerprint"] = "winnowing k=5 w=4"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CopyIndexError, match="重建索引"):
        Index(index.root)


def _as_version_2(root: Path) -> None:
    """What version 2 left: MinHash band tables and texts in SQLite."""
    import sqlite3

    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    meta["format_version"] = 2
    (root / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    db = sqlite3.connect(root / "docs.sqlite")
    db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, text BLOB)")
    db.commit()
    db.close()


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_id(root: Path) -> None:
    path = next(root.glob("seg-*/ids.npy"))
    np.save(path, np.load(path)[:-1])


def _garbage_records(root: Path) -> None:
    path = next(root.glob("seg-*/records.bin"))
    path.write_bytes(b"\xff" * path.stat().st_size)


DAMAGE = {
    "version 2": _as_version_2,
    "truncated postings": lambda root: _truncate(next(root.glob("seg-*/post-key.npy"))),
    "missing postings": lambda root: next(root.glob("seg-*/post-doc.npy")).unlink(),
    "garbage records": _garbage_records,
    "truncated meta": lambda root: _truncate(root / "meta.json"),
    "partial segment": _drop_id,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_index_is_rebuilt(damage: str, corpus: Path, tmp_path: Path) -> None:
    config = Config(path=tmp_path / "wenshan-audit.toml", data={"reference": {"cache_dir": "c"}})
    build(config, AuditOptions(against=corpus)).index.close()
    (root,) = (tmp_path / "c").glob("index-*")
    DAMAGE[damage](root)
    check = build(config, AuditOptions(against=corpus))
    draft = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT))
    assert [Path(s["path"]).name for s in check.run(draft).data["sources"]] == ["upper.txt"]
    assert json.loads((root / "meta.json").read_text(encoding="utf-8"))["format_version"] == 3
    assert not (root / "docs.sqlite").exists()


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_explicit_index_is_a_clear_error(damage: str, corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "idx"
    assert runner.invoke(app, ["index", "build", str(corpus), "-i", str(root)]).exit_code == 0
    DAMAGE[damage](root)
    draft = write(tmp_path / "drafts", "draft.txt", DRAFT)
    for args in (
        ["check", str(draft), "--against", str(root)],
        ["index", "update", str(corpus), "-i", str(root)],
        ["index", "stats", "-i", str(root)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "请重建索引：wenshan-audit index build" in result.output, result.output
        assert "Traceback" not in result.output
    # the command the message names repairs it
    assert runner.invoke(app, ["index", "build", str(corpus), "-i", str(root)]).exit_code == 0
    checked = runner.invoke(app, ["check", str(draft), "--against", str(root), "-f", "json"])
    assert json.loads(checked.stdout)["documents"][0]["copy"]["sources"]


# --- the check ---------------------------------------------------------------------


def test_check_output_contract_and_citation_exclusion(index: Index, tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT))
    outcome = CopyCheck(index, Settings()).run(doc)
    data = outcome.data
    assert set(data) >= {"ratio", "ratio_excluding_citations", "sources"}
    assert [Path(s["path"]).name for s in data["sources"]] == ["upper.txt"]
    source = data["sources"][0]
    assert set(source) >= {"path", "title", "doc_number", "ratio", "passages"}
    assert source["title"] == "国务院关于进一步优化政务服务提升行政效能的通知"
    upper_text = read_document(Path(source["path"])).text
    for p in source["passages"]:
        assert set(p) >= {"start", "end", "source_start", "source_end", "similarity"}
        assert doc.text[p["start"] : p["end"]] == p["text"]
        assert upper_text[p["source_start"] : p["source_end"]] == p["source_text"]
    assert 0.3 < data["ratio_excluding_citations"] < data["ratio"] < 0.8
    assert {f.rule for f in outcome.findings} == {"copy.upper"}


def test_citation_spans_cover_title_and_standard_opening() -> None:
    text = "根据《国务院关于优化政务服务的通知》（国发〔2023〕5号）精神，结合我市实际，现通知如下。"
    ((start, end),) = citation_spans(text)
    assert (
        text[start:end]
        == "根据《国务院关于优化政务服务的通知》（国发〔2023〕5号）精神，结合我市实际"
    )


def test_forwarding_wrapper_gets_its_own_finding(index: Index, tmp_path: Path) -> None:
    wrapper = (
        "云岭市人民政府办公室转发《国务院关于进一步优化政务服务提升行政效能的通知》的通知\n"
        "各县（区）人民政府：\n现将《国务院关于进一步优化政务服务提升行政效能的通知》转发给你们，请认真贯彻执行。\n"
        + UPPER
    )
    doc = read_document(write(tmp_path / "drafts", "wrapper.txt", wrapper))
    outcome = CopyCheck(index, Settings()).run(doc)
    rules = {f.rule: f for f in outcome.findings}
    assert rules["copy.upper"].severity.value == "error"
    assert "层层转发" in rules["copy.forwarding"].message


def test_original_draft_is_clean(index: Index, tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "drafts", "own.txt", OTHER.replace("秋冬", "春夏")))
    own = write(
        tmp_path / "drafts",
        "fresh.txt",
        "云岭市农业农村局关于春耕备耕的通知\n"
        + "各乡镇农技站要在三月十日前完成种子检测和化肥储备核查，结果报市农业农村局种植业科。" * 2,
    )
    outcome = CopyCheck(index, Settings()).run(read_document(own))
    assert outcome.data["ratio"] == 0 and outcome.findings == ()
    assert doc.text  # the renamed copy of OTHER is found as copying
    assert CopyCheck(index, Settings()).run(doc).data["ratio"] > 0.5


def test_draft_inside_the_corpus_is_not_its_own_source(index: Index, corpus: Path) -> None:
    outcome = CopyCheck(index, Settings()).run(read_document(corpus / "upper.txt"))
    assert outcome.data["sources"] == []


def test_config_reference_section_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reference.warning"):
        build(Config(path=tmp_path / "x.toml", data={"reference": {"warning": 30}}), AuditOptions())
    with pytest.raises(ConfigError, match="reference.thresold"):
        build(Config(data={"reference": {"thresold": 0.3}}), AuditOptions())
    assert build(Config(), AuditOptions()) is None  # no reference corpus: check disabled


def test_against_folder_builds_index_in_cache_dir(corpus: Path, tmp_path: Path) -> None:
    config = Config(
        path=tmp_path / "wenshan-audit.toml",
        data={"reference": {"cache_dir": "cache", "error": 0.9}},
    )
    check = build(config, AuditOptions(against=corpus))
    assert check is not None and len(list((tmp_path / "cache").glob("index-*/meta.json"))) == 1
    draft = read_document(write(tmp_path / "drafts", "draft.txt", DRAFT))
    assert [f.severity.value for f in check.run(draft).findings] == ["warning"]


def test_against_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CopyIndexError, match="不存在"):
        build(Config(), AuditOptions(against=tmp_path / "missing"))


def test_auditor_puts_copy_section_in_results(corpus: Path, tmp_path: Path) -> None:
    config = Config(
        path=tmp_path / "wenshan-audit.toml", data={"reference": {"cache_dir": "cache"}}
    )
    auditor = Auditor(config, AuditOptions(against=corpus, select=("copy",)))
    result = auditor.audit_document(read_document(write(tmp_path / "d", "draft.txt", DRAFT)))
    assert result.sections["copy"]["sources"]
    assert [f.rule for f in result.findings] == ["copy.upper"]


# --- CLI ---------------------------------------------------------------------------


def test_cli_index_build_update_stats(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "idx"
    built = runner.invoke(app, ["index", "build", str(corpus), "--index", str(root), "-j", "1"])
    assert built.exit_code == 0, built.output
    assert "新增 2 份" in built.output
    updated = runner.invoke(app, ["index", "update", str(corpus), "--index", str(root)])
    assert "未变 2 份" in updated.output
    stats = runner.invoke(app, ["index", "stats", "--index", str(root), "--json"])
    assert json.loads(stats.output)["documents"] == 2
    missing = runner.invoke(app, ["index", "stats", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "index build" in missing.output
    no_folder = runner.invoke(app, ["index", "build", str(tmp_path / "none"), "--index", str(root)])
    assert no_folder.exit_code == 2 and "不存在" in no_folder.output


# --- 公文 furniture -----------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def upper_samples(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("samples-index")
    writer = Writer(root)
    writer.update_from_folder(SAMPLES / "upper", workers=1)
    writer.close()
    return Index(root)


def test_furniture_spans_cover_header_and_signature_block() -> None:
    from wenshan_audit.metadata import furniture_spans

    doc = read_document(SAMPLES / "drafts" / "云岭市精简文件会议为基层减负十条措施（落实稿）.docx")
    head, foot = (doc.text[a:b] for a, b in furniture_spans(doc))
    assert head.startswith("云岭市人民政府办公室文件") and head.endswith("各直属机构：")
    assert "云政办发〔2026〕6号" in head and "关于精简文件会议为基层减负的通知" in head
    assert foot.startswith("云岭市人民政府办公室\n2026年3月20日")
    assert foot.endswith("市纪委监委机关。")


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("云岭市关于精简文件会议切实为基层减负的通知（照搬稿）.docx", 0.6, 1.0),
        ("云岭市精简文件会议为基层减负十条措施（落实稿）.docx", 0.0, 0.0),
        ("云岭市关于加强作风建设的通知（空话稿）.txt", 0.0, 0.0),
        ("云岭市关于开展环境卫生整治督查的通知（负担稿）.pdf", 0.0, 0.0),
    ],
)
def test_samples_addressee_and_dates_are_not_copies(
    upper_samples: Index, name: str, low: float, high: float
) -> None:
    # every sample shares the addressee line, signature and dated phrases such as
    # "于2026年6月30日前将" with the upper documents; only the 照搬稿 copies text
    data = CopyCheck(upper_samples, Settings()).run(read_document(SAMPLES / "drafts" / name)).data
    assert low <= data["ratio"] <= high, data["sources"]
    assert len(data["sources"]) == (1 if high else 0)


def test_passage_of_dates_and_level_words_is_not_a_copy(tmp_path: Path) -> None:
    folder = tmp_path / "upper"
    write(
        folder,
        "a.txt",
        OTHER + "各市州人民政府、省政府各部门要于2026年3月31日前将贯彻落实情况报送省政府办公厅。\n",
    )
    writer = Writer(tmp_path / "idx")
    writer.update_from_folder(folder, workers=1)
    writer.close()
    draft = "春耕备耕要抓早抓实。各县（市、区）人民政府于2026年6月30日前将上半年落实情况报市政府办公室。\n"
    doc = read_document(write(tmp_path / "d", "draft.txt", draft))
    assert CopyCheck(Index(tmp_path / "idx"), Settings()).run(doc).data["sources"] == []


# --- real documents ----------------------------------------------------------------

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "docs"
real = pytest.mark.skipif(not REAL.is_dir(), reason=f"真实公文语料不在 {REAL}（仅在开发机上有）")


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """Index of the central-level documents (c_*) of the real corpus."""
    folder = tmp_path_factory.mktemp("central")
    for path in REAL.glob("c_*.txt"):
        os.symlink(path, folder / path.name)
    root = tmp_path_factory.mktemp("index")
    writer = Writer(root)
    writer.update_from_folder(folder, workers=1)
    writer.close()
    return Index(root)


def _run_real(central: Index, name: str) -> CheckOutcome:
    return CopyCheck(central, Settings()).run(read_document(REAL / name))


@real
def test_real_2020_holiday_notice_follows_guobanfa_16(central: Index) -> None:
    outcome = _run_real(central, "prov_hubei-2020-jiejiari.txt")
    data = outcome.data
    assert data["ratio"] > 0.8
    assert data["sources"][0]["doc_number"] == "国办发明电〔2019〕16号"
    assert "copy.upper" in {f.rule for f in outcome.findings}


@real
def test_real_qinghai_notice_is_a_forwarding_wrapper(central: Index) -> None:
    outcome = _run_real(central, "prov_qinghai-2020-zhuanfa-yanchang-chunjie.txt")
    assert outcome.data["sources"][0]["doc_number"] == "国办发明电〔2020〕1号"
    assert {"copy.upper", "copy.forwarding"} <= {f.rule for f in outcome.findings}


@real
def test_real_provincial_regulation_follows_national_one(central: Index) -> None:
    outcome = _run_real(central, "prov_shandong-youhua-yingshang-2020.txt")
    head = outcome.data["sources"][0]
    assert head["title"] == "优化营商环境条例" and head["ratio"] > 0.3
    assert len(head["passages"]) > 20


@real
def test_real_citing_notice_and_work_report_are_not_copies(central: Index) -> None:
    # 宿迁 cites 国办发明电〔2019〕16号 and writes its own text; a provincial
    # work report shares only political formulae with the national one
    for name in ("city_suqian-2020-qingming-fangjia.txt", "prov_gwr-2026-henan.txt"):
        outcome = _run_real(central, name)
        assert outcome.data["ratio_excluding_citations"] < 0.1, name
        assert outcome.findings == (), name


def test_external_sort_of_postings_equals_the_in_memory_one(tmp_path: Path) -> None:
    from wenshan_audit.checks.copying.fingerprint import fingerprints
    from wenshan_audit.checks.copying.postings import Builder, Postings, keys_of

    rng = np.random.default_rng(3)
    chars = np.array([ord(c) for c in UPPER + OTHER if "\u4e00" <= c <= "\u9fff"])
    docs = [
        keys_of(fingerprints(normalise("".join(map(chr, rng.choice(chars, 900))))))
        for _ in range(60)
    ]
    docs[5] = docs[9]  # equal keys in several documents keep doc order
    built = []
    for budget in (10**9, 700):  # in memory; spilled to partition files many times
        folder = tmp_path / str(budget)
        folder.mkdir()
        builder = Builder(folder, budget=budget)
        for doc_id, keys in enumerate(docs, 1):
            builder.add(keys, doc_id)
        assert builder.finish() == sum(map(len, docs))
        assert not list(folder.glob("spill-*"))
        built.append(Postings(folder))
    memory, spilled = built
    for name in ("off", "key", "doc"):
        assert np.array_equal(getattr(memory, name), getattr(spilled, name))
    first, count = spilled.ranges(docs[9][:5])
    rows, found = spilled.gather(first, count)
    assert sorted(found[rows == 0].tolist()) == [6, 10]


# --- precision: literal evidence, boilerplate, one source per character -------------


def _check_against(tmp_path: Path, uppers: dict[str, str], draft: str, **kwargs) -> dict:
    folder = tmp_path / "upper"
    for name, text in uppers.items():
        write(folder, name, text)
    writer = Writer(tmp_path / "idx")
    writer.update_from_folder(folder, workers=1)
    writer.close()
    doc = read_document(write(tmp_path / "d", "draft.txt", draft))
    return CopyCheck(Index(tmp_path / "idx"), Settings(), **kwargs).run(doc).data


def test_agreement_through_numbers_and_level_words_is_no_passage(tmp_path: Path) -> None:
    upper = OTHER + "本办法已经2004年6月16日召开的国务院第54次常务会议通过，现予公布。\n"
    draft = "春耕备耕要抓早抓实。本规定已经2011年12月20日市八届人民政府第7次常务会议通过。\n"
    # the aligner matches it (dates, session numbers and level words normalise alike) ...
    seeds = DraftSeeds.of(normalise(draft), np.zeros(0, np.uint64))
    assert align(seeds, normalise(upper))
    # ... but fewer than 10 characters agree as written: no passage
    assert _check_against(tmp_path, {"a.txt": upper}, draft)["sources"] == []


def test_headings_and_legal_formulas_are_boilerplate(tmp_path: Path) -> None:
    upper = OTHER + "三、保障措施\n加强组织领导。\n本条例自2020年1月1日起施行。\n"
    draft = "云岭市春耕方案\n三、保障措施 加强组织领导。\n本条例自2026年5月1日起施行。\n"
    assert _check_against(tmp_path, {"a.txt": upper}, draft)["sources"] == []


def test_short_copied_sentence_is_found(tmp_path: Path) -> None:
    sentence = "凡是能通过电子证照获取的信息，一律不再要求申请人提交纸质材料。"
    draft = "云岭市关于春耕备耕的通知\n各乡镇农技站要在三月十日前完成种子检测。" + sentence + "\n"
    data = _check_against(tmp_path, {"upper.txt": UPPER, "other.txt": OTHER}, draft)
    ((passage,),) = [s["passages"] for s in data["sources"]]
    assert sentence.rstrip("。") in passage["text"]


def _holiday(year: int, number: int) -> str:
    return (
        f"国务院办公厅关于{year}年部分节假日安排的通知\n国办发明电〔{year - 1}〕{number}号\n"
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
        f"经国务院批准，现将{year}年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期"
        "的具体安排通知如下。\n"
        f"一、元旦：1月1日放假，共1天。\n二、春节：2月{number}日至{number + 6}日放假调休，共7天。\n"
        "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，"
        "要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。\n"
    )


def test_template_family_counts_a_passage_once(tmp_path: Path) -> None:
    family = {f"notice-{y}.txt": _holiday(y, n) for y, n in ((2019, 11), (2020, 16), (2021, 27))}
    draft = (
        "云岭市人民政府办公室关于2022年部分节假日安排的通知\n"
        "各县（区）人民政府，市政府各部门：\n"
        "经市政府同意，现将2022年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期"
        "的具体安排通知如下。\n一、元旦：1月1日放假，共1天。\n"
        "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，"
        "要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。\n"
    )
    data = _check_against(tmp_path, family, draft)
    # one source owns the text: the most recent sibling (the rest hold the same text)
    assert [Path(s["path"]).name for s in data["sources"]] == ["notice-2021.txt"]
    also = {Path(a["path"]).name for p in data["sources"][0]["passages"] for a in p["also_in"]}
    assert also == {"notice-2019.txt", "notice-2020.txt"}
    assert data["sources"][0]["ratio"] == data["ratio"] > 0.6


def test_per_source_ratios_add_up_to_at_most_the_total(tmp_path: Path) -> None:
    # the draft copies from two documents; one of them also quotes the other
    quoting = OTHER + UPPER.split("\n", 3)[3]
    data = _check_against(tmp_path, {"upper.txt": UPPER, "quoting.txt": quoting}, DRAFT + OTHER)
    by_name = {Path(s["path"]).name: s for s in data["sources"]}
    assert set(by_name) == {"upper.txt", "quoting.txt"}
    (shared,) = by_name["upper.txt"]["passages"]  # the item both documents hold
    assert [Path(a["path"]).name for a in shared["also_in"]] == ["quoting.txt"]
    assert sum(s["ratio"] for s in data["sources"]) <= data["ratio"] + 1e-4
    owned = [(p["start"], p["end"]) for s in data["sources"] for p in s["passages"]]
    assert len(owned) == len(set(owned))


def test_office_boilerplate_file(tmp_path: Path) -> None:
    from wenshan_audit.checks.copying.boilerplate import read

    own = write(
        tmp_path,
        "套话.yaml",
        "phrases:\n  - 严禁携带火种进山\npatterns:\n  - '确保不发生.{0,10}火灾'\n",
    )
    mask = read(own).mask(OTHER, normalise(OTHER))
    covered = "".join(c for c, m in zip(OTHER, mask, strict=True) if m)
    assert covered == "严禁携带火种进山确保不发生重大森林火灾"
    config = Config(path=tmp_path / "w.toml", data={"reference": {"boilerplate": "套话.yaml"}})
    assert build(config, AuditOptions()) is None  # valid, and no corpus: check disabled
    for body, problem in (
        ("phrases: 严禁", "字符串的列表"),
        ("patterns:\n  - '(未闭合'\n", "正则表达式"),
        ("words: []\n", "phrases"),
    ):
        write(tmp_path, "套话.yaml", body)
        with pytest.raises(ConfigError, match=problem):
            build(config, AuditOptions())
    (tmp_path / "套话.yaml").unlink()
    with pytest.raises(ConfigError, match="无法读取"):
        build(config, AuditOptions())


def test_boilerplate_counts_issuers_so_a_family_keeps_its_shared_text(tmp_path: Path) -> None:
    from wenshan_audit.checks.copying.align import is_stop
    from wenshan_audit.checks.copying.fingerprint import seed_set
    from wenshan_audit.checks.copying.index import Entry

    rng = np.random.default_rng(11)
    chars = np.array([ord(c) for c in UPPER + OTHER if "\u4e00" <= c <= "\u9fff"])

    def noise(n: int) -> str:
        return "".join(map(chr, rng.choice(chars, n)))

    boiler = "现将有关事项通知如下，请结合实际认真贯彻执行。"
    family = "各单位放假调休日期的具体安排如下节假日期间各单位要妥善安排好值班和安全保卫等工作"
    entries = [  # 30 offices share a formula; one office's 30 yearly notices share a text
        Entry(f"/o/{i}.txt", f"o{i}", 0, 0, noise(800) + boiler + noise(800), issuer=f"第{i}办公室")
        for i in range(30)
    ] + [
        Entry(f"/f/{y}.txt", f"f{y}", 0, 0, noise(600) + family + noise(600), issuer="国务院办公厅")
        for y in range(30)
    ]
    writer = Writer(tmp_path / "index")
    writer.add_texts(entries, workers=1)
    writer.close()
    index = Index(tmp_path / "index")
    assert is_stop(seed_set(normalise(boiler)), index.stoplist).all()
    assert not is_stop(seed_set(normalise(family)), index.stoplist).any()
    draft = noise(300) + family + noise(300)
    found = {s.path for s in index.sources(index.retrieve(normalise(draft), 100))}
    assert {f"/f/{y}.txt" for y in range(30)} <= found
    index.close()
