"""The clause grammar on the forms plans of other cities use (examples made up in those forms)."""

from __future__ import annotations

import pytest

from scheduler.plans.clauses import Clause, find_clause, parse_cell_clause, parse_clause


def roles(clause: Clause) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return clause.lead_units, clause.cooperating_units, clause.responsible_units


def test_it_reads_a_keyed_clause_with_lead_and_responsible_lists():
    got = parse_clause("（牵头单位：市交通运输局、市公安局；责任单位：各区政府）")
    assert roles(got) == (("市交通运输局", "市公安局"), (), ("各区政府",))


def test_it_reads_keys_written_one_after_another_without_a_separator():
    got = parse_clause("〔牵头单位：市发改委  配合单位：市工信局、市商务局  责任单位：各县（市、区）政府〕")
    assert roles(got) == (("市发改委",), ("市工信局", "市商务局"), ("各县（市、区）政府",))


@pytest.mark.parametrize("word", ["配合", "参与", "协同", "协助", "支持"])
def test_it_reads_every_cooperating_word(word):
    got = parse_clause(f"（市生态环境局牵头，市工信局、市住建局{word}）")
    assert roles(got) == (("市生态环境局",), ("市工信局", "市住建局"), ())


@pytest.mark.parametrize("key", ["配合单位", "协办单位", "配合部门"])
def test_it_reads_every_cooperating_key(key):
    got = parse_clause(f"（牵头部门：市水务局；{key}：市农业农村局）")
    assert roles(got) == (("市水务局",), ("市农业农村局",), ())


@pytest.mark.parametrize("lead, responsible", [
    ("牵头督导", "具体负责"), ("主导", "负责落实"), ("牵头", "按职责分工负责落实"), ("牵头", "落实"),
])
def test_it_reads_the_variants_of_lead_and_responsible_words(lead, responsible):
    got = parse_clause(f"（市生态环境局{lead}，各区政府{responsible}）")
    assert roles(got) == (("市生态环境局",), (), ("各区政府",))


def test_a_unit_in_charge_leads_when_the_clause_names_a_tier_below_and_no_lead():
    got = parse_clause("（市住建局按职责分工负责，市城管局协同，各县区政府负责落实）")
    assert roles(got) == (("市住建局",), ("市城管局",), ("各县区政府",))


def test_a_unit_in_charge_is_responsible_when_it_stands_alone_or_under_a_lead():
    assert roles(parse_clause("（市住建局按职责分工负责）")) == ((), (), ("市住建局",))
    assert roles(parse_clause("（市发改委牵头，市住建局负责）")) == (("市发改委",), (), ("市住建局",))


def test_it_reads_a_mixed_clause_of_keys_and_role_words():
    got = parse_clause("【责任单位：市工信局牵头，市发改委、市环保局配合，各县区政府】")
    assert roles(got) == (("市工信局",), ("市发改委", "市环保局"), ("各县区政府",))
    got = parse_clause("（牵头单位：市发改委，市工信局配合）")
    assert roles(got) == (("市发改委",), ("市工信局",), ())


def test_it_reads_a_role_written_in_brackets_after_the_name():
    got = parse_clause("（市生态环境局（牵头）、市工信局、市住建局（配合））")
    assert roles(got) == (("市生态环境局",), ("市住建局",), ("市工信局",))


def test_it_reads_responsible_leaders_and_persons_apart_from_units():
    got = parse_clause("［责任单位：市公安局、市交通局；责任领导：张三；责任人：李四、王五］")
    assert roles(got) == ((), (), ("市公安局", "市交通局"))
    assert got.responsible_persons == ("张三", "李四", "王五")


@pytest.mark.parametrize("text, role, name", [
    ("（市交通局等配合）", "cooperating", "市交通局"),
    ("（市公安局等部门牵头）", "lead", "市公安局"),
    ("（市商务局、相关部门参与）", "cooperating", "市商务局"),
    ("（市水务局、有关部门负责落实）", "responsible", "市水务局"),
    ("（责任单位：市城管局等单位）", "responsible", "市城管局"),
])
def test_an_open_list_drops_its_ending_and_is_flagged(text, role, name):
    got = parse_clause(text)
    assert getattr(got, f"{role}_units") == (name,)
    assert got.open_roles == (role,) and got.open_list
    assert got.to_json()["open_list"] is True and got.to_json()["open_roles"] == [role]


