"""Task-table forms of other cities' plans: a ledger that names its period once, in the header."""

from __future__ import annotations

from scheduler.plans.importers.task_tables import import_task_tables
from scheduler.plans.importers.text_tables import text_grids


def tasks_in(text: str):
    grids = text_grids("ledger.txt", text.splitlines())
    result, _ = import_task_tables(grids, "p-2024")
    return {t.id.split("/", 1)[1]: t for t in result.tasks}


QUARTER_LEDGER = """任务项

重点工作内容

牵头责任单位

四季度任务分解

完成状况

1

开展市容秩序专项整治行动。

区城管大队

选定示范道路，启动专项整治。

已完成

2

深入推进生活垃圾分类工作，11月底前完成督查考核。

区环卫所

开展督查考核1次。

已完成
"""


def test_a_quarter_named_in_the_header_is_the_deadline_of_rows_without_their_own():
    task = tasks_in(QUARTER_LEDGER)["1"]
    assert task.deadline_text == "四季度"
    assert "完成时限取自表头：四季度" in task.notes


def test_a_row_with_its_own_date_keeps_it_over_the_header_quarter():
    assert tasks_in(QUARTER_LEDGER)["2"].deadline_text == "11月底前"


def test_a_header_naming_two_different_quarters_dates_no_row():
    text = QUARTER_LEDGER.replace("完成状况", "一季度进展情况").replace("已完成", "")
    assert tasks_in(text)["1"].deadline_text == ""


def test_a_header_without_a_period_leaves_the_deadline_for_the_coordinator():
    task = tasks_in(QUARTER_LEDGER.replace("四季度任务分解", "任务分解"))["1"]
    assert task.deadline_text == ""
    assert "完成时限空白，待协调人确认" in task.notes


RUN_ON = ("某某市2021年行动计划 序号 重点任务 工作措施 牵头部门 主责单位 完成时限 一 空气质量目标 市交通委 , "
          "1 目标任务 巩固改善空气质量 年底前 各区政府 市生态环境局")


def test_a_header_flattened_into_one_line_with_its_cells_is_named_with_its_line():
    from scheduler.plans.importers.text_tables import run_on_headers

    header = ["序号", "重点任务", "工作措施", "牵头部门", "主责单位", "完成时限"]
    assert run_on_headers(["通知", RUN_ON]) == [(2, header)]


def test_an_import_that_finds_nothing_says_where_a_flattened_table_stands(tmp_path):
    from scheduler.plans.importers.plan_import import read_draft

    path = tmp_path / "plan.txt"
    path.write_text(f"某某市人民政府\n{RUN_ON}\n", encoding="utf-8")
    draft = read_draft(path)
    assert not draft.result.tasks
    said = [line.strip() for line in draft.report()]
    assert any(line.startswith("第2行：任务表的表头（序号、重点任务") and "挤在同一行" in line for line in said)


def test_a_sentence_that_merely_names_columns_is_no_flattened_table():
    from scheduler.plans.importers.text_tables import run_on_headers

    assert run_on_headers(["请填写 序号 和 完成时限，报 牵头单位 汇总。"]) == []
