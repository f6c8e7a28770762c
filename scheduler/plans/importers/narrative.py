"""Import narrative plans: numbered items that carry a responsibility clause.

Items are numbered at any level (一、 （一） 1. 1、 （1） ①); the tasks are the items of the level
the clauses attach to (seed 001 numbers its tasks "1．" under "（一）" parts; seeds 002 and 003
number them "（八）", and every paragraph of an item that carries its own clause is one task,
"8.1", "8.2"). A clause may stand in any bracket, on the lines after its item, on a part's heading
(covering the items under it) or say "以上各项" (covering the items before it); a statement such
as "以下各项任务均需……负责落实，不再列出" gives later tasks its units until its scope ends. A
plan without any clause still gives its items, with the missing clauses reported. Wording is
kept as written except for whitespace (removed) and the clause's bracket repairs, which are
noted on the task.
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
    find_later_statement,
    parse_clause,
    unclosed_clause_start,
    unclosed_clause_starts,
)
from scheduler.plans.clauses.grammar import later_units_of
from scheduler.plans.clauses.roles import FIRST_LEADS, either_script
from scheduler.plans.clauses.tokens import protected_sorted
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.numbering import (
    ITEM_CN,
    ITEM_NUM,
    ITEM_POINT,
    PART,
    SECTION,
    cn_to_int,
    numbering,
)
from scheduler.plans.importers.paragraphs import (
    DEADLINE_KEYS,
    PAGE_NUMBER,
    Paragraph,
    build_paragraphs,
)
from scheduler.plans.ledger import DustFallCap, PeriodCap, PersonRef, Task
from scheduler.text import squeeze

__all__ = ["NO_DEADLINE_NOTE", "cn_to_int", "find_assessment_clause", "find_deadline_phrase",
           "import_narrative"]

_TRAILING = "。；;，, "
_DEADLINE = re.compile(
    r"(?:每年|当年|\d{4}年)(?:\d{1,2}月(?:底|末|\d{1,2}日)?|年底|底|采暖季)前"
    r"|自?\d{4}年\d{1,2}月(?:\d{1,2}日)?起"
    r"|\d{1,2}月(?:底|末)前"
    r"|按照?[^，。；,;]{0,8}?(?:省定|规定|要求的)时限"
    r"|(?<=。)\d{4}年(?=[，,])"  # "优化产业布局。2018年，完成……": the year is the deadline
    r"|(?:到|至|截至)\d{4}年(?=[，,])"  # "到2020年，用水总量控制在……": by that year
)
# Looser forms, read only when no date above is written: a quarter, "5年内"
# (counted by the deadline parser from the plan's start), the autumn-winter campaign a target
# belongs to, the year of a target to complete ("完成省下达的2020年目标"), and a yearly quota
# ("每年培育50家"), which recurs.
_LOOSER_DEADLINE = re.compile(
    r"(?:第)?[一二三四1-4]季度(?:末|底)?前?"
    r"|(?:\d{4}年起)?(?<!\d)(?:\d{1,2}|[一二两三四五六七八九十]{1,2})年内|(?<!\d)\d{4}年内"
    r"|(?<=完成)[^，。；,;]{0,12}?(?<![-—－~至\d])"
    r"(?P<target>\d{4}(?:[-—－~至]\d{4})?年(?:度?秋冬季)?)(?=[^，。；,;]{0,16}?(?:目标|任务))"
    r"|每年(?!\d|[一二三四五六七八九十]月)")
_UNTIL = re.compile(r"至\d{4}年\d{1,2}月\d{1,2}日")  # "实施期限至2022年12月31日"
_CLAUSE_DEADLINE = re.compile(
    r"(?:\d{4}年)?\d{1,2}月(?:底|末|\d{1,2}日)前?(?:完成)?|\d{4}年(?:底|年底)前?(?:完成)?")
_KEYED_DEADLINE = re.compile(either_script(rf"{DEADLINE_KEYS}[:：]\|?([^。；;|]+)"))
# The stages of a keyed schedule: "第一季度：……第二季度：……", "6月底前：……"
_STAGE = re.compile(
    r"(?:^|(?<=[|。；;，,:：]))((?:第?[一二三四1-4]季度|\d{1,2}月(?:底|末|上旬|中旬|下旬)?"
    r"|上半年|下半年|年底|年末)前?)[:：]")
_PERIOD = re.compile(r"(?:(\d{4})年)?(\d{1,2})[-—－~～至](\d{1,2})月[，,:：]")
_PM25 = re.compile(r"PM2[.．][5s][^，,；;。]*?控制在(\d+(?:\.\d+)?)微克[／/]立方米")
_HEAVY = re.compile(r"重度及以上污染天数控制在(\d+(?:\.\d+)?)天")
_DUST = re.compile(
    r"降尘量(?:高于|不高于|小于|低于|不超过|控制在)(\d+(?:\.\d+)?)吨[／/]月[·．.・]?平方公里")
_REGION = re.compile(r"(长治|晋中|晋城)市")
_ELLIPSIS_UNITS = re.compile(r"等(?:相关)?单位(?:配合|牵头|负责)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ATTACHMENT = re.compile(r"^附件(?:[:：\d一二三四五六七八九十]|$)")
_LOOSE_NUMBER = re.compile(r"^\d{1,2}[．.](.+)$")
_ABOVE = re.compile(either_script(r"^[（(\[［【〔]?(?:以上|上述)"))
# Parts and chapters that frame the plan rather than assign work (used only when no item of the
# plan carries a clause to show where the tasks are).
_FRAMING_TITLE = re.compile(either_script(
    r"指导思想|基本原则|工作原则|总体要求|总体思路|工作思路|目标|适用范围|编制依据|工作依据"))
_FRAMING_CHAPTER = re.compile(either_script(
    r"保障|组织实施|组织领导|工作要求|附则|职责分工|考核|督查|督察"))
NO_DEADLINE_NOTE = "未写明时限，视为长期"
MISSING_NOTE = "未找到责任条款，责任单位待核对"


def _strip_prefix(text: str) -> str:
    for pattern in (ITEM_CN, ITEM_NUM, ITEM_POINT):
        m = pattern.match(text)
        if m:
            return m.group(2)
    found = numbering(text)
    if found and found.level > PART:
        return found.rest
    loose = _LOOSE_NUMBER.match(text)  # "11.121人才梯队项目", read as item 11
    return loose.group(1) if loose else text


def _title(body: str) -> str:
    head = body.split("。", 1)[0]
    return head.strip(_TRAILING)


def find_deadline_phrase(text: str) -> str:
    """Return the first deadline phrase of a task's text ("2023年6月底前", "按照省定时限"), or ""."""
    flat = squeeze(text)
    keyed = _KEYED_DEADLINE.search(flat)
    if keyed:  # "完成时间：2009年5月底前" names the deadline outright
        stages = [stage.group(1) for stage in _STAGE.finditer(flat, keyed.start(1))]
        return "；".join(stages) if stages else keyed.group(1).strip(_TRAILING)
    m = _DEADLINE.search(flat)
    ends = list(dict.fromkeys(e.group(0) for e in _UNTIL.finditer(flat)))
    if ends and (m is None or m.group(0).endswith("起")):
        # "政策实施至2030年4月30日……实施期限延长至2031年4月30日": each end a policy is given is a
        # due date of the task, and an end outweighs the day a later phase starts from
        return "；".join(ends)
    m = m or _LOOSER_DEADLINE.search(flat)
    if m is None:
        return ""
    if m.re is _LOOSER_DEADLINE and m["target"]:  # "完成省下达的2020年目标": the target's year
        return m["target"]
    return m.group(0)


