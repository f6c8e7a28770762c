"""The unit table reader and the directory-file edit, without the command line."""

from __future__ import annotations

from pathlib import Path

from scheduler.plans.units import UnitDirectory, official_divisions
from scheduler.plans.units.directoryfile import add_units
from scheduler.plans.units.table import read_unit_table

MINIMAL = "version: 1\nregions:\n  - name: 长治市\nunits: []  # none yet\n"


def test_rows_are_added_to_a_directory_whose_unit_list_is_written_empty(tmp_path: Path):
    sheet = tmp_path / "units.csv"
    sheet.write_text("name,kind,region,contacts\n长治市气象局,other,长治市,qx@cz.example.cn；https://hook.example.cn/x\n",
                     encoding="utf-8")
    directory = UnitDirectory.from_yaml_text(MINIMAL)
    table = read_unit_table(sheet, official_divisions(), frozenset(directory.regions()))
    assert table.problems == []
    edit = add_units(MINIMAL, table.rows, directory, "units.csv")
    assert edit.problems == [] and [r.name for r in edit.added] == ["长治市气象局"]
    unit = UnitDirectory.from_yaml_text(edit.text).find("长治市气象局")
    assert unit is not None and unit.kind == "other" and unit.head_title == "局长"
    assert dict(unit.contacts) == {"email": ("qx@cz.example.cn",), "webhook": ("https://hook.example.cn/x",)}


def test_a_file_that_is_not_a_table_is_one_clear_problem(tmp_path: Path):
    paper = tmp_path / "units.docx"
    paper.write_bytes(b"PK")
    table = read_unit_table(paper, official_divisions(), frozenset())
    assert [p.message for p in table.problems] == ["单位表应为 .csv 或 .xlsx 文件"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert "无法读取单位表" in read_unit_table(broken, official_divisions(), frozenset()).problems[0].message
