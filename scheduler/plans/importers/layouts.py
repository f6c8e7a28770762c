"""The table layouts a grid can have, and how each becomes ledger rows:

- a task breakdown (类别 / 重点工作 / 主要任务 / 完成时限 / 工程措施 / 牵头单位 / 配合单位 /
  责任单位 / 责任人, as seed 000 附件3), tasks `<plan>/rNNN` numbered by body row;
- a task ledger (任务类别 / 序号 / 具体措施 / 完成时限 / 牵头单位 / 备注, as seed 004 附件2),
  tasks `<plan>/<序号>`;
- the county targets of seed 000 附件1, its railway projects (附件2) and seed 004's monthly
  targets (附件1).

A cell merged down over several rows belongs to each of them (the task records
"沿用上一行（合并单元格）" as the text importers do). In the label columns (类别, 重点工作, 主要任务)
a blank cell also continues the row above, as in the text exports, but only under a label that
continues. Every cell that cannot be used is reported with its sheet, row and column, and the
row's other cells, and the other rows, still import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scheduler.display import progress
from scheduler.errors import Problem
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.grid import Cell, Grid
from scheduler.plans.importers.headers import FIELD_NAMES, header_of
from scheduler.plans.importers.table_text import split_persons, split_units, tidy
from scheduler.plans.ledger import CountyTarget, DustFallCap, MonthlyTarget, PersonRef, Task
from scheduler.text import squeeze

_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_DUST = re.compile(r"(\d+(?:\.\d+)?)吨/月·平方公里")
_MONTH = re.compile(r"^(\d{1,2})月$")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_METRICS = ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")
_SEPARATORS = re.compile(r"[、，,；;](?![^（(]*[）)])")  # not inside （…）: 各县（市、区）人民政府
_HEADER_SCAN = 15  # a header sits in the first rows of a table
_REGION_HEADERS = ("县区", "县（区）", "县(区)", "区县", "地区", "县（市、区）")


@dataclass
class _Context:
    plan_id: str
    region: str
    year: int
    result: ImportResult = field(default_factory=ImportResult)
    main_tasks: list[Task] = field(default_factory=list)
    project_tasks: list[Task] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)


def import_grids(grids: list[Grid], plan_id: str, region: str, year: int) -> ImportResult:
    """Import every recognised table of a file; the task tables' rows come first, then project lists."""
    ctx = _Context(plan_id, region, year)
    for grid in grids:
        if not grid.rows:
            continue
        for cells in grid.rows:
            for cell in cells:
                if cell.error:
                    ctx.result.problems.append(grid.problem(cell, f"单元格的值无法读取（{cell.error}），按空白处理"))
        for reader in (_county_targets, _railway_projects, _monthly_targets, _task_table):
            if reader(grid, ctx):
                break
        else:
            first = next((c for c in grid.rows[0] if c.text), grid.rows[0][0])
            ctx.result.problems.append(grid.problem(
                first, "无法识别的表格：前几行中没有任务表头（如 类别/主要任务/完成时限/牵头单位，"
                       "或 任务类别/序号/具体措施/完成时限/牵头单位），未导入"))
    ctx.result.tasks = ctx.main_tasks + ctx.project_tasks
    if not ctx.result.tasks:
        ctx.result.problems.append(Problem(grids[0].file if grids else "", None, "文件中没有可导入的任务表格"))
    return ctx.result


def _task_table(grid: Grid, ctx: _Context) -> bool:
    for index, cells in enumerate(grid.rows[:_HEADER_SCAN]):
        columns = header_of(grid, cells)
        if columns is None:
            continue
        body = grid.rows[index + 1:]
        header_texts = [squeeze(grid.shown(c)) for c in cells]
        body = [r for r in body if [squeeze(grid.shown(c)) for c in r] != header_texts]  # repeated headers
        _report_unmapped(grid, cells, columns, body, ctx)
        if "title" not in columns and "number" in columns:
            _ledger_rows(grid, columns, body, ctx)
        else:
            _breakdown_rows(grid, columns, body, ctx)
        return True
    return False


def _report_unmapped(grid: Grid, header: list[Cell], columns: dict[str, int], body: list[list[Cell]],
                     ctx: _Context) -> None:
    """Report every non-blank cell standing in a column the header does not name."""
    used = set(columns.values())
    for cell in header:
        if cell.column not in used and squeeze(grid.shown(cell)) and not cell.merged_across:
            ctx.result.problems.append(grid.problem(
                cell, f"表头「{squeeze(grid.shown(cell))}」无法对应到台账字段，本列未导入"))
    for cells in body:
        for cell in cells:
            if cell.column not in used and squeeze(cell.text) and not cell.origin:
                ctx.result.problems.append(grid.problem(
                    cell, f"单元格「{squeeze(cell.text)[:20]}」不在任何可识别的列下，未导入"))