@dataclass
class _Read:
    """What one task paragraph's clause says."""

    measures: str
    clause: Clause | None
    notes: list[str] = field(default_factory=list)
    text: str = ""  # the clause as written


def _read_clause(paragraph: Paragraph, file: str, problems: list[Problem]) -> _Read:
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
        elif clause.open_list:
            notes.append("责任条款以“等”或“相关部门”结尾，未逐一列出的单位待协调人补充")
        earlier = find_clause(body[:start])
        if earlier is not None:  # side by side with no measure between: not split into sub-tasks
            problems.append(Problem(file, paragraph.line_at(offset + earlier[2]),
                                    f"该段另有责任条款“{earlier[0]}”紧挨在后一条款之前，只读取了后一条款的单位，请核对原文"))
            notes.append(f"段内另有责任条款“{earlier[0]}”，其单位未读取，请核对")
        for unclosed_at in unclosed_clause_starts(body[:start]):
            # an OCR paragraph whose clause never closed ran on into the next paragraph
            problems.append(Problem(file, paragraph.line_at(offset + unclosed_at),
                                    "此处责任条款缺少闭括号，与后文合并为一项任务，请核对原文"))
            notes.append("段内有一处责任条款缺少闭括号，已与后文合并，请核对")
        return _Read(measures, clause, notes, text)
    open_at = unclosed_clause_start(body)
    if open_at is not None:
        line = paragraph.line_at(offset + open_at)
        clause = parse_clause(body[open_at:])
        if clause.is_empty():
            problems.append(Problem(file, line,
                                    "责任条款缺少闭括号，无法读取责任单位；任务已导入，请核对原文"))
            return _Read(body[:open_at].strip(), None, ["责任条款无法读取（缺少闭括号），责任单位待核对"])
        problems.append(Problem(file, line,
                                "责任条款缺少闭括号，已按现有文字读取责任单位；任务已导入，请核对原文"))
        return _Read(body[:open_at].strip(), clause,
                     ["责任条款缺少闭括号，已按现有文字读取，责任单位待核对"], body[open_at:])
    problems.append(Problem(file, paragraph.first_line,
                            "该段未找到责任条款，无法读取责任单位；任务已导入，请核对原文"))
    return _Read(body.strip(), None, [MISSING_NOTE])


