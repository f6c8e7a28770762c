"""Rebuild a narrative plan's paragraphs from its physical lines, at the plan's task level.

A heading (一、, and every level above the task level) starts a chapter or part; an item at the
task level starts a paragraph; a clause ends one. Clauses written on their own lines
("牵头单位：市环保局" / "责任单位：各县（市、区）政府") or after the item's text without brackets
("……。责任单位：市建委，完成时间：2009年5月底前。") join their item as one bracketed group, so
the clause finder reads them like any other. OCR text keeps the printed line breaks, so there a
paragraph runs on until its clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scheduler.plans.clauses import find_clause, unclosed_clause_start, unclosed_clause_starts
from scheduler.plans.clauses.roles import either_script
from scheduler.plans.importers.numbering import (
    CHAPTER,
    ITEM,
    PART,
    Numbering,
    numbering,
    split_run_on_items,
    task_level,
    undecorated,
)
from scheduler.text import squeeze

PAGE_NUMBER = re.compile(r"^[\-—–－\s]+\d{1,3}[\-—–－\s]+$")
_TRAILING = "。；;，, "
_KEYS = (r"(?:牵头单位|牵头部门|主办单位|主责单位|责任单位|责任部门|配合单位|配合部门|协办单位|"
         r"责任领导|牵头领导|责任人)(?:[（(](?:单位|部门)[）)])?")
# "【牵头单位】市发改委【责任单位】各县区政府": a key in brackets reads as "牵头单位："
_BRACKETED_KEY = re.compile(either_script(rf"[【［\[〔]\s*({_KEYS})\s*[】］\]〕][:：]?"))
CLAUSE_LINE = re.compile(either_script(rf"^{_KEYS}[:：]"))
# Keys naming when an item is due; a staged schedule ("阶段性工作目标：第一季度：……第二季度：……")
# dates each stage.
DEADLINE_KEYS = (r"(?:完成时限|完成时间|时间节点|时限要求|完成期限|进度安排"
                 r"|年度阶段性?(?:工作)?目标|(?<!年度)阶段性?(?:工作)?目标)")
_DEADLINE_KEY = rf"{DEADLINE_KEYS}[:：]"
DEADLINE_LINE = re.compile(either_script(rf"^{_DEADLINE_KEY}"))
# An unbracketed keyed clause after the item's text: "……。责任单位：…"
_INLINE_KEY = re.compile(either_script(rf"(?<=[。；;])(?={_KEYS}[:：])"))
_PIECE = re.compile(either_script(rf"(?={_KEYS}[:：])|(?={_DEADLINE_KEY})"))
SYNTHETIC_OPEN, SYNTHETIC_CLOSE = "【", "】"


@dataclass
class Paragraph:
    """A paragraph rebuilt from physical lines, with the line of each piece for locating text."""

    first_line: int
    section: str
    subsection: str = ""  # the heading just above the task level ("（一）…" above "1．")
    item: int | None = None  # "（八）" -> 8, "1．" -> 1
    numbered: bool = False  # the tasks sit below the parts ("1．" style items)
    is_item_start: bool = False
    text: str = ""
    pieces: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, line)
    closed: bool = False  # ended by its clause
    repairs: list[tuple[int, str]] = field(default_factory=list)  # (offset, note) for task.notes
    heading: bool = False  # a part's heading with text of its own: the part is the task
    synthetic: bool = False  # the text ends in a clause group built from unbracketed keys
    covers: bool = False  # a part heading whose clause covers the items under it
    title: str = ""  # a part heading's own words, when the part is the task
    open_keyed: bool = False  # its keyed clause line ended in 、 or ，: the list goes on

    def add(self, line_no: int, text: str) -> None:
        self.pieces.append((len(self.text), line_no))
        self.text += squeeze(text)
        self._update()

    def _update(self) -> None:
        found = find_clause(self.text)
        self.closed = found is not None and not self.text[found[3]:].strip(_TRAILING)

    def add_keyed(self, line_no: int, flat: str) -> None:
        """Add unbracketed clause keys and deadline keys: clauses into one group at the end,
        deadlines into the text before it (the deadline finder reads the text)."""
        clauses, deadlines = keyed_pieces(flat)
        if self.synthetic:
            group = self.text[self.text.rfind(SYNTHETIC_OPEN):]
            self.text = self.text[:len(self.text) - len(group)]
            clauses = [group[1:-1], *clauses]
        self.pieces.append((len(self.text), line_no))
        self.text += "".join(deadlines)
        if clauses:
            self.text += SYNTHETIC_OPEN + "；".join(clauses) + SYNTHETIC_CLOSE
            self.synthetic = True
        self.open_keyed = bool(clauses) and not deadlines and flat[-1:] in "、，,"
        self._update()

    def continue_keyed(self, line_no: int, flat: str) -> None:
        """Add the next line of a keyed list broken after a separator ("责任单位：A、\nB")."""
        self.pieces.append((len(self.text) - 1, line_no))
        self.text = self.text[:-1] + "、" + flat.strip(_TRAILING) + SYNTHETIC_CLOSE
        self.open_keyed = flat[-1:] in "、，,"
        self._update()

    def line_at(self, offset: int) -> int:
        line = self.first_line
        for start, number in self.pieces:
            if start <= offset:
                line = number
        return line


def keyed_pieces(flat: str) -> tuple[list[str], list[str]]:
    """Split "责任单位：A、B，完成时间：2009年5月底前。" into clause and deadline pieces."""
    clauses: list[str] = []
    deadlines: list[str] = []
    bounds = sorted({0, *(m.start() for m in _PIECE.finditer(flat))})
    for start, end in zip(bounds, [*bounds[1:], len(flat)], strict=True):
        piece = flat[start:end].strip(_TRAILING)
        if not piece:
            continue
        (deadlines if DEADLINE_LINE.match(piece) else clauses).append(piece)
    deadlines = [d + "。" for d in deadlines]
    return clauses, deadlines


def has_clause_text(flat: str) -> bool:
    """Tell whether a squeezed line holds a clause in any form."""
    return (find_clause(flat) is not None or unclosed_clause_start(flat) is not None
            or bool(CLAUSE_LINE.match(flat)) or bool(_INLINE_KEY.search(flat)))


def is_ocr(lines: list[str]) -> bool:
    """OCR text keeps the printed line breaks: most lines are short."""
    filled = [len(line.strip()) for line in lines if line.strip()]
    if not filled:
        return False
    short = sum(1 for n in filled if n < 45)
    return short / len(filled) > 0.6


def build_paragraphs(lines: list[str], first: int) -> tuple[list[Paragraph], int]:
    """Rebuild paragraphs and return them with the plan's task level."""
    lines = [_BRACKETED_KEY.sub(r"\1：", line) for line in lines]
    flats = [undecorated(squeeze(line)) for line in lines]
    level = task_level(flats, has_clause_text)
    ocr = is_ocr(lines)
    paragraphs: list[Paragraph] = []
    section = subsection = ""
    current: Paragraph | None = None
    heading: Paragraph | None = None  # the part heading whose text may follow on the next line
    page_break = ""
    last_item = 0  # the last "1." number, so that "11.121人才梯队项目" still reads as item 11
    for index, raw in enumerate(lines):
        number = first + index
        if not raw.strip():
            continue
        if PAGE_NUMBER.match(raw.strip()):
            page_break = f"OCR：删除段内页码行“{raw.strip()}”（第{number}行）"
            continue
        broken_by_page, page_break = page_break, ""
        found = numbering(flats[index]) or _next_item(flats[index], last_item)
        pieces = split_run_on_items(flats[index], found.level, found.number) if found else [raw]
        for n, piece in enumerate(pieces):
            text = raw if len(pieces) == 1 else piece
            flat = flats[index] if len(pieces) == 1 else piece
            num = found if n == 0 else numbering(flat)
            if num is not None and num.level == ITEM:
                last_item = num.number
            state = (section, subsection, current, heading)
            section, subsection, current, heading = _line(
                paragraphs, state, number, text, flat, num, level, ocr, broken_by_page)
    if heading is not None and find_clause(heading.text):
        _part_is_task(paragraphs, heading)
    return [clause_piece for p in paragraphs for piece in _split_runaway(p)
            for clause_piece in split_at_clauses(piece)], level


