"""Read pipe tables from markdown, and import seed 004's ledger (泽州县 2023) from them.

附件1 holds the monthly pre-control targets: a header of alternating "2022 年 | 2023 年" columns,
a row naming the pollutant over each pair (SO ₂, NO ₂, PM ₁₀, CO, O ₃, PM _{2.5}), then 1 月..12 月
and 全年. Only the plan year's columns become targets (the previous year's actuals have no place
in the ledger model). 附件2 is the task ledger, split over several tables that repeat the header;
任务类别 is blank where the category continues and inherits down. Markdown cannot merge cells, so
a blank 牵头单位 is left blank with a note for the coordinator rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import Problem, read_text_input
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.table_text import tidy
from scheduler.plans.ledger import DustFallCap, MonthlyTarget, Task
from scheduler.text import squeeze

_SEPARATOR = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_DUST = re.compile(r"(\d+(?:\.\d+)?)吨/月·平方公里")
_MONTH = re.compile(r"^(\d{1,2})月$")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_METRICS = ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")
_LEDGER_COLUMNS = ("任务类别", "序号", "具体措施", "完成时限", "牵头单位", "备注")


@dataclass
class MarkdownRow:
    """One body row of a pipe table, with the line it stands on."""

    line: int  # 1-based
    cells: list[str]


@dataclass
class MarkdownTable:
    """A pipe table: its header, body rows, and what could not be read as a row."""

    line: int  # the header's line
    header: list[str]
    rows: list[MarkdownRow] = field(default_factory=list)
    issues: list[tuple[int, str]] = field(default_factory=list)  # (line, 中文说明)


def _split(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [cell.strip() for cell in body.split("|")]


def read_markdown_tables(lines: list[str]) -> list[MarkdownTable]:
    """Find every pipe table (a header line followed by a --- separator) and read its rows."""
    tables: list[MarkdownTable] = []
    current: MarkdownTable | None = None
    index = 0
    while index < len(lines):
        text = lines[index].strip()
        number = index + 1
        if (text.startswith("|") and index + 1 < len(lines)
                and _SEPARATOR.match(lines[index + 1].strip()) and "-" in lines[index + 1]):
            current = MarkdownTable(number, _split(text))
            tables.append(current)
            index += 2
            continue
        if current is not None and text.startswith("|"):
            if not text.endswith("|") or len(text) == 1:
                current.issues.append((number, "表格行不完整（缺少结尾的 |），未导入"))
            else:
                cells = _split(text)
                if len(cells) != len(current.header):
                    count, width = len(cells), len(current.header)
                    message = f"本行有 {count} 个单元格，表头有 {width} 列，未导入"
                    current.issues.append((number, message))
                else:
                    current.rows.append(MarkdownRow(number, cells))
        elif text:
            current = None
        index += 1
    return tables


def _metric(cell: str) -> str | None:
    name = squeeze(cell).translate(_SUBSCRIPTS).replace("_", "").replace("{", "").replace("}", "")
    return name if name in _METRICS else None


def _monthly_targets(table: MarkdownTable, file: str, region: str, year: int,
                     result: ImportResult) -> None:
    year_columns = [i for i, h in enumerate(table.header) if squeeze(h) == f"{year}年"]
    if not year_columns:
        result.problems.append(Problem(file, table.line, f"附件1 表头中没有「{year} 年」列"))
        return
    metric_of: dict[int, str] = {}
    months_seen: set[int] = set()
    for row in table.rows:
        label = squeeze(row.cells[0])
        if not label:  # the pollutant row: a name over each pair of year columns
            last = None
            for i, cell in enumerate(row.cells):
                last = _metric(cell) or (last if not squeeze(cell) else None)
                if last and i:
                    metric_of[i] = last
            continue
        match = _MONTH.match(label)
        if label == "全年":
            month, bucket = 12, result.targets.annual
        elif match and 1 <= int(match.group(1)) <= 12:
            month, bucket = int(match.group(1)), result.targets.monthly
            months_seen.add(month)
        else:
            result.problems.append(
                Problem(file, row.line, f"附件1 无法识别的月份「{row.cells[0]}」"))
            continue
        for column in year_columns:
            metric = metric_of.get(column)
            value = squeeze(row.cells[column])
            if metric is None:
                result.problems.append(
                    Problem(file, row.line, f"附件1 第 {column + 1} 列没有污染物名称"))
            elif not re.fullmatch(r"\d+(\.\d+)?", value):
                message = f"附件1「{label}」{metric} 的目标值「{value}」不是数字，未导入"
                result.problems.append(Problem(file, row.line, message))
            else:
                bucket.append(MonthlyTarget(region=region, year=year, month=month, metric=metric,
                                            value=float(value), source=f"{file}:{row.line}"))
    missing = sorted(set(range(1, 13)) - months_seen)
    if missing:
        result.problems.append(Problem(
            file, table.line, "附件1 缺少月份：" + "、".join(f"{m} 月" for m in missing)))


def _title(measure: str) -> str:
    """Return the measure's first clause, up to the first ，。；(or , ;) or 40 characters."""
    return re.split(r"[，。；,;]", measure, maxsplit=1)[0][:40]


def _ledger_tasks(tables: list[MarkdownTable], file: str, plan_id: str, region: str,
                  result: ImportResult) -> None:
    category = ""
    seen: set[str] = set()
    for table in tables:
        for row in table.rows:
            cells = dict(zip(_LEDGER_COLUMNS, row.cells))
            number = squeeze(cells["序号"])
            if not number.isdigit():
                message = f"附件2 序号「{cells['序号']}」不是数字，未导入"
                result.problems.append(Problem(file, row.line, message))
                continue
            if number in seen:
                result.problems.append(Problem(file, row.line, f"附件2 序号 {number} 重复，未导入"))
                continue
            seen.add(number)
            notes = []
            if squeeze(cells["任务类别"]):
                category = tidy(cells["任务类别"])
            elif category:
                notes.append("任务类别沿用上一行")
            measure = tidy(cells["具体措施"])
            units = [u for u in (squeeze(p) for p in cells["牵头单位"].split("、")) if u]
            if not units:
                notes.append("牵头单位空白，待协调人确认")
            result.tasks.append(Task(
                id=f"{plan_id}/{int(number)}", category=category, title=_title(measure),
                measures=measure, deadline_text=squeeze(cells["完成时限"]), lead_units=units,
                responsible_units=list(units), remarks=tidy(cells["备注"]),
                source=f"{file}:{row.line}", notes=notes))
            for match in _DUST.finditer(squeeze(measure)):
                result.targets.dust_fall.append(DustFallCap(
                    region=region, cap=float(match.group(1)), source=f"{file}:{row.line}"))


def import_markdown_ledger(path: str | Path, plan_id: str, region: str, year: int) -> ImportResult:
    """Import seed 004: 附件1 monthly and annual targets, 附件2 task rows."""
    path = Path(path)
    file = path.name
    tables = read_markdown_tables(read_text_input(path).splitlines())
    result = ImportResult()
    ledger_tables = []
    for table in tables:
        result.problems += [Problem(file, line, message) for line, message in table.issues]
        header = [squeeze(h) for h in table.header]
        if header and header[0] == "月份":
            _monthly_targets(table, file, region, year, result)
        elif tuple(header) == _LEDGER_COLUMNS:
            ledger_tables.append(table)
        else:
            message = "无法识别的表格表头：" + " | ".join(header)
            result.problems.append(Problem(file, table.line, message))
    _ledger_tasks(ledger_tables, file, plan_id, region, result)
    if not ledger_tables:
        result.problems.append(Problem(file, None, "未找到附件2 任务台账表格"))
    return result
