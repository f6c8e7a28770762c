"""Statements that give every later task its units: "以下各项任务均需各县区政府负责落实，不再列出".

Plans word them many ways ("以下均需……落实", "……为以下所有任务的责任单位，不再一一列出",
"以下各项不再列出"). The statement runs from the comma-part that says 以下/下列 to the end of
its sentence; the framing words are removed and what is left is read by the clause grammar.
Its scope is the rest of the plan, or the chapter when it says so (本部分, 本章 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.plans.clauses.roles import UNIT_ENDINGS, either_script

_LATER_WORD = re.compile(either_script(r"以下|下列|后续|此后|本部分|本章|本节|本领域|本方面"))
_ALL_WORD = re.compile(either_script(r"均|都|一律|所有|全部|各项|不再|统一"))
_CHAPTER_WORD = re.compile(either_script(r"本部分|本章|本节|本领域|本专项|本大项|本方面|该部分"))
_FRAMING = (
    # "以下政策措施均需": whatever the later items are called, up to the word that says "all" — but
    # not a unit named before it ("以下各项工作各县区政府均需落实": the patterns below take it apart)
    re.compile(either_script(
        r"(?:本部分|本章|本节|本领域|本专项|本大项|本方面|该部分)?"
        rf"(?:以下|下列|后续|此后)[^，,；;。均都{UNIT_ENDINGS}]{{0,10}}?(?:均|都|一律|全部|统一)"
        r"(?:需要|需|须|要|应|由|为|是|包括|包含|涉及|有)?")),
    re.compile(either_script(
        r"(?:以下|下列|后续|此后|本部分|本章|本节|本领域|本专项|本大项|本方面|该部分)"
        r"(?:所有|各项|全部|的|其他|其余|所列)*(?:重点|主要|攻坚)?"
        r"(?:任务|工作|措施|事项|项目|内容|行动)?"
        r"(?:(?:和|及|与|、)(?:行动|任务|工作|措施|事项))?(?:中|的)?")),
    re.compile(either_script(
        r"不再(?:一一|逐一|逐项|重复|单独|另行)?(?:列出|列明|列举|注明|标注|明确|标明|写明|列)")),
    re.compile(either_script(r"(?:均|都|一律|全部|统一)(?:需要|需|须|要|应|由|为|是|包括|包含|涉及|有)?")),
    re.compile(either_script(r"(?:为|是)(?:其|的)?(?=(?:的)?(?:责任单位|责任主体|实施主体|落实主体))")),
    re.compile(either_script(r"的(?=责任单位|责任主体|实施主体|落实主体)")),
    re.compile(either_script(r"涉及[^，,；;。]*?的")),
)
_STOPS = "；;。"
_QUANTITY = set("0123456789０１２３４５６７８９米吨度人名家个万千百十级岁%％位台辆及时kgmtKGMT")
STRONG = re.compile(either_script(r"不再(?:一一|逐一|逐项|重复|单独|另行)?列|不一一列"))


@dataclass(frozen=True)
class LaterStatement:
    """Where a statement stands in its text, the text left to read for units, and its scope."""

    start: int
    end: int
    units_text: str
    scope: str  # "plan" or "chapter"
    strong: bool  # says "不再列出": names without a role word count too


def find_later_statement(text: str) -> LaterStatement | None:
    """Find an "applies to all later tasks" statement in squeezed text, or None."""
    for m in _LATER_WORD.finditer(text):
        if m.group(0) == "以下" and text[m.start() - 1:m.start()] in _QUANTITY:
            continue  # "1200立方米以下高炉", "国三及以下" are sizes, not statements
        start = max(text.rfind(ch, 0, m.start()) for ch in "，," + _STOPS) + 1
        end = min((i for i in (text.find(ch, m.end()) for ch in _STOPS) if i >= 0),
                  default=len(text))
        sentence = text[start:end]
        if not _ALL_WORD.search(sentence) or "简称" in sentence:
            continue
        units_text = sentence
        for pattern in _FRAMING:
            units_text = pattern.sub("", units_text)
        scope = "chapter" if _CHAPTER_WORD.search(sentence) else "plan"
        stop = end + 1 if end < len(text) and text[end] in _STOPS else end
        return LaterStatement(start, stop, units_text, scope, bool(STRONG.search(sentence)))
    return None
