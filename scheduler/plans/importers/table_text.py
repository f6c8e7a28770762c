"""Read Word tables saved as tab-per-cell text, and import seed 000's task breakdown from them.

Layout of the text: a row starts after a blank line; each cell starts with a TAB; a line without
a TAB continues the cell above ("市生态环\\n境局" is one broken name, "潞城区政府\\n襄垣县政府"
a list).
Merged cells come out blank. Late in seed 000 (附件3, from line 752) the export degrades: a row
fragment starts with " \\t" instead of a blank line, and cells that are blank or merged are
dropped. Those fragments are re-aligned on the 完成时限 cell (a deadline-looking value): labels
before it fill the right-most of 类别/重点工作/主要任务, the cell after it is 工程措施, and the
cells after that are units placed by kind (a person or title such as 各县区长 goes to 责任人).

Inheritance rules for 附件3 (merged cells), each inherited value noted in task.notes:
- 类别 blank -> the row above's; 重点工作 blank -> the row above's only when 类别 is blank too;
  主要任务 blank -> the row above's only when 类别 and 重点工作 are blank too.
- 完成时限 blank -> the row above's only when 主要任务 is blank (the same task continues);
  otherwise it stays blank and a note asks a coordinator for it.
- Unit columns do not inherit, except: when all four (牵头/配合/责任单位/责任人) are blank in a
  row that continues the same 重点工作 (类别 and 重点工作 blank), the block above is merged over
  it (the boiler rows under 锅炉管理台账, 矸石山综合治理 under 强化露天矿山综合治理); and when a
  row names a 责任人 but no 责任单位, the 责任单位 cell above is merged over it (各县区长 under
  应急运输响应).
- A degraded fragment holding only 类别/重点工作/主要任务 (建筑扬尘治理, 加强秸秆焚烧管控) is its
  own row with nothing else; a lone one-cell label fragment followed by more labels
  (工业炉窑大气污染综合治理) is a 类别 spanning the 类别 and 重点工作 columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import Problem, read_text_input
from scheduler.plans.importers import ImportResult
from scheduler.plans.ledger import CountyTarget, DustFallCap, PersonRef, Task
from scheduler.text import collapse, squeeze

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_ATTACHMENT = re.compile(r"^附件\s*(\d+)$")
_DUST = re.compile(r"(\d+(?:\.\d+)?)吨/月·平方公里")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_DEADLINE = re.compile(
    r"^(\d{4}年.*(月|底前|前|起)|\d{1,2}月.*前|长期坚持|全年|持续开展|常态化"
    r"|按.*规定.*时限.*)$")
_UNIT_SUFFIXES = ("局", "政府", "委", "会", "队", "机场", "办", "中心", "公司", "厅", "院", "站",
                  "所", "部", "处", "镇", "乡")
_CJK = "\u4e00-\u9fff"
_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


def tidy(text: str) -> str:
    """Join a cell's lines and drop the spaces Chinese text does not use ("2024 年 12 月"), keeping
    one space only where two Latin words or numbers meet ("Euro VI")."""
    return _LOOSE_SPACE.sub("", collapse(text))


def looks_like_deadline(text: str) -> bool:
    """Tell a 完成时限 value from other cells ("2019年12月底前", "长期坚持", "按…规定…时限")."""
    return len(squeeze(text)) <= 20 and bool(_DEADLINE.match(squeeze(text)))


def split_units(cell: str) -> list[str]:
    """Split a unit cell by line, re-joining names a line break cut ("市生态环\n境局")."""
    names, buffer = [], ""
    for piece in (squeeze(line) for line in (cell or "").split("\n")):
        buffer += piece
        if buffer and buffer.endswith(_UNIT_SUFFIXES):
            names.append(buffer)
            buffer = ""
    if buffer:
        names.append(buffer)
    return names


def split_persons(cell: str) -> list[str]:
    """Split a 责任人 cell by line ("郭  强" -> "郭强"; titles such as 各县区长 stay as names)."""
    return [name for name in (squeeze(line) for line in (cell or "").split("\n")) if name]


def looks_like_units(cell: str) -> bool:
    """Tell a unit cell (every name ends like a unit: 局, 政府, 管委会...)."""
    names = split_units(cell)
    return bool(names) and all(name.endswith(_UNIT_SUFFIXES) for name in names)


def looks_like_person(cell: str) -> bool:
    """Tell a 责任人 cell: short personal names or titles such as 各县区长 / 管委会主任."""
    names = split_persons(cell)
    return bool(names) and all(
        (re.fullmatch(rf"[{_CJK}]{{2,3}}", n) or n.endswith(("长", "主任")))
        and not n.endswith(_UNIT_SUFFIXES) for n in names)


@dataclass
class TableRow:
    """One row (or, where the export degraded, one row fragment) of a tab-per-cell table."""

    line: int  # first line of the row, 1-based
    last_line: int
    cells: list[str]  # cell text; a cell's own line breaks kept as "\n"
    cell_lines: list[int]  # the line each cell starts on
    complete: bool  # exactly n_columns cells
    degraded: bool = False  # started with " \t" instead of after a blank line


def read_tab_table(lines: list[str], start: int, end: int,
                   n_columns: int) -> tuple[list[TableRow], list[Problem]]:
    """Read lines start..end (1-based, inclusive) as rows of a tab-per-cell table.

    Consecutive short rows after blank lines that add up to exactly n_columns cells are one row
    broken by stray blank lines; other short rows come back with complete=False for the caller
    to align. A row with too many cells is reported and returned incomplete.
    """
    fragments: list[TableRow] = []
    problems: list[Problem] = []
    current: TableRow | None = None
    for number in range(start, min(end, len(lines)) + 1):
        raw = _BOOKMARK.sub("", lines[number - 1].rstrip("\r\n"))
        if not raw.strip() and "\t" not in raw:
            current = None
            continue
        degraded = bool(re.match(r"^ +\t", raw))
        if raw.startswith("\t") or degraded:
            if degraded or current is None:
                current = TableRow(number, number, [], [], False, degraded)
                fragments.append(current)
            current.cells.append(raw.split("\t", 1)[1].strip())
            current.cell_lines.append(number)
        elif current is not None and current.cells:
            current.cells[-1] = (current.cells[-1] + "\n" + raw.strip()).strip("\n")
        elif fragments and fragments[-1].cells:  # a blank line inside a cell
            current = fragments[-1]
            current.cells[-1] = current.cells[-1] + "\n" + raw.strip()
        else:
            problems.append(Problem("", number, f"表格中出现不属于任何单元格的文字：{raw.strip()}"))
            continue
        current.last_line = number
    return _join_broken_rows(fragments, n_columns, problems), problems


def _join_broken_rows(fragments: list[TableRow], n: int, problems: list[Problem]) -> list[TableRow]:
    rows: list[TableRow] = []
    i = 0
    while i < len(fragments):
        row = fragments[i]
        j, total = i + 1, len(row.cells)
        while total < n and j < len(fragments) and not fragments[j].degraded and not row.degraded:
            total += len(fragments[j].cells)
            j += 1
        if total == n and j > i + 1:
            parts = fragments[i:j]
            row = TableRow(parts[0].line, parts[-1].last_line,
                           [c for p in parts for c in p.cells],
                           [n_ for p in parts for n_ in p.cell_lines], True, False)
            i = j
        else:
            row.complete = len(row.cells) == n
            if len(row.cells) > n:
                problems.append(Problem("", row.line,
                                        f"本行有 {len(row.cells)} 个单元格，表格只有 {n} 列"))
            i += 1
        rows.append(row)
    return rows


@dataclass
class _Row:
    """A 附件3 row with its cells placed in columns; blank means blank in the source."""

    line: int
    labels: list[str] = field(default_factory=list)
    label_fragments: list[int] = field(default_factory=list)  # labels contributed per fragment
    deadline: str | None = None
    measure: str | None = None
    units: list[str] = field(default_factory=lambda: ["", "", "", ""])  # lead, coop, resp, persons
    unit_pos: int = 0
    heading_only: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return self.deadline is not None or self.measure is not None or self.unit_pos > 0


def _kind(cell: str) -> str:
    text = squeeze(cell)
    if not text:
        return "empty"
    if looks_like_deadline(text):
        return "deadline"
    if text.endswith("。") or len(text) > 25:
        return "measure"
    if looks_like_person(cell):
        return "person"
    if looks_like_units(cell):
        return "unit"
    return "label"


def _place_units(row: _Row, cell: str, kind: str) -> None:
    if kind == "person":
        row.units[3], row.unit_pos = cell, 4
    elif kind == "empty":
        row.unit_pos += 1
    elif row.unit_pos < 3:
        row.units[row.unit_pos] = cell
        row.unit_pos += 1
    else:
        row.units[2] = (row.units[2] + "\n" + cell).strip()
        row.notes.append(f"多出的单位单元格「{squeeze(cell)}」并入责任单位")


def _align_fragments(fragments: list[TableRow]) -> list[_Row]:
    """Re-align degraded fragments into rows, anchoring on the deadline cell."""
    rows: list[_Row] = []
    cur: _Row | None = None

    def start(line: int) -> _Row:
        if cur is not None:
            rows.append(cur)
        return _Row(line)

    for frag in fragments:
        for index, (cell, line) in enumerate(zip(frag.cells, frag.cell_lines)):
            kind, at_start = _kind(cell), index == 0
            if cur is None:
                cur = _Row(line)
            if kind in ("label", "empty") and not cur.has_body:
                if at_start and len(cur.labels) >= 3:
                    cur.heading_only = True
                    cur = start(line)
                if at_start or not cur.label_fragments:
                    cur.label_fragments.append(0)
                cur.labels.append(cell)
                cur.label_fragments[-1] += 1
            elif kind == "label" or (kind == "empty" and at_start):
                cur = start(line)
                cur.labels.append(cell)
                cur.label_fragments.append(1)
            elif kind == "deadline":
                if cur.has_body:
                    cur = start(line)
                cur.deadline = cell
            elif kind == "measure":
                if cur.measure is not None or cur.unit_pos > 0:
                    cur = start(line)
                cur.measure = cell
            elif kind == "empty" and cur.deadline is not None and cur.measure is None:
                cur.measure = ""
            else:
                _place_units(cur, cell, kind)
    if cur is not None:
        rows.append(cur)
    for row in rows:
        if row.labels and not row.has_body:
            row.heading_only = True
    return rows


def _columns(row: _Row) -> tuple[str, str, str]:
    labels = [tidy(label) for label in row.labels]
    lone = (len(labels) < 3 and len(row.label_fragments) >= 2 and row.label_fragments[0] == 1)
    if lone:
        rest = labels[1:]
        return labels[0], (rest[0] if len(rest) == 2 else ""), rest[-1]
    if len(labels) > 3:
        row.notes.append("主要任务列含多级标题，已用「：」连接")
        return labels[0], labels[1], "：".join(labels[2:])
    labels = [""] * (3 - len(labels)) + labels
    return labels[0], labels[1], labels[2]


def _rows_of_breakdown(table: list[TableRow]) -> list[_Row]:
    rows: list[_Row] = []
    pending: list[TableRow] = []
    for raw in table:
        if squeeze(raw.cells[0]) == "类别":
            continue  # the header row
        if raw.complete:
            rows.extend(_align_fragments(pending))
            pending = []
            row = _Row(raw.line, labels=raw.cells[:3], label_fragments=[3],
                       deadline=raw.cells[3], measure=raw.cells[4], units=raw.cells[5:9])
            rows.append(row)
        else:
            pending.append(raw)
    rows.extend(_align_fragments(pending))
    return rows


def _breakdown_tasks(rows: list[_Row], file: str, plan_id: str) -> list[Task]:
    tasks: list[Task] = []
    prev: Task | None = None
    for number, row in enumerate(rows, start=1):
        category, key_work, title = _columns(row)
        notes = list(row.notes)
        inherited = []
        if not category and prev:
            category = prev.category
            inherited.append("类别")
            if not key_work:
                key_work = prev.key_work
                inherited.append("重点工作")
                if not title:
                    title = prev.title
                    inherited.append("主要任务")
        deadline = squeeze(row.deadline or "")
        if not deadline and prev is not None and "主要任务" in inherited:
            deadline = prev.deadline_text
            inherited.append("完成时限")
        elif not deadline:
            notes.append("完成时限空白，待协调人确认")
        lead, coop, resp, persons = row.units
        if not any(squeeze(u) for u in row.units) and "重点工作" in inherited and prev:
            if not row.heading_only and (prev.lead_units or prev.responsible_units):
                units = [prev.lead_units, prev.cooperating_units, prev.responsible_units]
                person_refs = [p.model_copy() for p in prev.responsible_persons]
                inherited.append("牵头单位、配合单位、责任单位、责任人")
                lead_u, coop_u, resp_u = (list(u) for u in units)
            else:
                lead_u, coop_u, resp_u, person_refs = [], [], [], []
        else:
            lead_u, coop_u, resp_u = split_units(lead), split_units(coop), split_units(resp)
            names = split_persons(persons)
            if names and not resp_u and prev and prev.responsible_units:
                resp_u = list(prev.responsible_units)
                inherited.append("责任单位")
            person_refs = _pair(names, resp_u, notes)
        if inherited:
            notes.insert(0, "沿用上一行（合并单元格）：" + "、".join(inherited))
        if row.heading_only:
            notes.append("本行只有标题：完成时限、工程措施和单位在原表中为空或与相邻行合并，待协调人确认")
        elif not (lead_u or resp_u):
            notes.append("牵头单位和责任单位均空白，待协调人确认")
        if not title:
            title = _first_clause(tidy(row.measure or ""))
            notes.append("主要任务空白，标题取自工程措施")
        task = Task(id=f"{plan_id}/r{number:03d}", category=category, key_work=key_work,
                    title=title, measures=tidy(row.measure or ""), deadline_text=deadline,
                    lead_units=lead_u, cooperating_units=coop_u, responsible_units=resp_u,
                    responsible_persons=person_refs, source=f"{file}:{row.line}", notes=notes)
        tasks.append(task)
        prev = task
    return tasks


def _pair(names: list[str], units: list[str], notes: list[str]) -> list[PersonRef]:
    if names and len(names) != len(units):
        notes.append(f"责任人 {len(names)} 名与责任单位 {len(units)} 个数量不一致，"
                     f"按顺序配对前 {min(len(names), len(units))} 名")
    return [PersonRef(name=name, unit=units[i] if i < len(units) else "")
            for i, name in enumerate(names)]


def _first_clause(text: str) -> str:
    return re.split(r"[，。；,;]", text, maxsplit=1)[0][:40]


def _attachments(lines: list[str]) -> dict[int, tuple[int, int]]:
    """Map attachment number to its (first, last) line."""
    heads = [(int(m.group(1)), n) for n, line in enumerate(lines, start=1)
             if (m := _ATTACHMENT.match(_BOOKMARK.sub("", line).strip()))]
    spans = {}
    for i, (number, line) in enumerate(heads):
        last = heads[i + 1][1] - 1 if i + 1 < len(heads) else len(lines)
        first = next((n for n in range(line + 1, last + 1) if "\t" in lines[n - 1]), last)
        spans[number] = (first, last)  # from the first cell: the table's title line is not a cell
    return spans


def _located(problems: list[Problem], file: str) -> list[Problem]:
    return [Problem(file, p.line, p.message, p.where) for p in problems]


def import_task_breakdown(path: str | Path, plan_id: str) -> ImportResult:
    """Import seed 000: 附件1 county targets, 附件2 railway projects and 附件3 task rows."""
    path = Path(path)
    file = path.name
    lines = read_text_input(path).splitlines()
    spans = _attachments(lines)
    result = ImportResult()
    for number in (1, 2, 3):
        if number not in spans:
            result.problems.append(Problem(file, None, f"未找到附件{number}"))
    if 1 in spans:
        rows, problems = read_tab_table(lines, *spans[1], n_columns=6)
        result.problems += _located(problems, file)
        result.targets.county = _county_targets(rows, file, result.problems)
    if 2 in spans:
        rows, problems = read_tab_table(lines, *spans[2], n_columns=9)
        result.problems += _located(problems, file)
        result.tasks += _railway_tasks(rows, file, plan_id, result.problems)
    if 3 in spans:
        rows, problems = read_tab_table(lines, *spans[3], n_columns=9)
        result.problems += _located(problems, file)
        aligned = _rows_of_breakdown(rows)
        if aligned and aligned[-1].heading_only:  # a table cut off before the row's deadline
            result.problems.append(Problem(
                file, aligned[-1].line,
                "附件3 表格在此行截断：只有标题，没有完成时限和工程措施，未导入"))
            aligned.pop()
        tasks = _breakdown_tasks(aligned, file, plan_id)
        result.tasks = tasks + result.tasks
        for task in tasks:
            for match in _DUST.finditer(squeeze(task.measures)):
                result.targets.dust_fall.append(
                    DustFallCap(region="长治市", cap=float(match.group(1)), source=task.source))
    return result


def _county_targets(rows: list[TableRow], file: str, problems: list[Problem]) -> list[CountyTarget]:
    targets = []
    for row in rows:
        cells = [squeeze(c) for c in row.cells]
        if not any(_NUMBER.match(c) for c in cells):
            continue  # header rows
        if len(cells) == 6:
            name, values = cells[1], cells[2:]
        elif len(cells) == 5:  # 主城区 and 全市平均 span the 序号 and 县区 columns
            name, values = cells[0], cells[1:]
        else:
            message = f"附件1 本行有 {len(cells)} 个单元格，应为 5 或 6 个"
            problems.append(Problem(file, row.line, message))
            continue
        parsed: list[float | None] = []
        for index, value in enumerate(values):
            if _NUMBER.match(value):
                parsed.append(float(value))
            elif value == "持续改善" and index in (1, 3):
                parsed.append(None)
            else:
                message = f"附件1「{name}」的数值「{value}」无法识别"
                problems.append(Problem(file, row.line, message))
                break
        else:
            targets.append(CountyTarget(
                region=name, pm25_baseline=parsed[0], pm25_reduction_pct=parsed[1],
                heavy_days_baseline=parsed[2], heavy_days_reduction=parsed[3],
                source=f"{file}:{row.line}"))
    return targets


def _railway_tasks(rows: list[TableRow], file: str, plan_id: str,
                   problems: list[Problem]) -> list[Task]:
    tasks = []
    for row in rows:
        cells = [tidy(c) for c in row.cells]
        if cells and cells[0] == "序号":
            continue
        if not row.complete or not cells[0].isdigit():
            message = f"附件2 本行有 {len(cells)} 个单元格，应为 9 个，未导入"
            problems.append(Problem(file, row.line, message))
            continue
        _, _, _, bureau, site, project, station, started, deadline = cells
        tasks.append(Task(
            id=f"{plan_id}/rail-{cells[0]}", category="铁路专用线重点建设项目", title=project,
            measures=f"港区/物流园区/企业：{site}；铁路局：{bureau}；接轨站：{station}；开工时间：{started}",
            deadline_text=squeeze(deadline), responsible_units=[squeeze(site)],
            remarks=f"开工时间 {started}", source=f"{file}:{row.line}"))
    return tasks
