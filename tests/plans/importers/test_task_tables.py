"""Task tables recognised by what their header means, with the conventions a reader applies."""

from __future__ import annotations

from scheduler.plans.importers.grid import Grid, build_grid
from scheduler.plans.importers.task_tables import import_task_tables, plain_units, units_of


def grid(rows: list[list[str]], merges: list[tuple[int, int, int, int]] = (), name: str = "表1",
         caption: str = "") -> Grid:
    values = {(r, c): text for r, row in enumerate(rows, start=1) for c, text in enumerate(row, start=1) if text}
    made = build_grid("plan.docx", name, values, list(merges))
    made.caption = caption
    return made


def tasks_of(*grids: Grid):
    result, seen = import_task_tables(list(grids), "p-2024")
    return {t.id.split("/", 1)[1]: t for t in result.tasks}, result, seen


def test_any_synonym_of_each_column_is_recognised():
    for task_word, deadline_word, unit_word in [
            ("重点任务", "完成时限", "牵头单位"), ("工作内容", "时间节点", "责任部门"),
            ("目标任务", "进度安排", "牵头部门"), ("具体措施", "时限要求", "责任单位"),
            ("工作措施", "完成时间", "责任领导")]:
        tasks, _, seen = tasks_of(grid([["序号", task_word, deadline_word, unit_word],
                                        ["1", "淘汰燃煤锅炉", "2024年6月底前", "市生态环境局"]]))
        assert [t.title for t in tasks.values()] == ["淘汰燃煤锅炉"], (task_word, seen[0].describe())
        assert tasks["1"].deadline_text == "2024年6月底前"


def test_a_table_below_a_title_row_is_found_by_its_header():
    tasks, _, _ = tasks_of(grid([["某某市2024年重点任务清单", "", "", ""], ["", "", "", ""],
                                 ["序号", "重点任务", "完成时限", "责任单位"],
                                 ["1", "清理散乱污企业", "2024年3月底前", "各县（市、区）人民政府"]],
                                merges=[(1, 1, 1, 4)]))
    assert tasks["1"].responsible_units == ["各县（市、区）人民政府"]
    assert tasks["1"].source == "plan.docx#表1:4"


def test_a_two_row_header_names_the_parts_of_a_merged_unit_column():
    tasks, _, seen = tasks_of(grid([["序号", "重点任务", "完成时限", "责任单位", ""],
                                    ["", "", "", "牵头单位", "配合单位"],
                                    ["1", "整治工业炉窑", "2024年9月底前", "市工信局", "市生态环境局、市发改委"]],
                                   merges=[(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 1, 5)]))
    task = tasks["1"]
    assert task.lead_units == ["市工信局"]
    assert task.cooperating_units == ["市生态环境局", "市发改委"]
    assert "牵头单位→牵头单位" in seen[0].describe() and "配合单位→配合单位" in seen[0].describe()


def test_cells_merged_down_and_across_read_as_a_reader_sees_them():
    tasks, _, _ = tasks_of(grid([
        ["序号", "重点任务", "具体措施", "完成时限", "牵头单位"],
        ["一、产业结构调整", "", "", "", ""],
        ["1", "压减过剩产能", "关停焦炉", "2024年6月底前", "市工信局"],
        ["", "", "淘汰钢铁落后产能", "2024年12月底前", ""],
        ["2", "清洁取暖", "完成煤改气", "2024年10月底前", "市住建局"],
    ], merges=[(2, 1, 2, 5), (3, 1, 4, 1), (3, 2, 4, 2), (3, 5, 5, 5)]))
    assert list(tasks) == ["1-1", "1-2", "2"]
    assert tasks["1-2"].title == "压减过剩产能" and tasks["1-2"].measures == "淘汰钢铁落后产能"
    assert tasks["1-2"].lead_units == ["市工信局"]
    assert tasks["2"].lead_units == ["市工信局"]  # the lead cell is merged down over task 2 as well
    assert "沿用上一行（合并单元格）：牵头单位" in tasks["2"].notes
    assert {t.category for t in tasks.values()} == {"一、产业结构调整"}


def test_a_category_row_names_the_rows_below_until_the_next_one():
    tasks, _, _ = tasks_of(grid([
        ["序号", "重点任务", "完成时限", "责任单位"],
        ["（一）工业", "", "", ""],
        ["1", "深度治理", "2024年6月底前", "市生态环境局"],
        ["（二）交通", "", "", ""],
        ["2", "淘汰国三柴油车", "2024年12月底前", "市交通运输局"],
    ]))
    assert tasks["1"].category == "（一）工业" and tasks["2"].category == "（二）交通"


