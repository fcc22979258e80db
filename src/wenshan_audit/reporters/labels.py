"""Chinese names for the codes checks emit, shared by every human-readable reporter.

The names of the checks and rules are in :mod:`..rulebook`.
"""

from __future__ import annotations

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