def _unit_list(text: str) -> list[str]:
    """Split a unit cell: one per line as Word tables write them, or 、/，/； as spreadsheets do."""
    return split_units(_SEPARATORS.sub("\n", text or ""))


def _first_clause(text: str) -> str:
    return re.split(r"[，。；,;]", text, maxsplit=1)[0][:40]


def _pair(names: list[str], units: list[str], notes: list[str]) -> list[PersonRef]:
    if names and len(names) != len(units):
        notes.append(f"责任人 {len(names)} 名与责任单位 {len(units)} 个数量不一致，"
                     f"按顺序配对前 {min(len(names), len(units))} 名")
    return [PersonRef(name=name, unit=units[i] if i < len(units) else "") for i, name in enumerate(names)]


def _dust(ctx: _Context, task: Task) -> None:
    for match in _DUST.finditer(squeeze(task.measures)):
        ctx.result.targets.dust_fall.append(DustFallCap(region=ctx.region, cap=float(match.group(1)),
                                                        source=task.source))


def _add(ctx: _Context, grid: Grid, cell: Cell, task: Task, into: list[Task]) -> None:
    if task.id in ctx.seen_ids:
        ctx.result.problems.append(grid.problem(cell, f"任务编号 {task.id} 重复，本行未导入"))
        return
    ctx.seen_ids.add(task.id)
    into.append(task)


_ORDER = ("category", "key_work", "title", "deadline", "measures", "lead", "coop", "resp", "persons")
_LABELS = ("category", "key_work", "title")
_UNITS = ("lead", "coop", "resp", "persons")


def _breakdown_rows(grid: Grid, columns: dict[str, int], body: list[list[Cell]], ctx: _Context) -> None:
    """Seed 000 附件3's layout: one task per body row, numbered rNNN by its place in the table."""
    prev: dict[str, str] | None = None
    labels = [key for key in _LABELS if key in columns]  # a blank label continues only under one that does
    for number, cells in enumerate(progress(body, f"导入「{grid.sheet}」"), start=1):
        cell = {key: cells[col - 1] for key, col in columns.items() if col - 1 < len(cells)}
        if not any(squeeze(grid.shown(c)) for c in cells):
            continue
        values: dict[str, str] = {}
        inherited: list[str] = []
        for key in _ORDER:
            c = cell.get(key)
            if c is None:
                values[key] = ""
                continue
            text, merged = grid.shown(c), c.merged_down
            continues = prev is not None and not squeeze(text) and key in labels and (
                key == labels[0] or labels[labels.index(key) - 1] in inherited)
            if key == "deadline" and prev is not None and not squeeze(text) and "title" in inherited:
                continues = True
            if merged or continues:
                inherited.append(key)
                if continues and not merged and prev is not None:
                    text = prev[key]
            values[key] = text
        category, key_work, title = (tidy(values[k]) for k in _LABELS)
        measures, deadline = tidy(values["measures"]), squeeze(values["deadline"])
        if not (title or measures):
            ctx.result.problems.append(grid.problem(
                cell.get("title", cells[0]), "本行没有主要任务，也没有工程措施，未导入"))
            continue
        notes = []
        if inherited:
            notes.append("沿用上一行（合并单元格）：" + "、".join(FIELD_NAMES[k] for k in inherited))
        if not deadline and "deadline" not in inherited:
            notes.append("完成时限空白，待协调人确认")
        lead, coop, resp = (_unit_list(values[k]) for k in ("lead", "coop", "resp"))
        persons = _pair(split_persons(values["persons"]), resp, notes)
        if not deadline and not measures and not any(squeeze(values[k]) for k in _UNITS):
            notes.append("本行只有标题：完成时限、工程措施和单位在原表中为空或与相邻行合并，待协调人确认")
        elif not (lead or resp):
            notes.append("牵头单位和责任单位均空白，待协调人确认")
        if not title:
            title = _first_clause(measures)
            notes.append("主要任务空白，标题取自工程措施")
        row = cells[0].row
        task = Task(id=f"{ctx.plan_id}/r{number:03d}", category=category, key_work=key_work, title=title,
                    measures=measures, deadline_text=deadline, lead_units=lead, cooperating_units=coop,
                    responsible_units=resp, responsible_persons=persons, source=grid.source(row), notes=notes)
        _add(ctx, grid, cells[0], task, ctx.main_tasks)
        _dust(ctx, task)
        prev = values


