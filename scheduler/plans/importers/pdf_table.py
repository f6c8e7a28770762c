"""Read a PDF with a text layer as text lines and ruled tables, with pdfplumber.

pdfplumber finds a table from its ruling lines and gives each cell's box, so a cell merged down
or across comes back as one box covering several rows or columns: those become merged areas of
the grid. A table cut by a page break continues on the next page without a header; such a table
is joined to the one before it when it has the same columns. A PDF without any text (a scan) is
refused with a message saying so: reading it would need OCR first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.errors import InputError
from scheduler.plans.importers.grid import Grid, build_grid
from scheduler.plans.importers.headers import find_header

_EPS = 1.0  # points: boxes drawn on the same line differ by rounding


@dataclass
class _Table:
    page: int
    width: int
    rows: int
    values: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def read_pdf(path: Path) -> tuple[list[str], list[Grid]]:
    """Return a PDF's text lines and its tables as grids."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a damaged font is not the user's concern
    lines: list[str] = []
    tables: list[_Table] = []
    chars = 0
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                chars += len(page.chars)
                lines += (page.extract_text() or "").splitlines()
                tables += [_table(t, number) for t in page.find_tables()]
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError.single(path.name, None, f"无法作为 PDF 打开（文件可能已损坏或加密）：{exc}") from exc
    if not chars:
        raise InputError.single(path.name, None, "这是扫描件：PDF 中没有文字层，无法读取。请先用 OCR 识别为文字"
                                                 "（或向发文单位索取 Word/WPS 原件）后再导入")
    return lines, _join(path.name, tables)


def _table(table: Any, page: int) -> _Table:
    columns = [c.bbox[0] for c in table.columns]
    tops = [r.bbox[1] for r in table.rows]
    out = _Table(page, len(columns), len(tops))
    texts = table.extract()
    for r, row in enumerate(table.rows, start=1):
        for c, box in enumerate(row.cells, start=1):
            if box is None:
                continue
            x0, top, x1, bottom = box
            text = (texts[r - 1][c - 1] or "") if r - 1 < len(texts) and c - 1 < len(texts[r - 1]) else ""
            if text.strip():
                out.values[(r, c)] = text
            right = c + sum(1 for x in columns[c:] if x < x1 - _EPS)
            down = r + sum(1 for y in tops[r:] if y < bottom - _EPS)
            if right > c or down > r:
                out.merges.append((r, c, down, right))
    return out


def _join(name: str, tables: list[_Table]) -> list[Grid]:
    """Build grids, joining a headless table to the one before it when their columns agree."""
    grids: list[Grid] = []
    parts: list[list[_Table]] = []
    for table in tables:
        grid = _grid(name, [table])
        if parts and find_header(grid) is None and parts[-1][-1].width == table.width and find_header(grids[-1]):
            parts[-1].append(table)
            grids[-1] = _grid(name, parts[-1])
            continue
        parts.append([table])
        grids.append(grid)
    return grids


def _grid(name: str, parts: list[_Table]) -> Grid:
    values: dict[tuple[int, int], str] = {}
    merges: list[tuple[int, int, int, int]] = []
    offset = 0
    for part in parts:
        values.update({(r + offset, c): text for (r, c), text in part.values.items()})
        merges += [(t + offset, left, b + offset, right) for t, left, b, right in part.merges]
        offset += part.rows
    return build_grid(name, f"第{parts[0].page}页", values, merges)
