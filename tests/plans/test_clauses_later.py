"""Where a later-tasks statement starts and ends in a clause, and what is not one."""

from __future__ import annotations

from scheduler.plans.clauses import find_later_statement, parse_cell_clause, parse_clause


def span(text: str) -> tuple[int, int, str] | None:
    found = find_later_statement(text)
    return (found.start, found.end, found.units_text) if found else None


def test_a_size_below_a_limit_is_skipped_and_the_statement_after_it_still_found():
    text = "淘汰1200立方米以下高炉；以下各项任务均由各县区政府负责落实，不再列出"
    assert span(text) == (14, 36, "各县区政府负责落实，")


def test_the_statement_starts_after_the_last_comma_before_it():
    assert span("甲，乙，以下均由各县政府负责落实") == (4, 16, "各县政府负责落实")
    assert span("，以下均由各县政府负责落实") == (1, 13, "各县政府负责落实")


def test_the_statement_ends_at_the_first_full_stop_after_it():
    assert span("以下各项任务均由各县政府负责落实。其他事项由市工信局牵头。") == (0, 17, "各县政府负责落实")


def test_a_sentence_without_a_word_for_all_or_that_defines_a_short_name_is_no_statement():
    assert find_later_statement("以下任务由各县政府负责落实") is None
    assert find_later_statement("以下各项均简称责任单位") is None


def test_a_sentence_with_later_words_but_no_statement_does_not_hide_the_next_one():
    assert span("以下为重点任务。以下各项任务均由各县政府负责落实") == (8, 24, "各县政府负责落实")


def test_the_rest_of_a_cell_around_a_statement_keeps_the_columns_role_and_its_persons():
    got = parse_cell_clause("市工信局。以下各项任务均由各县政府负责落实", "lead")
    assert (got.lead_units, got.responsible_units, got.later_units) == (("市工信局",), (), ("各县政府",))
    # a statement that names no unit is read as part of the cell, which keeps the column's role
    got = parse_cell_clause("市工信局。以下各项任务均不再列出", "lead")
    assert (got.lead_units, got.responsible_units, got.applies_to_later_tasks) == (("市工信局",), (), False)
    got = parse_clause("（市工信局牵头，责任人：张三。以下各项任务均由各县政府负责落实）")
    assert (got.responsible_persons, got.later_units) == (("张三",), ("各县政府",))


def test_units_named_before_the_word_for_all_are_the_statements_units_not_the_items_name() -> None:
    for text, unit in (("〔以下各项工作各县区政府均需落实，不再列出。〕", "各县区政府"),
                       ("〔以下任务各县区人民政府均为责任单位，不再一一列出。〕", "各县区人民政府"),
                       ("〔以下各項工作各縣區政府均需落實，不再列出。〕", "各縣區政府")):
        assert parse_clause(text).later_units == (unit,), text
    # what the later items are called still goes, when no unit stands in it
    assert span("以下政策措施均需各县区政府落实。") == (0, 16, "各县区政府落实")
    assert span("以下行动均由市生态环境局牵头") == (0, 14, "市生态环境局牵头")
