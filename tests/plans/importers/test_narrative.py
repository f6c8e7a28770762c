"""Seeds 001-003 (narrative plans) read into tasks, targets and assessment clauses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.plans.importers.narrative import (
    NO_DEADLINE_NOTE,
    cn_to_int,
    find_assessment_clause,
    find_deadline_phrase,
    import_narrative,
)

SEEDS = Path(__file__).resolve().parents[3] / "data" / "sources"
SEED_001 = SEEDS / "001_5d70b785daafd91c.txt"
SEED_002 = SEEDS / "002_4f45dafb854d9093.txt"
SEED_003 = SEEDS / "003_fc497d6f985ed3f6.txt"
ATTACHMENT_003 = 756  # "附件：晋城市 2020-2021 年…任务清单"
COUNTIES_001 = ["各县、区人民政府", "长治高新区、经开区管委会"]


@pytest.fixture(scope="module")
def seed1():
    return import_narrative(SEED_001, "changzhi-2022")


@pytest.fixture(scope="module")
def seed2():
    return import_narrative(SEED_002, "jinzhong-2020")


@pytest.fixture(scope="module")
def seed3():
    return import_narrative(SEED_003, "jincheng-2020", end_line=ATTACHMENT_003 - 1)


def by_id(result):
    return {task.id.split("/")[1]: task for task in result.tasks}


# --- seed 001 ------------------------------------------------------------------------------

def test_it_reads_the_26_numbered_items_of_seed_001(seed1):
    assert [t.id for t in seed1.tasks] == [f"changzhi-2022/{n}" for n in range(1, 27)]
    assert seed1.problems == []


def test_it_reads_item_1_with_its_clause_and_no_deadline(seed1):
    task = by_id(seed1)["1"]
    assert task.category == "（一）深入推进产业结构优化调整"
    assert task.title == "坚决遏制“两高”项目盲目发展"
    assert task.measures.startswith("坚决遏制“两高”项目盲目发展。严格按照国家、省")
    assert task.measures.endswith("市区规划区范围内不再新增“两高”项目。")
    assert task.lead_units == ["市发展改革委"]
    assert task.cooperating_units == ["市工信局", "市生态环境局", "市能源局", "市行政审批局"]
    assert task.responsible_units == COUNTIES_001
    assert task.deadline_text == ""
    assert NO_DEADLINE_NOTE in task.notes
    assert task.source == "001_5d70b785daafd91c.txt:34"


def test_it_reads_item_2_with_two_leads_and_the_inherited_counties(seed1):
    task = by_id(seed1)["2"]
    assert task.title == "积极推进重污染企业退城搬迁"
    assert task.lead_units == ["市工信局", "市生态环境局"]
    assert task.cooperating_units == []
    assert task.responsible_units == COUNTIES_001
    assert task.source == "001_5d70b785daafd91c.txt:36"


def test_it_reads_item_3_deadline_from_the_text(seed1):
    task = by_id(seed1)["3"]
    assert task.title == "加快淘汰重点行业落后产能"
    assert task.deadline_text == "2023年6月底前"
    assert task.lead_units == ["市工信局"]
    assert task.cooperating_units == ["市生态环境局", "市发展改革委", "市行政审批局"]
    assert task.source == "001_5d70b785daafd91c.txt:38"


def test_it_reads_item_14_and_its_dust_fall_cap(seed1):
    task = by_id(seed1)["14"]
    assert task.category == "（五）深入推进城市扬尘综合治理"
    assert task.title == "持续实施降尘监测考核"
    assert task.lead_units == ["市生态环境局"]
    assert task.measures == ("持续实施降尘监测考核。每月通报县区降尘量监测结果，"
                             "平均降尘量高于7吨／月·平方公里的县区要组织开展降尘专项整治。")
    [cap] = seed1.targets.dust_fall
    assert (cap.region, cap.cap, cap.source) == ("长治市", 7.0, "001_5d70b785daafd91c.txt:68")
    assert seed1.targets.period_caps == []


def test_it_reads_item_18_recurring_deadline(seed1):
    task = by_id(seed1)["18"]
    assert task.category == "（一）持续开展夏季臭氧污染治理攻坚行动"
    assert task.deadline_text == "每年5月底前"
    assert task.lead_units == ["市生态环境局"]


def test_it_adds_item_1_county_governments_to_every_later_task(seed1):
    for task in seed1.tasks[1:]:
        assert task.responsible_units == COUNTIES_001, task.id
    task = by_id(seed1)["26"]
    assert task.cooperating_units == ["市清洁取暖工作领导小组其他成员单位"]
    assert task.source == "001_5d70b785daafd91c.txt:102"


def test_it_reads_other_deadline_phrases_of_seed_001(seed1):
    tasks = by_id(seed1)
    assert tasks["5"].deadline_text == "按照省定时限"
    assert tasks["6"].deadline_text == "当年采暖季前"
    assert tasks["22"].deadline_text == "按照国家和省要求的时限"


# --- seed 002 ------------------------------------------------------------------------------

def test_it_reads_20_clause_paragraphs_of_seed_002(seed2):
    # By hand: items （三）-（七）: 5 paragraphs; （八） 3; （九） 2; （十）-（十四） 5;
    # （十五） 2; （十六） 1; （十七） 2 -> 20. 总体要求 and 保障措施 carry no clause.
    expected = ["3", "4", "5", "6", "7", "8.1", "8.2", "8.3", "9.1", "9.2", "10", "11", "12",
                "13", "14", "15.1", "15.2", "16", "17.1", "17.2"]
    assert [t.id for t in seed2.tasks] == [f"jinzhong-2020/{n}" for n in expected]
    assert seed2.problems == []


def test_it_reads_seed_002_item_8_paragraphs(seed2):
    tasks = by_id(seed2)
    first = tasks["8.1"]
    assert first.category == "三、全面完成打赢蓝天保卫战重点任务"
    assert first.key_work == "推进清洁取暖散煤替代工程"
    assert first.title == "推进清洁取暖散煤替代工程"
    assert first.deadline_text == "2020年采暖季前"
    assert first.lead_units == ["市能源局"]
    assert first.cooperating_units == ["市生态环境局", "市发展改革委", "市城市管理局"]
    assert first.responsible_units == ["各县（区、市）人民政府"]
    assert first.source == "002_4f45dafb854d9093.txt:43"
    # line 45 opens its clause with "[" and closes it with "）"
    second = tasks["8.2"]
    assert second.key_work == "推进清洁取暖散煤替代工程"
    assert second.lead_units == ["市发展改革委", "市能源局", "市城市管理局", "市工信局"]
    assert second.responsible_units == ["各县（区、市）人民政府"]
    assert second.measures.endswith("夯实“压非保民”应急预案。")
    assert second.source == "002_4f45dafb854d9093.txt:45"


def test_it_reads_seed_002_items_11_and_13(seed2):
    tasks = by_id(seed2)
    assert tasks["11"].lead_units == ["市生态环境局", "市工信局"]
    assert tasks["11"].responsible_units == ["介休市人民政府"]
    assert tasks["11"].deadline_text == "9月底前"
    assert tasks["13"].deadline_text == "2020年10月底前"
    assert tasks["17.2"].deadline_text == "2020年12月底前"
    assert tasks["3"].category == "二、有效应对重污染天气"


def test_it_reads_seed_002_city_caps_for_both_periods(seed2):
    caps = {(c.metric, c.period_start, c.period_end): c for c in seed2.targets.period_caps}
    autumn = (date(2020, 10, 1), date(2020, 12, 31))
    winter = (date(2021, 1, 1), date(2021, 3, 31))
    assert caps[("PM2.5", *autumn)].cap == 47
    assert caps[("heavy_pollution_days", *autumn)].cap == 0
    assert caps[("PM2.5", *winter)].cap == 72
    assert caps[("heavy_pollution_days", *winter)].cap == 5
    assert len(caps) == 4
    assert {c.region for c in caps.values()} == {"晋中市"}
    assert caps[("PM2.5", *winter)].unit == "μg/m³"
    assert caps[("heavy_pollution_days", *winter)].unit == "天"


# --- seed 003 (OCR) ------------------------------------------------------------------------

def test_it_reads_17_clause_paragraphs_of_seed_003(seed3):
    # By hand: （三）-（六） 4; （七） 3 (气源电源, 严防散煤复烧 have own clauses); （八） （九） 2;
    # （十） 2 (落实《晋城市打赢蓝天保卫战…》 paragraph); （十一）-（十六） 6 -> 17.
    expected = ["3", "4", "5", "6", "7.1", "7.2", "7.3", "8", "9", "10.1", "10.2", "11",
                "12", "13", "14", "15", "16"]
    assert [t.id for t in seed3.tasks] == [f"jincheng-2020/{n}" for n in expected]
    assert seed3.problems == []


def test_it_reads_seed_003_item_3_with_a_j_closing_bracket(seed3):
    task = by_id(seed3)["3"]
    assert task.category == "二、有效应对重污染天气"
    assert task.title == "全面实施绩效分级差异化减排"
    assert task.responsible_units == ["市生态环境局", "市工信局"]
    assert task.lead_units == []
    assert task.measures.endswith("采取停产或最严级别限产措施，以生产线计。")
    assert "OCR修复：责任条款闭括号被识别为“J”" in task.notes
    assert task.source == "003_fc497d6f985ed3f6.txt:94"


def test_it_keeps_ocr_wording_but_notes_the_si_for_yi(seed3):
    task = by_id(seed3)["4"]
    assert "全市在巳完成应急减排清单编制的基础上" in task.measures
    assert "OCR：原文“巳”应为“已”，正文未改动" in task.notes
    assert task.responsible_units == ["市生态环境局"]  # "［责\n任单位：市生态环境局］"


def test_it_reads_seed_003_item_6_whose_bracket_became_gong(seed3):
    task = by_id(seed3)["6"]
    assert task.responsible_units == ["市直各相关单位", "各县（市、区）人民政府", "开发区管委会"]
    assert task.measures.endswith("确保及时呴应、有效应对")  # wording kept, 工 dropped
    assert "OCR修复：责任条款开括号“［”被识别为“工”" in task.notes
    assert task.source == "003_fc497d6f985ed3f6.txt:154"


def test_it_joins_seed_003_lines_and_quotes_into_paragraphs(seed3):
    tasks = by_id(seed3)
    first = tasks["7.1"]
    assert first.key_work == "推进清洁取暖散煤替代工程"
    assert first.deadline_text == "2020年10月底前"
    assert "坚持“以气定改、以供定需，先立后破”的原则" in first.measures
    assert first.responsible_units == ["市能源局", "市农业农村局", "各县（市、区）人民政府"]
    second = tasks["7.2"]
    assert second.title == "全力做好气源电源供应保障"
    assert "务实”压非保民”应急预案。对“煤改电”配套电网工程" in second.measures
    assert second.source == "003_fc497d6f985ed3f6.txt:206"
    steel = tasks["10.1"]
    assert steel.title == "巩固钢铁行业超低排放改造和工业炉窑综合整治成效"
    assert steel.responsible_units == ["市生态环境局", "市工信局", "城区人民政府", "泽州县人民政府",
                                       "高平市人民政府", "陵川县人民政府", "沁水县人民政府"]
    assert tasks["12"].deadline_text == "2020年底前"
    assert not any("- 10 -" in t.measures or "—-10-" in t.measures for t in seed3.tasks)


def test_it_reads_seed_003_city_caps_across_ocr_lines(seed3):
    caps = {(c.metric, c.period_start): c for c in seed3.targets.period_caps}
    assert caps[("PM2.5", date(2020, 10, 1))].cap == 53
    assert caps[("heavy_pollution_days", date(2020, 10, 1))].cap == 2
    assert caps[("PM2.5", date(2021, 1, 1))].cap == 82
    assert caps[("heavy_pollution_days", date(2021, 1, 1))].cap == 11
    assert caps[("PM2.5", date(2021, 1, 1))].period_end == date(2021, 3, 31)
    assert caps[("PM2.5", date(2020, 10, 1))].source == "003_fc497d6f985ed3f6.txt:84"
    assert {c.region for c in caps.values()} == {"晋城市"}


# --- assessment clauses --------------------------------------------------------------------

def test_it_finds_the_assessment_clause_of_each_narrative_seed():
    text, line = find_assessment_clause(SEED_001)
    assert line == 114
    assert text.startswith("（五）强化考核督察。对环境空气质量改善幅度达不到序时进度")
    assert text.endswith("依法依规对相关责任人进行严肃问责。")
    text, line = find_assessment_clause(SEED_002)
    assert line == 85
    assert text.startswith("（二十一）强化考核督察。")
    text, line = find_assessment_clause(SEED_003)
    assert line == 721
    assert "下发预警通知函" in text and "公开约谈主要负责人" in text
    assert text.endswith("并依法依纪追究责任。")
    assert "附件" not in text and "-14-" not in text


# --- broken input, helpers, determinism ----------------------------------------------------

BROKEN = """三、重点任务

