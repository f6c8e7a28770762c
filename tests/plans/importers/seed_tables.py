"""Build real .docx and .xlsx task tables from the seed documents, merged cells and all.

The seed extracts are the Word and markdown text of the original tables; these helpers lay the
same tables out again as Word and Excel would hold them: the 附件1 header of seed 000 with its
cells merged down and across, 主城区 and 全市平均 across 序号 and 县区, and in 附件3 every cell that
the text export left blank because the table merges it with the row above (the text importer
records those as "沿用上一行（合并单元格）：…") merged down again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.plans.importers.markdown import read_markdown_tables
from scheduler.plans.importers.seeds import SEED_PLANS, build_seed_ledger
from scheduler.plans.importers.table_text import read_tab_table
from scheduler.plans.ledger import Ledger

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "data" / "sources"

BREAKDOWN_HEADER = ["类别", "重点\n工作", "主要任务", "完成时限", "工  程  措  施", "牵头单位", "配合单位", "责任单位",
                    "责任人"]
COLUMN_OF = {"类别": 1, "重点工作": 2, "主要任务": 3, "完成时限": 4, "工程措施": 5, "牵头单位": 6, "配合单位": 7,
             "责任单位": 8, "责任人": 9}


@dataclass
class TableSpec:
    """One table: a heading above it (Word) or sheet name (Excel), rows of cell text, and merged
    areas as (top, left, bottom, right), 1-based within the table."""

    name: str
    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def without_sources(ledger: Ledger) -> dict:
    """Return a ledger as data without the fields that name the file and line it came from."""
    data = ledger.model_dump(mode="json")
    data["plan"].pop("source_file")
    for task in data["tasks"]:
        task.pop("source")
    for items in data["targets"].values():
        for item in items:
            item.pop("source")
    return data


def _merge_down(rows: list[list[str]], merges: list, blanks: list[tuple[int, int]]) -> None:
    """Merge each (row, column) in `blanks` with the cell above, extending merges already open."""
    open_: dict[tuple[int, int], list[int]] = {}  # (column, bottom) -> area
    for row, column in sorted(blanks):
        rows[row - 1][column - 1] = ""
        area = open_.pop((column, row - 1), None) or [row - 1, column, row - 1, column]
        area[2] = row
        open_[(column, row)] = area
    merges.extend(tuple(area) for area in open_.values())


def _lines() -> list[str]:
    return (SEEDS / SEED_PLANS[0].file).read_text(encoding="utf-8").splitlines()


def _attachment_rows(lines: list[str], number: int, columns: int) -> list[list[str]]:
    heads = [i + 1 for i, line in enumerate(lines) if re.sub(r"\[bookmark: [^\]]*\]", "", line).strip()
             == f"附件{number}"]
    start = next(n for n in range(heads[0] + 1, len(lines)) if "\t" in lines[n - 1])
    end = next((i + 1 for i, line in enumerate(lines) if i + 1 > start and line.strip().startswith("附件")),
               len(lines)) - 1
    rows, problems = read_tab_table(lines, start, end, columns)
    assert not problems
    return [row.cells for row in rows]


def seed_000_tables() -> list[TableSpec]:
    """Seed 000's three attachments as the Word document holds them."""
    lines = _lines()
    county = TableSpec("附件1", [], [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4), (1, 5, 1, 6)])
    for index, cells in enumerate(_attachment_rows(lines, 1, 6), start=1):
        if index == 1:  # 序号 | 县区 | PM2.5… (two columns) | 重污染… (two columns)
            county.rows.append([cells[0], cells[1], cells[2], "", cells[3], ""])
        elif index == 2:
            county.rows.append(["", "", *cells[2:]])
        elif len(cells) == 5:  # 主城区 and 全市平均 span 序号 and 县区
            county.rows.append([cells[0], "", *cells[1:]])
            county.merges.append((index, 1, index, 2))
        else:
            county.rows.append(list(cells))
    railway = TableSpec("附件2", [list(cells) for cells in _attachment_rows(lines, 2, 9)])

    ledger, _ = build_seed_ledger(SEED_PLANS[0], SEEDS)
    breakdown = TableSpec("附件3", [list(BREAKDOWN_HEADER)])
    blanks: list[tuple[int, int]] = []
    for task in (t for t in ledger.tasks if re.search(r"/r\d+$", t.id)):
        breakdown.rows.append([task.category, task.key_work, task.title, task.deadline_text, task.measures,
                               "\n".join(task.lead_units), "\n".join(task.cooperating_units),
                               "\n".join(task.responsible_units),
                               "\n".join(p.name for p in task.responsible_persons)])
        for note in task.notes:
            if note.startswith("沿用上一行（合并单元格）："):
                names = note.split("：", 1)[1].split("、")
                blanks += [(len(breakdown.rows), COLUMN_OF[name]) for name in names]
    _merge_down(breakdown.rows, breakdown.merges, blanks)
    return [county, railway, breakdown]


def seed_004_tables() -> list[TableSpec]:
    """Seed 004's two attachments as an Excel workbook: the monthly targets with the pollutant names
    merged over their two year columns and 月份 merged down, the task ledger with 任务类别 merged down
    over the rows the markdown leaves blank, and the header repeated where the markdown repeats it."""
    tables = read_markdown_tables((SEEDS / SEED_PLANS[4].file).read_text(encoding="utf-8").splitlines())
    monthly, *ledger_tables = tables
    targets = TableSpec("附件1", [list(monthly.header)], [(1, 1, 2, 1)])
    for index, row in enumerate(monthly.rows, start=2):
        targets.rows.append(list(row.cells))
        if index == 2:
            targets.merges += [(2, c, 2, c + 1) for c in range(2, len(row.cells), 2)]
    tasks = TableSpec("附件2", [])
    blanks = []
    for table in ledger_tables:
        tasks.rows.append(list(table.header))
        for row in table.rows:
            tasks.rows.append(list(row.cells))
            if not row.cells[0].strip():
                blanks.append((len(tasks.rows), 1))
    _merge_down(tasks.rows, tasks.merges, blanks)
    return [targets, tasks]


def write_docx(tables: list[TableSpec], path: Path) -> Path:
    """Write the tables to a Word document, each under its 附件 heading, merges as Word makes them."""
    import docx

    document = docx.Document()
    for spec in tables:
        document.add_paragraph(spec.name)
        width = max(len(r) for r in spec.rows)
        table = document.add_table(rows=len(spec.rows), cols=width)
        table.style = "Table Grid"
        for r, cells in enumerate(spec.rows):
            for c, text in enumerate(cells):
                if text:
                    table.cell(r, c).text = text
        for top, left, bottom, right in spec.merges:
            table.cell(top - 1, left - 1).merge(table.cell(bottom - 1, right - 1))
    document.save(str(path))
    return path


def write_xlsx(tables: list[TableSpec], path: Path, offset: int = 0) -> Path:
    """Write each table to its own sheet (starting `offset` rows down, under a title), merges kept."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in tables:
        sheet = workbook.create_sheet(spec.name)
        if offset:
            sheet.cell(1, 1, f"{spec.name} 表格")
        for r, cells in enumerate(spec.rows, start=1 + offset):
            for c, text in enumerate(cells, start=1):
                if text:
                    sheet.cell(r, c, text)
        for top, left, bottom, right in spec.merges:
            sheet.merge_cells(start_row=top + offset, start_column=left, end_row=bottom + offset, end_column=right)
    workbook.save(path)
    return path
