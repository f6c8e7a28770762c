"""Header detection: which column of a task table holds which ledger field, whatever the
plan calls it ("重点\\n工作", "工  程  措  施", "牵头部门（单位）")."""

from __future__ import annotations

import re

from scheduler.plans.importers.grid import Cell, Grid
from scheduler.text import squeeze

FIELD_NAMES = {  # the Chinese column names used in notes and problems
    "category": "类别", "key_work": "重点工作", "title": "主要任务", "deadline": "完成时限",
    "measures": "工程措施", "lead": "牵头单位", "coop": "配合单位", "resp": "责任单位",
    "persons": "责任人", "number": "序号", "remarks": "备注",
}
_SYNONYMS = {
    "category": ("类别", "任务类别", "工作类别", "类型", "分类", "任务类型", "领域"),
    "key_work": ("重点工作", "重点任务", "工作重点", "重点领域"),
    "title": ("主要任务", "任务名称", "工作任务", "主要工作", "任务内容", "任务", "目标任务", "工作事项", "事项",
              "项目名称", "重点项目", "工作项目"),
    "measures": ("工程措施", "具体措施", "工作措施", "主要措施", "措施", "工作内容", "具体内容", "主要内容",
                 "具体任务", "措施内容"),
    "deadline": ("完成时限", "完成时间", "时限", "时限要求", "完成期限", "时间节点", "完成时限要求",
                 "截止时间", "完成时间节点", "期限", "进度安排", "时间安排", "时间要求", "完成时限及进度",
                 "计划节点", "完成节点", "时间进度", "完工时间", "完成日期", "截止日期"),
    "lead": ("牵头单位", "牵头部门", "牵头责任单位", "牵头", "主办单位", "牵头市领导"),
    "coop": ("配合单位", "配合部门", "协办单位", "协同单位", "配合", "参与单位", "协助单位", "协办"),
    "resp": ("责任单位", "责任部门", "落实单位", "责任主体", "实施单位", "责任县区", "主责单位", "主责部门"),
    "persons": ("责任人", "负责人", "责任领导", "分管领导"),
    "number": ("序号", "编号", "序"),
    "remarks": ("备注", "说明"),
}
_LOOKUP = {name: key for key, names in _SYNONYMS.items() for name in names}
_PARENS = re.compile(r"[（(][^）)]*[）)]")
_LONGEST_HEADER = 12  # a header names a column; a longer cell is body text that happens to say 任务


def header_key(text: str) -> str | None:
    """Map a header cell ("重点\\n工作", "工  程  措  施", "牵头部门（单位）") to a field, or None."""
    name = _PARENS.sub("", squeeze(text)).rstrip(":：")
    if len(name) > _LONGEST_HEADER:
        return None
    if name in _LOOKUP:
        return _LOOKUP[name]
    # close variants: a known name with a qualifier around it ("主要任务及目标", "市级牵头单位")
    found = [known for known in _LOOKUP if len(known) >= 2 and known in name]
    return _LOOKUP[max(found, key=len)] if found else None


def header_of(grid: Grid, cells: list[Cell]) -> dict[str, int] | None:
    """Return field -> column (1-based) if `cells` read as a task table header."""
    columns: dict[str, int] = {}
    for cell in cells:
        key = header_key(grid.shown(cell)) if squeeze(grid.shown(cell)) else None
        if key and key not in columns:
            columns[key] = cell.column
    if len(columns) >= 3 and ("title" in columns or "measures" in columns) and (
            {"deadline", "lead", "resp"} & set(columns)):
        return columns
    return None



def is_task_header(columns: dict[str, int]) -> bool:
    """Tell whether recognised columns make a task table: what to do, and when or by whom."""
    return len(columns) >= 2 and bool({"title", "measures", "key_work"} & set(columns)) and bool(
        {"deadline", "lead", "resp", "coop", "persons"} & set(columns))


def header_text(grid: Grid, cell: Cell) -> str:
    """Return a header cell's text, a merge across columns included ("责任单位" over 牵头 | 配合)."""
    if cell.origin is not None:
        return grid.at(*cell.origin).text
    return cell.text


def find_header(grid: Grid, scan: int = 15) -> tuple[int, dict[str, int]] | None:
    """Find a task table's header in the first rows: return the index of its last row and
    field -> column. A header may take two rows, the lower naming parts of a merged upper cell
    (责任单位 over 牵头单位 | 配合单位); a lower name wins over the one above it."""
    for index, cells in enumerate(grid.rows[:scan]):
        upper = _keys(grid, cells)
        if not upper:
            continue
        last, columns = index, dict(upper)
        if index + 1 < len(grid.rows):
            lower = _keys(grid, grid.rows[index + 1], own_only=True)
            if lower and not _has_body_text(grid, grid.rows[index + 1]):
                by_column = {col: key for key, col in upper.items()}
                by_column.update({col: key for key, col in lower.items()})
                merged: dict[str, int] = {}
                for col in sorted(by_column):
                    merged.setdefault(by_column[col], col)
                last, columns = index + 1, merged
        if is_task_header(columns):
            return last, columns
    return None


def _keys(grid: Grid, cells: list[Cell], own_only: bool = False) -> dict[str, int]:
    columns: dict[str, int] = {}
    for cell in cells:
        text = cell.text if own_only else header_text(grid, cell)
        key = header_key(text) if squeeze(text) else None
        if key and key not in columns:
            columns[key] = cell.column
    return columns


def _has_body_text(grid: Grid, cells: list[Cell]) -> bool:
    """A row with a long cell or a cell that is neither a header name nor blank is a body row."""
    return any(squeeze(c.text) and header_key(c.text) is None for c in cells)
