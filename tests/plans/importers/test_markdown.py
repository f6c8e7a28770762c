"""Seed 004 (泽州县 2023 ledger) read from markdown pipe tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.plans.importers.markdown import import_markdown_ledger, read_markdown_tables

SEED = Path(__file__).resolve().parents[3] / "data" / "sources" / "004_2c352a127e1e31b3.txt"
PLAN = "zezhou-2023"
FILE = "004_2c352a127e1e31b3.txt"


@pytest.fixture(scope="module")
def result():
    return import_markdown_ledger(SEED, PLAN, region="泽州县", year=2023)


@pytest.fixture(scope="module")
def tasks(result):
    return {task.id.split("/")[1]: task for task in result.tasks}


def test_it_reads_all_44_tasks_in_order(result):
    assert [t.id for t in result.tasks] == [f"{PLAN}/{n}" for n in range(1, 45)]
    assert result.problems == []


def test_it_reads_the_first_task(tasks):
    task = tasks["1"]
    assert task.category == "一、深入推进产业结构优化调整"
    assert task.title == (
        "严格落实产业政策、“三线一单”、规划环评、能耗双控、产能置换、煤炭消费减量替代、")
    assert len(task.title) == 40
    assert task.measures.endswith("市区20公里范围内（泽州县辖区）不再新上涉气项目。")
    assert task.deadline_text == "长期坚持"
    expected = ["县发展和改革局", "县工业和信息化局", "县行政审批服务管理局", "县能源局",
                "市生态环境局泽州分局"]
    assert task.lead_units == expected
    assert task.responsible_units == expected
    assert task.cooperating_units == []
    assert task.remarks == ""
    assert task.source == f"{FILE}:30"


def test_it_keeps_a_measure_whose_deadline_disagrees_with_its_cell(tasks):
    task = tasks["3"]
    assert task.category == "一、深入推进产业结构优化调整"  # inherited from item 1
    assert "任务类别沿用上一行" in task.notes
    assert task.deadline_text == "2023年12月底前"
    assert "2024年12月底前完成" in task.measures
    assert task.lead_units == [
        "县工业和信息化局", "巴公镇人民政府", "高都镇人民政府", "北石店镇人民政府"]
    assert task.source == f"{FILE}:32"


def test_it_reads_a_two_date_deadline_cell(tasks):
    task = tasks["6"]
    assert task.title == "化工行业分别完成一次泄漏检测与修复（LDAR）工作"
    assert task.deadline_text == "2023年3月和7月底前"
    assert task.lead_units == ["市生态环境局泽州分局"]


def test_it_leaves_blank_lead_units_blank_with_a_note(tasks):
    for number, deadline in (("8", "2023年7月底前"), ("9", "2023年12月底前")):
        task = tasks[number]
        assert task.category == "一、深入推进产业结构调整优化调整"  # as written on row 7
        assert task.deadline_text == deadline
        assert task.lead_units == []
        assert task.responsible_units == []
        assert "牵头单位空白，待协调人确认" in task.notes
    assert tasks["9"].title == "完成62台固定床间歇式气化炉淘汰"
    assert tasks["9"].source == f"{FILE}:41"


def test_it_cuts_the_title_at_an_ascii_comma_too(tasks):
    task = tasks["12"]
    assert task.title == "根据涉气企业治理设施摸底调查结果"
    assert task.measures.startswith(
        "根据涉气企业治理设施摸底调查结果,对17台使用氧化法脱硝的工业炉窑")


def test_it_reads_the_dust_fall_cap_from_item_35(result, tasks):
    task = tasks["35"]
    assert task.category == "四、深化面源治理"
    assert task.title == "平均降尘量不得高于5吨/月·平方公里"
    assert task.lead_units == ["各乡镇人民政府"]
    assert [(c.region, c.cap, c.source) for c in result.targets.dust_fall] == [
        ("泽州县", 5.0, f"{FILE}:79")]


def test_it_squeezes_the_spaces_out_of_the_last_category(tasks):
    task = tasks["44"]
    assert task.category == "五、提升能力建设，协同推进应急减排与长效减排"
    assert task.title == "以工业涂装、包装印刷、家具制造、制药等行业为重点"
    assert task.deadline_text == "2023年5-9月"
    assert task.source == f"{FILE}:91"


def test_it_reads_twelve_months_of_targets_per_pollutant(result):
    monthly = {(t.month, t.metric): t.value for t in result.targets.monthly}
    assert len(result.targets.monthly) == 72
    assert {t.year for t in result.targets.monthly} == {2023}
    assert {t.region for t in result.targets.monthly} == {"泽州县"}
    assert [monthly[(1, m)] for m in ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")] == [
        16, 28, 109, 2.0, 84, 56]
    assert [monthly[(6, m)] for m in ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")] == [
        7, 23, 56, 0.9, 210, 23]
    assert [monthly[(m, "PM2.5")] for m in range(1, 13)] == [
        56, 69, 44, 32, 24, 23, 23, 24, 32, 36, 43, 43]
    assert monthly[(12, "O3")] == 81
    june = [t for t in result.targets.monthly if t.month == 6]
    assert {t.source for t in june} == {f"{FILE}:15"}


def test_it_puts_the_full_year_row_in_annual_targets(result):
    annual = {t.metric: (t.month, t.value, t.source) for t in result.targets.annual}
    assert annual == {
        "SO2": (12, 10, f"{FILE}:22"),
        "NO2": (12, 27, f"{FILE}:22"),
        "PM10": (12, 74, f"{FILE}:22"),
        "CO": (12, 1.8, f"{FILE}:22"),
        "O3": (12, 170, f"{FILE}:22"),
        "PM2.5": (12, 37, f"{FILE}:22"),
    }


def test_importing_twice_gives_equal_results(result):
    again = import_markdown_ledger(SEED, PLAN, region="泽州县", year=2023)
    assert [t.model_dump() for t in again.tasks] == [t.model_dump() for t in result.tasks]
    assert again.targets.model_dump() == result.targets.model_dump()


# --- synthetic inputs -------------------------------------------------------------------------

def test_it_reads_tables_with_header_and_line_numbers():
    lines = ["intro", "| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | 4 |", "", "| a | b |",
             "|--|--|", "| 5 |"]
    tables = read_markdown_tables(lines)
    assert [t.header for t in tables] == [["a", "b"], ["a", "b"]]
    assert [t.line for t in tables] == [2, 7]
    assert [(r.line, r.cells) for r in tables[0].rows] == [(4, ["1", "2"]), (5, ["3", "4"])]
    assert tables[1].rows == []
    assert tables[1].issues == [(9, "本行有 1 个单元格，表头有 2 列，未导入")]


YEARS = "| 2022 年 | 2023 年 " * 6
BROKEN = f"""附件 1