def test_a_row_cut_by_a_page_break_continues_the_task_above():
    tasks, result, _ = tasks_of(grid([
        ["序号", "重点任务", "完成时限", "责任单位"],
        ["1", "完成钢铁企业超低", "2024年6月底前", "市生态环"],
        ["", "排放改造", "", "境局"],
        ["序号", "重点任务", "完成时限", "责任单位"],  # the header repeated on the next page
        ["2", "清理散乱污企业", "2024年3月底前", "各县区政府"],
    ]))
    assert list(tasks) == ["1", "2"]
    assert tasks["1"].title == "完成钢铁企业超低排放改造"
    assert tasks["1"].responsible_units == ["市生态环境局"]


def test_a_clause_in_a_unit_cell_is_read_whole_not_split_at_commas():
    clause = "市住建局牵头，市交通局、市水利局配合，各区政府负责落实"
    tasks, _, _ = tasks_of(grid([["序号", "重点任务", "完成时限", "责任单位"], ["1", "治理扬尘", "长期坚持", clause]]))
    task = tasks["1"]
    assert task.lead_units == ["市住建局"]
    assert task.cooperating_units == ["市交通局", "市水利局"]
    assert "各区政府" in task.responsible_units
    assert not any("牵头" in u or "配合" in u or "，" in u for u in task.lead_units + task.cooperating_units)


def test_a_plain_list_takes_its_columns_role_and_drops_an_open_tail():
    assert plain_units("市生态环\n境局\n市工信局") == ["市生态环境局", "市工信局"]
    assert plain_units("市交通局、市公安局等") == ["市交通局", "市公安局"]
    assert plain_units("各县（市、区）人民政府") == ["各县（市、区）人民政府"]
    roles = units_of("市工信局、市发改委", "coop")
    assert roles["coop"] == ["市工信局", "市发改委"]
    assert not roles.get("lead") and not roles.get("resp")


def test_only_a_lead_column_makes_the_lead_responsible_too():
    tasks, _, _ = tasks_of(grid([["序号", "具体措施", "完成时限", "牵头单位"],
                                 ["1", "开展VOCs治理，完成20家企业。", "2024年6月底前", "市生态环境局"]]))
    assert tasks["1"].title == "开展VOCs治理"
    assert tasks["1"].measures == "开展VOCs治理，完成20家企业。"
    assert tasks["1"].responsible_units == ["市生态环境局"]


def test_one_table_per_chapter_takes_the_chapter_as_category_and_numbers_by_table():
    first = grid([["序号", "重点任务", "完成时限"], ["1", "任务甲", "2024年6月底前"], ["2", "任务乙", "长期坚持"]],
                 caption="一、调整产业结构")
    second = grid([["序号", "重点任务", "完成时限"], ["1", "任务丙", "2024年9月底前"]], name="表2",
                  caption="二、调整交通结构")
    tasks, _, _ = tasks_of(first, second)
    assert list(tasks) == ["1.1", "1.2", "2.1"]
    assert tasks["2.1"].category == "二、调整交通结构"


def test_a_table_without_a_task_header_is_reported_not_guessed():
    tasks, result, seen = tasks_of(grid([["月份", "PM2.5", "PM10"], ["1月", "60", "90"]]))
    assert tasks == {}
    assert "未识别为任务表" in seen[0].describe() and "月份" in seen[0].describe()


def test_a_row_without_task_text_is_reported():
    tasks, result, seen = tasks_of(grid([["序号", "重点任务", "完成时限", "责任单位"],
                                         ["1", "淘汰锅炉", "2024年6月底前", "市生态环境局"],
                                         ["2", "", "2024年9月底前", "市工信局"]]))
    assert list(tasks) == ["1"]
    assert seen[0].rejected == 1
    assert any("没有任务内容" in p.message and p.where == "表1!A3" for p in result.problems)


def test_a_blank_label_over_its_own_measure_continues_the_label_above():
    tasks, _, _ = tasks_of(grid([["主要任务", "工程措施", "完成时限", "牵头单位"],
                                 ["压减焦炭产能", "关停焦炉", "2024年6月底前", "市工信局"],
                                 ["", "淘汰落后产能", "2024年9月底前", "市发改委"]]))
    assert [t.title for t in tasks.values()] == ["压减焦炭产能", "压减焦炭产能"]
    assert "沿用上一行（合并单元格）：主要任务" in tasks["r002"].notes
