"""Import narrative plans (seeds 001, 002, 003): numbered items that end in a responsibility clause.

Seed 001 numbers its tasks "1．…" under "（一）…" sub-headings; seeds 002 and 003 number items
"（八）…", and every paragraph of an item that carries its own clause is one task ("8.1", "8.2").
Seed 003 is OCR text with a blank line after every physical line, so paragraphs are rebuilt:
a paragraph ends at its clause or at the next heading. Wording is kept as written except for
whitespace (removed) and the clause's bracket repairs, which are noted on the task.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scheduler.errors import Problem, read_text_input
from scheduler.plans.clauses import (
    Clause,
    clause_repairs,
    find_clause,
    parse_clause,
    unclosed_clause_start,
    unclosed_clause_starts,
)
from scheduler.plans.importers import ImportResult
from scheduler.plans.ledger import DustFallCap, PeriodCap, Task
from scheduler.text import squeeze

CN_NUMERALS = "一二三四五六七八九十"
_SECTION = re.compile(rf"^([{CN_NUMERALS}]+)、(.+)$")
_ITEM_CN = re.compile(rf"^[（(]([{CN_NUMERALS}]+)[）)](.*)$")
_ITEM_NUM = re.compile(r"^(\d{1,2})[．.](?!\d)(.*)$")
_PAGE_NUMBER = re.compile(r"^[\-—–－\s]+\d{1,3}[\-—–－\s]+$")
_TRAILING = "。；;，, "
_DEADLINE = re.compile(
    r"(?:每年|当年|\d{4}年)(?:\d{1,2}月(?:底|末|\d{1,2}日)?|年底|底|采暖季)前"
    r"|自?\d{4}年\d{1,2}月(?:\d{1,2}日)?起"
    r"|\d{1,2}月(?:底|末)前"
    r"|按照?[^，。；,;]{0,8}?(?:省定|规定|要求的)时限"
)
_PERIOD = re.compile(r"(?:(\d{4})年)?(\d{1,2})[-—－~～至](\d{1,2})月[，,:：]")
_PM25 = re.compile(r"PM2[.．][5s][^，,；;。]*?控制在(\d+(?:\.\d+)?)微克[／/]立方米")
_HEAVY = re.compile(r"重度及以上污染天数控制在(\d+(?:\.\d+)?)天")
_DUST = re.compile(
    r"降尘量(?:高于|不高于|小于|低于|不超过|控制在)(\d+(?:\.\d+)?)吨[／/]月[·．.・]?平方公里")
_REGION = re.compile(r"(长治|晋中|晋城)市")
_ELLIPSIS_UNITS = re.compile(r"等(?:相关)?单位(?:配合|牵头|负责)")
_UNIT_NAME = r"[^，,、。；;：:]{1,30}(?:局|委|政府|管委会|单位|支队|公司|分局|部门|办|牵头|配合|负责|落实)"
_UNIT_RUN = re.compile(rf"(?:责任单位[:：])?{_UNIT_NAME}(?:[、，,]{_UNIT_NAME})*")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ATTACHMENT = re.compile(r"^附件(?:[:：\d一二三四五六七八九十]|$)")
NO_DEADLINE_NOTE = "未写明时限，视为长期"


def cn_to_int(numeral: str) -> int:
    """Turn 一..九十九 into an int ("二十二" -> 22)."""
    digits = {c: i + 1 for i, c in enumerate(CN_NUMERALS[:9])}
    if "十" not in numeral:
        return digits.get(numeral, 0)
    tens, _, ones = numeral.partition("十")
    return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


@dataclass
class Paragraph:
    """A paragraph rebuilt from physical lines, with the line of each piece for locating text."""

    first_line: int
    section: str
    subsection: str = ""  # "（一）…" heading that groups numbered items (seed 001)
    item: int | None = None  # "（八）" -> 8, "1．" -> 1
    numbered: bool = False  # "1．" style item (seed 001)
    is_item_start: bool = False
    text: str = ""
    pieces: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, line)
    closed: bool = False  # ended by its clause
    repairs: list[tuple[int, str]] = field(default_factory=list)  # (offset, note) for task.notes

    def add(self, line_no: int, text: str) -> None:
        self.pieces.append((len(self.text), line_no))
        self.text += squeeze(text)
        found = find_clause(self.text)
        self.closed = found is not None and not self.text[found[3]:].strip(_TRAILING)

    def line_at(self, offset: int) -> int:
        line = self.first_line
        for start, number in self.pieces:
            if start <= offset:
                line = number
        return line


def _is_ocr(lines: list[str]) -> bool:
    """OCR text keeps the printed line breaks: most lines are short."""
    filled = [len(line.strip()) for line in lines if line.strip()]
    if not filled:
        return False
    short = sum(1 for n in filled if n < 45)
    return short / len(filled) > 0.6


def _paragraphs(lines: list[str], first: int) -> list[Paragraph]:
    """Rebuild paragraphs: a heading starts one, a clause ends one, and in non-OCR text so does
    every physical line."""
    ocr = _is_ocr(lines)
    paragraphs: list[Paragraph] = []
    section = subsection = ""
    current: Paragraph | None = None
    page_break: str = ""  # a page number line seen since the last text line
    for index, raw in enumerate(lines):
        number = first + index
        line = raw.strip()
        if not line:
            continue
        if _PAGE_NUMBER.match(line):
            page_break = f"OCR：删除段内页码行“{line}”（第{number}行）"
            continue
        broken_by_page, page_break = page_break, ""
        flat = squeeze(line)
        sec = _SECTION.match(flat)
        if sec and len(flat) <= 40 and not find_clause(flat):
            section, subsection, current = flat, "", None
            continue
        cn = _ITEM_CN.match(flat)
        num = _ITEM_NUM.match(flat)
        if cn and not ocr and len(flat) <= 40 and "。" not in flat and not find_clause(flat):
            subsection, current = flat, None  # "（一）…" alone on its line heads numbered items
            continue
        if cn or num:
            current = Paragraph(number, section, subsection, is_item_start=True)
            if num:
                current.item, current.numbered = int(num.group(1)), True
            elif cn is not None:
                current.item = cn_to_int(cn.group(1))
            paragraphs.append(current)
            current.add(number, raw)
            continue
        if current is None or current.closed or not ocr:
            previous = current
            current = Paragraph(number, section, subsection)
            if previous is not None:
                current.item, current.numbered = previous.item, previous.numbered
            paragraphs.append(current)
        elif broken_by_page:  # the printed page ended inside this paragraph
            current.repairs.append((len(current.text), broken_by_page))
        current.add(number, raw)
    return [piece for paragraph in paragraphs for piece in _split_runaway(paragraph)]


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


def _strip_prefix(text: str) -> str:
    for pattern in (_ITEM_CN, _ITEM_NUM):
        m = pattern.match(text)
        if m:
            return m.group(2)
    return text


def _title(body: str) -> str:
    head = body.split("。", 1)[0]
    return head.strip(_TRAILING)


def find_deadline_phrase(text: str) -> str:
    """Return the first deadline phrase of a task's text ("2023年6月底前", "按照省定时限"), or ""."""
    m = _DEADLINE.search(squeeze(text))
    return m.group(0) if m else ""


