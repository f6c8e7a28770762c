"""The body of an official document as blocks: paragraphs, numbered headings and tables.

A body template renders to plain lines; this module reads them the way both the web view and the
DOCX writer need them. One paragraph per line; a line starting 一、 is a first-level heading (黑体),
（一） a second-level one (楷体); a line such as [事实表] places a table the document supplies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.letters.content import LetterContext

FACT_TABLE = "事实表"
TABLE_MARK = f"[{FACT_TABLE}]"
_TABLE = re.compile(r"^\[(\S*表)\]$")  # [事实表], [县区排名表] …: a table the document supplies
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Block:
    """One body element: a paragraph, a heading (with its head run) or a table by name."""

    kind: str  # p | h1 | h2 | table
    text: str
    head: str = ""
    table: str = ""  # the table's name for kind "table", e.g. 事实表


@dataclass(frozen=True)
class TableSpec:
    """A table as the letter prints it: column heads, widths in mm (156 in all) and rows."""

    heads: tuple[str, ...]
    widths_mm: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if len(self.heads) != len(self.widths_mm):
            raise ValueError("表头与列宽的列数不一致")
        for row in self.rows:
            if len(row) != len(self.heads):
                raise ValueError(f"表格行的列数应为 {len(self.heads)}：{row!r}")


def zh_number(n: int) -> str:
    """Write 1..99 in Chinese numerals for headings (一、 （十二）)."""
    if not 0 < n < 100:
        raise ValueError(f"标题序号超出范围：{n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def parse_blocks(text: str) -> list[Block]:
    """Split a rendered body into paragraphs, headings and table markers."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        table = _TABLE.match(line)
        if table:
            blocks.append(Block("table", "", table=table[1]))
            continue
        kind = "h1" if _H1.match(line) else "h2" if _H2.match(line) else "p"
        if kind == "p":
            blocks.append(Block("p", line))
            continue
        cut = line.find("。")  # a heading may run on into body text after its first sentence
        head, rest = (line, "") if cut < 0 else (line[: cut + 1], line[cut + 1 :])
        blocks.append(Block(kind, rest, head))
    return blocks


def fact_table(letter: LetterContext) -> TableSpec:
    """Return the lagging tasks of a letter as its 事实表."""
    return TableSpec(
        heads=("序号", "任务", "责任单位", "完成时限", "逾期情况", "进展情况"),
        widths_mm=(13, 47, 26, 25, 24, 21),
        rows=tuple((str(r.number), r.task, r.unit, r.deadline, r.overdue or "—", r.progress)
                   for r in letter.rows),
    )


def unknown_tables(blocks: Sequence[Block], tables: dict[str, TableSpec]) -> list[str]:
    """Return the table names a body places but the document does not supply."""
    return [b.table for b in blocks if b.kind == "table" and b.table not in tables]
