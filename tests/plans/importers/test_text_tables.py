"""Task tables that arrive as text: flattened one cell per line, tab-separated, or saved from Word."""

from __future__ import annotations

from scheduler.plans.importers.task_tables import import_task_tables
from scheduler.plans.importers.text_tables import text_grids


def tasks_in(text: str):
    grids = text_grids("plan.txt", text.splitlines())
    result, _ = import_task_tables(grids, "p-2024")
    return {t.id.split("/", 1)[1]: t for t in result.tasks}


FLAT = """某某县人民政府关于印发《某某县2023年秋冬季攻坚方案》的通知
序号
重点任务
完成时限
牵头单位
责任单位
1
清理散乱污企业
2023年11月底前
县生态环境局
各乡镇人民政府
2
推进清洁取暖改造
2023年10月底前
县住建局
3
禁止秸秆露天焚烧
长期坚持
县农业农村局
各乡镇人民政府
二、保障措施
加强组织领导。
"""


def test_a_table_flattened_one_cell_per_line_is_split_at_its_running_numbers():
    tasks = tasks_in(FLAT)
    assert list(tasks) == ["1", "2", "3"]
    assert tasks["1"].responsible_units == ["各乡镇人民政府"]
    assert tasks["3"].deadline_text == "长期坚持"
    assert tasks["1"].source == "plan.txt#表1:7"  # the file's line number of the row


def test_a_flattened_row_that_lost_an_empty_cell_is_aligned_on_its_deadline():
    task = tasks_in(FLAT)["2"]
    assert task.title == "推进清洁取暖改造"
    assert task.deadline_text == "2023年10月底前"
    assert task.lead_units == ["县住建局"]


def test_rows_apart_by_blank_lines_are_one_row_each():
    text = ("序号\n工作任务\n完成时间\n责任单位\n\n1\n整治燃煤锅炉\n2024年6月底前\n市生态环境局\n\n"
            "2\n推广新能源车\n长期坚持\n市交通局\n")
    tasks = tasks_in(text)
    assert [t.title for t in tasks.values()] == ["整治燃煤锅炉", "推广新能源车"]


def test_a_tab_separated_table_reads_row_by_row():
    text = ("说明文字\n序号\t工作任务\t完成时间\t责任部门\n1\t整治燃煤锅炉\t2024年6月底前\t市生态环境局、市市场监管局\n"
            "2\t推广新能源公交车\t2024年12月底前\t市交通运输局\n等相关单位\n")
    tasks = tasks_in(text)
    assert tasks["1"].responsible_units == ["市生态环境局", "市市场监管局"]
    assert tasks["2"].responsible_units == ["市交通运输局"]  # "等相关单位" ends an open list


def test_a_word_table_saved_as_text_reads_a_cell_per_tab_line():
    text = ("附件\n\n\t主要任务\n\t完成时限\n\t牵头\n单位\n\t责任单位\n\n"
            "\t压减焦炭产能\n\t2024年12月底前\n\t市工信局\n\t潞城区政府\n襄垣县政府\n\n"
            "\t散煤管控\n\t全年\n\t市市场监管局\n\t\n")
    tasks = tasks_in(text)
    assert [t.title for t in tasks.values()] == ["压减焦炭产能", "散煤管控"]
    first = list(tasks.values())[0]
    assert first.responsible_units == ["潞城区政府", "襄垣县政府"]
    assert first.lead_units == ["市工信局"]


def test_text_without_a_task_header_gives_no_table():
    assert text_grids("a.txt", ["今天天气很好。", "序号", "我们去公园。"]) == []


def test_cells_copied_from_a_web_page_with_bars_read_like_tabs():
    tasks = tasks_in("序号 | 重点任务 | 完成时限 | 责任单位\n1 | 清理散乱污企业 | 2024年3月底前 | 各乡镇人民政府\n")
    assert tasks["1"].responsible_units == ["各乡镇人民政府"]
    flat = tasks_in("领域 |\n序号 |\n项目名称 |\n主要内容 |\n计划节点 |\n责任单位 |\n||||||\n"
                    "大气环境 |\n1 |\n治理工地扬尘 |\n落实六个百分百 |\n2024年6月底前 |\n区建管委 |\n||||||\n")
    assert flat["1"].title == "治理工地扬尘" and flat["1"].category == "大气环境"
    assert flat["1"].deadline_text == "2024年6月底前" and flat["1"].responsible_units == ["区建管委"]


def test_a_web_table_with_a_blank_line_between_every_cell():
    text = ("某区2024年重点工作任务完成情况\n\n任务项\n\n重点工作内容\n\n牵头责任单位\n\n进展情况\n\n"
            "1\n\n开展市容专项整治，推行门前责任制。\n\n区城管大队\n\n已完成\n\n"
            "2\n\n推进生活垃圾分类。\n\n区环卫所（分类办）\n\n推进中\n")
    tasks = tasks_in(text)
    assert list(tasks) == ["1", "2"]  # 任务项 counts 1, 2: it is the 序号
    assert tasks["1"].title == "开展市容专项整治" and tasks["1"].measures == "开展市容专项整治，推行门前责任制。"
    assert tasks["2"].title == "推进生活垃圾分类"
    assert tasks["2"].lead_units == ["区环卫所（分类办）"] == tasks["2"].responsible_units


def test_rows_copied_with_a_space_between_cells_are_aligned_by_column_kind():
    text = ("某某市主要任务分解表\n序号 类别 主要任务 细化措施 牵头单位 参与单位 责任单位\n"
            "1 节约用 水 严守用水总量红线 2019年9月底前，完成取水口核查。 市水利局 "
            "市发展改革委、住房和城乡建设局等 各县(市、区)人民政府\n"
            "2  严守用水 效率红线 落实用水效率评估体系。 市水利局 市统计局 各县(市、区)人民政府\n"
            "3   抓好工业节水。加快节水改造。 市工业和信息化局 市水利局 各县(市、区)人民政府\n\n二、保障措施\n")
    tasks = tasks_in(text)
    assert [t.title for t in tasks.values()] == ["严守用水总量红线", "严守用水效率红线", "严守用水效率红线"]
    assert tasks["1"].category == "节约用水" and tasks["3"].measures == "抓好工业节水。加快节水改造。"
    assert tasks["1"].deadline_text == "2019年9月底前"  # no time column: the date in the measure
    assert tasks["1"].lead_units == ["市水利局"] and tasks["3"].lead_units == ["市工业和信息化局"]
    assert tasks["2"].cooperating_units == ["市统计局"]
    assert tasks["1"].responsible_units == ["各县(市、区)人民政府"]
