"""Cleaning one unit name: the guarantee clean_name gives every caller (no role word, no list mark
outside the name's own brackets, brackets that pair up) and the characters it must keep."""

from __future__ import annotations

from scheduler.plans.clauses import Clause, clean_name, parse_clause, split_units
from scheduler.plans.clauses.tokens import protected_sorted

PROTECTED = protected_sorted(())


def roles(clause: Clause) -> tuple[tuple[str, ...], ...]:
    return clause.lead_units, clause.cooperating_units, clause.responsible_units


def test_a_bracket_naming_roles_is_cut_from_the_name_and_a_plain_bracket_kept():
    assert clean_name("市工信局（牵头，市公安局配合）") == ("市工信局", False)
    assert clean_name("市工信局（牵头）（交警支队）") == ("市工信局（交警支队）", False)
    assert clean_name("市工信局牵头") == ("市工信局", False)


def test_a_bracket_without_a_chinese_character_is_dropped():
    assert clean_name("市公安局()") == ("市公安局", False)
    assert clean_name("市公安局（12）") == ("市公安局", False)


def test_brackets_that_do_not_pair_are_dropped_and_the_name_kept():
    assert clean_name("（市公安局") == ("市公安局", False)
    assert clean_name("市生态环境局）") == ("市生态环境局", False)
    assert clean_name("市公安局（交警支队）（一大队）") == ("市公安局（交警支队）（一大队）", False)


def test_a_comma_inside_a_names_brackets_becomes_a_list_mark_at_any_depth():
    assert clean_name("各县（市，区）人民政府") == ("各县（市、区）人民政府", False)
    assert clean_name("各县（市（区），开发区）人民政府") == ("各县（市（区）、开发区）人民政府", False)


def test_a_stray_list_mark_outside_brackets_is_dropped_and_the_characters_around_it_kept():
    # OCR puts marks inside a name; the name is one unit, not two
    assert clean_name("市生态环、境局") == ("市生态环境局", False)
    assert clean_name("各、县、区人民政府", PROTECTED) == ("各县、区人民政府", False)
    assert clean_name("各县（市、区）人民政、府") == ("各县（市、区）人民政府", False)
    assert clean_name("各县（市（区）、开发区）人民政府") == ("各县（市（区）、开发区）人民政府", False)


def test_a_protected_group_keeps_its_list_mark_wherever_it_stands_in_the_name():
    assert clean_name("由各县、区人民政府", PROTECTED) == ("各县、区人民政府", False)
    assert clean_name("各县、区人民政府等", PROTECTED) == ("各县、区人民政府", True)
    assert roles(parse_clause("由各县、区人民政府负责落实")) == ((), (), ("各县、区人民政府",))
    # a stray mark in front of the group is still dropped
    assert clean_name("县、区人民政府和县、区人民政府", PROTECTED) == ("县、区人民政府和县、区人民政府", False)


def test_a_group_with_a_list_mark_is_protected_only_when_the_caller_or_the_defaults_say_so():
    assert clean_name("各县、区人民政府等") == ("各县区人民政府", True)
    assert split_units("长治高新区、经开区管委会、市公安局") == ["长治高新区、经开区管委会", "市公安局"]


def test_an_open_list_word_alone_is_no_unit_and_leaves_the_list_open():
    assert clean_name("等") == ("", True)
    assert clean_name("等部门") == ("", True)
    assert clean_name("等单位") == ("", True)
    assert clean_name("等有关单位") == ("", True)


def test_an_open_list_after_a_list_mark_is_no_unit_of_its_own():
    # "市公安局、等有关单位配合": the 等 closes the list before it, it names no unit
    got = parse_clause("（市工信局牵头，市公安局、等有关单位配合）")
    assert roles(got) == (("市工信局",), ("市公安局",), ())
    assert got.open_roles == ("cooperating",)


def test_a_name_that_opens_a_list_says_so_and_one_that_does_not_says_false():
    assert clean_name("交通局等") == ("交通局", True)
    assert clean_name("市工信局（牵头）") == ("市工信局", False)
    assert clean_name("市工信局（牵头）")[1] is False
