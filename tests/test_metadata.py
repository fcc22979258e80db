"""Metadata extraction: unit cases, and accuracy on hand-labelled real documents."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wenshan_audit.metadata import kind_of, parse_date
from wenshan_audit.readers import read_document

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "docs"
LABELS = yaml.safe_load((Path(__file__).parent / "data" / "metadata_real.yaml").read_text("utf-8"))


def _doc(tmp_path: Path, text: str):
    path = tmp_path / "d.txt"
    path.write_text(text, encoding="utf-8")
    return read_document(path).meta


@pytest.mark.parametrize(
    "line",
    [
        "云政办发〔2026〕12号",
        "云政办发[2026]12号",
        "云政办发（2026）12号",
        "云政办发［2026］第12号",
        "（云政办发〔2026〕12号）",
    ],
)
def test_document_number_bracket_variants(tmp_path: Path, line: str) -> None:
    meta = _doc(
        tmp_path,
        f"云岭市人民政府办公室文件\n{line}\n云岭市人民政府办公室关于做好春耕工作的通知\n各县（市、区）人民政府：\n请抓好落实。\n云岭市人民政府办公室\n2026年3月5日\n",
    )
    assert meta.doc_number == "云政办发〔2026〕12号"
    assert meta.issuer == "云岭市人民政府办公室"
    assert meta.kind == "通知"
    assert meta.date == "2026-03-05"
    assert meta.red_header is True
    assert meta.recipients == ("各县（市、区）人民政府",)


def test_cited_number_in_body_is_not_the_documents_own(tmp_path: Path) -> None:
    meta = _doc(
        tmp_path,
        "关于做好安全生产工作的工作提示\n各科室：\n根据《省政府办公厅关于加强安全生产的通知》（省政办发〔2026〕3号）要求，现提示如下。\n云岭市应急管理局办公室\n2026年1月20日\n",
    )
    assert meta.doc_number is None
    assert meta.kind == "工作提示"
    assert meta.red_header is False
    assert meta.issuer == "云岭市应急管理局办公室"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("二〇二六年三月十五日", "2026-03-15"),
        ("二○一二年一月九日", "2012-01-09"),
        ("2025年12月1日", "2025-12-01"),
        ("一九九六年二月二十五日", "1996-02-25"),
    ],
)
def test_dates_in_arabic_and_chinese_numerals(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于印发《云岭市发文审核办法》的通知", "通知"),
        ("云岭市减负工作简报（第3期）", "简报"),
        ("关于进一步规范督查检查考核工作的实施意见", "意见"),
        ("云岭市精简文件会议十条措施", "措施"),
        ("关于商请支持的函", "函"),
        ("关于春节期间安全生产的工作提示", "工作提示"),
        ("云岭市数字政府建设实施方案（试行）", "方案"),
    ],
)
def test_kind_from_title(title: str, kind: str) -> None:
    found = kind_of(title)
    assert found is not None and found.name == kind


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _accuracy(folder: Path, labels: dict) -> tuple[float, list]:
    right = total = 0
    misses = []
    for name, expected in labels.items():
        meta = read_document(folder / name).meta.to_dict()
        for key, value in expected.items():
            if key == "date" and value is not None:
                value = str(value)  # YAML reads ISO dates as datetime.date
            if key == "recipients" and value is not None:
                value = list(value)
            total += 1
            if meta[key] == value:
                right += 1
            else:
                misses.append((name, key, value, meta[key]))
    return right / total, misses


def test_metadata_accuracy_on_the_samples() -> None:
    labels = yaml.safe_load(
        (Path(__file__).parent / "data" / "metadata_samples.yaml").read_text("utf-8")
    )
    accuracy, misses = _accuracy(SAMPLES, labels)
    print(f"\nmetadata accuracy on {len(labels)} samples: {accuracy:.1%}")
    assert accuracy >= 0.95, misses


@pytest.mark.skipif(not REAL.is_dir(), reason="real corpus ../shared/corpus/real/docs is absent")
def test_metadata_accuracy_on_real_documents() -> None:
    accuracy, misses = _accuracy(REAL, LABELS)
    print(f"\nmetadata accuracy on {len(LABELS)} real documents: {accuracy:.1%}")
    for miss in misses:
        print("  miss:", miss)
    assert accuracy >= 0.9, misses
