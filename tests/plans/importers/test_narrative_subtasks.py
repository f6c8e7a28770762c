"""A paragraph whose measures each close with their own clause becomes one sub-task per clause."""

from __future__ import annotations

from scheduler.plans.importers.narrative import NO_DEADLINE_NOTE, import_narrative
from scheduler.plans.importers.paragraphs import clause_spans, split_at_clauses


def imported(tmp_path, text):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return import_narrative(path, "test-plan")


def by_id(result):
    return {t.id.split("/")[1]: t for t in result.tasks}


TWO_CLAUSES = """某某市大气污染防治实施方案
二、工作任务
（一）调整产业结构
1.淘汰落后产能。2019年6月底前完成淘汰。（市工业和信息化局牵头，市发展和改革局配合，各县区政府负责落实）严格控制新增产能，12月底前完成清理。（市发展和改革局牵头，市自然资源局参与）
2.整治工业炉窑。2019年9月底前完成整治。（市生态环境局牵头）
"""


def test_two_clauses_in_one_paragraph_give_two_sub_tasks_with_their_own_units(tmp_path):
    tasks = by_id(imported(tmp_path, TWO_CLAUSES))
    assert list(tasks) == ["1.1", "1.2", "2"]
    first, second = tasks["1.1"], tasks["1.2"]
    assert first.lead_units == ["市工业和信息化局"] and first.cooperating_units == ["市发展和改革局"]
    assert first.responsible_units == ["各县区政府"]
    assert second.lead_units == ["市发展和改革局"] and second.cooperating_units == ["市自然资源局"]
    assert second.responsible_units == []


def test_each_sub_task_has_its_own_measures_title_and_deadline_and_keeps_the_source_line(tmp_path):
    tasks = by_id(imported(tmp_path, TWO_CLAUSES))
    first, second = tasks["1.1"], tasks["1.2"]
    assert first.title == "淘汰落后产能" and first.measures == "淘汰落后产能。2019年6月底前完成淘汰。"
    assert second.title == "严格控制新增产能，12月底前完成清理"
    assert second.measures == "严格控制新增产能，12月底前完成清理。"
    assert (first.deadline_text, second.deadline_text) == ("2019年6月底前", "12月底前")
    assert first.source == second.source == "plan.txt:4"
    assert all("拆为子任务" in " ".join(t.notes) for t in (first, second))
    assert tasks["2"].category == first.category == second.category


def test_a_sub_task_that_starts_on_a_later_line_cites_that_line(tmp_path):
    text = """二、工作任务
1.淘汰落后产能，2019年6月底前完成。（市工业和信息化局牵头，
市发展和改革局配合）严格控制新增产能，12月底前完成清理。（市发展和改革局牵头）
"""
    tasks = by_id(imported(tmp_path, text))
    assert (tasks["1.1"].source, tasks["1.2"].source) == ("plan.txt:2", "plan.txt:3")
    assert tasks["1.1"].cooperating_units == ["市发展和改革局"]


def test_text_after_the_last_clause_stays_with_the_last_sub_task(tmp_path):
    text = TWO_CLAUSES.replace("市自然资源局参与）", "市自然资源局参与）严禁违规新增产能。")
    tasks = by_id(imported(tmp_path, text))
    assert tasks["1.2"].measures == "严格控制新增产能，12月底前完成清理。严禁违规新增产能。"
    assert tasks["1.2"].lead_units == ["市发展和改革局"]


def test_clauses_side_by_side_stay_one_task_and_the_unread_clause_is_reported(tmp_path):
    text = """二、工作任务
1.淘汰落后产能。2019年6月底前完成。（市工业和信息化局牵头）和（市发展和改革局配合）
2.整治工业炉窑。（市生态环境局牵头）
"""
    result = imported(tmp_path, text)
    tasks = by_id(result)
    assert list(tasks) == ["1", "2"]
    assert tasks["1"].cooperating_units == ["市发展和改革局"]
    assert any("市工业和信息化局牵头" in note for note in tasks["1"].notes)
    assert [(p.line, "市工业和信息化局牵头" in p.message) for p in result.problems] == [(2, True)]