（一）第一项任务。完成甲。[市工信局牵头，各县（区、市）人民政府负责落实]

（二）第二项任务。完成乙。[市生态环境局牵头，各县（区、市）人民政府负责落实

（三）第三项任务。2021年3月底前完成丙。[市能源局牵头]

四、保障措施

（四）强化考核督察。约谈。
"""


def test_it_reports_an_unclosed_clause_by_line_and_keeps_every_task(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(BROKEN, encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/1", "test-plan/2", "test-plan/3"]
    [problem] = result.problems
    assert (problem.file, problem.line) == ("broken.txt", 5)
    assert "闭括号" in problem.message
    broken = result.tasks[1]
    assert broken.title == "第二项任务"
    assert broken.measures == "第二项任务。完成乙。"
    # what the unclosed clause does say is kept, flagged for a coordinator
    assert broken.lead_units == ["市生态环境局"]
    assert broken.responsible_units == ["各县（区、市）人民政府"]
    assert any("责任单位待核对" in note for note in broken.notes)
    assert result.tasks[2].lead_units == ["市能源局"]
    assert result.tasks[2].deadline_text == "2021年3月底前"


def test_it_reports_a_task_paragraph_without_any_clause(tmp_path):
    path = tmp_path / "missing.txt"
    path.write_text("二、重点任务\n\n（一）有条款。[市工信局牵头]\n\n（二）无条款的任务。\n",
                    encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/1", "test-plan/2"]
    [problem] = result.problems
    assert problem.line == 5


def test_it_turns_chinese_numerals_into_item_numbers():
    assert [cn_to_int(n) for n in ("一", "八", "十", "十二", "二十", "二十二")] == [
        1, 8, 10, 12, 20, 22]


def test_it_finds_the_first_deadline_phrase():
    assert find_deadline_phrase("在 2020 年 10 月底前完成，2021年3月底前验收") == "2020年10月底前"
    assert find_deadline_phrase("持续开展") == ""


def test_it_gives_the_same_tasks_on_every_run(seed3):
    again = import_narrative(SEED_003, "jincheng-2020", end_line=ATTACHMENT_003 - 1)
    assert [t.model_dump() for t in again.tasks] == [t.model_dump() for t in seed3.tasks]
    assert again.targets == seed3.targets


def test_it_imports_a_clause_paragraph_outside_any_item_and_flags_it(tmp_path):
    path = tmp_path / "orphan.txt"
    path.write_text("二、重点任务\n\n加强调度。[市工信局牵头]\n\n（一）有条款。[市能源局牵头]\n",
                    encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/L3", "test-plan/1"]
    assert result.tasks[0].lead_units == ["市工信局"]
    [problem] = result.problems
    assert problem.line == 3


def test_it_reports_an_unclosed_clause_it_cannot_read_and_keeps_the_task(tmp_path):
    path = tmp_path / "unreadable.txt"
    path.write_text("二、重点任务\n\n（一）有条款。[市工信局牵头]\n\n（二）坏条款。[牵头，\n",
                    encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/1", "test-plan/2"]
    [problem] = result.problems
    assert problem.line == 5 and "无法读取责任单位" in problem.message
    assert result.tasks[1].lead_units == [] and result.tasks[1].title == "坏条款"


GARBAGE = """二、重点任务

（一）第一项任务。完成甲。[市工信局牵头，各县（区、市）人民政府负责落实]

~~~~~~ ##### 12345 ;;;;

（二）第二项任务。完成乙。[市生态环境局牵头]
\ufffd\ufffd\ufffd\ufffd
（三）第三项任务。2021年3月底前完成丙。[市能源局牵头]
"""


def test_it_reports_garbage_lines_and_keeps_the_numbering_of_real_tasks(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_text(GARBAGE, encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/1", "test-plan/2", "test-plan/3"]
    assert [(p.file, p.line) for p in result.problems] == [("garbage.txt", 5), ("garbage.txt", 8)]
    assert all("不含中文文字" in p.message for p in result.problems)
    assert result.tasks[0].responsible_units == ["各县（区、市）人民政府"]
    assert result.tasks[2].deadline_text == "2021年3月底前"


# OCR layout: a blank line after every physical line; item (一)'s first clause never closes and
# the next paragraph of the same item runs straight on.
OCR_RUNAWAY = """二、 重点任务

（一）第一项任务。 完成甲工作，确

保按期完成。［责任单位：市工信局、 市能

源局

全力做好乙工作。 加快推进

建设。［责任单位：市发展改革委、 市能源局J

- 3 -

（二）第二项任务。 完成丙。 ［责任单位：

市能源局］
"""


def test_it_splits_an_ocr_paragraph_that_ran_past_an_unclosed_clause(tmp_path):
    path = tmp_path / "ocr.txt"
    path.write_text(OCR_RUNAWAY, encoding="utf-8")
    result = import_narrative(path, "test-plan")
    assert [t.id for t in result.tasks] == ["test-plan/1.1", "test-plan/1.2", "test-plan/2"]
    first, second, third = result.tasks
    assert first.measures == "第一项任务。完成甲工作，确保按期完成。"
    assert first.responsible_units == ["市工信局", "市能源局"]
    assert second.title == "全力做好乙工作"
    assert second.responsible_units == ["市发展改革委", "市能源局"]
    assert second.source == "ocr.txt:9"
    assert third.responsible_units == ["市能源局"]
    [problem] = result.problems
    assert (problem.line, "闭括号" in problem.message) == (5, True)


def test_it_stops_before_the_attachment_of_seed_003_on_its_own():
    result = import_narrative(SEED_003, "jincheng-2020")
    assert len(result.tasks) == 17
    assert [c.source for c in result.targets.dust_fall] == ["003_fc497d6f985ed3f6.txt:497"]


def test_it_reads_the_dust_fall_caps_of_seeds_002_and_003(seed2, seed3):
    [cap] = seed2.targets.dust_fall  # "各县（区、市）降尘量不高于9吨/月·平方公里"
    assert (cap.region, cap.cap, cap.source) == ("晋中市", 9.0, "002_4f45dafb854d9093.txt:69")
    [cap] = seed3.targets.dust_fall  # "平均降尘量小于9\n\n吨／月 ． 平方公里"
    assert (cap.region, cap.cap, cap.source) == ("晋城市", 9.0, "003_fc497d6f985ed3f6.txt:497")


def test_it_reads_a_from_date_and_named_counties_in_seed_003(seed3):
    tasks = by_id(seed3)
    assert tasks["8"].deadline_text == "自2020年9月起"  # "自2020\n\n年9月起，开展秋收阶段…"
    assert tasks["8"].title == "强化秸杆禁烧管控"  # OCR's 秸杆 kept as printed
    assert tasks["13"].responsible_units == ["市工信局", "城区人民政府", "高平市人民政府",
                                             "沁水县人民政府", "开发区管委会"]
    assert tasks["13"].deadline_text == "2020年12月底前"
    assert tasks["13"].source == "003_fc497d6f985ed3f6.txt:442"
    assert tasks["16"].title == "强化扬尘管控"
    assert tasks["16"].responsible_units[-2:] == ["各县（市、区）人民政府", "开发区管委会"]


def test_it_notes_units_left_unnamed_behind_deng(seed2):
    tasks = by_id(seed2)
    # "市城市管理局等相关单位配合": the named unit is kept, the rest is left to a coordinator
    assert tasks["8.1"].cooperating_units[-1] == "市城市管理局"
    assert any("等（相关）单位" in note for note in tasks["8.1"].notes)
    assert tasks["11"].source == "002_4f45dafb854d9093.txt:55"  # round-bracket clause


def test_it_notes_a_page_number_dropped_inside_a_seed_003_paragraph(seed3):
    task = by_id(seed3)["15"]
    assert "OCR：删除段内页码行“—- 10 -”（第483行）" in task.notes
    assert "2021年3月底前，对排查出的旁路进行分析论证" in task.measures  # joined across the page
    assert not any("页码" in note for t in seed3.tasks if t.id != task.id for note in t.notes)