_LOOSE_ITEM = re.compile(r"^(\d{1,2})[．.](.+)$")


def _next_item(flat: str, last: int) -> Numbering | None:
    """Read "11.121人才梯队项目" as item 11 when item 10 came just before (a number after the
    dot otherwise reads as a decimal: "1.5万吨")."""
    m = _LOOSE_ITEM.match(flat)
    if m and last and int(m.group(1)) == last + 1:
        return Numbering(ITEM, last + 1, m.group(2))
    return None


def _line(paragraphs: list[Paragraph], state: tuple[str, str, Paragraph | None, Paragraph | None],
          number: int, raw: str, flat: str, found: Numbering | None, level: int, ocr: bool,
          broken_by_page: str) -> tuple[str, str, Paragraph | None, Paragraph | None]:
    """Place one line: a heading, an item start, a clause line or a continuation."""
    section, subsection, current, heading = state
    starts_heading = found is not None and (
        found.level == CHAPTER and len(flat) <= 40 and not find_clause(flat)
        or CHAPTER < found.level < level)
    if starts_heading and heading is not None and find_clause(heading.text):
        _part_is_task(paragraphs, heading)  # "（七）……。责任单位：……" with no items under it
    if found and found.level == CHAPTER and len(flat) <= 40 and not find_clause(flat):
        return flat, "", None, None
    if found and CHAPTER < found.level < level:  # a heading above the task level
        if found.level == level - 1:
            part = Paragraph(number, section, flat, found.number, False, True, heading=True)
            part.add(number, raw)
            return section, flat, None, part
        return section, flat, None, None
    if found and found.level == level:
        if heading is not None and find_clause(heading.text):
            heading.covers = True  # "（一）……（市发改委牵头）" above items without clauses
            paragraphs.append(heading)
        current = Paragraph(number, section, subsection, found.number, level > PART, True)
        paragraphs.append(current)
        _add_line(current, number, raw, flat)
        return section, subsection, current, None
    keyed = bool(CLAUSE_LINE.match(flat) or DEADLINE_LINE.match(flat))
    if not keyed and current is not None and current.open_keyed and not find_clause(flat):
        current.continue_keyed(number, flat)
        return section, subsection, current, heading
    whole = find_clause(flat)
    if whole is not None and whole[2] == 0 and not flat[whole[3]:].strip(_TRAILING):
        # a line that is only a clause belongs to the item or heading above it
        if current is not None and not current.closed:
            current.add(number, raw)
            return section, subsection, current, heading
        if current is None and heading is not None:
            heading.add(number, raw)
            return section, subsection, None, heading
    if keyed and current is not None:
        current.add_keyed(number, flat)
        return section, subsection, current, heading
    if heading is not None and not keyed:
        # a part heading followed by its own text, no items under it: the part is the task
        _part_is_task(paragraphs, heading)
        _add_line(heading, number, raw, flat)
        return section, subsection, heading, None
    if keyed and heading is not None:
        heading.add_keyed(number, flat)  # a clause under a part heading covers its items
        return section, subsection, None, heading
    # a line joins its paragraph until the paragraph's clause: an item's text runs on over
    # several paragraphs and sub-points (1. 2.) to the clause that closes it
    joins = current is not None and not current.closed
    if (found and found.level > level and current is not None and current.is_item_start
            and len(current.pieces) == 1 and "。" not in current.text and not current.title):
        heading_words = numbering(current.text)  # "（二）环境整治" above its points: the title
        current.title = _title_of(heading_words.rest) if heading_words else ""
    if current is None or not joins:
        previous = current
        current = Paragraph(number, section, subsection)
        if previous is not None:
            current.item, current.numbered = previous.item, previous.numbered
        paragraphs.append(current)
    elif broken_by_page:
        current.repairs.append((len(current.text), broken_by_page))
    _add_line(current, number, raw, flat)
    return section, subsection, current, None


