"""Responsibility clauses in every form the seed plans use, including OCR damage."""

from __future__ import annotations

import pytest

from scheduler.plans.clauses import (
    Clause,
    clause_repairs,
    find_clause,
    parse_clause,
    split_units,
    unclosed_clause_starts,
)

CASES = [
    # seed 001 style: lead, cooperating, responsible
    ("（市发展改革委牵头，市工信局、市生态环境局配合，各县、区人民政府负责落实）",
     Clause(("市发展改革委",), ("市工信局", "市生态环境局"), ("各县、区人民政府",))),
    # seed 001 item 2: several leads by division of duties
    ("（市工信局、市生态环境局按职责分工牵头）", Clause(("市工信局", "市生态环境局"))),
    ("（市生态环境局牵头）", Clause(("市生态环境局",))),
    # seed 002: square brackets, a county group with a bracketed 、
    ("[市工信局牵头，市生态环境局配合，各县（区、市）人民政府、晋中开发区管委会负责落实]",
     Clause(("市工信局",), ("市生态环境局",), ("各县（区、市）人民政府", "晋中开发区管委会"))),
    # seed 002 line 45: opened with "[" and closed with "）"
    ("[市发展改革委、市能源局、市城市管理局、市工信局按职责分工分别负责，"
     "各县（区、市）人民政府负责落实）",
     Clause(("市发展改革委", "市能源局", "市城市管理局", "市工信局"), (),
            ("各县（区、市）人民政府",))),
    # seed 002 line 37: "其他成员单位配合" is kept as written
    ("[市生态环境局、市气象局牵头，其他成员单位配合，各县（区、市）人民政府、晋中开发区管委会负责落实]",
     Clause(("市生态环境局", "市气象局"), ("其他成员单位",),
            ("各县（区、市）人民政府", "晋中开发区管委会"))),
    # seed 003: 责任单位 lists everyone as responsible; OCR spaces inside names
    ("［责任单位：市生态环境局、 市工信局， 各县（市、 区）人民政府］",
     Clause((), (), ("市生态环境局", "市工信局", "各县（市、区）人民政府"))),
    # seed 003 OCR: closing bracket read as J, line break inside a name
    ("［责任单位：市发展改革委、 市能源局， 各\n县（市、 区）人民政府J",
     Clause((), (), ("市发展改革委", "市能源局", "各县（市、区）人民政府"))),
    ("（责任单\n位：市能源局、 市农业农村局， 各县（市、 区）人民政府j",
     Clause((), (), ("市能源局", "市农业农村局", "各县（市、区）人民政府"))),
    # seed 003 OCR: "［责" read as "工责"
    ("工责\n任单位：市直各相关单位，各县（市、 区）人民政府、 开发区管\n 委会J",
     Clause((), (), ("市直各相关单位", "各县（市、区）人民政府", "开发区管委会"))),
    ("［责任单位：市生态环境局］", Clause((), (), ("市生态环境局",))),
    # seed 003 OCR: full-width opener closed by an ASCII "]"
    ("［责任单位：市生态环境局、 市工信局，各县（市、 区）人民政府]",
     Clause((), (), ("市生态环境局", "市工信局", "各县（市、区）人民政府"))),
    # seed 002 line 55: round brackets, a named county government
    ("（市生态环境局、市工信局牵头，介休市人民政府负责落实）",
     Clause(("市生态环境局", "市工信局"), (), ("介休市人民政府",))),
    # the brief's shorthand: an elided list is not a unit name
    ("[市工信局牵头，……负责落实]", Clause(("市工信局",))),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_it_reads_every_clause_form_of_the_seeds(text, expected):
    assert parse_clause(text) == expected


def test_it_carries_the_later_tasks_sentence_of_seed_001_item_1():
    text = ("（市发展改革委牵头，市工信局、市生态环境局、市能源局、市行政审批局配合，各县、区人民政府，"
            "长治高新区、经开区管委会负责落实。以下各项任务和行动均需各县、区人民政府，"
            "长治高新区、经开区管委会负责落实，不再列出）")
    clause = parse_clause(text)
    assert clause.lead_units == ("市发展改革委",)
    assert clause.cooperating_units == ("市工信局", "市生态环境局", "市能源局", "市行政审批局")
    assert clause.responsible_units == ("各县、区人民政府", "长治高新区、经开区管委会")
    assert clause.applies_to_later_tasks is True


def test_it_gives_an_empty_clause_for_ordinary_brackets():
    assert parse_clause("（含清洁运输改造）") == Clause()
    assert parse_clause("（以下简称《技术指南》）") == Clause()
    assert parse_clause("") == Clause()
    assert parse_clause(None) == Clause()  # type: ignore[arg-type]


def test_it_serialises_to_the_json_shape():
    clause = parse_clause("（市生态环境局牵头，市工信局配合）")
    assert clause.to_json() == {"lead_units": ["市生态环境局"], "cooperating_units": ["市工信局"],
                                "responsible_units": [], "applies_to_later_tasks": False,
                                "responsible_persons": [], "open_list": False, "open_roles": [],
                                "later_units": [], "later_scope": ""}


def test_it_keeps_group_names_with_a_list_comma_whole():
    assert split_units("各县、区人民政府，长治高新区、经开区管委会、市直各有关单位") == [
        "各县、区人民政府", "长治高新区、经开区管委会", "市直各有关单位"]
    assert split_units("各县（市、区）人民政府、各县（区、市）人民政府") == [
        "各县（市、区）人民政府", "各县（区、市）人民政府"]
    assert split_units("市城市管理局等相关单位") == ["市城市管理局"]


def test_it_finds_the_clause_at_the_end_of_a_paragraph_and_its_span():
    paragraph = ("（十四）落实产业结构调整要求。完成搬迁工作（含清洁运输改造）。"
                 "[市工信局牵头，各县（区、市）人民政府负责落实]")
    text, clause, start, end = find_clause(paragraph)
    assert text == "[市工信局牵头，各县（区、市）人民政府负责落实]"
    assert paragraph[start:end] == text
    assert end == len(paragraph)
    assert clause.lead_units == ("市工信局",)


def test_it_ignores_an_ocr_j_inside_the_text_but_reads_one_at_the_end():
    paragraph = "技术指南》（环办大气函 (2020 J 340 号）要求。［责任单位：市生态环境局、 市工信局J"
    text, clause, _, _ = find_clause(paragraph)
    assert text == "［责任单位：市生态环境局、 市工信局J"
    assert clause.responsible_units == ("市生态环境局", "市工信局")
    assert clause_repairs(text) == ["OCR修复：责任条款闭括号被识别为“J”"]


def test_it_finds_no_clause_when_the_bracket_never_closes():
    assert find_clause("（十）严防反弹。[市生态环境局牵头，各县（区、市）人民政府负责落实") is None
    assert find_clause("没有任何条款的段落。") is None


def test_it_finds_an_unclosed_clause_even_before_a_later_closed_one():
    paragraph = "完成甲。［责任单位：市工信局、市能源局全力做好乙。［责任单位：市能源局J"
    assert unclosed_clause_starts(paragraph) == [4]
    assert find_clause(paragraph)[0] == "［责任单位：市能源局J"
    assert unclosed_clause_starts("完成甲。（含清洁运输改造）") == []