| 月份 {YEARS}|
|--|--|--|--|--|--|--|--|--|--|--|--|--|
| | SO ₂ | | NO ₂ | | PM ₁₀ | | CO | | O ₃ | | PM _{{2.5}} | |
| 1 月 | 16 | 16 | 31 | 28 | 109 | 109 | 2.6 | 2.0 | 89 | 84 | 76 | 56 |
| 2 月 | 15 | 十一 | 27 | 29 | 81 | 102 | 2.0 | 1.7 | 108 | 111 | 49 | 69 |

附件 2

| 任务类别 | 序号 | 具体措施 | 完成时限 | 牵头单位 | 备注 |
|--|--|--|--|--|--|
| 一、类别 | 1 | 第一项措施，细节。 | 长期坚持 | 县能源局 | |
| | 2 | 多一列的措施。 | 长期坚持 | 县能源局 | | 多余 |
| | 3 | 第三项措施。 | 2023年6月底前 | 县能源局、县农业农村局 | 备注文字 |
| | 4 | 被截断的措施
"""


def test_broken_rows_are_reported_by_line_and_the_rest_still_imports(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(BROKEN, encoding="utf-8")
    result = import_markdown_ledger(path, "demo", region="泽州县", year=2023)
    located = [(p.file, p.line) for p in result.problems]
    assert ("broken.md", 7) in located  # 十一 is not a number
    assert ("broken.md", 14) in located  # seven cells under a six-column header
    assert ("broken.md", 16) in located  # row cut off
    assert ("broken.md", 3) in located  # months 3-12 missing
    assert len(result.problems) == 4
    assert any("十一" in p.message and p.line == 7 for p in result.problems)
    assert [t.id for t in result.tasks] == ["demo/1", "demo/3"]
    third = result.tasks[1]
    assert third.category == "一、类别"
    assert third.title == "第三项措施"
    assert third.lead_units == ["县能源局", "县农业农村局"]
    assert third.remarks == "备注文字"
    assert third.source == "broken.md:15"
    values = {(t.month, t.metric): t.value for t in result.targets.monthly}
    assert values[(2, "NO2")] == 29
    assert (2, "SO2") not in values
    assert len(values) == 11  # 6 for January, 5 for February
