"""Quota configuration, unit resolution, limits and the findings of the "quota" check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from wenshan_audit.audit import AuditOptions
from wenshan_audit.checks.quota.check import build
from wenshan_audit.checks.quota.config import TOTAL, QuotaConfig, parse
from wenshan_audit.checks.quota.usage import effective_limit
from wenshan_audit.config import Config, load
from wenshan_audit.errors import ConfigError
from wenshan_audit.ledger import Entry, Ledger, content_hash
from wenshan_audit.model import DocMeta
from wenshan_audit.readers import read_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

UNIT = "云岭市人民政府办公室"
ISSUE_SHAPE = """
[quota]
year = 2026
ledger = ".wenshan/ledger.sqlite"   # relative to the config file
count_white_header = true

[[quota.units]]
name = "市人民政府办公室"
aliases = ["市政府办公室", "市政办"]
number_prefixes = ["市政办发", "市政办函"]
limits = { "总量" = 40, "通知" = 15, "简报" = 12 }
reduction_vs_last_year = 0.15
"""


def quota_config(tmp_path: Path, **quota: Any) -> Config:
    units = quota.pop(
        "units",
        [
            {
                "name": UNIT,
                "aliases": ["市政府办公室"],
                "number_prefixes": ["云政办发", "云政办函"],
                "limits": {"总量": 5, "通知": 3},
            },
            {
                "name": "云岭市应急管理局",
                "aliases": ["云岭市应急管理局办公室"],
                "limits": {"总量": 2},
            },
        ],
    )
    data = {"quota": {"year": 2026, "ledger": "ledger.sqlite", "units": units, **quota}}
    return Config(path=tmp_path / "wenshan-audit.toml", data=data)


def fill(path: Path, rows: list[tuple[str, str, str | None, str, bool]]) -> None:
    """rows: (unit, kind, number, date, red_header)."""
    with Ledger.open(path) as ledger:
        ledger.add(
            Entry(
                unit=unit,
                kind=kind,
                year=int(date[:4]),
                content_hash=content_hash(f"{i}{unit}{kind}{number}{date}"),
                source="test",
                doc_number=number,
                title=f"第{i}份{kind}",
                date=date,
                red_header=red,
            )
            for i, (unit, kind, number, date, red) in enumerate(rows)
        )


def draft(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


NOTICE = [
    f"{UNIT}关于开展安全生产检查的通知",
    "各县（市、区）人民政府：",
    "请于2026年6月30日前完成重点企业检查，市应急管理局牵头。",
    UNIT,
    "2026年3月10日",
]
TIP = [
    "关于做好高温天气防范工作的工作提示",
    "各县（市、区）应急管理局：",
    "请于7月15日前完成重点场所排查。",
    "云岭市应急管理局办公室",
    "2026年7月3日",
]


def test_the_shape_from_the_issue_parses(tmp_path: Path) -> None:
    path = tmp_path / "wenshan-audit.toml"
    path.write_text(ISSUE_SHAPE, encoding="utf-8")
    quota = parse(load(path))
    assert isinstance(quota, QuotaConfig)
    assert quota.year == 2026 and quota.count_white_header
    assert quota.ledger_path == tmp_path / ".wenshan" / "ledger.sqlite"
    unit = quota.units[0]
    assert unit.limits == {TOTAL: 40, "通知": 15, "简报": 12}
    assert unit.reductions == {TOTAL: 0.15}
    assert unit.names == ("市人民政府办公室", "市政府办公室", "市政办")


def test_the_shipped_example_is_valid_and_no_quota_section_means_no_check(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "rules" / "quota.example.toml"
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    assert parse(Config(path=example, data=data)) is not None
    assert build(Config(data={}), AuditOptions()) is None


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"year": "2026"}, "quota.year"),
        ({"pacing": "weekly"}, "quota.pacing"),
        ({"pacing": "quarterly", "pacing_shares": [0.5, 0.4, 0.8, 1.0]}, "quota.pacing_shares"),
        ({"count_white_header": "yes"}, "quota.count_white_header"),
        ({"count_white_headers": True}, "quota.count_white_headers"),
        ({"counts_toward": {"便条": []}}, "quota.counts_toward.便条"),
        ({"units": [{"limits": {TOTAL: 3}}]}, "quota.units[0].name"),
        ({"units": [{"name": "A", "limits": {"通告书": 3}}]}, "quota.units[0]（A）.limits.通告书"),
        ({"units": [{"name": "A", "limits": {TOTAL: -1}}]}, "quota.units[0]（A）.limits.总量"),
        (
            {"units": [{"name": "A", "reduction_vs_last_year": 15}]},
            "quota.units[0]（A）.reduction_vs_last_year",
        ),
        ({"units": [{"name": "A", "aliases": "B"}]}, "quota.units[0]（A）.aliases"),
        (
            {
                "units": [
                    {"name": "A", "number_prefixes": ["X"]},
                    {"name": "B", "number_prefixes": ["X"]},
                ]
            },
            "quota.units",
        ),
        ({"register": {"columns": {"numbr": "文号"}}}, "quota.register.columns.numbr"),
    ],
)
def test_invalid_config_names_the_key(tmp_path: Path, change: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(quota_config(tmp_path, **change))
    assert caught.value.key == key
    assert key in str(caught.value)


def test_unit_resolution_order(tmp_path: Path) -> None:
    quota = parse(quota_config(tmp_path))
    assert quota is not None
    by_number = DocMeta(doc_number="云政办函〔2026〕2号", issuer="云岭市应急管理局")
    assert quota.resolve(by_number) == (quota.units[0], "发文字号")
    assert quota.resolve(DocMeta(issuer="云岭市应急管理局办公室"))[1] == "发文机关"
    joint = DocMeta(issuer="市政府办公室 云岭市财政局")
    assert quota.resolve(joint)[0] is quota.units[0]
    assert quota.resolve(DocMeta(title="市政府办公室关于印发方案的通知"))[1] == "标题"
    assert quota.resolve(DocMeta(issuer="云岭县人民政府办公室")) == (None, "")


@pytest.mark.parametrize(
    ("fixed", "reduction", "last_year", "expected"),
    [
        (40, None, 0, 40),
        (None, 0.15, 20, 17),  # 20 x 0.85 = 17 exactly, no float drift
        (None, 0.15, 7, 5),  # 5.95 rounds down: the limit is "no more than"
        (40, 0.15, 30, 25),  # both: the stricter
        (None, 0.15, 0, None),  # no history: no derived limit
    ],
)
def test_effective_limit(
    fixed: int | None, reduction: float | None, last_year: int, expected: int | None
) -> None:
    assert effective_limit(fixed, reduction, last_year) == expected


def test_counts_toward_and_white_header_switch(tmp_path: Path) -> None:
    quota = parse(quota_config(tmp_path, counts_toward={"纪要": [], "工作提示": [TOTAL, "通知"]}))
    assert quota is not None
    unit = quota.units[0]
    assert quota.counted_in(unit, "通知", True) == (TOTAL, "通知")
    assert quota.counted_in(unit, "纪要", True) == ()
    assert quota.counted_in(unit, "工作提示", False) == (TOTAL, "通知")
    lenient = parse(quota_config(tmp_path, count_white_header=False))
    assert lenient is not None
    assert lenient.counted_in(lenient.units[0], "简报", False) == (
        "简报",
    )  # its own limit still holds


def test_check_under_the_limit(tmp_path: Path) -> None:
    cfg = quota_config(tmp_path)
    fill(tmp_path / "ledger.sqlite", [(UNIT, "通知", "云政办发〔2026〕1号", "2026-01-05", True)])
    outcome = build(cfg, AuditOptions()).run(read_document(draft(tmp_path, "d.txt", NOTICE)))  # type: ignore[union-attr]
    assert outcome.findings == ()
    data = outcome.data
    assert data is not None
    assert {
        k: data[k] for k in ("unit", "kind", "year", "limit", "used", "remaining", "would_exceed")
    } == {
        "unit": UNIT,
        "kind": "通知",
        "year": 2026,
        "limit": 3,  # 通知 (2 left) binds before 总量 (4 left)
        "used": 1,
        "remaining": 2,
        "would_exceed": False,
    }
    assert data["limit_name"] == "通知" and data["unit_source"] == "发文机关"


def test_check_over_the_limit_and_overrides(tmp_path: Path) -> None:
    cfg = quota_config(tmp_path)
    fill(
        tmp_path / "ledger.sqlite",
        [(UNIT, "通知", f"云政办发〔2026〕{n}号", "2026-01-05", True) for n in (1, 2, 3)],
    )
    path = draft(tmp_path, "d.txt", NOTICE)
    outcome = build(cfg, AuditOptions()).run(read_document(path))  # type: ignore[union-attr]
    assert [f.rule for f in outcome.findings] == ["quota.exceeded"]
    finding = outcome.findings[0]
    assert finding.severity.value == "error" and "超出限额" in finding.message
    assert finding.text == NOTICE[0] and finding.evidence["after"] == 4
    assert outcome.data["would_exceed"] is True  # type: ignore[index]
    # --kind 函: only 总量 (3/5) applies, so the same text is within quota
    as_letter = build(cfg, AuditOptions(kind="函")).run(read_document(path))  # type: ignore[union-attr]
    assert as_letter.findings == () and as_letter.data["limit"] == 5  # type: ignore[index]
    # --unit names a unit by alias
    other = build(cfg, AuditOptions(unit="云岭市应急管理局办公室")).run(read_document(path))  # type: ignore[union-attr]
    assert other.data["unit"] == "云岭市应急管理局" and other.findings == ()  # type: ignore[index]


def test_unknown_unit_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    cfg = quota_config(tmp_path)
    lines = [
        "关于做好秋收工作的通知",
        "各乡镇：",
        "请按时完成。",
        "云岭县农业农村局",
        "2026年9月1日",
    ]
    outcome = build(cfg, AuditOptions()).run(read_document(draft(tmp_path, "x.txt", lines)))  # type: ignore[union-attr]
    assert [(f.rule, f.severity.value) for f in outcome.findings] == [
        ("quota.unknown_unit", "warning")
    ]
    assert "云岭县农业农村局" in outcome.findings[0].message
    assert outcome.data["unit"] is None and outcome.data["would_exceed"] is False  # type: ignore[index]
    named = build(cfg, AuditOptions(unit="不存在的局")).run(
        read_document(draft(tmp_path, "x.txt", lines))
    )  # type: ignore[union-attr]
    assert "不存在的局" in named.findings[0].message


def test_white_header_paper_counts_and_is_flagged(tmp_path: Path) -> None:
    cfg = quota_config(tmp_path)
    fill(tmp_path / "ledger.sqlite", [("云岭市应急管理局", "工作提示", None, "2026-02-01", False)])
    outcome = build(cfg, AuditOptions()).run(read_document(draft(tmp_path, "tip.txt", TIP)))  # type: ignore[union-attr]
    rules = {f.rule: f for f in outcome.findings}
    assert rules["quota.white_header"].severity.value == "info"
    assert "白头文件" in rules["quota.white_header"].message
    assert outcome.data["white_header"] is True and outcome.data["used"] == 1  # type: ignore[index]
    assert "quota.exceeded" not in rules  # 1 + 1 = 2: at the limit, not over
    lenient = quota_config(tmp_path, count_white_header=False)
    quiet = build(lenient, AuditOptions()).run(read_document(draft(tmp_path, "tip.txt", TIP)))  # type: ignore[union-attr]
    assert quiet.findings == () and quiet.data["counted"] is False  # type: ignore[index]


def test_quarterly_pacing(tmp_path: Path) -> None:
    cfg = quota_config(
        tmp_path,
        pacing="quarterly",
        units=[{"name": UNIT, "number_prefixes": ["云政办发"], "limits": {TOTAL: 8}}],
    )
    fill(
        tmp_path / "ledger.sqlite",
        [(UNIT, "通知", f"云政办发〔2026〕{n}号", "2026-02-01", True) for n in (1, 2)],
    )
    check = build(cfg, AuditOptions())
    q1 = check.run(read_document(draft(tmp_path, "q1.txt", NOTICE)))  # type: ignore[union-attr]
    assert [f.rule for f in q1.findings] == ["quota.pacing"]
    assert "第一季度" in q1.findings[0].message
    assert q1.data["pacing"]["allowed_to_date"] == 2  # type: ignore[index]
    q2 = [*NOTICE[:-1], "2026年5月10日"]
    assert check.run(read_document(draft(tmp_path, "q2.txt", q2))).findings == ()  # type: ignore[union-attr]


def test_reduction_vs_last_year_from_the_ledger(tmp_path: Path) -> None:
    cfg = quota_config(
        tmp_path,
        units=[{"name": UNIT, "number_prefixes": ["云政办发"], "reduction_vs_last_year": 0.5}],
    )
    fill(
        tmp_path / "ledger.sqlite",
        [(UNIT, "通知", f"云政办发〔2025〕{n}号", "2025-06-01", True) for n in range(1, 5)]
        + [(UNIT, "通知", f"云政办发〔2026〕{n}号", "2026-01-05", True) for n in (1, 2)],
    )
    outcome = build(cfg, AuditOptions()).run(read_document(draft(tmp_path, "d.txt", NOTICE)))  # type: ignore[union-attr]
    assert outcome.data["limit"] == 2 and outcome.data["used"] == 2  # type: ignore[index]
    assert "上年 4 份压减 50%" in outcome.findings[0].message


def test_a_recorded_document_is_not_counted_again(tmp_path: Path) -> None:
    cfg = quota_config(tmp_path)
    path = draft(tmp_path, "d.txt", NOTICE)
    doc = read_document(path)
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        from wenshan_audit.ledger import entry_from_document

        ledger.add([entry_from_document(doc, parse(cfg))])
    outcome = build(cfg, AuditOptions()).run(doc)  # type: ignore[union-attr]
    assert outcome.data["already_recorded"] is True and outcome.data["used"] == 1  # type: ignore[index]
    assert outcome.findings == ()
