"""Word task tables: seed 000 rebuilt as a .docx with merged cells imports to the shipped ledger."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from scheduler.errors import InputError
from scheduler.plans.importers.docx_table import import_docx_tables, read_docx_grids
from scheduler.plans.importers.seeds import SEED_PLANS, import_plan
from scheduler.plans.ledger import load_ledger
from tests.plans.importers.seed_tables import (
    ROOT,
    TableSpec,
    seed_000_tables,
    seed_004_tables,
    without_sources,
    write_docx,
)

SHIPPED_000 = ROOT / "data" / "changzhi-2019.yaml"


@pytest.fixture(scope="module")
def seed_000_docx(tmp_path_factory) -> Path:
    return write_docx(seed_000_tables(), tmp_path_factory.mktemp("docx") / "changzhi-2019.docx")


def _merge_marks(path: Path) -> tuple[int, int]:
    """Count Word's own merge marks: vMerge continuations and grid spans."""
    body = docx.Document(str(path)).element.body
    continued = len(body.xpath(".//w:vMerge[not(@w:val) or @w:val='continue']"))
    spans = len(body.xpath(".//w:gridSpan"))
    return continued, spans


def test_the_seed_000_docx_really_merges_cells(seed_000_docx):
    continued, spans = _merge_marks(seed_000_docx)
    # 附件3: 类别/重点工作 merged down over many rows; 附件1: its header and 主城区/全市平均 across columns
    assert continued > 100
    assert spans == 4


def test_seed_000_docx_imports_to_the_shipped_ledger(seed_000_docx):
    ledger, problems = import_plan(seed_000_docx, "docx", dict(SEED_PLANS[0].meta))
    assert problems == []
    assert without_sources(ledger) == without_sources(load_ledger(SHIPPED_000))
    by_id = {task.id: task for task in ledger.tasks}
    # sources name the file, the table (by its 附件 heading) and the row
    assert by_id["changzhi-2019/r001"].source == "changzhi-2019.docx#附件3:2"
    assert by_id["changzhi-2019/rail-4"].source == "changzhi-2019.docx#附件2:5"
    assert ledger.targets.county[0].source == "changzhi-2019.docx#附件1:3"
    assert ledger.plan.source_file == "changzhi-2019.docx"
    # r002 sits under the merged 类别 and 重点工作 of r001 and says so
    assert by_id["changzhi-2019/r002"].category == "产业结构调整"
    assert by_id["changzhi-2019/r002"].notes == ["沿用上一行（合并单元格）：类别、重点工作"]


