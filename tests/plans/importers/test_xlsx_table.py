"""Excel task tables: seeds 004 and 000 rebuilt as .xlsx with merged cells import to the shipped ledgers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from scheduler.errors import InputError
from scheduler.plans.importers.seeds import SEED_PLANS, import_plan
from scheduler.plans.importers.xlsx_table import cell_text, import_xlsx_tables, read_xlsx_grids
from scheduler.plans.ledger import load_ledger
from tests.plans.importers.seed_tables import ROOT, seed_000_tables, seed_004_tables, without_sources, write_xlsx

SHIPPED_004 = ROOT / "data" / "zezhou-2023.yaml"


@pytest.fixture(scope="module")
def seed_004_xlsx(tmp_path_factory) -> Path:
    return write_xlsx(seed_004_tables(), tmp_path_factory.mktemp("xlsx") / "zezhou-2023.xlsx")


def test_the_seed_004_workbook_really_merges_cells(seed_004_xlsx):
    workbook = openpyxl.load_workbook(seed_004_xlsx)
    targets, tasks = workbook["附件1"], workbook["附件2"]
    assert "A1:A2" in {str(r) for r in targets.merged_cells.ranges}  # 月份 over the pollutant row
    assert "B2:C2" in {str(r) for r in targets.merged_cells.ranges}  # SO₂ over its 2022 and 2023 columns
    assert "A2:A7" in {str(r) for r in tasks.merged_cells.ranges}  # 一、深入推进产业结构优化调整 over tasks 1-6


def test_seed_004_xlsx_imports_to_the_shipped_ledger(seed_004_xlsx):
    ledger, problems = import_plan(seed_004_xlsx, "xlsx", dict(SEED_PLANS[4].meta))
    assert problems == []
    assert without_sources(ledger) == without_sources(load_ledger(SHIPPED_004))
    by_id = {task.id: task for task in ledger.tasks}
    assert by_id["zezhou-2023/1"].source == "zezhou-2023.xlsx#附件2:2"
    assert by_id["zezhou-2023/7"].source == "zezhou-2023.xlsx#附件2:9"  # after the repeated header row 8
    assert by_id["zezhou-2023/2"].notes == ["任务类别沿用上一行"]
    assert len(ledger.targets.monthly) == 72 and len(ledger.targets.annual) == 6


def test_seed_000_xlsx_with_titles_above_the_headers_imports_to_the_shipped_ledger(tmp_path):
    path = write_xlsx(seed_000_tables(), tmp_path / "changzhi-2019.xlsx", offset=2)
    ledger, problems = import_plan(path, "xlsx", dict(SEED_PLANS[0].meta))
    assert problems == []
    assert without_sources(ledger) == without_sources(load_ledger(ROOT / "data" / "changzhi-2019.yaml"))
    assert ledger.tasks[0].source == "changzhi-2019.xlsx#附件3:4"  # header on row 3, under a title


def _edit(path: Path, changes: dict[tuple[str, str], object]) -> Path:
    workbook = openpyxl.load_workbook(path)
    for (sheet, ref), value in changes.items():
        workbook[sheet][ref] = value
    workbook.save(path)
    return path


def test_bad_cells_are_reported_with_sheet_row_and_column_and_good_rows_still_import(seed_004_xlsx, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(seed_004_xlsx.read_bytes())
    _edit(path, {
        ("附件2", "B3"): "二",  # 序号 of task 2 is not a number: that row is skipped
        ("附件2", "G5"): "孤立的批注",  # a cell right of the table: reported, row 4 still imports
        ("附件2", "D6"): "=1/0",  # a formula without a cached value: blank, and the cell is named
        ("附件1", "C4"): "约16",  # the 2023 SO₂ target for 2 月 is not a number
    })
    workbook = openpyxl.load_workbook(path)
    workbook["附件2"]["E7"].value = "#REF!"
    workbook["附件2"]["E7"].data_type = "e"
    workbook.save(path)

    result = import_xlsx_tables(path, "zezhou-2023", "泽州县", 2023)
    where = sorted(p.where for p in result.problems)
    assert where == ["附件1!C4", "附件2!B3", "附件2!D6", "附件2!E7", "附件2!G5"]
    rows = {p.where: p.line for p in result.problems}
    assert rows == {"附件1!C4": 4, "附件2!B3": 3, "附件2!D6": 6, "附件2!E7": 7, "附件2!G5": 5}
    messages = {p.where: p.message for p in result.problems}
    assert "序号「二」不是数字" in messages["附件2!B3"]
    assert "#REF!" in messages["附件2!E7"]
    assert "公式没有保存计算结果" in messages["附件2!D6"]
    assert "约16" in messages["附件1!C4"]
    ids = [t.id for t in result.tasks]
    assert "zezhou-2023/2" not in ids and len(ids) == 43
    task6 = next(t for t in result.tasks if t.id == "zezhou-2023/6")
    assert task6.lead_units == [] and task6.notes == ["任务类别沿用上一行", "牵头单位空白，待协调人确认"]
    assert len(result.targets.monthly) == 71  # every other month target still imports


def test_header_variants_and_spreadsheet_values(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务台账"
    sheet.append(["任务 类别", "编号", "工作措施", "完成时间", "牵头部门（单位）", "说明"])
    sheet.append(["一、扬尘", 1, "工地六个百分百，道路机械化清扫。", datetime(2023, 6, 30), "县住建局、县交通局", None])
    sheet.append([None, 2.0, "渣土车密闭运输。", "2023 年 9 月底前", "县城管局，县公安局", "每月通报"])
    sheet.merge_cells("A2:A3")
    path = tmp_path / "variants.xlsx"
    workbook.save(path)
    result = import_xlsx_tables(path, "demo", "泽州县", 2023)
    assert result.problems == []
    first, second = result.tasks
    assert (first.id, first.title, first.deadline_text) == ("demo/1", "工地六个百分百", "2023年6月30日")
    assert first.lead_units == first.responsible_units == ["县住建局", "县交通局"]
    assert (second.id, second.category, second.remarks) == ("demo/2", "一、扬尘", "每月通报")
    assert second.lead_units == ["县城管局", "县公安局"]
    assert second.deadline_text == "2023年9月底前"


def test_cell_text():
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text(datetime(2019, 12, 31, 0, 0)) == "2019年12月31日"
    assert cell_text(None) == ""
    assert cell_text("市生态环\r\n境局") == "市生态环\n境局"


def test_a_file_that_is_not_xlsx_is_an_input_error(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError, match="table.xlsx"):
        read_xlsx_grids(path)


def test_a_table_without_label_columns_inherits_nothing(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["主要任务", "完成时限", "责任单位"])
    sheet.append(["洗煤行业整治", "2019年12月底前", "市能源局"])
    sheet.append(["压减焦炭产能", None, "潞城区政府、襄垣县政府"])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    result = import_xlsx_tables(path, "demo", "长治市", 2019)
    assert result.problems == []
    first, second = result.tasks
    assert first.notes == []
    assert second.notes == ["完成时限空白，待协调人确认"]
    assert second.responsible_units == ["潞城区政府", "襄垣县政府"]
    assert second.source == "plain.xlsx#Sheet:3"