@dataclass
class _Statement:
    """The units an "applies to later tasks" statement gives, where it was made and how far."""

    units: list[str] = field(default_factory=list)
    scope: str = "plan"
    section: str = ""
    where: str = ""  # the declaring task's local id, or "" for a statement outside any task


@dataclass
class _Later:
    """The statements in force: one for the rest of the plan and one for the current chapter."""

    plan: _Statement = field(default_factory=_Statement)
    chapter: _Statement = field(default_factory=_Statement)

    def take(self, statement: _Statement) -> None:
        if statement.scope == "chapter":
            self.chapter = statement
        else:
            self.plan = statement

    def applies(self, section: str) -> list[str]:
        units = list(self.plan.units)
        if self.chapter.section == section:
            units += [u for u in self.chapter.units if u not in units]
        return units

    def note(self, section: str) -> str:
        chapter = self.chapter if self.chapter.section == section and self.chapter.units else None
        where = (chapter or self.plan).where
        if where:
            return f"责任单位含第{where}项所述“以下各项任务……负责落实，不再列出”的单位"
        return "责任单位含正文“以下各项任务……负责落实，不再列出”所述的单位"


def _task(plan_id: str, local_id: str, paragraph: Paragraph, file: str, category: str,
          key_work: str, problems: list[Problem], later: _Later,
          cover: Clause | None) -> tuple[Task, _Read]:
    read = _read_clause(paragraph, file, problems)
    notes = read.notes + [note for _, note in paragraph.repairs]
    clause = read.clause
    if clause is None and cover is not None and read.notes == [MISSING_NOTE]:
        clause = cover
        notes = [n for n in notes if n != MISSING_NOTE] + ["责任条款见所属部分的标题，已沿用"]
        problems.pop()  # the part's clause covers it: not a missing clause after all
    clause = clause or Clause()
    measures = read.measures
    if "巳" in measures:  # OCR's 巳 for 已: wording is kept as printed, the coordinator is told
        notes.append("OCR：原文“巳”应为“已”，正文未改动")
    deadline = find_deadline_phrase(measures)
    if not deadline:  # "（牵头单位：…；责任单位：…，6月底完成）": a date as the clause's last part
        in_clause = _CLAUSE_DEADLINE.search(squeeze(read.text))
        deadline = in_clause.group(0) if in_clause else ""
    if not deadline:
        notes.append(NO_DEADLINE_NOTE)
    later_units = later.applies(paragraph.section)
    responsible = list(clause.responsible_units)
    responsible += [u for u in later_units if u not in responsible]
    if later_units and not set(later_units) <= set(clause.responsible_units):
        notes.append(later.note(paragraph.section))
    task = Task(
        id=f"{plan_id}/{local_id}", category=category, key_work=key_work,
        title=paragraph.title or _title(measures), measures=measures, deadline_text=deadline,
        lead_units=list(clause.lead_units), cooperating_units=list(clause.cooperating_units),
        responsible_units=responsible, source=f"{file}:{paragraph.first_line}", notes=notes,
        responsible_persons=[PersonRef(name=name) for name in clause.responsible_persons],
    )
    return task, read


