"""Keyed lists inside a clause: words in front of a key, where a keyed list ends, blank lines."""

from __future__ import annotations

from scheduler.plans.clauses import Clause, parse_cell_clause, parse_clause


def roles(clause: Clause) -> tuple[tuple[str, ...], ...]:
    return clause.lead_units, clause.cooperating_units, clause.responsible_units, clause.responsible_persons


def test_a_word_in_front_of_a_key_is_not_a_unit():
    assert roles(parse_cell_clause("主要责任单位：市生态环境局；配合单位：市工信局")) == (
        (), ("市工信局",), ("市生态环境局",), ())
    assert roles(parse_cell_clause("市生态环境局，主要责任单位：")) == ((), (), ("市生态环境局",), ())


def test_a_full_stop_ends_a_keyed_list_and_the_names_after_it_take_the_default_role():
    assert roles(parse_clause("（牵头单位：市工信局。各县政府负责落实）")) == (("市工信局",), (), ("各县政府",), ())
    assert roles(parse_clause("（牵头单位：市工信局。市能源局）")) == (("市工信局",), (), ("市能源局",), ())


def test_a_keyed_list_ends_at_the_comma_before_a_role_word():
    assert roles(parse_clause("（牵头单位：市发改委、市商务局，市工信局、市能源局配合）")) == (
        ("市发改委", "市商务局"), ("市工信局", "市能源局"), (), ())


def test_a_blank_line_in_a_cell_does_not_end_it():
    assert roles(parse_cell_clause("市工信局\n\n市能源局")) == ((), (), ("市工信局", "市能源局"), ())
    assert roles(parse_cell_clause("张三、\n李四", "persons")) == ((), (), (), ("张三", "李四"))


def test_the_bodies_a_group_includes_are_units_of_their_own():
    assert roles(parse_clause("（各区政府（含经济技术开发区管委会、高新区管委会）负责落实）")) == (
        (), (), ("各区政府", "经济技术开发区管委会", "高新区管委会"), ())


def test_a_word_in_front_of_a_key_does_not_leave_a_list_open():
    got = parse_cell_clause("相关责任单位：市生态环境局")
    assert (got.responsible_units, got.open_roles) == (("市生态环境局",), ())


def test_a_role_word_after_a_keyed_list_governs_only_the_names_since_the_last_role():
    # 市公安局 comes after 配合 has taken its names: 负责 is its own role, not the key's
    assert roles(parse_clause("（牵头单位：市发改委，市工信局配合、市公安局负责）")) == (
        ("市发改委",), ("市工信局",), ("市公安局",), ())


def test_a_keyed_list_still_ends_at_its_comma_after_a_bracketed_role():
    assert roles(parse_clause("牵头单位：市发改委，市工信局（配合单位）、市公安局配合")) == (
        ("市发改委",), ("市工信局", "市公安局"), (), ())


def test_a_key_left_empty_at_the_end_of_a_cell_leaves_no_list_open():
    got = parse_clause("市生态环境局，其他相关责任单位：")
    assert (got.responsible_units, got.open_roles) == (("市生态环境局",), ())
