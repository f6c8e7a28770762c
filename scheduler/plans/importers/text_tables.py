"""Task tables that reached us as plain text: copied from a web page or saved from Word as text.

Two shapes are common. Tab-separated: one row per line, the cells split by TAB (a line without a
TAB continues the last cell). Flattened: one cell per line, the header's names one below the
other ("序号", "重点任务", "完成时限", "责任单位"), then the rows' cells likewise; rows are told
apart by a blank line between them, else by the running 序号 (1, 2, 3 …), else by the header's
width. A flattened row that lost its empty cells is re-aligned on its deadline cell: text before
it fills the task columns, text after it the unit columns. Each table becomes a `Grid` whose row
numbers are the file's line numbers, so tasks cite the line they came from.
"""

from __future__ import annotations

import re

from scheduler.plans.importers.grid import Grid, build_grid
from scheduler.plans.importers.headers import header_key, is_task_header
from scheduler.plans.importers.table_text import looks_like_deadline
from scheduler.text import squeeze

_END = re.compile(r"^(?:[一二三四五六七八九十]+、|附件\s*\d*|第[一二三四五六七八九十]+[章部分节])")
_NUMBER = re.compile(r"^\d{1,3}[.、．]?$")
# a column name Duban has no field for still reads as one ("进展情况", "完成状况", "备注说明")
_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,8}(?:情况|状况|进展|进度|分解|说明|备注|要求|目标|指标|标准|依据|成效"
                    r"|结果|方式|类型|名称)$")


def text_grids(file: str, lines: list[str]) -> list[Grid]:
    """Find every task table written as text among `lines` and return each as a grid."""
    lines = [_unpipe(line) for line in lines]
    grids: list[Grid] = []
    index = 0
    while index < len(lines):
        cells = _cell_block(lines, index) if lines[index].startswith("\t") and (
            index == 0 or not lines[index - 1].strip()) else []
        if len(cells) >= 3 and is_task_header(_keys(cells)):
            grid, index = _cell_table(file, lines, index, len(cells), len(grids) + 1)
            grids.append(grid)
            continue
        spaced = _space_header(lines[index])
        if spaced is not None:
            grid, index = _space_table(file, lines, index, spaced, len(grids) + 1)
            grids.append(grid)
            continue
        tab = _tab_header(lines[index])
        if tab is not None:
            grid, index = _tab_table(file, lines, index, tab, len(grids) + 1)
            grids.append(grid)
            continue
        names, after = _flat_header(lines, index)
        if names:
            grid, index = _flat_table(file, lines, index, names, after, len(grids) + 1)
            grids.append(grid)
            continue
        index += 1
    return grids


def _unpipe(line: str) -> str:
    """Read "|" as web pages copied to text use it: "a | b | c" is a row like "a\tb\tc", a line
    "cell |" is one cell of a table flattened one cell per line, and a line of bars alone ends a row."""
    text = line.strip()
    if "|" not in text or "\t" in text:
        return line
    if set(text) == {"|"}:
        return ""
    if text.count("|") == 1 and text.endswith("|"):
        return text[:-1].strip()
    return "\t".join(cell.strip() for cell in text.strip("|").split("|"))


_RIGHT = ("lead", "coop", "resp", "persons", "deadline", "remarks")


def _space_header(line: str) -> list[str] | None:
    """A header copied from a PDF or web page with a space between its names, every word a name."""
    names = line.split()
    if len(names) < 3 or "\t" in line or not all(header_key(name) for name in names):
        return None
    return names if is_task_header(_keys(names)) else None


def _space_table(file: str, lines: list[str], start: int, header: list[str], n: int) -> tuple[Grid, int]:
    """Rows with a space between cells, as copied from a PDF: two spaces mean an empty cell, and a
    cell's own text may be broken by a space too. Each row starts with its 序号; the unit and date
    columns at the right take the last pieces, the 序号 the first, the task columns what is between
    (a piece of one or two characters is the tail of a broken word)."""
    keys = _keys(header)
    width = len(header)
    right = 0
    while right < width and header_key(header[width - 1 - right]) in _RIGHT:
        right += 1
    values: dict[tuple[int, int], str] = {(start + 1, c): t for c, t in enumerate(header, start=1)}
    index, expected, row_line = start + 1, 1, 0
    while index < len(lines):
        text = lines[index].strip()
        found = re.match(r"^(\d{1,3})[.、．]?\s", text)
        if found and int(found.group(1)) == expected:
            row_line, expected = index + 1, expected + 1
            for column, cell in enumerate(_spaced_cells(text, width, right, keys), start=1):
                if cell:
                    values[(row_line, column)] = cell
        elif not text or _END.match(text) or not row_line:
            if row_line and (not text and index + 1 < len(lines) and not re.match(r"^\d", lines[index + 1].strip())):
                break
            if text:
                break
        index += 1
    return build_grid(file, f"表{n}", values, []), index