def _has_clause(paragraph: Paragraph) -> bool:
    return find_clause(paragraph.text) is not None or unclosed_clause_start(paragraph.text) is not None


def _framing(paragraph: Paragraph) -> bool:
    """Tell whether an item frames the plan (指导思想, 目标, 保障措施) rather than assigns work."""
    title = _title(_strip_prefix(paragraph.text))
    heading = _title(_strip_prefix(paragraph.subsection))
    return (len(title) <= 14 and bool(_FRAMING_TITLE.search(title))
            or len(heading) <= 14 and bool(_FRAMING_TITLE.search(heading))
            or bool(_FRAMING_CHAPTER.search(paragraph.section)))


def _group_key(paragraph: Paragraph, restart: bool) -> str:
    if paragraph.heading:
        return f"P{paragraph.item}"
    if restart:
        part = numbering(paragraph.subsection)
        return f"{part.number if part else 0}-{paragraph.item}"
    return str(paragraph.item)


def import_narrative(path: str | Path, plan_id: str, *, start_line: int = 1,
                     end_line: int | None = None, region: str | None = None) -> ImportResult:
    """Import the tasks and targets of a narrative plan between start_line and end_line."""
    path = Path(path)
    all_lines = read_text_input(path).splitlines()
    stop = len(all_lines) if end_line is None else min(end_line, len(all_lines))
    if end_line is None:  # attachment tables (附件) are another importer's input
        # (a 附件 line before the first chapter names the attachment in the notice; it is no cut)
        body = next((n for n in range(start_line, stop + 1)
                     if SECTION.match(squeeze(all_lines[n - 1]))), start_line)
        stop = next((n - 1 for n in range(body, stop + 1)
                     if _ATTACHMENT.match(squeeze(all_lines[n - 1]))), stop)
    lines = all_lines[start_line - 1:stop]
    paragraphs, level = build_paragraphs(lines, start_line)
    result = ImportResult()
    file = path.name
    covers = {p.subsection: p for p in paragraphs if p.covers}
    paragraphs = [p for p in paragraphs if not p.covers]
    task_sections = {p.section for p in paragraphs if _has_clause(p)}
    numbered = level > PART
    starts = [(p.subsection, p.item) for p in paragraphs if p.is_item_start and not p.heading]
    restart = numbered and len(set(starts)) == len(starts) and len({i for _, i in starts}) < len(starts)
    groups: dict[str, list[Paragraph]] = {}
    statements: dict[int, _Statement] = {}  # statements outside any task, by paragraph index
    for index, p in enumerate(paragraphs):
        # without clauses, items count only inside the plan's outline (a chapter or a part):
        # a notice's numbered list of attachments before it is no task
        if (not task_sections and p.is_item_start and (p.section or p.subsection)
                and not _framing(p)):
            groups.setdefault(_group_key(p, restart), []).append(p)
            continue
        if p.section not in task_sections:
            continue  # 总体要求, 主要目标, 保障措施: no clause anywhere in the section
        if not _HAN.search(p.text):  # stray symbols or a broken encoding, not a task
            result.problems.append(Problem(file, p.first_line,
                                           "该段不含中文文字，无法识别，未作为任务导入，请核对原文"))
            continue
        in_item = p.item is not None and (p.numbered or not numbered or p.heading)
        if in_item and (p.is_item_start or _has_clause(p) or not numbered):
            groups.setdefault(_group_key(p, restart), []).append(p)
        elif _has_clause(p):  # a clause outside any numbered item: import it, flag it
            groups[f"L{p.first_line}"] = [p]
            result.problems.append(Problem(file, p.first_line,
                                           "带责任条款的段落不属于任何编号事项，已按行号编号导入，请核对"))
        else:
            statement = _statement(p)
            if statement is not None:
                statements[index] = statement
    _build_tasks(plan_id, file, groups, paragraphs, statements, covers, numbered, result)
    region = region or _detect_region(all_lines)
    _read_targets(paragraphs, file, region, result)
    return result


