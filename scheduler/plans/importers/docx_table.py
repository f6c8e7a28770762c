"""Read task tables from a Word (.docx) file, merged cells included, into the ledger.

Word stores a horizontal merge as one cell with a grid span and a vertical merge as a first cell
marked "restart" followed, in the rows below, by empty cells marked "continue". Both become
`Cell.origin` in the grid, so `scheduler.plans.importers.layouts` can fill them the way a reader sees the
table. Each table is named after the "附件N" heading just above it, else "表N".
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.errors import InputError
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.grid import Grid, build_grid
from scheduler.plans.importers.layouts import import_grids
from scheduler.text import squeeze

if TYPE_CHECKING:  # python-docx is imported only when a .docx is read
    from docx.oxml.table import CT_Tbl, CT_Tc

_ATTACHMENT = re.compile(r"^附件\s*(\d+)")


def read_docx_grids(path: str | Path) -> list[Grid]:
    """Return every top-level table of a .docx as a grid, in document order."""
    return read_docx(path)[1]


def read_docx(path: str | Path) -> tuple[list[str], list[Grid]]:
    """Return a .docx's paragraphs (the text around its tables) and its top-level tables as grids,
    each grid captioned with the paragraph just above it."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    path = Path(path)
    try:
        document = docx.Document(str(path))
    # a damaged package: broken zip, truncated deflate stream, malformed XML (lxml's and ElementTree's
    # parse errors are SyntaxErrors)
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError,
            OSError, NotImplementedError) as exc:
        raise InputError.single(path.name, None, f"无法作为 Word（.docx）文件打开：{exc}") from exc
    grids: list[Grid] = []
    lines: list[str] = []
    heading = caption = ""
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            raw = Paragraph(child, document).text
            lines.append(raw)
            text = squeeze(raw)
            caption = text or caption
            match = _ATTACHMENT.match(text)
            if match:
                heading = f"附件{match.group(1)}"
            continue
        if tag != "tbl":
            continue
        name = heading or f"表{len(grids) + 1}"
        if any(g.sheet == name for g in grids):
            name = f"表{len(grids) + 1}"
        heading = ""

        def text_of(tc: CT_Tc, table: Any = child) -> str:  # lxml elements are untyped
            return _Cell(tc, table).text

        grid = _grid(path.name, name, child, text_of)
        grid.caption, caption = caption, ""
        grids.append(grid)
    return lines, grids


def _grid(file: str, name: str, tbl: CT_Tbl, text_of: Callable[[CT_Tc], str]) -> Grid:
    values: dict[tuple[int, int], str] = {}
    merges: list[tuple[int, int, int, int]] = []
    open_down: dict[int, list[int]] = {}  # left column -> [top, left, bottom, right] of a merge going down

    def close(column: int) -> None:
        area = open_down.pop(column, None)
        if area is not None and (area[0], area[1]) != (area[2], area[3]):
            merges.append((area[0], area[1], area[2], area[3]))

    for r, tr in enumerate(tbl.tr_lst, start=1):
        column = 1 + (tr.grid_before or 0)
        for tc in tr.tc_lst:
            span = tc.grid_span or 1
            if tc.vMerge == "continue" and column in open_down:
                open_down[column][2] = r
            else:
                close(column)
                values[(r, column)] = text_of(tc)
                open_down[column] = [r, column, r, column + span - 1]
                if tc.vMerge != "restart":
                    close(column)
            column += span
    for column in list(open_down):
        close(column)
    return build_grid(file, name, values, merges)


def import_docx_tables(path: str | Path, plan_id: str, region: str, year: int) -> ImportResult:
    """Import the task tables (and seed 000's target and project tables) of a .docx file."""
    return import_grids(read_docx_grids(path), plan_id, region, year)
