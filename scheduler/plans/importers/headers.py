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
    "title": ("主要任务", "任务名称", "工作任务", "主要工作", "任务内容", "任务"),
    "measures": ("工程措施", "具体措施", "工作措施", "主要措施", "措施", "工作内容", "具体内容", "主要内容",
                 "具体任务", "措施内容"),
    "deadline": ("完成时限", "完成时间", "时限", "时限要求", "完成期限", "时间节点", "完成时限要求",
                 "截止时间", "完成时间节点", "期限"),
    "lead": ("牵头单位", "牵头部门", "牵头责任单位", "牵头"),
    "coop": ("配合单位", "配合部门", "协办单位", "协同单位", "配合"),
    "resp": ("责任单位", "责任部门", "落实单位", "责任主体", "实施单位", "责任县区"),
    "persons": ("责任人", "负责人", "责任领导"),
    "number": ("序号", "编号", "序"),
    "remarks": ("备注", "说明"),
}
_LOOKUP = {name: key for key, names in _SYNONYMS.items() for name in names}
_PARENS = re.compile(r"[（(][^）)]*[）)]")


def header_key(text: str) -> str | None:
    """Map a header cell ("重点\\n工作", "工  程  措  施", "牵头部门（单位）") to a field, or None."""
    name = _PARENS.sub("", squeeze(text)).rstrip(":：")
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