def _statement(paragraph: Paragraph) -> _Statement | None:
    """Read an "applies to later tasks" statement standing outside any task's clause."""
    found = find_later_statement(paragraph.text)
    if found is None:
        return None
    units = later_units_of(found.units_text, found.strong, protected_sorted(()))
    return _Statement(list(units), found.scope, paragraph.section) if units else None


def _build_tasks(plan_id: str, file: str, groups: dict[str, list[Paragraph]],
                 paragraphs: list[Paragraph], statements: dict[int, _Statement],
                 covers: dict[str, Paragraph], numbered: bool, result: ImportResult) -> None:
    """Turn the groups into tasks in document order, carrying later-tasks statements."""
    order = {id(p): n for n, p in enumerate(paragraphs)}
    later = _Later()
    pending = sorted(statements.items())
    cover_clauses = {sub: find_clause(p.text) for sub, p in covers.items()}
    siblings: list[Task] = []
    first_leads = False
    for item, group in groups.items():
        first = order.get(id(group[0]), 0)
        while pending and pending[0][0] < first:
            later.take(pending.pop(0)[1])
        key_work = "" if numbered else _title(_strip_prefix(group[0].text))
        for n, p in enumerate(group, start=1):
            local = item if len(group) == 1 else f"{item}.{n}"
            category = p.subsection if numbered else p.section
            cover = cover_clauses.get(p.subsection)
            task, read = _task(plan_id, local, p, file, category, key_work, result.problems,
                               later, cover[1] if cover else None)
            first_leads = first_leads or bool(FIRST_LEADS.search(p.text))
            if first_leads and not task.lead_units and task.responsible_units:
                # "第一责任单位为牵头单位，下同": the first unit named leads, here and after
                task.lead_units = task.responsible_units[:1]
                task.notes.append("按方案“第一责任单位为牵头单位”，以首列责任单位为牵头单位")
            if read.clause is not None and _ABOVE.match(squeeze(read.text)):
                _cover_above(siblings, task, read.clause)
            siblings = [t for t in siblings if t.category == category] + [task]
            result.tasks.append(task)
            clause = read.clause
            if clause is not None and clause.applies_to_later_tasks:
                later.take(_Statement(list(clause.later_units), clause.later_scope, p.section,
                                      local))


def _cover_above(siblings: list[Task], task: Task, clause: Clause) -> None:
    """Give "以上各项由……牵头" clause's units to the items before it that named none."""
    for sibling in siblings:
        if sibling.category != task.category or sibling.lead_units or sibling.responsible_units:
            continue
        sibling.lead_units = list(clause.lead_units)
        sibling.cooperating_units = list(clause.cooperating_units)
        sibling.responsible_units = list(clause.responsible_units)
        sibling.notes = [n for n in sibling.notes if n != MISSING_NOTE]
        sibling.notes.append("责任条款见其后“以上各项”的条款，已沿用")


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
            m = ITEM_CN.match(flat)
            if m and m.group(2).startswith("强化考核督察"):
                start = number
                parts.append(flat)
            continue
        if not flat or PAGE_NUMBER.match(raw.strip()):
            continue
        if ITEM_CN.match(flat) or SECTION.match(flat) or flat.startswith("附件"):
            break
        parts.append(flat)
    return ("".join(parts), start) if start is not None else None
