"""Narrative plans of the common shapes other cities use (made-up plans in those forms)."""

from __future__ import annotations

from scheduler.plans.importers.narrative import import_narrative


def imported(tmp_path, text, name="plan.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_narrative(path, "test-plan")


def local_ids(result):
    return [t.id.split("/")[1] for t in result.tasks]


KEYED_LINES = """关于印发某市大气污染防治工作方案的通知
附件：某市大气污染防治工作方案
一、主要任务
1.推进燃煤锅炉淘汰。2023年10月底前完成淘汰。
牵头单位：市环保局
责任单位：各县（市、区）政府

2.加强扬尘管控。持续开展工地巡查。
牵头单位：市住建局、市城管局
配合单位：市交通局等部门
责任单位：各县（市、区）政府
3.整治露天焚烧。
责任单位：市农业农村局
"""


def test_it_reads_items_numbered_1_dot_with_clauses_on_their_own_lines(tmp_path):
    result = imported(tmp_path, KEYED_LINES)
    assert local_ids(result) == ["1", "2", "3"]
    first, second, third = result.tasks
    assert first.title == "推进燃煤锅炉淘汰" and first.deadline_text == "2023年10月底前"
    assert first.lead_units == ["市环保局"]
    assert first.responsible_units == ["各县（市、区）政府"]
    assert second.lead_units == ["市住建局", "市城管局"]
    assert second.cooperating_units == ["市交通局"]
    assert any("等" in note for note in second.notes)
    assert third.responsible_units == ["市农业农村局"] and third.lead_units == []
    assert "牵头单位" not in first.measures and "责任单位" not in third.measures
    assert result.problems == []


def test_a_notice_naming_its_attachment_does_not_cut_the_plan_short(tmp_path):
    assert len(imported(tmp_path, KEYED_LINES).tasks) == 3


INLINE_KEYS = """二、重点工作
（一）园林绿化
完成城区绿化补植。责任单位：各区人民政府、市园林局，完成时间：2024年5月底前。
（二）环境整治
1、完成河道清淤工程。责任单位：市水利局，完成时间：2024年9月30日前。
2、完成背街小巷改造。责任单位：市住建局，完成时间：2024年8月底前。3、完成广告牌清理。责任单位：市城管局，完成时间：2024年6月底前。
（三）道路管理
1、加强道路保洁。责任单位：市城管局，完成时间：长期坚持。
"""


def test_it_reads_unbracketed_keys_after_the_text_with_their_deadline(tmp_path):
    result = imported(tmp_path, INLINE_KEYS)
    assert local_ids(result) == ["P1", "2-1", "2-2", "2-3", "3-1"]
    part, dredge, alleys, signs, roads = result.tasks
    assert part.title == "园林绿化"  # a part with text of its own and no items is the task
    assert part.responsible_units == ["各区人民政府", "市园林局"]
    assert part.deadline_text == "2024年5月底前"
    assert dredge.responsible_units == ["市水利局"] and dredge.deadline_text == "2024年9月30日前"
    assert alleys.title == "完成背街小巷改造" and alleys.deadline_text == "2024年8月底前"
    assert signs.title == "完成广告牌清理" and signs.responsible_units == ["市城管局"]
    assert roads.deadline_text == "长期坚持"


PARENS = """三、重点任务
（一）调整产业结构
（1）淘汰落后产能。2023年底前完成。〔市工信局牵头，市发改委参与，各区政府负责落实〕
（2）整治散乱污企业。【牵头单位：市生态环境局；责任单位：各区政府】
（二）调整能源结构
（1）推进清洁取暖。(市能源局牵头，市住建局协同)
"""


def test_it_reads_items_numbered_in_brackets_with_clauses_in_any_bracket(tmp_path):
    result = imported(tmp_path, PARENS)
    assert local_ids(result) == ["1-1", "1-2", "2-1"]
    first, second, third = result.tasks
    assert (first.lead_units, first.cooperating_units, first.responsible_units) == (
        ["市工信局"], ["市发改委"], ["各区政府"])
    assert first.category == "（一）调整产业结构"
    assert (second.lead_units, second.responsible_units) == (["市生态环境局"], ["各区政府"])
    assert (third.lead_units, third.cooperating_units) == (["市能源局"], ["市住建局"])


LATER = """一、总体要求
（一）指导思想。坚持问题导向。
二、重点任务
各县（市、区）人民政府为以下所有任务的责任单位，不再一一列出。
（一）推进甲工作。完成甲。（市发改委牵头）
（二）推进乙工作。完成乙。（市工信局牵头）
三、专项行动
（三）推进丙工作。完成丙。（市环保局牵头。本部分以下各项任务均需各乡镇政府落实）
（四）推进丁工作。完成丁。（市交通局牵头）
四、攻坚行动
（五）推进戊工作。完成戊。（市公安局牵头）
"""


def test_a_statement_for_later_tasks_reaches_them_until_its_scope_ends(tmp_path):
    result = imported(tmp_path, LATER)
    tasks = {t.id.split("/")[1]: t for t in result.tasks}
    assert list(tasks) == ["1", "2", "3", "4", "5"]
    counties = "各县（市、区）人民政府"
    assert tasks["1"].responsible_units == [counties] and tasks["2"].responsible_units == [counties]
    # a chapter's own statement adds its units to the plan-wide ones until the chapter ends
    assert tasks["3"].responsible_units == [counties]
    assert tasks["4"].responsible_units == [counties, "各乡镇政府"]
    assert tasks["5"].responsible_units == [counties]
    assert any("不再列出" in note for note in tasks["1"].notes)


COVERING = """二、重点任务
（一）强化移动源管控（市公安局牵头，市交通局配合）
1.加强柴油货车路检。
2.推进老旧车辆淘汰。
（二）强化面源管控
1.加强道路保洁。
2.加强工地扬尘管控。
（以上两项由市住建局牵头，各区政府负责落实）
3.禁止露天烧烤。（市城管局牵头）
"""


def test_a_clause_can_cover_the_items_under_a_heading_or_the_items_before_it(tmp_path):
    result = imported(tmp_path, COVERING)
    assert local_ids(result) == ["1-1", "1-2", "2-1", "2-2", "2-3"]
    trucks, old, roads, sites, grills = result.tasks
    assert trucks.lead_units == ["市公安局"] and old.cooperating_units == ["市交通局"]
    assert roads.lead_units == ["市住建局"] and roads.responsible_units == ["各区政府"]
    assert sites.lead_units == ["市住建局"]
    assert grills.lead_units == ["市城管局"]
    assert not any(p.line in (7,) for p in result.problems)


CIRCLED = """一、重点任务
（一）工业治理
1.推进深度治理
①完成钢铁超低排放改造。（市生态环境局牵头，各区政府负责落实）
②完成焦化行业改造。（市工信局牵头）
"""


def test_it_reads_circled_sub_points_when_the_clauses_sit_there(tmp_path):
    result = imported(tmp_path, CIRCLED)
    assert [t.lead_units for t in result.tasks] == [["市生态环境局"], ["市工信局"]]
    assert [t.title for t in result.tasks] == ["完成钢铁超低排放改造", "完成焦化行业改造"]


NO_CLAUSES = """一、总体要求
（一）指导思想
坚持标本兼治。
（二）工作目标
到年底，优良天数比率达到80%。
二、主要任务
（一）调整产业结构
1、优化产业布局。严格项目准入，新建项目全部进入园区
集中。
2、严把准入关。2024年6月底前完成排查。
三、保障措施
（一）加强组织领导。成立工作专班。
"""


def test_a_plan_without_any_clause_still_gives_its_items_and_reports_the_missing_clauses(tmp_path):
    result = imported(tmp_path, NO_CLAUSES)
    assert local_ids(result) == ["1", "2"]
    layout, entry = result.tasks
    assert layout.title == "优化产业布局"
    assert layout.measures.endswith("新建项目全部进入园区集中。")  # a wrapped line joins its item
    assert entry.deadline_text == "2024年6月底前"
    assert len(result.problems) == 2 and all("未找到责任条款" in p.message for p in result.problems)


def test_markdown_headings_and_traditional_characters_read_like_plain_text(tmp_path):
    text = ("## 二、重點任務\n### （一）優化產業結構\n"
            "**1.**淘汰落後產能。〔市經信局負責，市發改委參與，各縣(市、區)人民政府負責落實〕\n")
    result = imported(tmp_path, text, "plan.md")
    [task] = result.tasks
    assert task.lead_units == ["市經信局"] and task.cooperating_units == ["市發改委"]
    assert task.responsible_units == ["各縣(市、區)人民政府"]


def test_a_notice_listing_its_attachments_gives_no_task_when_no_outline_follows(tmp_path):
    text = ("关于印发某区任务清单的通知\n附件：1.某区环境保护三年行动计划任务清单\n"
            "2.某区水污染防治任务清单\n某区环保办\n2018年8月9日\n")
    assert imported(tmp_path, text).tasks == []


NEXT_LINES = """二、重点任务
1.推进锅炉改造。完成改造。
（市环保局牵头，各区政府负责落实）
2.加强油烟治理。
牵头单位：市城管局、
市市场监管局
责任单位：各区政府
（一）强化移动源
（市公安局牵头）
1.加强路检。
"""


def test_a_clause_on_the_next_line_and_a_keyed_list_broken_over_lines_join_their_item(tmp_path):
    result = imported(tmp_path, NEXT_LINES)
    first, second, third = result.tasks
    assert first.lead_units == ["市环保局"] and first.measures == "推进锅炉改造。完成改造。"
    assert second.lead_units == ["市城管局", "市市场监管局"]
    assert second.responsible_units == ["各区政府"]
    assert third.title == "加强路检" and third.lead_units == ["市公安局"]  # the heading's clause
    assert result.problems == []


RUN_ON = """二、重点任务
（一）深化工业治理。
1.完成钢铁企业超低排放改造。
2.开展工业炉窑排查。
（市生态环境局牵头，市工信局配合）
（二）加强扬尘管控。严格落实“六个百分之百”。（市住建局牵头）
"""


def test_an_item_runs_on_over_its_sub_points_to_the_clause_that_closes_it(tmp_path):
    result = imported(tmp_path, RUN_ON)
    assert local_ids(result) == ["1", "2"]
    industry, dust = result.tasks
    assert industry.title == "深化工业治理"
    assert "2.开展工业炉窑排查。" in industry.measures
    assert industry.lead_units == ["市生态环境局"] and industry.cooperating_units == ["市工信局"]
    assert dust.lead_units == ["市住建局"]
    assert result.problems == []


def test_an_item_whose_title_starts_with_a_digit_keeps_its_number(tmp_path):
    text = ("一、人才项目\n10.青年项目。开展培养。（市人社局牵头）\n"
            "11.121人才梯队项目。重点培养。（市科技局牵头）\n")
    result = imported(tmp_path, text)
    assert local_ids(result) == ["10", "11"]
    assert result.tasks[1].title == "121人才梯队项目" and result.tasks[1].lead_units == ["市科技局"]


FIRST_LEADS_TEXT = """一、优化营商环境
（一）推进项目监管。加强存量项目监管。
责任单位：市发改委、市财政局（第一责任单位为牵头单位，下同）
时限要求：持续推进
（二）落实招投标政策。消除不合理限制。
责任单位：市建设局、市公安局
时限要求：持续推进
"""


def test_the_plans_rule_that_the_first_responsible_unit_leads_holds_for_later_items(tmp_path):
    result = imported(tmp_path, FIRST_LEADS_TEXT)
    first, second = result.tasks
    assert first.lead_units == ["市发改委"] and first.responsible_units == ["市发改委", "市财政局"]
    assert second.lead_units == ["市建设局"]
    assert first.deadline_text == "持续推进"


def test_a_bodys_unnamed_departments_end_an_open_list_and_a_cut_off_name_is_dropped():
    from scheduler.plans.clauses import parse_clause

    got = parse_clause("〔牵头单位：区政府办公室，责任单位：区政府有关部门，各街道（功能区）〕")
    assert got.responsible_units == ("各街道（功能区）",) and got.open_roles == ("responsible",)
    assert parse_clause("（牵头单位：区审批局；责任单位：区政").responsible_units == ()


def test_the_first_unit_listed_leads_when_the_plan_says_so_in_traditional_characters(tmp_path):
    text = ("一、穩定就業\n（一）建立聯動機制。完成甲。（市人社局、市發改委等負責。列第一位者為牽頭單位，下同）\n"
            "（二）發展產業。完成乙。（市經信局、市商務局負責）\n")
    first, second = imported(tmp_path, text).tasks
    assert first.lead_units == ["市人社局"] and second.lead_units == ["市經信局"]


def test_a_deadline_written_as_the_clauses_last_part_is_the_tasks_deadline(tmp_path):
    text = "一、重点任务\n1.加大放权力度。承接下放事项。（牵头单位：州发改委；责任单位：州司法局，6月底完成）\n"
    [task] = imported(tmp_path, text).tasks
    assert task.deadline_text == "6月底完成" and task.responsible_units == ["州司法局"]


def test_looser_dates_count_only_when_no_date_is_written():
    from scheduler.plans.importers.narrative import find_deadline_phrase

    assert find_deadline_phrase("四季度完成验收") == "四季度"
    assert find_deadline_phrase("实施期限至2022年12月31日") == "至2022年12月31日"
    assert find_deadline_phrase("5年内培养100名人才") == "5年内"
    assert find_deadline_phrase("5年内培养100名，2020年6月底前完成首批") == "2020年6月底前"
    assert find_deadline_phrase("每年选拔一批") == "每年"  # a yearly quota recurs at each year end


def test_a_part_with_its_own_clause_and_no_items_is_a_task(tmp_path):
    text = ("二、重点工作\n（一）园林创建。完成创建任务。责任单位：各区政府，完成时间：2024年5月底前。\n"
            "（二）环境整治\n1、完成清淤。责任单位：市水利局。\n"
            "（三）道路保洁（市城管局牵头）\n")
    result = imported(tmp_path, text)
    titles = [(t.title, t.lead_units, t.responsible_units) for t in result.tasks]
    # clauses sit on the parts twice and on an item once: the parts are the tasks
    assert titles == [("园林创建", [], ["各区政府"]), ("环境整治", [], ["市水利局"]),
                      ("道路保洁", ["市城管局"], [])]
    assert result.tasks[0].deadline_text == "2024年5月底前"


def test_keys_written_in_brackets_read_like_keys_with_a_colon(tmp_path):
    text = ("一、重点任务\n1.推进锅炉淘汰。完成淘汰。【牵头单位】市发改委【责任单位】各县区政府\n"
            "2.加强扬尘管控。\n【牵头单位】市住建局\n")
    first, second = imported(tmp_path, text).tasks
    assert (first.lead_units, first.responsible_units) == (["市发改委"], ["各县区政府"])
    assert first.measures == "推进锅炉淘汰。完成淘汰。"
    assert second.lead_units == ["市住建局"]


def test_responsible_leaders_and_persons_in_a_clause_are_the_tasks_persons(tmp_path):
    text = "一、重点任务\n1.推进锅炉淘汰。\n责任单位：市环保局\n责任领导：张三\n责任人：李四、王五\n"
    [task] = imported(tmp_path, text).tasks
    assert task.responsible_units == ["市环保局"]
    assert [p.name for p in task.responsible_persons] == ["张三", "李四", "王五"]
