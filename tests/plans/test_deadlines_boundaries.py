"""Deadline boundaries the seed table does not reach: February month ends in and out of leap
years, the plan year preferred for a bare month in a two-year plan, and exact notes lists (a note
that should not be there is as wrong as one that is missing)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.deadlines import DeadlineContext, parse_deadline

CHANGZHI_2022 = DeadlineContext(plan_year=2023, period_start=date(2022, 1, 1), period_end=date(2023, 12, 31))
PLAN_2023 = DeadlineContext(plan_year=2023)
PLAN_2020 = DeadlineContext(plan_year=2020)
PLAN_2019 = DeadlineContext(plan_year=2019)
YEAR_FROM_PERIOD = "未写年份，按计划期（2022-01-01至2023-12-31）取2023年"


# --- February ends on the 29th in a leap year, on the 28th otherwise -------------------------

@pytest.mark.parametrize("text, due", [
    ("2020年2月底前", date(2020, 2, 29)),
    ("2019年2月底前", date(2019, 2, 28)),
    ("2024年2月底前", date(2024, 2, 29)),
    ("2100年2月底前", date(2100, 2, 28)),  # a century year that is not a leap year
    ("2000年2月底前", date(2000, 2, 29)),  # one that is
])
def test_it_ends_february_on_its_real_last_day(text, due):
    got = parse_deadline(text)
    assert (got.kind, got.due, got.notes) == ("due", (due,), ())


def test_it_takes_the_leap_year_from_the_plan_when_the_cell_has_none():
    assert parse_deadline("2月底前", PLAN_2020).due == (date(2020, 2, 29),)
    assert parse_deadline("2月底前", PLAN_2019).due == (date(2019, 2, 28),)


def test_it_ends_a_window_closing_in_february_on_the_29th_of_a_leap_year():
    leap = parse_deadline("2020年1-2月")
    common = parse_deadline("2019年1-2月")
    assert (leap.kind, leap.start, leap.end) == ("window", date(2020, 1, 1), date(2020, 2, 29))
    assert (common.kind, common.start, common.end) == ("window", date(2019, 1, 1), date(2019, 2, 28))


def test_it_ends_a_table_stamp_of_february_on_its_last_day():
    assert parse_deadline("2020.2").due == (date(2020, 2, 29),)
    assert parse_deadline("2019.2").due == (date(2019, 2, 28),)


def test_it_ends_the_first_quarter_and_february_list_items_on_the_real_last_day():
    assert parse_deadline("2020年2月和3月底前").due == (date(2020, 2, 29), date(2020, 3, 31))
    assert parse_deadline("2019年2月和3月底前").due == (date(2019, 2, 28), date(2019, 3, 31))


# --- a bare month in a plan that spans two years ---------------------------------------------

def test_it_prefers_the_plan_year_for_a_bare_month_in_a_two_year_plan():
    # 长治 2022-23: March falls inside the period in 2022 and in 2023; the plan year 2023 wins,
    # so the deadline is not already a year past when the plan is issued.
    got = parse_deadline("3月底前", CHANGZHI_2022)
    assert got.due == (date(2023, 3, 31),)
    assert got.notes == (YEAR_FROM_PERIOD,)


def test_it_takes_the_only_year_inside_the_period_when_the_plan_year_is_not_one_of_them():
    # 长治 2019-20 秋冬季 (plan year 2019): March is inside the period only in 2020.
    changzhi_2019 = DeadlineContext(plan_year=2019, period_start=date(2019, 10, 1), period_end=date(2020, 3, 31))
    got = parse_deadline("3月底前", changzhi_2019)
    assert got.due == (date(2020, 3, 31),)
    assert got.notes == ("未写年份，按计划期（2019-10-01至2020-03-31）取2020年",)


def test_it_takes_the_earlier_year_when_the_plan_year_is_before_the_period():
    context = DeadlineContext(plan_year=2021, period_start=date(2022, 1, 1), period_end=date(2023, 12, 31))
    assert parse_deadline("3月底前", context).due == (date(2022, 3, 31),)


# --- exact notes: "前" means the month end was written, so no "month only" note ---------------

@pytest.mark.parametrize("text", ["3月前", "3月以前", "3月之前", "3月底前", "3月底"])
def test_it_adds_no_month_only_note_when_the_cell_says_before_or_month_end(text):
    got = parse_deadline(text, PLAN_2023)
    assert got.due == (date(2023, 3, 31),)
    assert got.notes == ("未写年份，按计划年度取2023年",)


def test_it_adds_no_month_only_note_to_3_yue_qian_in_a_two_year_plan():
    got = parse_deadline("3月前", CHANGZHI_2022)
    assert got.to_json() == {"text": "3月前", "kind": "due", "due": ["2023-03-31"], "start": None, "end": None,
                             "rrule": None, "notes": [YEAR_FROM_PERIOD]}


def test_it_notes_a_bare_month_without_before_as_month_only():
    got = parse_deadline("3月", PLAN_2023)
    assert got.due == (date(2023, 3, 31),)
    assert got.notes == ("未写年份，按计划年度取2023年", "只写了月份，按月末计")


def test_it_notes_nothing_for_an_explicit_year_and_month_before():
    assert parse_deadline("2023年3月前").notes == ()
    assert parse_deadline("2023年3月").notes == ("只写了月份，按月末计",)