def test_a_closed_list_is_not_flagged():
    got = parse_clause("（市发改委牵头，市工信局配合）")
    assert not got.open_list and got.to_json()["open_roles"] == []


@pytest.mark.parametrize("statement, units, scope", [
    ("以下均需各县（市、区）政府负责落实", ("各县（市、区）政府",), "plan"),
    ("以下各项任务各区政府负责落实，不再列出", ("各区政府",), "plan"),
    ("各县（市、区）人民政府为以下所有任务的责任单位，不再一一列出", ("各县（市、区）人民政府",), "plan"),
    ("以下任务均由各区人民政府、市高新区管委会具体落实，不再重复列出",
     ("各区人民政府", "市高新区管委会"), "plan"),
    ("本部分以下各项工作均需各县（区）政府落实", ("各县（区）政府",), "chapter"),
])
def test_it_reads_every_wording_of_applies_to_later_tasks(statement, units, scope):
    got = parse_clause(f"（市生态环境局牵头。{statement}）")
    assert got.lead_units == ("市生态环境局",)
    assert got.applies_to_later_tasks
    assert got.later_units == units and got.later_scope == scope
    assert got.responsible_units == ()  # the statement speaks of the tasks after this one
    assert not any("以下" in u or "列出" in u for u in got.later_units)


def test_a_size_below_a_threshold_is_not_a_later_tasks_statement():
    got = parse_clause("（淘汰35蒸吨以下锅炉全部完成，市生态环境局牵头）")
    assert not got.applies_to_later_tasks and got.lead_units == ("市生态环境局",)


def test_the_finder_reads_clauses_in_every_bracket():
    for opener, closer in ("（）", "()", "〔〕", "［］", "【】", "[]"):
        paragraph = f"推进燃煤锅炉淘汰。{opener}市发改委牵头，市工信局参与{closer}"
        found = find_clause(paragraph)
        assert found is not None, opener
        assert roles(found[1]) == (("市发改委",), ("市工信局",), ())


# --- table cells ----------------------------------------------------------------------------

def test_a_cell_clause_is_read_whole_not_split_at_its_commas():
    got = parse_cell_clause("市工信局牵头，\n市发改委配合", "lead")
    assert roles(got) == (("市工信局",), ("市发改委",), ())
    got = parse_cell_clause("市工信局牵头市发改委配合", "responsible")
    assert roles(got) == (("市工信局",), ("市发改委",), ())


def test_names_in_a_cell_take_the_role_of_their_column():
    assert parse_cell_clause("市生态环境局、市工信局", "lead").lead_units == ("市生态环境局", "市工信局")
    assert parse_cell_clause("市交通局", "cooperating").cooperating_units == ("市交通局",)
    assert parse_cell_clause("市交通局").responsible_units == ("市交通局",)


def test_a_cell_reads_a_line_break_between_names_as_a_separator_and_inside_a_name_as_nothing():
    got = parse_cell_clause("市生态环境局\n市工信局\n各县（市、区）\n人民政府", "responsible")
    assert got.responsible_units == ("市生态环境局", "市工信局", "各县（市、区）人民政府")
    got = parse_cell_clause("市生态环\n境局、交通局等", "lead")
    assert got.lead_units == ("市生态环境局", "交通局") and got.open_roles == ("lead",)


def test_a_persons_cell_reads_one_person_a_line():
    got = parse_cell_clause("张三\n李四、王五", "persons")
    assert got.responsible_persons == ("张三", "李四", "王五") and got.is_empty()


def test_a_cell_without_text_gives_an_empty_clause():
    assert parse_cell_clause("", "lead") == Clause()
    assert parse_cell_clause(None, "lead") == Clause()  # type: ignore[arg-type]


def test_it_reads_a_clause_in_traditional_characters_and_keeps_the_names_as_written():
    got = parse_clause("〔市經信局、市發改委負責,市生態環境局等參與,各縣(市、區)人民政府負責落實。"
                       "以下均需各級政府落實,不再列出〕")
    assert roles(got) == (("市經信局", "市發改委"), ("市生態環境局",), ("各縣(市、區)人民政府",))
    assert got.open_roles == ("cooperating",)
    assert got.later_units == ("各級政府",)
    assert parse_clause("（牽頭單位：市交通局；責任單位：各區政府）").lead_units == ("市交通局",)


