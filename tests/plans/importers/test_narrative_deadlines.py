"""Where a narrative item's deadline is written: inside the measure, in looser forms than a cell
(years counted from the plan's start, a yearly quota, the target of a year or of a campaign, "by a
year"), or as the last part of its clause. Made-up plans in those forms."""

from __future__ import annotations

from scheduler.plans.importers.narrative import NO_DEADLINE_NOTE, find_deadline_phrase, import_narrative


def imported(tmp_path, text):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return import_narrative(path, "test-plan")


def test_years_within_are_the_deadline_with_the_year_they_count_from() -> None:
    assert find_deadline_phrase("3年内建成示范园区10个。") == "3年内"
    assert find_deadline_phrase("2040年起5年内，培育骨干企业20家。") == "2040年起5年内"
    assert find_deadline_phrase("力争两年内完成改造。") == "两年内"


def test_a_yearly_quota_is_a_recurring_deadline() -> None:
    assert find_deadline_phrase("每年培训基层人员200名。") == "每年"


def test_a_yearly_date_is_read_whole_rather_than_as_a_quota() -> None:
    assert find_deadline_phrase("每年4月底前报送上年度总结，每年培训200名。") == "每年4月底前"


def test_a_written_date_wins_over_a_yearly_quota() -> None:
    assert find_deadline_phrase("每年培训200名，2040年6月底前建成培训基地。") == "2040年6月底前"


def test_by_a_year_at_the_head_of_a_sentence_is_the_deadline() -> None:
    assert find_deadline_phrase("推进节水改造。到2040年，工业用水重复利用率达到90%。") == "到2040年"


def test_the_year_of_a_target_to_complete_is_the_deadline() -> None:
    assert find_deadline_phrase("完成上级下达的2040年减排目标任务。") == "2040年"
    assert find_deadline_phrase("全面完成2039—2040年秋冬季攻坚目标。") == "2039—2040年秋冬季"


def test_a_campaign_named_only_as_the_time_of_the_work_is_no_deadline() -> None:
    assert find_deadline_phrase("2039—2040年秋冬季期间，继续加强巡查。") == ""


def test_a_year_in_a_title_of_a_document_to_issue_is_no_deadline() -> None:
    assert find_deadline_phrase("印发《2040年工作要点》，抓好落实。") == ""


PLAN = """二、重点任务
1.加快人才引进。5年内引进高层次人才100名。（牵头单位：市人社局，配合单位：市财政局）
2.开展技能培训。每年培训技术工人1000名。（牵头单位：市人社局）
3.完成目标任务。完成省下达的2040年节能目标任务。（牵头单位：市发改委）
4.加强督促检查。（牵头单位：市督查室；责任单位：各区政府，9月底完成）
5.营造良好氛围。加强宣传引导。（牵头单位：市委宣传部）
"""


def test_a_narrative_plan_takes_each_item_deadline_from_where_it_is_written(tmp_path) -> None:
    tasks = imported(tmp_path, PLAN).tasks
    assert [t.deadline_text for t in tasks] == ["5年内", "每年", "2040年", "9月底完成", ""]
    assert NO_DEADLINE_NOTE in tasks[-1].notes
    assert all(NO_DEADLINE_NOTE not in t.notes for t in tasks[:-1])


def test_within_a_named_year_is_that_year_not_a_count_of_years() -> None:
    assert find_deadline_phrase("2040年内完成清查。") == "2040年内"


def test_each_end_a_policy_is_given_is_a_due_date_and_outweighs_a_later_start() -> None:
    text = ("补贴政策实施至2040年3月31日，2040年4月1日起按新标准执行；"
            "减免政策实施期限延长至2040年12月31日。")
    assert find_deadline_phrase(text) == "至2040年3月31日；至2040年12月31日"


def test_a_start_alone_stays_the_deadline() -> None:
    assert find_deadline_phrase("自2040年7月1日起，全面执行新标准。") == "自2040年7月1日起"


def test_a_staged_schedule_dates_each_of_its_stages() -> None:
    text = ("做好绿化提升。年度阶段性工作目标：第二季度：制定方案，完成30%。"
            "第三季度：完成80%。第四季度：全部完成。")
    assert find_deadline_phrase(text) == "第二季度；第三季度；第四季度"


def test_a_schedule_of_months_dates_each_month() -> None:
    assert find_deadline_phrase("进度安排：6月底前：完成摸底；10月底前：完成整治。") == "6月底前；10月底前"


def test_a_schedule_without_stages_is_read_as_written() -> None:
    assert find_deadline_phrase("完成时间：2040年5月底前。") == "2040年5月底前"


CARD = """重点工作: | 7.推进公园绿地建设。 |
牵头单位: | 市园林局 |
年度阶段性工作目标: | 第一季度:完成选址。第三季度:完成建设任务的60%。第四季度:全部建成。 |
"""


def test_a_key_value_card_takes_its_staged_goals_as_the_deadline(tmp_path) -> None:
    (task,) = imported(tmp_path, CARD).tasks
    assert task.deadline_text == "第一季度；第三季度；第四季度"
    assert task.lead_units == ["市园林局"]
