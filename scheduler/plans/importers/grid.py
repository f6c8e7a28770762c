"""Tables read from Word and Excel files as grids of cells, with their merges.

A `Grid` is one table (a Word table or an Excel sheet) as cells with their position and, for a
cell inside a merged area, the area's top-left cell. The readers (docx_table, xlsx_table) build
grids with `build_grid`; `layouts.import_grids` recognises each grid by its header (`headers`)
and turns its rows into ledger rows.

Merged cells are read the way a reader sees them: a cell merged down over several rows belongs to
each of them, a cell merged across columns belongs to its first column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduler.errors import Problem


@dataclass(frozen=True)
class Cell:
    """One grid position. `text` is the cell's own text ("" inside a merge that started elsewhere)."""

    row: int  # 1-based row as the file counts it (Excel row number, Word table row)
    column: int  # 1-based
    text: str = ""
    origin: tuple[int, int] | None = None  # (row, column) of the merge's top-left cell, if continued
    error: str = ""  # a value that cannot be read, e.g. Excel's #REF!

    @property
    def merged_down(self) -> bool:
        """A cell that continues, in the same column, a merge begun in a row above."""
        return self.origin is not None and self.origin[0] < self.row and self.origin[1] == self.column

    @property
    def merged_across(self) -> bool:
        """A cell that continues a merge begun in a column to its left."""
        return self.origin is not None and self.origin[1] < self.column


def column_letter(column: int) -> str:
    """Return Excel's column name (1 -> A, 27 -> AA); Word tables are reported the same way."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass
class Grid:
    """One table of a file: rows of cells, every row as wide as the widest."""

    file: str
    sheet: str  # the sheet's name, or for Word "表N" / the "附件N" heading above the table
    rows: list[list[Cell]]
    caption: str = ""  # the heading or paragraph just above the table (a chapter's name), if any
    _by_row: dict[int, list[Cell]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_row = {cells[0].row: cells for cells in self.rows if cells}

    def shown(self, cell: Cell) -> str:
        """Return what a reader sees in a cell: a merge's text fills it down its first column."""
        if cell.origin is None:
            return cell.text
        if cell.origin[1] != cell.column:
            return ""
        return self.at(*cell.origin).text

    def at(self, row: int, column: int) -> Cell:
        cells = self._by_row.get(row, [])
        return cells[column - 1] if column - 1 < len(cells) else Cell(row, column)

    def problem(self, cell: Cell, message: str) -> Problem:
        """Locate a problem at a cell: file, row, and "sheet!C12" (sheet, column, row)."""
        return Problem(self.file, cell.row, message, f"{self.sheet}!{column_letter(cell.column)}{cell.row}")

    def source(self, row: int) -> str:
        """Return a task's source reference, `<file>#<sheet>:<row>` (no spaces or colons inside)."""
        return f"{_ref(self.file)}#{_ref(self.sheet)}:{row}"


def _ref(name: str) -> str:
    return re.sub(r"[\s:]+", "_", name)


def build_grid(file: str, sheet: str, values: dict[tuple[int, int], str],
               merges: Iterable[tuple[int, int, int, int]], errors: dict[tuple[int, int], str] | None = None,
               ) -> Grid:
    """Assemble a grid from cell texts by (row, column) and merged areas (min_row, min_col,
    max_row, max_col); blank rows at the end are dropped."""
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for top, left, bottom, right in merges:
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    origin[(r, c)] = (top, left)
    positions = set(values) | set(origin) | set(errors or {})
    if not positions:
        return Grid(file, sheet, [])
    first = min(r for r, _ in positions)
    last = max(r for r, _ in positions)
    width = max(c for _, c in positions)
    rows = []
    for r in range(first, last + 1):
        rows.append([Cell(r, c, "" if (r, c) in origin else values.get((r, c), ""), origin.get((r, c)),
                          (errors or {}).get((r, c), "")) for c in range(1, width + 1)])
    while rows and not any(c.text or c.origin or c.error for c in rows[-1]):
        rows.pop()
    return Grid(file, sheet, rows)

