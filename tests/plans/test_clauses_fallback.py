"""Names a clause lists without any role word fall to the responsible units, so those units still
get their reminders; names followed by a role word take that role and are not counted twice."""

from __future__ import annotations

from scheduler.plans.clauses import Clause, find_clause, parse_clause


def test_it_makes_trailing_names_without_a_role_word_responsible():
    got = parse_clause("（市发展改革委牵头，市工信局、市生态环境局）")
    assert got == Clause(("市发展改革委",), (), ("市工信局", "市生态环境局"))


def test_it_makes_names_after_lead_and_cooperating_units_responsible():
    got = parse_clause("（市发展改革委牵头，市工信局配合，潞州区政府、潞城区政府）")
    assert got == Clause(("市发展改革委",), ("市工信局",), ("潞州区政府", "潞城区政府"))


def test_it_keeps_a_protected_group_name_whole_when_it_falls_to_responsible():
    got = parse_clause("（市发展改革委牵头；各县、区人民政府）")
    assert got == Clause(("市发展改革委",), (), ("各县、区人民政府",))


def test_it_gives_names_before_a_role_word_that_role_and_not_responsible():
    got = parse_clause("（市发展改革委牵头，市工信局，市生态环境局配合）")
    assert got == Clause(("市发展改革委",), ("市工信局", "市生态环境局"), ())


def test_it_gives_names_before_a_responsible_clause_only_the_responsible_role():
    got = parse_clause("（市发展改革委牵头，各县、区人民政府，长治高新区、经开区管委会负责落实）")
    assert got == Clause(("市发展改革委",), (), ("各县、区人民政府", "长治高新区、经开区管委会"))


def test_it_adds_unlabelled_names_after_the_named_responsible_units():
    got = parse_clause("（市能源局牵头，潞州区政府负责落实，潞城区政府）")
    assert got == Clause(("市能源局",), (), ("潞州区政府", "潞城区政府"))


def test_the_paragraph_finder_returns_the_fallback_responsible_units():
    paragraph = "加快推进清洁取暖改造。（市能源局牵头，潞州区政府、潞城区政府）"
    found = find_clause(paragraph)
    assert found is not None
    text, clause, start, end = found
    assert text == "（市能源局牵头，潞州区政府、潞城区政府）" and paragraph[start:end] == text
    contract = {"lead_units": ["市能源局"], "cooperating_units": [],
                "responsible_units": ["潞州区政府", "潞城区政府"], "applies_to_later_tasks": False}
    assert clause.to_json().items() >= contract.items()
