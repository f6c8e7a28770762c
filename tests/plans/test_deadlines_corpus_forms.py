"""Deadline forms seen in other cities' plans: N years from the plan's start, the autumn-winter
campaign, "by a year", several due dates in one cell, quarters and yearly quotas."""

from __future__ import annotations

from datetime import date

from scheduler.plans.deadlines import DeadlineContext, parse_deadline

PLAN_2030 = DeadlineContext(plan_year=2030)


def test_years_within_count_from_the_plan_year_not_the_plan_year_alone() -> None:
    deadline = parse_deadline("3年内", PLAN_2030)
    assert (deadline.kind, deadline.due) == ("due", (date(2032, 12, 31),))
    assert any("2030年至2032年" in note for note in deadline.notes)


def test_years_within_count_from_the_period_start_when_the_plan_has_one() -> None:
    context = DeadlineContext(plan_year=2031, period_start=date(2030, 7, 1), period_end=date(2033, 6, 30))
    assert parse_deadline("两年内", context).due == (date(2031, 12, 31),)


def test_years_within_count_from_the_year_written_before_them() -> None:
    deadline = parse_deadline("2040年起用4年时间", PLAN_2030)
    assert deadline.due == (date(2043, 12, 31),)


def test_years_within_without_any_year_to_count_from_is_left_to_a_coordinator() -> None:
    deadline = parse_deadline("十年内")
    assert deadline.kind == "unknown" and deadline.notes


def test_the_autumn_winter_campaign_runs_from_october_to_march() -> None:
    deadline = parse_deadline("2030—2031年秋冬季", PLAN_2030)
    assert (deadline.kind, deadline.start, deadline.end) == ("window", date(2030, 10, 1), date(2031, 3, 31))


def test_a_campaign_named_by_its_first_year_or_by_the_plan_year_is_the_same_window() -> None:
    assert parse_deadline("2030年秋冬季", PLAN_2030).end == date(2031, 3, 31)
    assert parse_deadline("秋冬季", PLAN_2030).start == date(2030, 10, 1)


def test_a_campaign_whose_years_do_not_follow_each_other_is_not_guessed() -> None:
    assert parse_deadline("2030-2032年秋冬季", PLAN_2030).kind == "unknown"


def test_by_a_year_falls_due_at_its_end_while_a_bare_year_stays_year_long() -> None:
    assert parse_deadline("到2033年", PLAN_2030).due == (date(2033, 12, 31),)
    assert parse_deadline("到2033年", PLAN_2030).kind == "due"
    assert parse_deadline("截至2034年", PLAN_2030).due == (date(2034, 12, 31),)
    bare = parse_deadline("2033年", PLAN_2030)
    assert (bare.kind, bare.end) == ("year_long", date(2033, 12, 31))


def test_several_due_dates_in_one_cell_are_each_kept() -> None:
    deadline = parse_deadline("2030年8月底前；2030年底前", PLAN_2030)
    assert deadline.due == (date(2030, 8, 31), date(2030, 12, 31))


def test_several_until_dates_in_one_cell_are_each_kept_in_date_order() -> None:
    deadline = parse_deadline("至2031年2月28日；至2030年11月30日", PLAN_2030)
    assert deadline.due == (date(2030, 11, 30), date(2031, 2, 28))


def test_every_quarter_of_a_year_is_a_due_date() -> None:
    deadline = parse_deadline("一季度；二季度；三季度；四季度", PLAN_2030)
    assert deadline.due == (date(2030, 3, 31), date(2030, 6, 30), date(2030, 9, 30), date(2030, 12, 31))


def test_a_due_date_followed_by_standing_work_keeps_only_the_date() -> None:
    deadline = parse_deadline("2030年5月底前，长期坚持", PLAN_2030)
    assert (deadline.kind, deadline.due) == ("due", (date(2030, 5, 31),))


def test_a_due_date_then_a_start_date_is_read_as_the_due_date() -> None:
    deadline = parse_deadline("2030年5月底前，2030年6月1日起", PLAN_2030)
    assert (deadline.kind, deadline.due) == ("due", (date(2030, 5, 31),))


def test_a_month_end_written_with_its_completion_verb_is_due_that_month() -> None:
    assert parse_deadline("9月底完成", PLAN_2030).due == (date(2030, 9, 30),)


def test_a_yearly_quota_recurs_at_each_year_end() -> None:
    deadline = parse_deadline("每年", PLAN_2030)
    assert (deadline.kind, deadline.rrule) == ("recurring", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1")


def test_a_dated_cell_that_names_its_campaign_keeps_its_date() -> None:
    deadline = parse_deadline("2030年11月底前（秋冬季攻坚）", PLAN_2030)
    assert (deadline.kind, deadline.due) == ("due", (date(2030, 11, 30),))