def _part_is_task(paragraphs: list[Paragraph], heading: Paragraph) -> None:
    """Make a part heading a task of its own: its title is the heading's words."""
    found = numbering(heading.text)
    heading.title = _title_of(found.rest) if found else ""
    paragraphs.append(heading)


def _title_of(rest: str) -> str:
    found = find_clause(rest)
    head = rest[:found[2]] if found else rest
    return head.split("。", 1)[0].strip(_TRAILING)


def _add_line(paragraph: Paragraph, number: int, raw: str, flat: str) -> None:
    """Add a line, turning an unbracketed keyed clause after its text into a clause group."""
    if find_clause(flat) is None and unclosed_clause_start(flat) is None:
        m = _INLINE_KEY.search(flat)
        if m:
            paragraph.add(number, flat[:m.start()])
            paragraph.add_keyed(number, flat[m.start():])
            return
    paragraph.add(number, raw)


def _split_runaway(paragraph: Paragraph) -> list[Paragraph]:
    """Split an OCR paragraph that ran on past a clause whose closing bracket is missing.

    The unclosed clause is taken to end after its run of unit names ("［责任单位：市工信局、
    市能源局" + next paragraph); the importer still reports the missing bracket.
    """
    found = find_clause(paragraph.text)
    if not found:
        return [paragraph]
    starts = unclosed_clause_starts(paragraph.text[:found[2]])
    if not starts:
        return [paragraph]
    run = _UNIT_RUN.match(paragraph.text, starts[0] + 1)
    cut = run.end() if run else 0
    if not run or not paragraph.text[cut:found[2]].strip(_TRAILING):
        return [paragraph]
    head = Paragraph(paragraph.first_line, paragraph.section, paragraph.subsection,
                     paragraph.item, paragraph.numbered, paragraph.is_item_start,
                     paragraph.text[:cut], [(o, n) for o, n in paragraph.pieces if o < cut],
                     repairs=[(o, note) for o, note in paragraph.repairs if o < cut])
    tail_pieces = [(0, paragraph.line_at(cut))]
    tail_pieces += [(o - cut, n) for o, n in paragraph.pieces if o > cut]
    tail = Paragraph(tail_pieces[0][1], paragraph.section, paragraph.subsection,
                     paragraph.item, paragraph.numbered, False, paragraph.text[cut:],
                     tail_pieces, closed=paragraph.closed,
                     repairs=[(o - cut, note) for o, note in paragraph.repairs if o >= cut])
    return [head, *_split_runaway(tail)]


