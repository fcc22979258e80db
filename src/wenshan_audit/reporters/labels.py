"""Chinese names for the codes checks emit, shared by every human-readable reporter."""

from __future__ import annotations

CHECK_LABELS = {
    "burden": "基层负担（负面清单）",
    "copy": "照搬上级文件",
    "measures": "具体落实措施",
    "quota": "发文限额",
    "merge": "合并制发",
    "waiver": "豁免",
}
VERDICTS = {"none": "无具体措施", "weak": "措施偏少", "ok": "有具体措施"}
SENTENCE_LABELS = {"concrete": "具体措施", "slogan": "空话套话", "neutral": "一般表述"}
ELEMENTS = {
    "unit": "责任单位",
    "deadline": "时限",
    "quantity": "数量目标",
    "instrument": "抓手",
    "slogan": "套话",
    "background": "背景",
    "directive": "要求",
}
