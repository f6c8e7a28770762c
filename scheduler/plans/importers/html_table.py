"""Read a web page (a plan as published on a government site) as text lines and tables.

Each innermost <table> becomes a grid, its rowspan/colspan as merged areas. Sites often wrap the
whole article in layout tables, so the page's text, table cells included, also comes back as lines
(one block or cell per line) for the text-table reader and the narrative importer.
"""

from __future__ import annotations

from typing import Any

from scheduler.errors import InputError
from scheduler.plans.importers.grid import Grid, build_grid

_BLOCKS = ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
           "article", "title", "pre", "blockquote")


def read_html(text: str, name: str) -> tuple[list[str], list[Grid]]:
    """Return the page's text lines and its innermost tables as grids."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        raise InputError.single(name, None, f"无法作为网页（HTML）读取：{exc}") from exc
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    grids: list[Grid] = []
    for table in root.iter("table"):
        if table.xpath(".//table"):
            continue
        grid = _grid(table, name, f"表{len(grids) + 1}")
        if grid.rows:
            grids.append(grid)
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag in ("td", "th", "br"):
            continue
        element.text = "\n" + (element.text or "")
    lines = [line.strip() for line in root.text_content().splitlines()]
    return [line for line in lines if line], grids


def _grid(table: Any, name: str, sheet: str) -> Grid:
    values: dict[tuple[int, int], str] = {}
    merges: list[tuple[int, int, int, int]] = []
    taken: set[tuple[int, int]] = set()
    rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    for r, tr in enumerate(rows, start=1):
        column = 1
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, column) in taken:
                column += 1
            down, across = _span(td.get("rowspan")), _span(td.get("colspan"))
            text = _cell_text(td)
            if text:
                values[(r, column)] = text
            for rr in range(r, r + down):
                for cc in range(column, column + across):
                    taken.add((rr, cc))
            if down > 1 or across > 1:
                merges.append((r, column, r + down - 1, column + across - 1))
            column += across
    return build_grid(name, sheet, values, merges)


def _owner(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 500))
    except ValueError:
        return 1


def _cell_text(td: Any) -> str:
    """A cell's text with its paragraphs and <br> as line breaks."""
    parts: list[str] = []
    for node in td.iter():
        if node.tag in ("br", "p", "div") and parts:
            parts.append("\n")
        if node.text and isinstance(node.tag, str):  # comments have a callable tag
            parts.append(node.text)
        if node is not td and node.tail:
            parts.append(node.tail)
    return "\n".join(line.strip() for line in "".join(parts).splitlines() if line.strip())