def _spaced_cells(text: str, width: int, right: int, keys: dict[str, int]) -> list[str]:
    pieces = text.split(" ")
    cells = [""] * width
    first = 0
    if keys.get("number") == 1:
        cells[0], pieces = pieces[0], pieces[1:]
        first = 1
    if right:
        tail = [p for p in pieces if p][-right:]
        cut = len(pieces)
        for _ in tail:  # the rightmost non-empty pieces, in order
            cut = max(i for i in range(cut) if pieces[i])
        cells[width - len(tail):] = tail
        pieces = pieces[:cut]
    middle = list(range(first, width - right))
    if not middle:
        return cells
    # the last task column (措施) takes the last piece; the others take what comes before, an empty
    # piece (two spaces) being an empty cell and a short piece the end of the word before it
    last = [p for p in pieces if p]
    if len(middle) > 1 and last:
        end = max(i for i in range(len(pieces)) if pieces[i])
        cells[middle[-1]] = pieces[end]
        pieces, middle = pieces[:end], middle[:-1]
    joined: list[str] = []
    for piece in pieces:
        if piece and joined and joined[-1] and len(piece) <= 2:
            joined[-1] += piece
        else:
            joined.append(piece)
    while len(joined) > len(middle) and len(joined) > 1:
        joined[-2:] = [joined[-2] + joined[-1]]
    for column, piece in zip(middle, joined):
        cells[column] = piece
    return cells


def _cell_block(lines: list[str], start: int) -> list[str]:
    """Read one row of a Word table saved as text: each cell starts with a TAB on its own line, a
    line without one continues the cell, a blank line ends the row."""
    cells: list[str] = []
    for raw in lines[start:start + 60]:
        if not raw.strip() and "\t" not in raw:
            break
        if raw.startswith("\t") or re.match(r"^ +\t", raw):
            cells.append(raw.split("\t", 1)[1].strip())
        elif cells:
            cells[-1] += raw.strip()
    return cells


def _cell_table(file: str, lines: list[str], start: int, width: int, n: int) -> tuple[Grid, int]:
    """A Word table saved as text, one cell per TAB-led line, rows apart by blank lines; a row that
    lost its blank cells is aligned on its deadline like a flattened one."""
    from scheduler.plans.importers.table_text import read_tab_table

    end = start
    while end + 1 < len(lines):
        line = lines[end + 1]
        if line.strip() and "\t" not in line and not lines[end].strip() and _END.match(line.strip()):
            break
        end += 1
    rows, _ = read_tab_table(lines, start + 1, end + 1, width)
    header = _cell_block(lines, start)
    keys = _keys(header)
    values: dict[tuple[int, int], str] = {(start + 1, c): t for c, t in enumerate(header, start=1)}
    for row in rows[1:]:
        cells = row.cells if len(row.cells) == width else _align([c for c in row.cells if c.strip()], width, keys)
        for column, text in enumerate(cells, start=1):
            if text.strip():
                values[(row.line, column)] = text
    return build_grid(file, f"表{n}", values, []), end + 1


