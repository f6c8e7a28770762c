"""Read task tables from an Excel (.xlsx) workbook, merged cells included, into the ledger.

Every sheet is one table. openpyxl keeps a merged area's value in its top-left cell and lists the
areas in `merged_cells`; both go into the grid so `scheduler.plans.importers.layouts` fills merged cells
the way a reader sees them. Values are read as Excel last computed them (formulas' cached results);
numbers that are whole print without ".0", dates as 2019年12月31日, error values are reported.
"""

from __future__ import annotations

import zipfile
import zlib
from datetime import date, datetime, time
from pathlib import Path

from scheduler.errors import InputError
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.grid import Grid, build_grid
from scheduler.plans.importers.layouts import import_grids


def cell_text(value: object) -> str:
    """Return the text a spreadsheet cell shows for the kinds of values task tables hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("_x000D_", "")


def read_xlsx_grids(path: str | Path) -> list[Grid]:
    """Return every worksheet of an .xlsx workbook as a grid, in workbook order."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    # a damaged workbook: truncated deflate stream or malformed XML (parse errors are SyntaxErrors)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError,
            OSError, NotImplementedError) as exc:
        raise InputError.single(path.name, None, f"无法作为 Excel（.xlsx）文件打开：{exc}") from exc
    formulas = _uncached_formulas(path)
    grids = []
    for sheet in workbook.worksheets:
        values: dict[tuple[int, int], str] = {}
        errors: dict[tuple[int, int], str] = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    if (sheet.title, cell.coordinate) in formulas:
                        errors[(cell.row, cell.column)] = "公式没有保存计算结果，请在 Excel/WPS 中打开后保存再导入"
                    continue
                if cell.data_type == "e":
                    errors[(cell.row, cell.column)] = str(cell.value)
                else:
                    values[(cell.row, cell.column)] = cell_text(cell.value)
        merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
        grids.append(build_grid(path.name, sheet.title, values, merges, errors))
    workbook.close()
    return grids


def _uncached_formulas(path: Path) -> set[tuple[str, str]]:
    """Return (sheet, cell) of every formula: a file written by a program rather than saved by
    Excel has no computed values, and its formula cells would read as blank."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=False)
    found = {(sheet.title, cell.coordinate) for sheet in workbook.worksheets for row in sheet.iter_rows()
             for cell in row if cell.data_type == "f"}
    workbook.close()
    return found


def import_xlsx_tables(path: str | Path, plan_id: str, region: str, year: int) -> ImportResult:
    """Import the task tables (and seed target and project tables) of every sheet of an .xlsx file."""
    return import_grids(read_xlsx_grids(path), plan_id, region, year)
