"""Task tables found by their header's meaning, wherever they stand in a document.

A plan's task table is recognised by what its header says, not by where it sits or how the
office arranged its columns: 序号, a task column (任务 / 重点任务 / 具体措施 / 工作内容 …), a
deadline column (完成时限 / 时间节点 / 进度安排 …) and unit columns (牵头单位 / 责任单位 /
配合单位 / 责任人 …), see `headers`. Around the header a reader's conventions hold:

- a cell merged down belongs to every row it covers, a cell merged across to its first column;
- a row with one short label across the table ("一、产业结构调整") names the category of the
  rows below it; a table under a chapter heading takes the heading as category;
- a row with no 序号 of its own and no deadline continues the task above (a page break cut it);
- a header repeated on each page is skipped;
- a unit cell is a responsibility clause read whole by the clause grammar
  ("市工信局牵头，市发改委配合"), never split at its commas; a plain list takes the column's role.

Every table is reported, recognised or not, so an import that finds nothing can say what it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scheduler.errors import Problem
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.grid import Cell, Grid
from scheduler.plans.importers.headers import FIELD_NAMES, find_header, header_key
from scheduler.plans.importers.table_text import split_persons, tidy
from scheduler.plans.ledger import PersonRef, Task
from scheduler.text import squeeze

_SEPARATORS = re.compile(r"[、，,；;／/](?![^（(]*[）)])")  # not inside （…）: 各县（市、区）人民政府
_OPEN_TAIL = re.compile(r"(?:等(?:相关)?(?:部门|单位)?|相关部门|相关单位)$")
_SENTENCE = re.compile(r"[，。；,;]")
_OPEN_ONLY = re.compile(r"等?(?:相关|有关|其他)?(?:部门|单位)?|等")
_NUMERAL = "一二三四五六七八九十"
_CHAPTER = re.compile(rf"^(?:[{_NUMERAL}]+[、.．]|[（(][{_NUMERAL}]+[）)]|第[{_NUMERAL}]+)")
_UNIT_FIELDS = ("lead", "coop", "resp")
# a period a ledger names once for all its rows ("四季度任务分解", "2024年上半年重点工作")
_PERIOD = re.compile(r"(?:\d{4}年)?(?:第?[一二三四1-4]季度|[上下]半年)")


@dataclass
class TableSeen:
    """What the importer saw in one table: its header as read, and what became of it."""

    name: str
    header: list[str]
    recognised: dict[str, str] = field(default_factory=dict)  # header text -> field (Chinese)
    unrecognised: list[str] = field(default_factory=list)
    tasks: int = 0
    rejected: int = 0

    def describe(self) -> str:
        """Return one Chinese line for the import report."""
        head = " | ".join(h for h in self.header if h)[:120] or "（空表）"
        if not self.recognised:
            return f"表格「{self.name}」：未识别为任务表（首行：{head}）"
        known = "、".join(f"{text}→{name}" for text, name in self.recognised.items())
        extra = f"；未识别的列：{'、'.join(self.unrecognised)}" if self.unrecognised else ""
        return (f"表格「{self.name}」：识别的列 {known}{extra}；导入 {self.tasks} 项任务"
                f"{f'，{self.rejected} 行未导入' if self.rejected else ''}")


@dataclass
class _Row:
    grid: Grid
    cells: list[Cell]
    values: dict[str, str]
    merged: list[str]  # fields whose cell continues a merge from the row above
    category: str
    number: str
    period: str = ""  # the quarter or half-year the table's header or caption names


def import_task_tables(grids: list[Grid], plan_id: str) -> tuple[ImportResult, list[TableSeen]]:
    """Read every task table among `grids`; tasks get ids local to the plan (`<序号>` or `<n>.<序号>`)."""
    result = ImportResult()
    seen: list[TableSeen] = []
    tables: list[list[_Row]] = []
    for grid in grids:
        rows, report = _read_table(grid, result.problems, several=len(grids) > 1)
        seen.append(report)
        if rows:
            tables.append(rows)
    for local, row in _local_ids(tables):
        result.tasks.append(_task(plan_id, local, row))
    return result, seen


def _read_table(grid: Grid, problems: list[Problem], several: bool) -> tuple[list[_Row], TableSeen]:
    first = [squeeze(grid.shown(c)) for c in grid.rows[0]] if grid.rows else []
    report = TableSeen(grid.sheet, first)
    found = find_header(grid) if grid.rows else None
    if found is None:
        return [], report
    last, columns = _numbered_by_content(grid, *found)
    if not columns:
        return [], report
    header = [_header_name(grid, last, column) for column in range(1, len(grid.rows[last]) + 1)]
    report.header = header
    used = set(columns.values())
    report.recognised = {header[col - 1]: FIELD_NAMES[key] for key, col in columns.items()}
    report.unrecognised = [h for i, h in enumerate(header, start=1) if h and i not in used]
    category = _category_of_caption(grid.caption, several) if "category" not in columns else ""
    period = _period_of(grid, last, grid.caption)
    rows: list[_Row] = []
    for cells in grid.rows[last + 1:]:
        texts = [squeeze(grid.shown(c)) for c in cells]
        if not any(texts):
            continue
        if texts == header or sum(1 for t in texts if t and header_key(t)) >= max(2, len(columns) - 1):
            continue  # the header again, on a new page
        label = _category_row(grid, cells, columns)
        if label:
            category = label
            continue
        values: dict[str, str] = {}
        merged: list[str] = []
        for key, col in columns.items():
            cell = cells[col - 1] if col - 1 < len(cells) else Cell(cells[0].row, col)
            values[key] = grid.shown(cell)
            if cell.merged_down and squeeze(values[key]):
                merged.append(key)
        number_cell = cells[columns["number"] - 1] if "number" in columns else None
        own_number = squeeze(number_cell.text) if number_cell is not None and not number_cell.origin else ""
        if rows and _continues(columns, number_cell, own_number, values, merged):
            _extend(rows[-1], values, merged)
            continue
        if rows and "measures" in columns:
            _inherit_labels(rows[-1], values, merged)
        number = squeeze(values.get("number", ""))
        rows.append(_Row(grid, cells, values, merged, tidy(values.get("category", "")) or category, number,
                         period))
    report.tasks = sum(1 for r in rows if _has_task_text(r))
    report.rejected = len(rows) - report.tasks
    for row in rows:
        if not _has_task_text(row):
            problems.append(grid.problem(row.cells[0], "本行没有任务内容（任务、措施列均为空），未导入"))
    return [r for r in rows if _has_task_text(r)], report


def _numbered_by_content(grid: Grid, last: int, columns: dict[str, int]) -> tuple[int, dict[str, int]]:
    """A column whose cells all count 1, 2, 3 … is the 序号 whatever its header says ("任务项",
    "项次"); the field it was taken for falls to the next column that can give it."""
    if "number" in columns:
        return last, columns
    body = [r for r in grid.rows[last + 1:] if any(c.text or c.origin for c in r)][:12]
    for key, column in list(columns.items()):
        texts = [squeeze(grid.shown(r[column - 1])) for r in body if column - 1 < len(r)]
        texts = [t.rstrip(".、．") for t in texts if t]
        if len(texts) >= 2 and all(t.isdigit() for t in texts) and texts[0] == "1":
            columns = {k: c for k, c in columns.items() if k != key}
            columns["number"] = column
            if key in ("title", "measures", "key_work") and not {"title", "measures", "key_work"} & set(columns):
                return last, {}
            return last, columns
    return last, columns


def _period_of(grid: Grid, last: int, caption: str) -> str:
    """The one quarter or half-year a ledger's header or caption names ("四季度任务分解"): the
    deadline of every row that gives none of its own. Two different periods name none."""
    texts = [squeeze(grid.shown(c)) for row in grid.rows[:last + 1] for c in row] + [squeeze(caption)]
    found = {m.group(0) for text in texts for m in _PERIOD.finditer(text)}
    bare = {re.sub(r"^(?:\d{4}年)?第?", "", p) for p in found}
    if len(bare) != 1:
        return ""
    return max(found, key=len)


def _header_name(grid: Grid, last: int, column: int) -> str:
    """Name a column by its lowest header cell that says something (责任单位 over 牵头 reads 牵头)."""
    for index in range(last, max(-1, last - 2), -1):
        cells = grid.rows[index]
        if column - 1 < len(cells):
            cell = cells[column - 1]
            text = squeeze(grid.at(*cell.origin).text if cell.origin else cell.text)
            if text:
                return text
    return ""


def _category_of_caption(caption: str, several: bool) -> str:
    """A chapter heading above a table ("三、交通运输结构调整") is its rows' category; with one
    table per chapter, so is any short heading."""
    text = squeeze(caption)
    if not text or len(text) > 40 or text.startswith("附件") or text.endswith(("：", ":", "。")):
        return ""
    return text if several or _CHAPTER.match(text) else ""


def _category_row(grid: Grid, cells: list[Cell], columns: dict[str, int]) -> str:
    """Return the label of a category row: one short text, across the table or set apart as a
    chapter ("一、…", "（二）…") or standing outside the task columns."""
    own = [c for c in cells if squeeze(c.text) and not c.origin]
    spans = [c for c in cells if c.origin is not None and c.merged_across]
    texts = {squeeze(grid.shown(c)) for c in cells if squeeze(grid.shown(c))}
    if len(own) != 1 or len(texts) > 1:
        return ""
    text = tidy(own[0].text)
    if len(text) > 40 or header_key(text):
        return ""
    task_columns = {columns.get(k) for k in ("title", "measures", "key_work")}
    across = any(c.origin == (own[0].row, own[0].column) for c in spans)
    if across or _CHAPTER.match(text) or own[0].column not in task_columns:
        if "deadline" in columns and not _CHAPTER.match(text) and not across and own[0].column == columns["deadline"]:
            return ""
        return text
    return ""


def _continues(columns: dict[str, int], number_cell: Cell | None, own_number: str, values: dict[str, str],
               merged: list[str]) -> bool:
    """A row cut by a page break: no 序号 of its own (nor a merge from above) and no deadline of
    its own, in a numbered table."""
    if number_cell is None or own_number or number_cell.origin is not None:
        return False
    return not (squeeze(values.get("deadline", "")) and "deadline" not in merged)


_LABELS = ("category", "key_work", "title")


def _inherit_labels(above: _Row, values: dict[str, str], merged: list[str]) -> None:
    """A blank label over a row's own measure continues the label above, as a merged cell does in a
    table saved without its merges (text, markdown, a PDF without ruling); a label further left
    that changes stops it."""
    if not squeeze(values.get("measures", "")):
        return
    for key in _LABELS:
        if key not in values:
            continue
        if squeeze(values[key]):
            if squeeze(values[key]) != squeeze(above.values.get(key, "")):
                return
            continue
        if squeeze(above.values.get(key, "")):
            values[key] = above.values[key]
            merged.append(key)


def _extend(row: _Row, values: dict[str, str], merged: list[str]) -> None:
    for key, text in values.items():
        if key in merged or not squeeze(text) or key == "number":
            continue
        row.values[key] = f"{row.values.get(key, '')}\n{text}" if squeeze(row.values.get(key, "")) else text


def _has_task_text(row: _Row) -> bool:
    return any(squeeze(row.values.get(k, "")) for k in ("title", "measures", "key_work"))


def _local_ids(tables: list[list[_Row]]) -> list[tuple[str, _Row]]:
    """Number tasks by their 序号 when it is a plain number unique in the plan ("5"); rows under one
    merged 序号 are "5-1", "5-2". When every table counts from 1 again, the table's place comes
    first ("2.5": the second task table's 5); rows without a usable 序号 count by place ("r005")."""
    numbers = [[row.number for row in rows] for rows in tables]
    plain = all(re.fullmatch(r"\d+(\.\d+)*", n) for ns in numbers for n in ns)
    grouped = [_groups(rows) for rows in tables]
    firsts = [n for ns, groups in zip(numbers, grouped) for n, g in zip(ns, groups) if g <= 1]
    by_plan = plain and len(firsts) == len(set(firsts))
    by_table = plain and not by_plan and all(
        len(f) == len(set(f)) for f in ([n for n, g in zip(ns, gs) if g <= 1] for ns, gs in zip(numbers, grouped)))
    out: list[tuple[str, _Row]] = []
    for t, (rows, groups) in enumerate(zip(tables, grouped), start=1):
        for index, (row, group) in enumerate(zip(rows, groups), start=1):
            suffix = f"-{group}" if group else ""
            if by_plan:
                local = f"{row.number}{suffix}"
            elif by_table:
                local = f"{t}.{row.number}{suffix}"
            else:
                local = f"r{index:03d}" if len(tables) == 1 else f"{t}.{index}"
            out.append((local, row))
    return _unique(out)


def _groups(rows: list[_Row]) -> list[int]:
    """Return each row's place under a merged 序号 (1, 2, …), or 0 for a row numbered alone."""
    places: list[int] = []
    for i, row in enumerate(rows):
        below = rows[i + 1] if i + 1 < len(rows) else None
        if "number" in row.merged and places and places[-1]:
            places.append(places[-1] + 1)
        elif below is not None and "number" in below.merged and below.number == row.number:
            places.append(1)
        else:
            places.append(0)
    return places


def _unique(pairs: list[tuple[str, _Row]]) -> list[tuple[str, _Row]]:
    used: set[str] = set()
    out = []
    for local, row in pairs:
        base, k = local, 1
        while local in used:
            k += 1
            local = f"{base}-{k}"
        used.add(local)
        out.append((local, row))
    return out


_COLUMN_ROLES = {"lead": "lead", "coop": "cooperating", "resp": "responsible"}


def units_of(text: str, role: str) -> dict[str, list[str]]:
    """Read one unit cell whole with the clause grammar: names with a role word keep it
    ("市工信局牵头，市发改委配合"), the others take the column's role. A cell the grammar reads as
    empty still keeps its names, split as a plain list, so nothing a table says is lost."""
    from scheduler.plans.clauses import parse_cell_clause

    if not squeeze(text):
        return {}
    clause = parse_cell_clause(text, _COLUMN_ROLES[role])
    if clause.is_empty():
        return {role: plain_units(text)}
    return {"lead": _named(clause.lead_units), "coop": _named(clause.cooperating_units),
            "resp": _named(clause.responsible_units)}


def _named(names: tuple[str, ...]) -> list[str]:
    """Drop what only ends an open list ("等相关单位" on a line of its own), never a unit."""
    return [n for n in names if not _OPEN_ONLY.fullmatch(n)]


def persons_of(text: str) -> list[str]:
    """Read a 责任人 cell: names one per line or listed with 、，；."""
    from scheduler.plans.clauses import parse_cell_clause

    if not squeeze(text):
        return []
    names = list(parse_cell_clause(text, "persons").responsible_persons)
    return names or split_persons(re.sub(r"[、，,；;]", "\n", text))


def plain_units(text: str) -> list[str]:
    """Split a plain list of units at 、，；/ and line breaks (a line break inside a name, as in
    "市生态环\\n境局", is mended), dropping an open tail such as 等 / 等相关部门."""
    from scheduler.plans.importers.table_text import split_units

    names: list[str] = []
    for piece in _SEPARATORS.split(text.replace("\r", "")):
        for name in split_units(piece) if "\n" in piece else [squeeze(piece)]:
            name = _OPEN_TAIL.sub("", squeeze(name)).strip("。.")
            if name and name not in names:
                names.append(name)
    return names


def _task(plan_id: str, local: str, row: _Row) -> Task:
    values = row.values
    notes: list[str] = []
    title_text = tidy(values.get("title", "")) or tidy(values.get("key_work", ""))
    measures = tidy(values.get("measures", ""))
    key_work = tidy(values.get("key_work", "")) if squeeze(values.get("title", "")) else ""
    if title_text and not measures and _SENTENCE.search(title_text.rstrip("。.；;")):
        measures, title_text = title_text, ""  # a whole measure in the task column: its first phrase is the title
    title = title_text or _first_clause(tidy((values.get("measures", "") or measures).strip().split("\n")[0]))
    title = title.rstrip("。.；;，,") or title
    if not title_text:
        notes.append("标题取自措施列的第一句")
    roles: dict[str, list[str]] = {"lead": [], "coop": [], "resp": []}
    for key in _UNIT_FIELDS:
        for role, names in units_of(values.get(key, ""), key).items():
            roles[role] += [n for n in names if n not in roles[role]]
    if not any(squeeze(values.get(k, "")) for k in _UNIT_FIELDS):
        inline = _inline_clause(measures or title_text)
        if inline is not None:
            roles = inline
            notes.append("单位取自任务文字中的责任条款")
    if not roles["resp"] and "resp" not in values:
        roles["resp"] = list(roles["lead"])
    persons = persons_of(values.get("persons", ""))
    deadline = tidy(values.get("deadline", ""))
    if "deadline" not in values:  # a table without a time column: a date in the measure is the deadline
        from scheduler.plans.importers.narrative import find_deadline_phrase

        deadline = find_deadline_phrase(f"{measures}。{title_text}")
        if deadline:
            notes.append("完成时限取自措施文字")
    if not deadline and row.period:
        deadline = row.period
        notes.append(f"完成时限取自表头：{row.period}")
    if row.merged:
        notes.append("沿用上一行（合并单元格）：" + "、".join(FIELD_NAMES[k] for k in row.merged))
    if not deadline:
        notes.append("完成时限空白，待协调人确认")
    if not (roles["lead"] or roles["resp"]):
        notes.append("牵头单位和责任单位均空白，待协调人确认")
    local = re.sub(r"[^A-Za-z0-9.-]", "-", local)
    return Task(id=f"{plan_id}/{local}", category=row.category, key_work=key_work, title=title,
                measures=measures if measures != title else "", deadline_text=deadline,
                lead_units=roles["lead"], cooperating_units=roles["coop"], responsible_units=roles["resp"],
                responsible_persons=[PersonRef(name=p) for p in persons], remarks=tidy(values.get("remarks", "")),
                source=row.grid.source(row.cells[0].row), notes=notes)


def _inline_clause(text: str) -> dict[str, list[str]] | None:
    """Read a responsibility clause written inside the task text ("……（市住建局牵头，……配合）")."""
    from scheduler.plans.clauses import find_clause

    found = find_clause(text)
    if found is None or found[1].is_empty():
        return None
    clause = found[1]
    return {"lead": list(clause.lead_units), "coop": list(clause.cooperating_units),
            "resp": list(clause.responsible_units or clause.lead_units)}


_BRACKETED = re.compile(r"[（(【〔［\[][^（(【〔［\[）)】〕］\]]*[）)】〕］\]]")


def _first_clause(text: str) -> str:
    """A title from the measure text: its first phrase, without a bracketed clause."""
    plain = _BRACKETED.sub("", text).strip() or text
    return re.split(r"[，。；,;：:]", plain, maxsplit=1)[0][:40]
