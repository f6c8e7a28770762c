"""A table of units as an office keeps it (CSV or .xlsx: name, aliases, kind, region, contacts),
read into rows for data/units.yaml. Headers may be English or Chinese; every bad cell is reported
with its row and column, and the good rows still come through."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import Problem
from scheduler.plans.units.divisions import Divisions
from scheduler.plans.units.names import normalize_unit_name
from scheduler.plans.units.regional import guess_kind, head_title

COLUMNS = {  # field -> headers a sheet may use
    "name": ("name", "名称", "单位名称", "单位", "规范名称"),
    "aliases": ("aliases", "别名", "简称", "其他写法"),
    "kind": ("kind", "类型", "单位类型"),
    "region": ("region", "地区", "所属地区", "行政区划"),
    "head_title": ("head_title", "负责人职务", "职务", "抬头职务"),
    "email": ("email", "邮箱", "电子邮箱", "电子邮件"),
    "webhook": ("webhook", "机器人", "钉钉", "企业微信"),
    "contacts": ("contacts", "联系方式"),
}
KINDS = {
    "city_department": ("city_department", "市直部门", "部门", "县直部门", "职能部门"),
    "county_government": ("county_government", "县区政府", "县级政府", "县（市、区）政府", "区县政府"),
    "zone_committee": ("zone_committee", "管委会", "开发区管委会", "园区管委会"),
    "town_government": ("town_government", "乡镇政府", "乡镇", "街道", "乡镇（街道）"),
    "enterprise": ("enterprise", "企业"),
    "other": ("other", "其他"),
}
_KIND_OF = {label: kind for kind, labels in KINDS.items() for label in labels}
_SPLIT = re.compile(r"[、，,;；|\n]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")


@dataclass
class UnitRow:
    """One unit of the table, checked."""

    row: int  # the sheet's row number, as the office sees it
    name: str
    region: str
    kind: str
    head_title: str
    aliases: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    webhook: list[str] = field(default_factory=list)


@dataclass
class UnitTable:
    """What a unit table held: good rows, and a problem per bad cell (file, row, column)."""

    file: str
    rows: list[UnitRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _cells(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in a Chinese office saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return [list(row) for row in csv.reader(io.StringIO(text))]


def read_unit_table(path: str | Path, divisions: Divisions, regions: frozenset[str]) -> UnitTable:
    """Read a CSV or .xlsx unit table; `regions` are those data/units.yaml declares (a region may
    also be any city or county of the official division list)."""
    path = Path(path)
    table = UnitTable(str(path))
    if path.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm"):
        table.problems.append(Problem(str(path), None, "单位表应为 .csv 或 .xlsx 文件"))
        return table
    try:
        cells = _cells(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # a damaged or mislabelled workbook
        table.problems.append(Problem(str(path), None, f"无法读取单位表：{exc}"))
        return table
    header_at = next((i for i, row in enumerate(cells) if any(c.strip() for c in row)), None)
    if header_at is None:
        table.problems.append(Problem(str(path), None, "单位表为空"))
        return table
    header = [c.strip().lower() for c in cells[header_at]]
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        for name, synonyms in COLUMNS.items():
            if title in synonyms and name not in columns:
                columns[name] = i
    for required in ("name", "region"):
        if required not in columns:
            table.problems.append(Problem(str(path), header_at + 1, f"表头缺少“{COLUMNS[required][1]}”列"
                                          f"（可写 {'、'.join(COLUMNS[required])}）", "表头"))
    if table.problems:
        return table
    seen: dict[str, int] = {}
    for i, row in enumerate(cells[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        unit = _row(table, i, row, header, columns, divisions, regions)
        if unit is None:
            continue
        if unit.name in seen:
            _bad(table, i, header, columns["name"], f"“{unit.name}”与第 {seen[unit.name]} 行重复")
            continue
        seen[unit.name] = i
        table.rows.append(unit)
    return table


def _bad(table: UnitTable, row: int, header: list[str], column: int, message: str) -> None:
    title = header[column] if column < len(header) else ""
    table.problems.append(Problem(table.file, row, message, f"第 {column + 1} 列（{title}）"))


def _row(table: UnitTable, i: int, row: list[str], header: list[str], columns: dict[str, int],
         divisions: Divisions, regions: frozenset[str]) -> UnitRow | None:
    def cell(name: str) -> str:
        at = columns.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""

    before = len(table.problems)
    name = normalize_unit_name(cell("name"))
    if not name:
        _bad(table, i, header, columns["name"], "单位名称为空")
    region = normalize_unit_name(cell("region"))
    if not region:
        _bad(table, i, header, columns["region"], "地区为空（如 朔州市、山阴县）")
    elif region not in regions and divisions.find(region) is None:
        _bad(table, i, header, columns["region"], f"“{region}”既不在单位名录的地区中，也不在国家行政区划中")
    written_kind = cell("kind")
    kind = _KIND_OF.get(written_kind, "") if written_kind else guess_kind(name)
    if not kind:
        _bad(table, i, header, columns["kind"],
             f"单位类型“{written_kind}”无法识别（可写 {'、'.join(labels[1] for labels in KINDS.values())}）")
    email, webhook = [], []
    for field_name in ("email", "webhook", "contacts"):
        for value in (v.strip() for v in _SPLIT.split(cell(field_name)) if v.strip()):
            if _EMAIL.match(value) and field_name != "webhook":
                email.append(value)
            elif _URL.match(value) and field_name != "email":
                webhook.append(value)
            else:
                want = {"email": "电子邮箱", "webhook": "以 http(s):// 开头的网址"}.get(field_name, "电子邮箱或网址")
                _bad(table, i, header, columns[field_name], f"“{value}”不是{want}")
    if len(table.problems) > before:
        return None
    written = (normalize_unit_name(a) for a in _SPLIT.split(cell("aliases")))
    aliases = [a for a in dict.fromkeys(written) if a and a != name]
    return UnitRow(i, name, region, kind, cell("head_title") or head_title(name), aliases,
                   list(dict.fromkeys(email)), list(dict.fromkeys(webhook)))
