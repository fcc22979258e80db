"""The rulebook: every rule id with its default severity, Chinese title, explanation and clause.

Rules written in code are listed in :data:`RULES` (adding one is one entry);
rules defined as data (``rules/burden.yaml``) are registered from that data, so
the rulebook holds no second copy of them. The rulebook validates rule
selections (``--select``/``--ignore``, ``select``/``ignore`` and waivers in the
config) and gives SARIF, the HTML legend and ``wenshan-audit rule`` their text.

A selector is a rule id or a prefix of whole dotted parts, as in ruff:
``burden`` selects every ``burden.*`` rule, ``burden.photo_evidence`` one rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, WenshanError
from .model import DocumentResult, Severity

if TYPE_CHECKING:
    from .config import Config

#: check name (the first part of its rule ids) -> Chinese name, in report order
CHECKS: dict[str, str] = {
    "read": "读取文件",
    "copy": "照搬上级文件",
    "burden": "基层负担（负面清单）",
    "measures": "具体落实措施",
    "quota": "发文限额",
    "merge": "合并制发",
    "waiver": "豁免",
}

_MOST = "《关于持续深化整治形式主义为基层减负的若干措施》等基层减负文件"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity  # the default; some checks raise it (see the explanation)
    title: str  # Chinese, short
    explanation: str  # Chinese: what the rule finds and what to do
    clause: str  # the text the rule comes from

    @property
    def check(self) -> str:
        return self.id.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "severity": self.severity.value,
            "title": self.title,
            "explanation": self.explanation,
            "clause": self.clause,
        }


#: every rule written in code; the burden rules come from the burden rule file
RULES: tuple[Rule, ...] = (
    Rule(
        "read.ocr",
        Severity.INFO,
        "文字由 OCR 识别",
        "文件（或其中某些页）没有可用的文字层（扫描件、字形画成轮廓、文字层乱码），文字由离线 OCR "
        "识别：可能有个别错字，引文位置以识别文字为准，请对照原件核对。",
        "工具提示：GB/T 9704-2012 公文应有可复制的文字，扫描件只能识别。",
    ),
    Rule(
        "copy.upper",
        Severity.WARNING,
        "照搬照抄上级文件",
        "草稿去除引用后的复制比（与上级文件重复的文字占正文的比例）达到 [reference] warning"
        "（默认 30%）为警告，达到 error（默认 50%）为错误。请结合本地实际改写，只保留必要的引用。",
        "下发文件前，要审核“是否与上级文件重复”；对“照搬照抄、无实质内容”的文件坚决退回。",
    ),
    Rule(
        "copy.forwarding",
        Severity.WARNING,
        "层层转发",
        "全文绝大部分来自一份上级文件、本单位自己的内容只有几百字：转发上级文件应有本地的"
        "贯彻落实措施，否则请直接转发原文或不再发文。",
        "坚决纠治“以文件落实文件”“层层转发、无人落实”。",
    ),
    Rule(
        "measures.none",
        Severity.ERROR,
        "没有具体落实措施",
        "应当部署工作的文种（通知、意见、方案等），全文没有一句写明由谁、何时、做到什么程度。"
        "请补充责任单位、完成时限、数量目标或具体抓手。",
        "下发文件前，要审核“是否有具体落实措施”。",
    ),
    Rule(
        "measures.weak",
        Severity.WARNING,
        "具体落实措施偏少",
        "要求性表述中具体措施所占比例低于 [measures] min_share（默认 30%），并列出最薄弱的部分。",
        "下发文件前，要审核“是否有具体落实措施”。",
    ),
    Rule(
        "measures.none_own",
        Severity.WARNING,
        "没有本单位自己的具体措施（以文件落实文件）",
        "草稿中的具体措施全部位于照搬上级文件的段落内：这些是上级文件的措施，不是本单位的。"
        "证据列出每条被照搬的措施及其来源。需要启用照搬检测（--against 或 [reference]）。",
        "力戒“以会议落实会议、以文件落实文件”；不得照搬照抄上级文件。",
    ),
    Rule(
        "measures.slogan_paragraph",
        Severity.INFO,
        "空话套话段落",
        "一段只有原则性要求（高度重视、切实加强、确保实效）而没有任何措施要素；"
        "级别可用 [measures] slogan_paragraph 调整。",
        "力戒空话套话，文件要“务实管用”。",
    ),
    Rule(
        "quota.exceeded",
        Severity.ERROR,
        "超出发文限额",
        "本件印发后，发文单位当年的总量或该文种的份数将超过 [quota] 配置的限额"
        "（或按上年数压减后的限额）。请考虑合并制发、以其他方式部署，或暂缓发文。",
        "明确本单位年度文件的“总量上限”，如“正式文件每年不超过 X 份”；“每月发文量较上年再降15%”。",
    ),
    Rule(
        "quota.pacing",
        Severity.WARNING,
        "发文进度超前",
        "按 [quota] pacing 的季度或月度进度，本件印发后累计份数超过到本期末应有的份数。",
        "严格执行“发文限额管理”制度，“每月发文量较上年再降15%”。",
    ),
    Rule(
        "quota.white_header",
        Severity.INFO,
        "白头文件同样计入限额",
        "工作提示、便函、简报等白头文件与红头文件一样计入发文限额，不能以变换文件形式规避总量控制。",
        "杜绝以“白头文件”“工作提示”“便函”等名义规避发文限额。",
    ),
    Rule(
        "quota.unknown_unit",
        Severity.WARNING,
        "无法确定发文单位",
        "发文机关、发文字号和标题都对不上 [[quota.units]] 中配置的单位，未做限额检查。"
        "请用 --unit 指定，或为该单位添加别名或字号前缀。",
        "明确本单位年度文件的“总量上限”。",
    ),
    Rule(
        "merge.candidate",
        Severity.INFO,
        "建议合并制发",
        "批量审核中，主题相同（主题词相似度达到 [audit] merge_similarity）且主送机关重叠的文件，"
        "建议合并为一份印发。",
        "推行“文件合并制发”，对内容相近、受众重叠的文件整合下发。",
    ),
    Rule(
        "merge.duplicate",
        Severity.WARNING,
        "疑似重复发文",
        "批量审核中，两份文件正文几乎相同（文字重合度达到 [audit] duplicate_similarity），"
        "疑似同一文件印发两次或由两个单位重复发文。",
        "杜绝“白头文件”“重复发文”“无效发文”。",
    ),
    Rule(
        "waiver.expired",
        Severity.WARNING,
        "豁免已到期",
        "配置中的 [[waivers]] 豁免已过 expires 日期，不再豁免；如仍需豁免，请重新报批。",
        "一事一议：豁免须经批准并写明批准人、批准文号和期限。",
    ),
)


@dataclass(frozen=True)
class Rulebook:
    """The rules of one configuration (the burden rules come from its rule file)."""

    rules: tuple[Rule, ...]

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def of(self, documents: Iterable[DocumentResult]) -> dict[str, Rule]:
        """The entries of the rules the documents' findings (kept or waived) name."""
        found = {f.rule for d in documents for f in (*d.findings, *d.waived)}
        return {r.id: r for r in self.rules if r.id in found}

    @property
    def selectors(self) -> tuple[str, ...]:
        """Everything a selection may name: every id and every prefix of whole parts."""
        names: dict[str, None] = {}
        for rule in self.rules:
            parts = rule.id.split(".")
            for n in range(1, len(parts) + 1):
                names[".".join(parts[:n])] = None
        return tuple(names)

    def selected(self, selector: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if matches(r.id, selector))

    def validate(
        self, selectors: Iterable[str], where: str, source: str | None = None
    ) -> tuple[str, ...]:
        """``selectors`` unchanged when each selects a rule.

        Otherwise an error naming the first unknown one and the nearest valid
        selector: a ConfigError for the key ``where`` of the config file
        ``source``, or, without ``source``, a usage error for the command-line
        option ``where``.
        """
        selectors = tuple(selectors)
        unknown = next((s for s in selectors if not self.selected(s)), None)
        if unknown is None:
            return selectors
        problem = f"未知规则 {unknown}{did_you_mean(unknown, suggest(unknown, self.selectors))}"
        if source is not None:
            raise ConfigError(source, where, problem)
        raise WenshanError(f"{where}：{problem}运行 wenshan-audit rule --all 可列出全部规则。")


def check_label(rule_id: str) -> str:
    """The Chinese name of the check a rule id belongs to."""
    check = rule_id.split(".", 1)[0]
    return CHECKS.get(check, check)


def matches(rule_id: str, selector: str) -> bool:
    """Does ``selector`` (an id or a prefix of whole dotted parts) select ``rule_id``?"""
    selector = selector.rstrip(".")
    return rule_id == selector or rule_id.startswith(selector + ".")


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The nearest candidate, for a did-you-mean."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, nearest: str | None) -> str:
    return f"，您是不是要找 {nearest}？" if nearest else "。"


def load(config: Config | None = None) -> Rulebook:
    """The rulebook of ``config``: the rules in code and those of its burden rule file."""
    from .checks.burden import defined_rules
    from .config import Config

    burden = tuple(
        Rule(r.id, r.severity, r.name, r.explanation, r.source)
        for r in defined_rules(config or Config())
    )
    order = list(CHECKS)
    rules = sorted((*RULES, *burden), key=lambda r: order.index(r.check))
    return Rulebook(tuple(rules))