def _ledger_rows(grid: Grid, columns: dict[str, int], body: list[list[Cell]], ctx: _Context) -> None:
    """Seed 004 附件2's layout: 任务类别 / 序号 / 具体措施 / 完成时限 / 牵头单位 / 备注."""
    category = ""
    for cells in progress(body, f"导入「{grid.sheet}」"):
        if not any(squeeze(grid.shown(c)) for c in cells):
            continue
        cell = {key: cells[col - 1] for key, col in columns.items() if col - 1 < len(cells)}

        def value(key: str) -> str:
            return grid.shown(cell[key]) if key in cell else ""  # noqa: B023

        number = squeeze(value("number"))
        if not number.isdigit():
            shown = value("number")
            ctx.result.problems.append(grid.problem(cell["number"], f"序号「{shown}」不是数字，本行未导入"))
            continue
        notes = []
        own = cell.get("category")
        if own is not None and squeeze(own.text) and not own.origin:
            category = tidy(own.text)
        elif category:
            notes.append("任务类别沿用上一行")
        for key in ("deadline", "lead", "resp", "remarks"):
            if key in cell and cell[key].merged_down:
                notes.append(f"{FIELD_NAMES[key]}沿用上一行（合并单元格）")
        measures = tidy(value("measures"))
        lead = [u for u in (squeeze(p) for p in _SEPARATORS.sub("、", value("lead")).split("、")) if u]
        resp = _unit_list(value("resp")) if "resp" in cell else list(lead)
        if not lead and not resp:
            notes.append("牵头单位空白，待协调人确认")
        title = tidy(value("title")) if "title" in cell else ""
        row = cells[0].row
        task = Task(id=f"{ctx.plan_id}/{int(number)}", category=category, title=title or _first_clause(measures),
                    measures=measures, deadline_text=squeeze(value("deadline")), lead_units=lead,
                    cooperating_units=_unit_list(value("coop")), responsible_units=resp,
                    responsible_persons=_pair(split_persons(value("persons")), resp, notes),
                    remarks=tidy(value("remarks")), source=grid.source(row), notes=notes)
        if task.id in ctx.seen_ids:
            ctx.result.problems.append(grid.problem(cell["number"], f"序号 {number} 重复，本行未导入"))
            continue
        _add(ctx, grid, cell["number"], task, ctx.main_tasks)
        _dust(ctx, task)


def _county_targets(grid: Grid, ctx: _Context) -> bool:
    """Seed 000 附件1: 序号 / 县区 / PM2.5 baseline, reduction % / heavy days baseline, reduction."""
    head = grid.rows[:_HEADER_SCAN]
    region_col = next((c.column for r in head for c in r if squeeze(grid.shown(c)) in _REGION_HEADERS), None)
    if region_col is None or not any("PM2.5" in squeeze(grid.shown(c)) for r in head for c in r):
        return False
    values_from = region_col + 1
    for cells in grid.rows:
        texts = [squeeze(grid.shown(c)) for c in cells]
        numbers = texts[values_from - 1:values_from + 3]
        if not any(_NUMBER.match(t) for t in numbers):
            continue  # header rows
        name = texts[region_col - 1] or (texts[region_col - 2] if region_col > 1 else "")
        parsed: list[float | None] = []
        for offset, text in enumerate(numbers):
            if _NUMBER.match(text):
                parsed.append(float(text))
            elif text == "持续改善" and offset in (1, 3):
                parsed.append(None)
            else:
                target = cells[values_from - 1 + offset] if values_from - 1 + offset < len(cells) else cells[-1]
                ctx.result.problems.append(grid.problem(target, f"「{name}」的数值「{text}」无法识别，本行未导入"))
                break
        else:
            if len(parsed) == 4:
                ctx.result.targets.county.append(CountyTarget(
                    region=name, pm25_baseline=parsed[0], pm25_reduction_pct=parsed[1],
                    heavy_days_baseline=parsed[2], heavy_days_reduction=parsed[3], source=grid.source(cells[0].row)))
    return True


_RAILWAY = {"number": ("序号",), "bureau": ("铁路局",), "site": ("企业", "物流园区"), "project": ("项目名称",),
            "station": ("接轨站",), "started": ("开工",), "deadline": ("完工", "完成时限")}


