"""Item numbering of narrative plans at every level: 一、 （一） 1. 1、 （1） ①.

A plan nests chapters (一、), parts (（一）), items (1. / 1、), points (（1）) and sub-points (①).
Which level holds the tasks differs from plan to plan: it is the level the responsibility
clauses attach to, or, in a plan without clauses, the deepest of parts and items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

CN_NUMERALS = "一二三四五六七八九十"
CHAPTER, PART, ITEM, POINT, SUBPOINT = 1, 2, 3, 4, 5
SECTION = re.compile(rf"^([{CN_NUMERALS}]+)、(.+)$")
ITEM_CN = re.compile(rf"^[（(]([{CN_NUMERALS}]+)[）)](.*)$")
ITEM_NUM = re.compile(r"^(\d{1,2})(?:[．.](?!\d)|、)(.*)$")
ITEM_POINT = re.compile(r"^[（(](\d{1,2})[）)](.*)$")
ITEM_CIRCLED = re.compile(r"^([\u2460-\u2473])(.*)$")
_LEVELS = ((CHAPTER, SECTION), (PART, ITEM_CN), (ITEM, ITEM_NUM), (POINT, ITEM_POINT),
           (SUBPOINT, ITEM_CIRCLED))
# Markdown and web-page decoration in front of a heading: "## 一、", "**1.**", "> ".
_DECORATION = re.compile(r"^(?:#{1,6}|>|\*\*|[-*•]\s)+")


@dataclass(frozen=True)
class Numbering:
    """The numbering a line opens with: its level, its number and the text after it."""

    level: int
    number: int
    rest: str


def cn_to_int(numeral: str) -> int:
    """Turn 一..九十九 into an int ("二十二" -> 22)."""
    digits = {c: i + 1 for i, c in enumerate(CN_NUMERALS[:9])}
    if "十" not in numeral:
        return digits.get(numeral, 0)
    tens, _, ones = numeral.partition("十")
    return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


def undecorated(flat: str) -> str:
    """Drop Markdown emphasis and heading marks in front of a line's numbering."""
    return _DECORATION.sub("", flat).replace("**", "") if flat[:1] in "#>*-•" else flat


def numbering(flat: str) -> Numbering | None:
    """Return the numbering a squeezed line opens with, or None."""
    for level, pattern in _LEVELS:
        m = pattern.match(flat)
        if m:
            raw = m.group(1)
            if level in (CHAPTER, PART):
                number = cn_to_int(raw)
            elif level == SUBPOINT:
                number = ord(raw) - 0x2460 + 1
            else:
                number = int(raw)
            return Numbering(level, number, m.group(2))
    return None


def task_level(flats: list[str], has_clause: Callable[[str], bool]) -> int:
    """Return the level whose items are the tasks: where most clauses attach (on a tie the
    shallower, whose items then hold the deeper points as their text);
    without any clause, items (1.) when the plan has them, else parts (（一）)."""
    counts: Counter[int] = Counter()
    seen: set[int] = set()
    level = 0
    for flat in flats:
        found = numbering(flat)
        if found and found.level > CHAPTER:
            level = found.level
            seen.add(level)
        if level and has_clause(flat):
            counts[level] += 1
    if counts:
        return max(counts, key=lambda lv: (counts[lv], -lv))
    return ITEM if ITEM in seen else PART


def split_run_on_items(flat: str, level: int, number: int) -> list[str]:
    """Split a line that runs one item into the next ("……前。3、完成……") at the next number."""
    if level != ITEM:
        return [flat]
    parts: list[str] = []
    expected = number + 1
    rest = flat
    while True:
        m = re.search(rf"(?<=[。；;])({expected})(?:[．.](?!\d)|、)", rest)
        if not m:
            break
        parts.append(rest[:m.start()])
        rest = rest[m.start():]
        expected += 1
    return [*parts, rest]
