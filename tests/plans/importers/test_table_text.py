"""Seed 000 (长治市 2019-2020 秋冬季攻坚 task breakdown) read from tab-per-cell Word text."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.plans.importers.table_text import import_task_breakdown, read_tab_table, split_units
from scheduler.plans.ledger import PersonRef

SEED = Path(__file__).resolve().parents[3] / "data" / "sources" / "000_ab3fcd49571cab9b.txt"
PLAN = "changzhi-2019"
FILE = "000_ab3fcd49571cab9b.txt"


@pytest.fixture(scope="module")
def result():
    return import_task_breakdown(SEED, PLAN)


@pytest.fixture(scope="module")
def by_source(result):
    return {task.source: task for task in result.tasks}


def test_it_reads_every_row_of_attachments_2_and_3(result):
    # Counted by hand in the seed: lines 185-745 hold 49 rows that start after a blank line, of
    # which 528/530/532 are one row broken by stray blank lines and 608/610 another -> 46 rows.
    # From line 747 on (degraded export) the rows start at 747, 753, 755, 758, 766, 776, 786, 791,
    # 794, 797, 800, 803, 806, 810, 814, 818, 822, 825, 832, 835, 842, 846, 850, 856, 862, 873,
    # 883, 894, 902, 906, 910 -> 31 rows. 46 + 31 = 77; 附件2 lists 4 railway projects.
    rows = [t for t in result.tasks if "/r" in t.id and "/rail-" not in t.id]
    rails = [t for t in result.tasks if "/rail-" in t.id]
    assert len(rows) == 77
    assert [t.id for t in rows[:3]] == [f"{PLAN}/r001", f"{PLAN}/r002", f"{PLAN}/r003"]
    assert rows[-1].id == f"{PLAN}/r077"
    assert [t.id for t in rails] == [f"{PLAN}/rail-{n}" for n in (1, 2, 3, 4)]
    assert result.problems == []


def test_it_pairs_three_persons_with_three_governments(by_source):
    task = by_source[f"{FILE}:196"]
    assert task.id == f"{PLAN}/r002"
    assert task.category == "产业结构调整"
    assert task.key_work == "“两高”行业产能控制"
    assert task.title == "压减焦炭产能"
    assert task.deadline_text == "2019年12月底前"
    assert task.measures.startswith("完成山西金通焦化有限公司、襄垣县鸿达焦化有限公司")
    assert task.measures.endswith("214万吨焦炭过剩产能淘汰关停任务。")
    assert "[bookmark" not in task.measures
    assert task.lead_units == ["市工信局"]
    assert task.cooperating_units == []
    assert task.responsible_units == ["潞城区政府", "襄垣县政府", "武乡县政府"]
    assert task.responsible_persons == [
        PersonRef(name="郭强", unit="潞城区政府"),
        PersonRef(name="贺思宇", unit="襄垣县政府"),
        PersonRef(name="阎新平", unit="武乡县政府"),
    ]
    assert any("类别" in note and "重点工作" in note for note in task.notes)


def test_it_rejoins_a_unit_name_broken_by_a_line(by_source):
    task = by_source[f"{FILE}:437"]  # "市生态环\n境局" in lines 443-444
    assert task.category == "能源结构调整"
    assert task.key_work == "高污染燃料禁燃区"
    assert task.title == "调整扩大禁燃区范围"  # "调整扩大禁燃区\n范围"
    assert task.deadline_text == "2019年12月底前"
    assert task.lead_units == ["市生态环境局"]
    assert task.responsible_units == ["各县区政府"]
    assert task.responsible_persons == [PersonRef(name="各县区长", unit="各县区政府")]


def test_it_keeps_titles_as_names_paired_with_their_unit(by_source):
    task = by_source[f"{FILE}:246"]
    assert task.title == "实施排污许可"
    assert task.category == "产业结构调整"  # blank cell: merged with the row above
    assert task.key_work == "工业源污染治理"
    assert task.responsible_units == ["各县区政府", "高新区管委会"]
    assert task.responsible_persons == [
        PersonRef(name="各县区长", unit="各县区政府"),
        PersonRef(name="管委会主任", unit="高新区管委会"),
    ]
    assert task.measures.endswith("12月20日前基本完成排污许可证年度核发任务。")


def test_it_joins_a_row_broken_by_stray_blank_lines(by_source):
    task = by_source[f"{FILE}:528"]
    assert task.id == f"{PLAN}/r030"
    assert task.category == "运输结构调整"
    assert task.key_work == "运输结构调整"
    assert task.title == "提升铁路货运量"
    assert task.deadline_text == "2019年12月底前"
    assert task.measures == "2019年铁路货运量比2017年增加600万吨。"
    assert task.lead_units == ["市发改委", "市交通局", "市工信局"]
    assert task.responsible_units == ["各县区政府", "高新区管委会"]
    assert f"{FILE}:530" not in by_source and f"{FILE}:532" not in by_source


def test_it_inherits_the_merged_unit_block_for_the_boiler_rows(by_source):
    task = by_source[f"{FILE}:498"]
    assert task.title == "淘汰燃煤锅炉"
    assert task.key_work == "锅炉综合整治"
    assert task.deadline_text == "按国家、省规定完成时限"
    assert task.lead_units == ["市生态环境局"]
    assert task.responsible_units == ["各县区政府", "高新区管委会"]
    assert task.responsible_persons == [
        PersonRef(name="各县区长", unit="各县区政府"),
        PersonRef(name="管委会主任", unit="高新区管委会"),
    ]
    assert any("牵头单位" in note and "沿用上一行" in note for note in task.notes)


def test_it_does_not_inherit_units_when_the_row_names_some_of_its_own(by_source):
    task = by_source[f"{FILE}:311"]  # 煤气放散: only 市生态环境局 as lead, rest blank
    assert task.title == "钢铁超低排放"
    assert task.measures == "完成煤气放散自动点火装置的安装。"
    assert task.lead_units == ["市生态环境局"]
    assert task.responsible_units == []
    assert task.responsible_persons == []


def test_it_reads_the_first_degraded_row_and_its_lone_lead_unit(by_source):
    task = by_source[f"{FILE}:747"]
    assert task.category == "用地结构调整"
    assert task.key_work == "矿山综合整治"
    assert task.title == "强化露天矿山综合治理"
    assert task.deadline_text == "长期坚持"
    assert task.measures.startswith("对污染治理不规范的露天矿山")
    assert task.lead_units == ["市生态环境局"]  # line 752, " \t市生态环境局"
    assert task.responsible_units == []


def test_it_aligns_a_degraded_row_without_measures_on_its_deadline(by_source):
    task = by_source[f"{FILE}:753"]
    assert task.category == "用地结构调整"
    assert task.key_work == "矿山综合整治"
    assert task.title == "矸石山综合治理"
    assert task.deadline_text == "2019年12月底前"
    assert task.measures == ""
    assert task.lead_units == ["市生态环境局"]


def test_it_keeps_a_title_only_row_with_a_note(by_source):
    task = by_source[f"{FILE}:755"]
    assert (task.category, task.key_work, task.title) == (
        "用地结构调整", "扬尘综合治理", "建筑扬尘治理")
    assert task.deadline_text == ""
    assert task.measures == ""
    assert any("只有标题" in note for note in task.notes)
    after = by_source[f"{FILE}:758"]
    assert (after.key_work, after.title, after.deadline_text) == (
        "扬尘综合治理", "施工扬尘管理清单", "长期坚持")
    assert after.measures == "定期动态更新施工工地管理清单。"


def test_it_reads_the_dust_fall_row_and_cap(result, by_source):
    task = by_source[f"{FILE}:797"]
    assert task.title == "强化降尘量控制"
    assert task.deadline_text == "全年"
    assert [(c.region, c.cap, c.source) for c in result.targets.dust_fall] == [
        ("长治市", 9.0, f"{FILE}:797")]


def test_it_reads_a_lone_label_as_a_category(by_source):
    task = by_source[f"{FILE}:806"]
    assert task.category == "工业炉窑大气污染综合治理"
    assert task.key_work == ""
    assert task.title == "工业炉窑排查"
    assert task.deadline_text == "长期坚持"
    assert task.measures == "动态更新工业炉窑清单。"
    second = by_source[f"{FILE}:810"]
    assert (second.category, second.key_work, second.title) == (
        "工业炉窑大气污染综合治理", "淘汰一批", "煤气发生炉淘汰")


def test_it_attaches_a_measure_fragment_to_the_row_without_a_deadline(by_source):
    task = by_source[f"{FILE}:822"]
    assert (task.key_work, task.title) == ("监控监管", "工业炉窑专项执法")
    assert task.measures == "开展专项执法检查。"
    assert task.deadline_text == ""  # its 主要任务 is its own, so no deadline is inherited
    assert any("完成时限空白" in note for note in task.notes)


def test_it_places_a_trailing_title_cell_in_the_persons_column(by_source):
    row_850 = by_source[f"{FILE}:850"]
    assert row_850.title == "完善应急减排清单夯实应急减排措施"
    assert row_850.deadline_text == "按照国家、省规定时限完成"
    assert row_850.lead_units == ["市生态环境局"]
    assert row_850.cooperating_units == []
    assert row_850.responsible_units == ["各县区政府"]
    row_856 = by_source[f"{FILE}:856"]
    assert (row_856.key_work, row_856.title) == ("应急运输响应", "重污染天气移动源管控")
    assert row_856.deadline_text == "2019年10月底前"
    assert row_856.lead_units == ["市生态环境局"]
    assert row_856.responsible_units == ["各县区政府"]  # merged from line 855
    assert row_856.responsible_persons == [PersonRef(name="各县区长", unit="各县区政府")]


def test_it_reads_complete_and_short_rows_in_the_degraded_region(by_source):
    row_862 = by_source[f"{FILE}:862"]
    assert (row_862.category, row_862.key_work, row_862.title) == (
        "能力建设", "完善环境监测监控网络", "环境空气VOCs监测")
    assert row_862.responsible_persons == [PersonRef(name="赵晚花", unit="市生态环境局")]
    row_825 = by_source[f"{FILE}:825"]
    assert (row_825.category, row_825.key_work, row_825.title) == (
        "VOCs治理", "重点工业行业VOCs综合治理", "源头替代")
    assert row_825.lead_units == ["市生态环境局"]
    row_894 = by_source[f"{FILE}:894"]
    assert row_894.title == "重型柴油车车载诊断系统远程监控系统建设"
    assert row_894.deadline_text == "全年"
    assert row_894.lead_units == ["市生态环境局"]
    assert row_894.responsible_units == ["市生态环境局"]
    last = by_source[f"{FILE}:910"]
    assert (last.id, last.key_work, last.title) == (
        f"{PLAN}/r077", "颗粒物来源解析", "开展PM2.5来源解析")
    assert last.measures == "完成城市大气污染颗粒物源解析。"


def test_it_imports_the_railway_projects(by_source):
    task = by_source[f"{FILE}:133"]
    assert task.id == f"{PLAN}/rail-1"
    assert task.category == "铁路专用线重点建设项目"
    assert task.title == "山西省长子县能源交通物流有限公司长子南铁路专用线"
    assert task.deadline_text == "按国家、省规定的时限"
    assert task.responsible_units == ["山西能投煤炭物流有限公司铁路综合物流园"]
    assert "山西能投煤炭物流有限公司铁路综合物流园" in task.measures
    assert "接轨站：长子南" in task.measures
    assert "开工时间：2013.1" in task.measures
    assert task.remarks == "开工时间 2013.1"
    assert by_source[f"{FILE}:153"].title == "壶关集运站"


def test_it_reads_the_thirteen_county_targets_and_the_city_average(result):
    got = [(t.region, t.pm25_baseline, t.pm25_reduction_pct, t.heavy_days_baseline,
            t.heavy_days_reduction) for t in result.targets.county]
    assert got == [
        ("主城区", 67, 4, 9, None),
        ("潞州区", 66, 6, 9, 2),
        ("上党区", 63, 5, 6, None),
        ("潞城区", 70, 7, 10, 3),
        ("屯留区", 56, 4, 6, None),
        ("长子县", 67, 6, 10, 3),
        ("壶关县", 61, 5, 5, None),
        ("平顺县", 44, None, 2, None),
        ("黎城县", 73, 7, 15, 5),
        ("襄垣县", 71, 7, 8, 1),
        ("武乡县", 56, 4, 2, None),
        ("沁县", 67, 6, 6, None),
        ("沁源县", 52, None, 5, None),
        ("全市平均", 62, 5, 7, 1),
    ]
    assert result.targets.county[0].source == f"{FILE}:20"


def test_importing_twice_gives_equal_results(result):
    again = import_task_breakdown(SEED, PLAN)
    assert [t.model_dump() for t in again.tasks] == [t.model_dump() for t in result.tasks]
    assert again.targets.model_dump() == result.targets.model_dump()


# --- synthetic inputs -------------------------------------------------------------------------

def test_it_reads_multi_line_cells_and_reports_a_row_with_too_many_cells():
    lines = ["", "\ta", "\tb", "\tc", "", "\td", "\te", "continued", "\tf", "\tg", "", "\th", "\ti",
             "\tj"]
    rows, problems = read_tab_table(lines, 1, len(lines), 3)
    assert [r.cells for r in rows] == [["a", "b", "c"], ["d", "e\ncontinued", "f", "g"],
                                       ["h", "i", "j"]]
    assert [r.line for r in rows] == [2, 6, 12]
    assert [r.complete for r in rows] == [True, False, True]
    assert [(p.line, p.message) for p in problems] == [(6, "本行有 4 个单元格，表格只有 3 列")]


def test_it_splits_unit_lists_and_rejoins_broken_names():
    assert split_units("潞城区政府\n襄垣县政府\n武乡县政府") == [
        "潞城区政府", "襄垣县政府", "武乡县政府"]
    assert split_units("市生态环\n境局") == ["市生态环境局"]
    assert split_units("") == []


SYNTHETIC = """附件1
标题
\t序号
\t县区
\tPM2.5
\t下降
\t天数
\t减少