def test_coordinator_imports_seed_000_docx_with_duban(seed_000_docx, tmp_path):
    out = tmp_path / "changzhi-2019.yaml"
    meta = SEED_PLANS[0].meta
    completed = subprocess.run(
        [sys.executable, "-m", "scheduler", "ledger", "import", str(seed_000_docx), "--format", "docx",
         "--plan-id", meta["id"], "--title", meta["title"], "--issuer", meta["issuer"], "--region", meta["region"],
         "--start", "2019-10-01", "--end", "2020-03-31", "--year", "2019", "--output", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=True)
    assert "已导入 81 项任务" in completed.stdout
    assert "需人工核对" not in completed.stdout
    assert without_sources(load_ledger(out)) == without_sources(load_ledger(SHIPPED_000))


def test_seed_004_as_docx_imports_to_the_shipped_ledger(tmp_path):
    path = write_docx(seed_004_tables(), tmp_path / "zezhou-2023.docx")
    ledger, problems = import_plan(path, "docx", dict(SEED_PLANS[4].meta))
    assert problems == []
    assert without_sources(ledger) == without_sources(load_ledger(ROOT / "data" / "zezhou-2023.yaml"))


def test_merges_fill_cells_the_way_a_reader_sees_them(tmp_path):
    header = ["类别", "重点工作", "主要任务", "完成时间", "具体措施", "牵头部门", "配合部门", "责任单位", "责任人"]
    spec = TableSpec("附件3", [
        header,
        ["扬尘治理", "", "工地扬尘", "2020年3月底前", "工地六个百分百。", "市住建局", "", "各县区政府", "各县区长"],
        ["", "", "道路扬尘", "", "道路机械化清扫。", "", "", "", ""],
        ["", "", "渣土车", "2020年6月底前", "渣土车密闭运输。", "市城市管理局", "", "各县区政府", "各县区长"],
    ], merges=[
        (2, 1, 2, 2),  # 类别 spans 类别 and 重点工作 in its first row
        (2, 4, 3, 4),  # 完成时间 shared by 工地扬尘 and 道路扬尘
        (2, 6, 3, 6),  # and 牵头部门
        (2, 8, 3, 9),  # and 责任单位 + 责任人 as one block
    ])
    spec.rows[1][8] = ""
    path = write_docx([spec], tmp_path / "merged.docx")
    result = import_docx_tables(path, "demo", "长治市", 2019)
    assert result.problems == []
    first, second, third = result.tasks
    assert (first.category, first.key_work) == ("扬尘治理", "")  # a merge across belongs to its first column
    assert (second.category, second.key_work, second.title) == ("扬尘治理", "", "道路扬尘")
    assert second.deadline_text == "2020年3月底前"
    assert second.lead_units == ["市住建局"]
    # the block across 责任单位 and 责任人 belongs to 责任单位, merged down into the second row
    assert first.responsible_units == second.responsible_units == ["各县区政府"]
    assert first.responsible_persons == second.responsible_persons == []
    assert second.notes == ["沿用上一行（合并单元格）：类别、重点工作、完成时限、牵头单位、责任单位"]
    assert third.notes == ["沿用上一行（合并单元格）：类别、重点工作"]  # a blank 类别 continues the one above
    assert third.deadline_text == "2020年6月底前"
    assert third.responsible_persons[0].name == "各县区长"


def test_bad_rows_are_reported_by_table_row_and_column_and_good_rows_import(tmp_path):
    spec = TableSpec("附件3", [
        ["类别", "重点工作", "主要任务", "完成时限", "工程措施", "牵头单位", "配合单位", "责任单位", "责任人", ""],
        ["能力建设", "监测", "VOCs监测", "2019年12月底前", "建设VOCs监测站。", "市生态环境局", "", "", "", ""],
        ["执法", "", "", "2019年12月底前", "", "市生态环境局", "", "", "", "多出的一格"],
        ["", "", "源解析", "2019年10月底前", "完成源解析。", "市生态环境局", "", "", "", ""],
    ])
    path = write_docx([spec], tmp_path / "bad.docx")
    result = import_docx_tables(path, "demo", "长治市", 2019)
    assert [t.title for t in result.tasks] == ["VOCs监测", "源解析"]
    assert [t.id for t in result.tasks] == ["demo/r001", "demo/r003"]  # ids keep the table's row order
    located = sorted((p.line, p.where) for p in result.problems)
    assert located == [(3, "附件3!C3"), (3, "附件3!J3")]
    messages = " ".join(p.message for p in result.problems)
    assert "没有主要任务" in messages and "多出的一格" in messages
    assert str(result.problems[0]).startswith("bad.docx:3: 附件3!")


def test_a_docx_without_a_task_table_says_so(tmp_path):
    path = write_docx([TableSpec("附件9", [["姓名", "电话"], ["张三", "123"]])], tmp_path / "other.docx")
    result = import_docx_tables(path, "demo", "长治市", 2019)
    assert result.tasks == []
    assert any("无法识别的表格" in p.message and p.where == "附件9!A1" for p in result.problems)


def test_a_file_that_is_not_docx_is_an_input_error(tmp_path):
    path = tmp_path / "table.docx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="table.docx"):
        read_docx_grids(path)