def _railway_projects(grid: Grid, ctx: _Context) -> bool:
    """Seed 000 附件2: railway sidings, one task per project, due at 完工时间."""
    for index, cells in enumerate(grid.rows[:_HEADER_SCAN]):
        columns: dict[str, int] = {}
        for cell in cells:
            text = squeeze(grid.shown(cell))
            for key, words in _RAILWAY.items():
                if key not in columns and any(w in text for w in words):
                    columns[key] = cell.column
                    break
        if not {"project", "station", "number"} <= set(columns):
            continue
        for row in grid.rows[index + 1:]:
            texts = {key: tidy(grid.shown(row[col - 1])) for key, col in columns.items()}
            if not any(texts.values()):
                continue
            if not texts["number"].isdigit():
                ctx.result.problems.append(grid.problem(
                    row[columns["number"] - 1], f"序号「{texts['number']}」不是数字，本行未导入"))
                continue
            missing = [k for k in ("project", "site", "deadline") if not texts.get(k)]
            if missing:
                ctx.result.problems.append(grid.problem(
                    row[columns.get(missing[0], columns["project"]) - 1], "本行缺少项目名称、企业或完工时间，未导入"))
                continue
            site, started = texts["site"], texts.get("started", "")
            task = Task(
                id=f"{ctx.plan_id}/rail-{texts['number']}", category="铁路专用线重点建设项目", title=texts["project"],
                measures=f"港区/物流园区/企业：{site}；铁路局：{texts.get('bureau', '')}；"
                         f"接轨站：{texts['station']}；开工时间：{started}",
                deadline_text=squeeze(texts["deadline"]), responsible_units=[squeeze(site)],
                remarks=f"开工时间 {started}", source=grid.source(row[0].row))
            _add(ctx, grid, row[0], task, ctx.project_tasks)
        return True
    return False


def _metric(text: str) -> str | None:
    name = squeeze(text).translate(_SUBSCRIPTS).replace("_", "").replace("{", "").replace("}", "")
    return name if name in _METRICS else None


def _monthly_targets(grid: Grid, ctx: _Context) -> bool:
    """Seed 004 附件1: months down, a "YYYY年" pair of columns per pollutant, pollutants in a row
    under the header (each name merged across its two year columns)."""
    header_index = next((i for i, r in enumerate(grid.rows[:_HEADER_SCAN]) if squeeze(r[0].text) == "月份"), None)
    if header_index is None:
        return False
    header = grid.rows[header_index]
    year_columns = [c.column for c in header if squeeze(grid.shown(c)) == f"{ctx.year}年"]
    if not year_columns:
        ctx.result.problems.append(grid.problem(header[0], f"表头中没有「{ctx.year}年」列，未导入月度目标"))
        return True
    metric_of: dict[int, str] = {}
    months_seen: set[int] = set()
    for cells in grid.rows[header_index + 1:]:
        label = squeeze(cells[0].text)
        if not label:  # the pollutant row: a name over each pair of year columns
            last = None
            for cell in cells[1:]:
                last = _metric(cell.text) or (last if not squeeze(cell.text) else None)
                if last:
                    metric_of[cell.column] = last
            continue
        match = _MONTH.match(label)
        if label == "全年":
            month, bucket = 12, ctx.result.targets.annual
        elif match and 1 <= int(match.group(1)) <= 12:
            month, bucket = int(match.group(1)), ctx.result.targets.monthly
            months_seen.add(month)
        else:
            ctx.result.problems.append(grid.problem(cells[0], f"无法识别的月份「{cells[0].text}」，本行未导入"))
            continue
        for column in year_columns:
            cell = cells[column - 1]
            metric, value = metric_of.get(column), squeeze(cell.text)
            if metric is None:
                ctx.result.problems.append(grid.problem(cell, "本列没有污染物名称，未导入"))
            elif not re.fullmatch(r"\d+(\.\d+)?", value):
                ctx.result.problems.append(
                    grid.problem(cell, f"「{label}」{metric} 的目标值「{value}」不是数字，未导入"))
            else:
                bucket.append(MonthlyTarget(region=ctx.region, year=ctx.year, month=month, metric=metric,
                                            value=float(value), source=grid.source(cells[0].row)))
    missing = sorted(set(range(1, 13)) - months_seen)
    if missing:
        ctx.result.problems.append(grid.problem(header[0], "缺少月份：" + "、".join(f"{m} 月" for m in missing)))
    return True