def _read_clause(paragraph: Paragraph, file: str, problems: list[Problem]) -> tuple[
        str, Clause | None, list[str]]:
    """Return the paragraph body without its clause, the clause, and repair notes."""
    body = _strip_prefix(paragraph.text) if paragraph.is_item_start else paragraph.text
    offset = len(paragraph.text) - len(body)
    found = find_clause(body)
    if found:
        text, clause, start, end = found
        measures = (body[:start] + body[end:]).strip()
        notes = clause_repairs(text)
        if _ELLIPSIS_UNITS.search(squeeze(text)):
            notes.append("责任条款含“等（相关）单位”，未逐一列出的单位待协调人补充")
        for unclosed_at in unclosed_clause_starts(body[:start]):
            # an OCR paragraph whose clause never closed ran on into the next paragraph
            problems.append(Problem(file, paragraph.line_at(offset + unclosed_at),
                                    "此处责任条款缺少闭括号，与后文合并为一项任务，请核对原文"))
            notes.append("段内有一处责任条款缺少闭括号，已与后文合并，请核对")
        return measures, clause, notes
    open_at = unclosed_clause_start(body)
    if open_at is not None:
        line = paragraph.line_at(offset + open_at)
        clause = parse_clause(body[open_at:])
        if clause.is_empty():
            problems.append(Problem(file, line,
                                    "责任条款缺少闭括号，无法读取责任单位；任务已导入，请核对原文"))
            return body[:open_at].strip(), None, ["责任条款无法读取（缺少闭括号），责任单位待核对"]
        problems.append(Problem(file, line,
                                "责任条款缺少闭括号，已按现有文字读取责任单位；任务已导入，请核对原文"))
        return body[:open_at].strip(), clause, ["责任条款缺少闭括号，已按现有文字读取，责任单位待核对"]
    problems.append(Problem(file, paragraph.first_line,
                            "该段未找到责任条款，无法读取责任单位；任务已导入，请核对原文"))
    return body.strip(), None, ["未找到责任条款，责任单位待核对"]


