"""Cutting clause text into names, separators and role words: bracketed keys after one name,
及 between names, stray and unclosed brackets, protected group names, lines of a cell."""

from __future__ import annotations

from scheduler.plans.clauses import Clause, parse_cell_clause, parse_clause, split_units
from scheduler.plans.clauses.tokens import join_lines


def roles(clause: Clause) -> tuple[tuple[str, ...], ...]:
    return clause.lead_units, clause.cooperating_units, clause.responsible_units, clause.responsible_persons


def test_a_key_in_brackets_after_a_name_gives_its_role_to_that_name_only():
    assert roles(parse_cell_clause("市工信局（牵头单位）、市公安局（配合单位）、市交通局")) == (
        ("市工信局",), ("市公安局",), ("市交通局",), ())
    assert roles(parse_cell_clause("市工信局、市公安局（配合单位）")) == ((), ("市公安局",), ("市工信局",), ())
    assert roles(parse_cell_clause("市交通局、市工信局（牵头单位）", "cooperating")) == (
        ("市工信局",), ("市交通局",), (), ())


def test_a_role_word_in_brackets_after_a_name_gives_its_role_to_that_name_only():
    assert roles(parse_cell_clause("市工信局、市公安局（配合）")) == ((), ("市公安局",), ("市工信局",), ())


def test_ji_and_yiji_join_two_names_like_a_list_mark():
    assert roles(parse_clause("（市工信局以及市公安局负责）")) == ((), (), ("市工信局", "市公安局"), ())
    assert roles(parse_clause("（市工信局及市公安局负责落实）")) == ((), (), ("市工信局", "市公安局"), ())


def test_jishi_promptly_is_no_separator_and_no_part_of_the_name():
    assert roles(parse_clause("（市生态环境局牵头，各县区政府及时落实）")) == (
        ("市生态环境局",), (), ("各县区政府",), ())


def test_a_stray_closing_bracket_is_dropped_and_the_names_around_it_kept():
    assert roles(parse_cell_clause("市生态环境局）、市公安局")) == ((), (), ("市生态环境局", "市公安局"), ())


def test_an_unclosed_bracket_is_dropped_and_the_names_after_it_kept_whole():
    assert roles(parse_cell_clause("（市工信局、市公安局")) == ((), (), ("市工信局", "市公安局"), ())


def test_a_protected_group_keeps_the_words_written_before_it():
    assert split_units("长治市各县、区人民政府、市公安局") == ["长治市各县、区人民政府", "市公安局"]


def test_the_longest_protected_name_wins_over_a_shorter_one_it_starts_with():
    # a region's spellings hold short names too; "各县" must not cut "各县、区人民政府" in two
    assert split_units("各县、区人民政府、市公安局", ("各县",)) == ["各县、区人民政府", "市公安局"]
    assert roles(parse_clause("（由各县、区人民政府负责落实）", ("市公安局",))) == (
        (), (), ("各县、区人民政府",), ())


def test_an_empty_cell_joins_to_nothing():
    assert join_lines("") == ""
    assert roles(parse_cell_clause("")) == ((), (), (), ())


def test_a_persons_line_ending_in_an_open_bracket_goes_on_on_the_next_line():
    assert roles(parse_cell_clause("张三（\n副市长）", "persons")) == ((), (), (), ("张三（副市长）",))
    assert roles(parse_cell_clause("张三\n李四", "persons")) == ((), (), (), ("张三", "李四"))


def test_yiji_before_a_key_written_without_its_colon_still_opens_the_keyed_list():
    # OCR drops the colon after 单位; 以及 is read whole, so the key is a key and not a reference
    assert roles(parse_cell_clause("牵头单位：市发改委以及配合单位市工信局")) == (
        ("市发改委",), ("市工信局",), (), ())


def test_words_after_a_reference_to_other_items_lead_units_do_not_lose_the_clause():
    assert roles(parse_clause("（市发改委牵头，各项目牵头单位各自负责）")) == (("市发改委",), (), (), ())


def test_a_line_starting_with_a_key_opens_a_new_list_even_without_its_colon():
    # 牵头单位 starts with the role word 牵头, but on a new line it keys the names after it
    assert roles(parse_cell_clause("市工信局\n牵头单位市公安局")) == (("市公安局",), (), ("市工信局",), ())
    assert roles(parse_cell_clause("市工信局\n牵头")) == (("市工信局",), (), (), ())