def run_on_headers(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Find task-table headers that share a line with the table's cells, as a PDF's text layer
    flattens a table into one run ("… 序号 重点任务 工作措施 牵头部门 主责单位 … 1 目标任务 …"):
    (line number, the header's names). Such cells interleave across columns and cannot be read
    by position, so the import says where the table is instead of finding nothing silently."""
    found: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        words = line.split()
        if len(words) < 6:
            continue
        run: list[str] = []
        best: list[str] = []
        for word in words + [""]:
            if word and header_key(word) is not None:
                run.append(word)
                continue
            if len(run) > len(best):
                best = run
            run = []
        if len(best) >= 3 and is_task_header(_keys(best)) and len(best) < len(words):
            found.append((number, best))
    return found


def _keys(names: list[str]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for column, name in enumerate(names, start=1):
        key = header_key(name) if squeeze(name) else None
        if key and key not in keys:
            keys[key] = column
    return keys


def _tab_header(line: str) -> list[str] | None:
    cells = [c.strip() for c in line.strip("\r\n").split("\t")]
    if sum(1 for c in cells if c) < 3:
        return None
    while cells and not cells[0]:
        cells.pop(0)
    return cells if is_task_header(_keys(cells)) else None


def _tab_table(file: str, lines: list[str], start: int, header: list[str], n: int) -> tuple[Grid, int]:
    values: dict[tuple[int, int], str] = {(start + 1, c): text for c, text in enumerate(header, start=1)}
    index, last_row, blanks = start + 1, start + 1, 0
    while index < len(lines):
        raw = lines[index].rstrip("\r\n")
        number = index + 1
        if not raw.strip():
            blanks += 1
            if blanks >= 2:
                break
            index += 1
            continue
        blanks = 0
        if "\t" in raw.strip(" ") or raw.startswith("\t"):
            cells = raw.split("\t")
            if not cells[0].strip() and len(cells) > len(header):
                cells = cells[1:]
            for column, text in enumerate(cells, start=1):
                if text.strip():
                    values[(number, column)] = text.strip()
            last_row = number
        elif _END.match(raw.strip()):
            break
        else:  # a cell's text went on over a line break: it belongs to the last cell of the row
            last = max((c for (r, c) in values if r == last_row), default=1)
            values[(last_row, last)] = values.get((last_row, last), "") + "\n" + raw.strip()
        index += 1
    return build_grid(file, f"表{n}", values, []), index


def _flat_header(lines: list[str], start: int) -> tuple[list[str], int]:
    """Return the names of a one-name-per-line header starting at `start` (a web page may put a
    blank line between them) and the index after it; no names when there is none."""
    names: list[str] = []
    index, blanks = start, 0
    while index < len(lines) and len(names) < 16:
        text = lines[index].strip()
        if not text and names and blanks == 0:
            blanks += 1
            index += 1
            continue
        if not text or "\t" in text or (header_key(text) is None and not (names and _LABEL.search(text))):
            break
        names.append(text)
        blanks = 0
        index += 1
    if len(names) >= 3 and is_task_header(_keys(names)):
        return names, index
    return [], start


def _flat_table(file: str, lines: list[str], start: int, header: list[str], after: int,
                n: int) -> tuple[Grid, int]:
    width = len(header)
    keys = _keys(header)
    index = after
    body: list[tuple[int, str]] = []  # (line number, text) or (line number, "") for a blank line
    while index < len(lines):
        text = lines[index].strip()
        if text and _END.match(text) and body:
            break
        if text and _flat_header(lines, index)[0]:
            break
        body.append((index + 1, text))
        index += 1
    while body and not body[-1][1]:
        body.pop()
    rows = _rows(body, width, keys)
    values: dict[tuple[int, int], str] = {(start + 1, c): t for c, t in enumerate(header, start=1)}
    for cells in rows:
        line = cells[0][0]
        for column, text in enumerate(_align([t for _, t in cells], width, keys), start=1):
            if text:
                values[(line, column)] = text
    return build_grid(file, f"表{n}", values, []), index


def _rows(body: list[tuple[int, str]], width: int, keys: dict[str, int]) -> list[list[tuple[int, str]]]:
    """Split a flattened body into rows: at blank lines, else at the running 序号, else by width."""
    filled = [(line, text) for line, text in body if text]
    if any(not text for _, text in body) and filled:
        rows: list[list[tuple[int, str]]] = []
        current: list[tuple[int, str]] = []
        for line, text in body:
            if text:
                current.append((line, text))
            elif current:
                rows.append(current)
                current = []
        if current:
            rows.append(current)
        # blank lines between rows, not between every cell as some web pages write them
        if max(len(r) for r in rows) <= width * 2 and sum(len(r) > 1 for r in rows) * 2 >= len(rows):
            return rows
    if keys.get("number") == 1 or (filled and filled[0][1].strip(".、．") == "1"):
        rows, expected = [], 1
        for line, text in filled:
            if _NUMBER.match(text) and int(re.sub(r"\D", "", text)) == expected:
                rows.append([(line, text)])
                expected += 1
            elif rows:
                rows[-1].append((line, text))
        if rows:
            return rows
    return [filled[i:i + width] for i in range(0, len(filled), width)]


def _align(cells: list[str], width: int, keys: dict[str, int]) -> list[str]:
    """Place a row's cells under the header; a row that lost empty cells is aligned on its deadline."""
    if len(cells) >= width:
        return cells[:width - 1] + ["\n".join(cells[width - 1:])]
    out = [""] * width
    deadline_col = keys.get("deadline")
    at = next((i for i, c in enumerate(cells) if looks_like_deadline(c)), None)
    if deadline_col is None or at is None:
        for i, text in enumerate(cells):
            out[i] = text
        return out
    out[deadline_col - 1] = cells[at]
    before, after = cells[:at], cells[at + 1:]
    left = list(range(deadline_col - 1))
    number = keys.get("number")
    if number is not None and number - 1 in left:
        left.remove(number - 1)
        if before and _NUMBER.match(before[0]):
            out[number - 1] = before.pop(0)
    for column, text in zip(left, before):
        out[column] = text
    if len(before) > len(left) and left:
        out[left[-1]] = "\n".join([out[left[-1]], *before[len(left):]])
    right = list(range(deadline_col, width))
    for column, text in zip(right, after):
        out[column] = text
    if len(after) > len(right) and right:
        out[right[-1]] = "\n".join([out[right[-1]], *after[len(right):]])
    return out