def _task(plan_id: str, local_id: str, paragraph: Paragraph, file: str, category: str,
          key_work: str, problems: list[Problem], later_units: list[str]) -> tuple[Task, Clause]:
    measures, clause, notes = _read_clause(paragraph, file, problems)
    notes += [note for _, note in paragraph.repairs]
    clause = clause or Clause()
    if "巳" in measures:  # OCR's 巳 for 已: wording is kept as printed, the coordinator is told
        notes.append("OCR：原文“巳”应为“已”，正文未改动")
    deadline = find_deadline_phrase(measures)
    if not deadline:
        notes.append(NO_DEADLINE_NOTE)
    responsible = list(clause.responsible_units)
    responsible += [u for u in later_units if u not in responsible]
    if later_units and not set(later_units) <= set(clause.responsible_units):
        notes.append("责任单位含第1项所述“以下各项任务……负责落实，不再列出”的单位")
    task = Task(
        id=f"{plan_id}/{local_id}", category=category, key_work=key_work,
        title=_title(measures), measures=measures, deadline_text=deadline,
        lead_units=list(clause.lead_units), cooperating_units=list(clause.cooperating_units),
        responsible_units=responsible, source=f"{file}:{paragraph.first_line}", notes=notes,
    )
    return task, clause


def _has_clause(paragraph: Paragraph) -> bool:
    return find_clause(paragraph.text) is not None or unclosed_clause_start(paragraph.text) is not None


