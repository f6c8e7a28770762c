"""Where a later-tasks statement starts and ends in a clause, and what is not one."""

from __future__ import annotations

from scheduler.plans.clauses import find_later_statement


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