@pytest.mark.parametrize("text, expected", [
    ("（市住建局、市城管局按职能分工负责，各区政府落实）",
     (("市住建局", "市城管局"), (), ("各区政府",))),
    ("（市生态环境局牵头，各有关部门按职责分工负责）", (("市生态环境局",), (), ())),
    ("（各县市区政府为责任主体，市生态环境局牵头）", (("市生态环境局",), (), ("各县市区政府",))),
    ("（市生态环境局、市住建局按照职责分工负责落实）", ((), (), ("市生态环境局", "市住建局"))),
    ("（由市交通局牵头负责，市公安局交警支队协助）", (("市交通局",), ("市公安局交警支队",), ())),
])
def test_it_reads_qualified_role_words(text, expected):
    assert roles(parse_clause(text)) == expected


def test_a_body_included_in_brackets_is_a_unit_of_its_own():
    got = parse_cell_clause("各区政府（含经济技术开发区管委会）", "responsible")
    assert got.responsible_units == ("各区政府", "经济技术开发区管委会")
    assert parse_clause("（市环保局牵头，各县（市、区）政府负责）").responsible_units == (
        "各县（市、区）政府",)


def test_the_finder_does_not_take_a_bracket_without_unit_names_for_a_clause():
    assert find_clause("全面推行河长制（落实河长制）。") is None
    assert find_clause("完成治理（市生态环境局落实）。")[1].responsible_units == ("市生态环境局",)


def test_a_group_prefix_is_shared_by_a_bare_kind_of_unit_after_it():
    got = parse_clause("（牵头单位：市人社局，配合单位：市教育局，各区、县级市）")
    assert got.cooperating_units == ("市教育局", "各区", "各县级市")
    got = parse_clause("（市农业局牵头，各有关区、县级市配合）")
    assert got.cooperating_units == ("各有关区", "各有关县级市")
    # a protected group name stays whole
    assert parse_clause("（各县、区人民政府负责落实）").responsible_units == ("各县、区人民政府",)


def test_the_lead_units_of_other_items_are_a_reference_not_a_unit():
    got = parse_clause("（牵头单位：市委组织部，配合单位：各项目牵头单位，各区）")
    assert roles(got) == (("市委组织部",), ("各区",), ())


def test_ji_joins_two_names_and_a_deadline_part_is_no_name():
    got = parse_clause("（牵头单位：州发改委；责任单位：州委编办及州政务中心，州司法局，6月底完成）")
    assert got.responsible_units == ("州委编办", "州政务中心", "州司法局")
    got = parse_clause("（市政务局牵头，市级各有关部门及各县市区政府按职责分工负责）")
    assert got.responsible_units == ("各县市区政府",) and got.open_roles == ("responsible",)


def test_a_later_tasks_statement_may_name_the_later_items_any_way():
    got = parse_clause("（责任单位：市工信局。以下政策措施均需各县区人民政府、园区管委会落实，不再单独列出）")
    assert got.responsible_units == ("市工信局",)
    assert got.later_units == ("各县区人民政府", "园区管委会")
    got = parse_clause("（市發改委牽頭。以下均需各級政府落實，不再列出）")
    assert got.later_units == ("各級政府",)  # names keep their script


def test_a_key_may_name_both_units_and_departments():
    got = parse_clause("（牵头单位（部门）：市环保局；责任单位(部门)：各区政府）")
    assert roles(got) == (("市环保局",), (), ("各区政府",))


def test_a_three_character_place_shares_the_organs_of_the_place_after_it_but_a_group_does_not():
    assert roles(parse_clause("（潞州区、上党区人民政府负责落实）")) == (
        (), (), ("潞州区人民政府", "上党区人民政府"))
    assert roles(parse_clause("（各县区、城区人民政府负责落实）")) == ((), (), ("各县区", "城区人民政府"))


def test_a_later_tasks_sentence_without_a_role_word_gives_later_tasks_nothing():
    # no 负责/落实 and no 不再列出: the units are this task's own, not every later task's
    got = parse_clause("（市工信局牵头。以下各项任务均涉及各县区政府）")
    assert roles(got) == (("市工信局",), (), ("各县区政府",))
    assert got.applies_to_later_tasks is False
    assert got.later_units == ()


def test_the_cooperating_units_of_other_items_are_a_reference_not_a_unit():
    got = parse_clause("（市工信局牵头，各项目配合单位、市公安局负责落实）")
    assert roles(got) == (("市工信局",), (), ("市公安局",))