def import_narrative(path: str | Path, plan_id: str, *, start_line: int = 1,
                     end_line: int | None = None, region: str | None = None) -> ImportResult:
    """Import the tasks and targets of a narrative plan between start_line and end_line."""
    path = Path(path)
    all_lines = read_text_input(path).splitlines()
    stop = len(all_lines) if end_line is None else min(end_line, len(all_lines))
    if end_line is None:  # attachment tables (附件) are another importer's input
        stop = next((n - 1 for n in range(start_line, stop + 1)
                     if _ATTACHMENT.match(squeeze(all_lines[n - 1]))), stop)
    lines = all_lines[start_line - 1:stop]
    paragraphs = _paragraphs(lines, start_line)
    result = ImportResult()
    file = path.name
    task_sections = {p.section for p in paragraphs if _has_clause(p)}
    numbered = any(p.numbered and _has_clause(p) for p in paragraphs)
    groups: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        if p.section not in task_sections:
            continue  # 总体要求, 主要目标, 保障措施: no clause anywhere in the section
        if not _HAN.search(p.text):  # stray symbols or a broken encoding, not a task
            result.problems.append(Problem(file, p.first_line,
                                           "该段不含中文文字，无法识别，未作为任务导入，请核对原文"))
            continue
        in_item = p.item is not None and (p.numbered or not numbered)
        if in_item and (p.is_item_start or _has_clause(p) or not numbered):
            groups.setdefault(str(p.item), []).append(p)
        elif _has_clause(p):  # a clause outside any numbered item: import it, flag it
            groups[f"L{p.first_line}"] = [p]
            result.problems.append(Problem(file, p.first_line,
                                           "带责任条款的段落不属于任何编号事项，已按行号编号导入，请核对"))
    later_units: list[str] = []
    for item, group in groups.items():
        key_work = "" if numbered else _title(_strip_prefix(group[0].text))
        for n, p in enumerate(group, start=1):
            local = item if len(group) == 1 else f"{item}.{n}"
            category = p.subsection if numbered else p.section
            task, clause = _task(plan_id, local, p, file, category, key_work,
                                 result.problems, later_units)
            result.tasks.append(task)
            if clause.applies_to_later_tasks:
                later_units = list(clause.responsible_units)
    region = region or _detect_region(all_lines)
    _read_targets(paragraphs, file, region, result)
    return result


def _detect_region(lines: list[str]) -> str:
    m = _REGION.search(squeeze("".join(lines[:40])))
    return m.group(0) if m else ""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _read_targets(paragraphs: list[Paragraph], file: str, region: str,
                  result: ImportResult) -> None:
    """Read city PM2.5 / heavy-pollution-day caps per period and dust-fall caps."""
    for p in paragraphs:
        text = p.text
        if "PM2" in text:
            marks = list(_PERIOD.finditer(text))
            year = None
            last_month = 0
            for n, m in enumerate(marks):
                first_month, last = int(m.group(2)), int(m.group(3))
                if m.group(1):
                    year = int(m.group(1))
                elif year is not None and first_month < last_month:
                    year += 1
                last_month = last
                end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
                segment = text[m.end():end]
                source = f"{file}:{p.line_at(m.start())}"
                if year is None:
                    result.problems.append(Problem(file, p.line_at(m.start()),
                                                   "控制目标时段未写明年份，未导入"))
                    continue
                period = dict(region=region, period_start=date(year, first_month, 1),
                              period_end=_month_end(year, last), source=source)
                pm = _PM25.search(segment)
                if pm:
                    result.targets.period_caps.append(
                        PeriodCap(metric="PM2.5", cap=float(pm.group(1)), unit="μg/m³", **period))
                heavy = _HEAVY.search(segment)
                if heavy:
                    result.targets.period_caps.append(PeriodCap(
                        metric="heavy_pollution_days", cap=float(heavy.group(1)), unit="天",
                        **period))
        for m in _DUST.finditer(text):
            result.targets.dust_fall.append(DustFallCap(
                region=region, cap=float(m.group(1)), source=f"{file}:{p.line_at(m.start())}"))


def find_assessment_clause(path: str | Path) -> tuple[str, int] | None:
    """Return the plan's 考核督察 item, joined across lines, and its first line."""
    lines = read_text_input(Path(path)).splitlines()
    start = None
    parts: list[str] = []
    for number, raw in enumerate(lines, start=1):
        flat = squeeze(raw)
        if start is None:
            m = _ITEM_CN.match(flat)
            if m and m.group(2).startswith("强化考核督察"):
                start = number
                parts.append(flat)
            continue
        if not flat or _PAGE_NUMBER.match(raw.strip()):
            continue
        if _ITEM_CN.match(flat) or _SECTION.match(flat) or flat.startswith("附件"):
            break
        parts.append(flat)
    return ("".join(parts), start) if start is not None else None