# Fewer Chinese characters than this between two clauses ("和", "及") are no measure of their own.
_MEASURE_CHARS = 4
_HAN = re.compile(r"[\u4e00-\u9fff]")
SPLIT_NOTE = "原文本段含{count}个责任条款，已按条款拆为子任务：每个条款管它与上一条款之间的措施"


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Return the span of every closed clause of a text, in order (find_clause gives the last)."""
    spans: list[tuple[int, int]] = []
    found = find_clause(text)
    while found is not None:
        spans.append((found[2], found[3]))
        found = find_clause(text[:found[2]])
    return spans[::-1]


def _is_measure(text: str) -> bool:
    found = numbering(text)  # an item's number ("（十一）") is no measure
    words = found.rest if found else text
    return len(_HAN.findall(words)) >= _MEASURE_CHARS


def split_at_clauses(paragraph: Paragraph) -> list[Paragraph]:
    """Split a paragraph whose measures each close with their own clause ("措施A〔A牵头〕措施B
    （B牵头）"): each clause governs the measure text since the clause before it, so each
    becomes a sub-task with its own units. Text after the last clause stays with the last."""
    if paragraph.heading or paragraph.covers:
        return [paragraph]
    spans = clause_spans(paragraph.text)
    if len(spans) < 2:
        return [paragraph]
    cuts: list[int] = []
    has_measure = _is_measure(paragraph.text[:spans[0][0]])
    for (_, previous_end), (start, _) in zip(spans, spans[1:], strict=False):
        if not _is_measure(paragraph.text[previous_end:start]):
            continue  # clauses side by side govern the same measure
        if has_measure:
            cuts.append(previous_end)
        has_measure = True
    if not cuts:
        return [paragraph]
    note = SPLIT_NOTE.format(count=len(cuts) + 1)
    bounds = [0, *cuts, len(paragraph.text)]
    pieces = []
    for n, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        last = end == len(paragraph.text)
        lines = [(0, paragraph.line_at(start))]
        lines += [(o - start, line) for o, line in paragraph.pieces if start < o < end]
        repairs = [(0, note)]
        repairs += [(o - start, text) for o, text in paragraph.repairs
                    if start <= o < end or last and o == end]
        pieces.append(Paragraph(
            lines[0][1], paragraph.section, paragraph.subsection, paragraph.item,
            paragraph.numbered, paragraph.is_item_start and n == 0, paragraph.text[start:end],
            lines, closed=paragraph.closed if last else True, repairs=repairs,
            title=paragraph.title if n == 0 else "", open_keyed=paragraph.open_keyed and last,
            synthetic=paragraph.synthetic and last))
    return pieces


_UNIT_NAME = r"[^，,、。；;：:]{1,30}(?:局|委|政府|管委会|单位|支队|公司|分局|部门|办|牵头|配合|负责|落实)"
_UNIT_RUN = re.compile(rf"(?:责任单位[:：])?{_UNIT_NAME}(?:[、，,]{_UNIT_NAME})*")
