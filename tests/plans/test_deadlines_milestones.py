"""Milestones at their edges: a date at the very start or end of the text, two dates side by side,
a heating season next to a month, an impossible date among good ones, and the words around a date
that decide whether it is a deadline (开始/以后/之后, 每年/每季) and which phrase it governs."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.deadlines import DeadlineContext, find_milestones
from scheduler.plans.deadlines.milestones import find_milestones_strictly

PLAN_2020 = DeadlineContext(plan_year=2020, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31))


def found(text: str, context: DeadlineContext = PLAN_2020) -> list[tuple[date, str, str]]:
    return [(m.due, m.phrase, m.text) for m in find_milestones_strictly(text, context)]


def test_it_finds_a_date_that_opens_the_text() -> None:
    assert found("9月底前完成检查") == [(date(2020, 9, 30), "完成检查", "9月底前")]


def test_it_finds_a_date_that_closes_the_text_without_a_full_stop() -> None:
    assert found("完成改造，2020年10月底前") == [(date(2020, 10, 31), "完成改造", "2020年10月底前")]


def test_it_finds_a_heating_season_alone_and_on_either_side_of_a_month() -> None:
    assert found("采暖季前完成改造") == [(date(2020, 10, 31), "完成改造", "采暖季前")]
    assert found("采暖季前完成改造；10月底前完成验收。") == [
        (date(2020, 10, 31), "完成改造", "采暖季前"), (date(2020, 10, 31), "完成验收", "10月底前")]
    assert found("10月底前完成验收；采暖季前完成改造。") == [
        (date(2020, 10, 31), "完成验收", "10月底前"), (date(2020, 10, 31), "完成改造", "采暖季前")]


def test_it_reads_a_heating_season_with_its_own_year_rather_than_the_plan_year() -> None:
    assert found("2021年采暖季前完成改造") == [(date(2021, 10, 31), "完成改造", "2021年采暖季前")]


def test_it_skips_a_heating_season_a_region_configures_impossibly_and_keeps_the_other_dates() -> None:
    odd_region = DeadlineContext(plan_year=2020, heating_season_start=(2, 30))
    assert found("采暖季前完成改造；10月底前完成验收。", odd_region) == [
        (date(2020, 10, 31), "完成验收", "10月底前")]


def test_it_skips_an_impossible_date_and_keeps_reading() -> None:
    assert found("2020年2月30日前完成甲；10月底前完成乙。") == [(date(2020, 10, 31), "完成乙", "10月底前")]


@pytest.mark.parametrize("word", ["开始", "以后", "之后"])
def test_a_date_followed_by_a_start_word_is_a_start_milestone(word: str) -> None:
    got = find_milestones_strictly(f"2020年6月1日{word}，禁止燃放。", PLAN_2020)
    assert [(m.due, m.phrase, m.text, m.notes) for m in got] == [
        (date(2020, 6, 1), "禁止燃放", f"2020年6月1日{word}", ("自该日起施行",))]


def test_a_window_milestone_is_due_at_its_end_and_says_so() -> None:
    got = find_milestones_strictly("2020年5月至9月底开展专项检查。", PLAN_2020)
    assert [(m.due, m.phrase, m.notes) for m in got] == [
        (date(2020, 9, 30), "开展专项检查", ("时段2020-05-01至2020-09-30，取截止日",))]


def test_a_year_end_written_with_its_year_starts_at_the_year() -> None:
    assert found("方案要求，2020年底前完成改造。") == [(date(2020, 12, 31), "方案要求，完成改造", "2020年底前")]
    assert found("方案要求，明年底前完成改造。") == [(date(2021, 12, 31), "方案要求，完成改造", "明年底前")]


@pytest.mark.parametrize("text", [
    "每年5月底前完成一轮活性炭更换。",  # 每年 at the very start of the text
    "每一季度末报送进展。",
    "每季1月、4月、7月、10月10日前报送上季度进展。",
])
def test_a_recurring_date_is_no_milestone(text: str) -> None:
    assert found(text) == []


def test_each_phrase_runs_to_the_next_date_not_past_it() -> None:
    text = "9月底前完成排查整治，10月底前完成验收销号，11月底前完成全面复核。"
    assert [phrase for _, phrase, _ in found(text)] == ["完成排查整治", "完成验收销号", "完成全面复核"]


def test_a_list_of_months_gives_each_month_the_same_phrase() -> None:
    assert found("2020年6月、9月底前完成检查。") == [
        (date(2020, 6, 30), "完成检查", "2020年6月、9月底前"), (date(2020, 9, 30), "完成检查", "2020年6月、9月底前")]


def test_a_date_directly_followed_by_another_date_takes_the_action_before_it() -> None:
    assert [phrase for _, phrase, _ in found("完成改造9月底前10月底前完成验收")] == [
        "完成改造", "完成改造，完成验收"]  # the borrowed words leave the other date out


def test_a_phrase_of_four_characters_borrows_the_action_before_the_date_and_one_of_five_does_not() -> None:
    assert [p for _, p, _ in found("开展排查，10月底前完成验收")] == ["开展排查，完成验收"]
    assert [p for _, p, _ in found("开展清洁取暖改造，10月底前完成煤改气。")] == ["完成煤改气"]


def test_the_action_before_a_date_starts_after_the_last_full_stop() -> None:
    assert [p for _, p, _ in found("开展排查。建立台账。落实整改，10月底前完成。")] == ["落实整改，完成"]
    assert [p for _, p, _ in found("；落实整改，10月底前完成")] == ["落实整改，完成"]
    assert [p for _, p, _ in found("淘汰X型锅炉，2020年10月底前完成。")] == ["淘汰X型锅炉，完成"]


def test_the_action_before_a_date_drops_the_wrapper_word_and_its_commas_only_at_its_end() -> None:
    assert [p for _, p, _ in found("落实整改，确保10月底前完成")] == ["落实整改，完成"]
    assert [p for _, p, _ in found("落实整改，确保，10月底前完成")] == ["落实整改，完成"]
    assert [p for _, p, _ in found("确保完成改造，10月底前完成")] == ["确保完成改造，完成"]


def test_a_phrase_keeps_a_trailing_latin_letter() -> None:
    assert [p for _, p, _ in found("10月底前建成监控平台X。")] == ["建成监控平台X"]
    assert [p for _, p, _ in found("更换为型号X，2020年10月底前完成。")] == ["更换为型号X，完成"]


def test_it_reads_chinese_numerals_and_quotes_them_as_written() -> None:
    assert found("二〇二〇年十月底前完成改造；十一月底前完成验收。") == [
        (date(2020, 10, 31), "完成改造", "二〇二〇年十月底前"), (date(2020, 11, 30), "完成验收", "十一月底前")]


def test_a_value_that_is_not_text_has_no_milestones() -> None:
    assert find_milestones(None, PLAN_2020) == []  # type: ignore[arg-type]
    assert find_milestones("", PLAN_2020) == []