def test_a_clause_before_any_measure_does_not_make_an_empty_sub_task(tmp_path):
    text = """二、工作任务
1.（市工业和信息化局牵头）淘汰落后产能，2019年6月底前完成。（市发展和改革局配合）
"""
    tasks = by_id(imported(tmp_path, text))
    assert list(tasks) == ["1"]
    assert tasks["1"].cooperating_units == ["市发展和改革局"]


def test_brackets_without_a_unit_are_no_clause_to_split_at(tmp_path):
    text = """二、工作任务
1.推进河长制（落实河长制）工作，加快整治。2019年6月底前完成。（市水务局牵头）
"""
    tasks = by_id(imported(tmp_path, text))
    assert list(tasks) == ["1"] and tasks["1"].lead_units == ["市水务局"]


STATEMENT_IN_FIRST_CLAUSE = """二、工作任务
（一）升级产业结构
1.制定准入清单。完成清单编制工作。〔市生态环境局牵头，市发展和改革局、自然资源局参与，各县、区人民政府(管委会)负责落实。以下各项工作均需各县、区人民政府(管委会)落实，不再列出。〕严控新建燃煤锅炉。（市生态环境局、市场监管局牵头，市发展和改革局参与）
2.排查整治“散乱污”工业企业。2019年9月底前，基本完成全市整治任务。（市生态环境局牵头督导，市公安局参与）
"""


def test_a_statement_for_later_tasks_inside_the_first_clause_reaches_the_next_sub_task_and_items(
        tmp_path):
    tasks = by_id(imported(tmp_path, STATEMENT_IN_FIRST_CLAUSE))
    assert list(tasks) == ["1.1", "1.2", "2"]
    counties = "各县、区人民政府(管委会)"
    assert tasks["1.1"].responsible_units == [counties]  # named once, though said twice
    assert tasks["1.1"].cooperating_units == ["市发展和改革局", "自然资源局"]
    assert tasks["1.2"].lead_units == ["市生态环境局", "市场监管局"]
    assert tasks["1.2"].responsible_units == [counties]
    assert tasks["2"].responsible_units == [counties]
    assert tasks["2"].lead_units == ["市生态环境局"] and tasks["2"].cooperating_units == ["市公安局"]
    assert any("第1.1项" in note for note in tasks["2"].notes)
    assert NO_DEADLINE_NOTE in tasks["1.2"].notes and tasks["2"].deadline_text == "2019年9月底前"


def test_the_statement_may_say_who_carries_out_every_later_task_in_its_other_words(tmp_path):
    for statement in ("下列各项任务均由各县区人民政府负责，不再一一列出",
                      "以下工作均需各县区人民政府负责落实，不再单独列出"):
        text = STATEMENT_IN_FIRST_CLAUSE.replace(
            "各县、区人民政府(管委会)负责落实。以下各项工作均需各县、区人民政府(管委会)落实，不再列出。",
            statement)
        tasks = by_id(imported(tmp_path, text))
        assert tasks["1.1"].lead_units == ["市生态环境局"], statement
        assert tasks["1.2"].responsible_units == ["各县区人民政府"], statement
        assert tasks["2"].responsible_units == ["各县区人民政府"], statement
        # the statement's units are the later tasks' and not also a role list of its own
        assert tasks["1.1"].cooperating_units == ["市发展和改革局", "自然资源局"], statement


def test_clause_spans_lists_every_closed_clause_in_order():
    text = "措施甲。（市发改委牵头）措施乙。（落实河长制）措施丙。〔市水务局负责〕"
    assert [text[s:e] for s, e in clause_spans(text)] == ["（市发改委牵头）", "〔市水务局负责〕"]
    assert clause_spans("没有条款的段落。") == []


def test_a_paragraph_with_one_clause_is_left_whole():
    from scheduler.plans.importers.paragraphs import Paragraph

    paragraph = Paragraph(1, "二、工作任务", item=1, is_item_start=True)
    paragraph.add(1, "1.措施甲，完成整治。（市发改委牵头）其后的说明。")
    assert split_at_clauses(paragraph) == [paragraph]