\t1
\t潞州区
\t六十六
\t6
\t9
\t2

\t2
\t上党区
\t63
\t5
\t6
\t持续改善
附件2
标题

\t1
\t山西省
\t长治市
\t郑州铁路局
\t某物流园
\t某专用线
\t长子南
\t2013.1
\t按国家、省规定的时限

\t2
\t山西省
\t长治市
附件3
标题

\t类别
\t重点工作
\t主要任务
\t完成时限
\t工程措施
\t牵头单位
\t配合单位
\t责任单位
\t责任人

\t产业结构调整
\t洗煤
\t洗煤行业整治
\t2019年12月底前
\t制定方案。
\t市能源局
\t
\t市能源局
\t原文祥
 \t用地结构调整
\t扬尘综合治理
"""


def test_broken_rows_are_reported_by_line_and_the_rest_still_imports(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(SYNTHETIC, encoding="utf-8")
    result = import_task_breakdown(path, "demo")
    assert [(p.file, p.line) for p in result.problems] == [
        ("broken.txt", 10),  # 附件1: 六十六 is not a number
        ("broken.txt", 36),  # 附件2: a row cut after three cells
        ("broken.txt", 61),  # 附件3: the table ends after a row's titles
    ]
    assert "六十六" in result.problems[0].message
    assert [t.region for t in result.targets.county] == ["上党区"]
    assert [t.id for t in result.tasks] == ["demo/r001", "demo/rail-1"]
    task = result.tasks[0]
    assert (task.title, task.deadline_text, task.lead_units) == (
        "洗煤行业整治", "2019年12月底前", ["市能源局"])
    assert task.responsible_persons == [PersonRef(name="原文祥", unit="市能源局")]
    assert task.source == "broken.txt:52"
