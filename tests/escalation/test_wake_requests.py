"""The next day of a task that waits for a reminder: periodic progress requests, recurring occurrences,
windows and fire days, each compared with the truth (evaluate() asked day by day); several tasks share
one TaskRun, as in the sweep, so what one task caches must not answer for another.

Days from the calendar: 2019-06-01, 2019-11-30 and 2020-02-01 are Saturdays (2020-02-01 was not worked:
the 春节 holiday ran to 02-02), 2019-12-01 a Sunday; 2019-11-01 and 2019-12-02 are the first working days
of their months; 2019-11-29 is a Friday.
"""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.escalation.run import TaskRun
from scheduler.escalation.wake import next_day
from scheduler.plans.deadlines import Deadline
from tests.escalation.test_wake import CAL, RULES
from tests.escalation.test_wake_ladder import book, bounds, rule, task

ONGOING = Deadline("长期坚持", "ongoing")


def window(start: date, end: date) -> Deadline:
    return Deadline(f"{start.isoformat()}至{end.isoformat()}", "window", start=start, end=end)


def recurring(rrule: str, start: date | None = None) -> Deadline:
    return Deadline("每月", "recurring", start=start, rrule=rrule)


def monthly(nth: int = 1, any_day: bool = False) -> str:
    return rule("monthly", "reminder", f"{{type: progress_request, every: month, nth_workday: {nth}}}", any_day)


# -- periodic requests ----------------------------------------------------------------------------------


def test_tasks_of_one_sweep_each_get_their_own_next_request_and_occurrences():
    """A window over before December's request, two ongoing tasks and two recurring ones, asked in one run."""
    tasks = [task(window(date(2019, 11, 5), date(2019, 11, 29)), task_id="w"),
             task(ONGOING, task_id="o1"), task(ONGOING, task_id="o2"),
             task(recurring("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"), task_id="y"),
             task(recurring("FREQ=MONTHLY;BYMONTHDAY=-1"), task_id="m")]
    found = bounds(tasks, RULES, {}, date(2019, 11, 10))
    assert [fires for _bound, fires in found] == [date(2019, 11, 26), date(2019, 12, 2), date(2019, 12, 2),
                                                  date(2019, 12, 26), date(2019, 11, 27)]
    assert all(bound == fires for bound, fires in found)


def test_a_task_whose_plan_has_no_period_is_looked_at_without_error():
    tasks = [task(ONGOING, plan_period_start=None, plan_period_end=None),
             task(recurring("FREQ=MONTHLY;BYMONTHDAY=-1", start=date(2019, 1, 1)), plan_period_end=None)]
    found = bounds(tasks, RULES, {}, date(2019, 11, 10))
    assert found == [(date(2019, 12, 2), date(2019, 12, 2)), (date(2019, 11, 27), date(2019, 11, 27))]


@pytest.mark.parametrize("nth", [1, 2])
def test_a_request_sent_on_any_day_is_asked_on_the_nth_calendar_day(nth):
    rules = book(monthly(nth, any_day=True))
    one = task(ONGOING, plan_period_start=date(2019, 1, 1))
    [(bound, fires)] = bounds([one], rules, {}, date(2019, 5, 31))
    assert fires == bound == date(2019, 6, nth)


def test_a_request_on_the_first_or_the_last_day_of_a_tasks_span_is_asked():
    rules = book(monthly())
    last = task(window(date(2019, 11, 5), date(2019, 12, 2)))
    first = task(ONGOING, plan_period_start=date(2019, 11, 1))
    found = bounds([last, first], rules, {}, date(2019, 10, 20))
    assert found == [(date(2019, 12, 2), date(2019, 12, 2)), (date(2019, 11, 1), date(2019, 11, 1))]


def test_a_weekly_request_is_asked_on_mondays_even_in_a_quarter_that_starts_midweek():
    rules = book(rule("weekly", "reminder", "{type: progress_request, every: week}"))
    [(bound, fires)] = bounds([task(ONGOING)], rules, {}, date(2020, 1, 8))
    assert fires == bound == date(2020, 1, 13)


def test_a_plan_starting_more_than_a_year_ahead_is_looked_at_on_its_first_request_day():
    rules = book(rule("weekly", "reminder", "{type: progress_request, every: week}"))
    one = task(ONGOING, plan_period_start=date(2021, 3, 1), plan_period_end=date(2021, 12, 31))
    [(bound, fires)] = bounds([one], rules, {}, date(2019, 12, 10), horizon=460)
    assert fires == bound == date(2021, 3, 1)


# -- recurring occurrences ------------------------------------------------------------------------------


def test_an_occurrence_the_day_after_the_sweep_is_reminded_by_a_same_day_offset():
    rules = book(rule("recurring", "reminder", "{type: progress_request, recurring_offsets: [{days: 0}]}"))
    [(bound, fires)] = bounds([task(recurring("FREQ=MONTHLY;BYMONTHDAY=15"))], rules, {}, date(2019, 11, 14))
    assert fires == bound == date(2019, 11, 15)


def test_an_occurrence_just_beyond_a_year_is_looked_at_again_before_its_reminder():
    """The first occurrence, 2020-11-15 (a Sunday), lies 371 days after the sweep: its reminder three
    working days before it is on 2020-11-11."""
    one = task(recurring("FREQ=YEARLY", start=date(2020, 11, 15)), plan_period_end=None)
    [(bound, fires)] = bounds([one], RULES, {}, date(2019, 11, 10), horizon=380)
    assert fires == date(2020, 11, 11)
    assert bound is not None and bound < fires


def test_an_invalid_rrule_breaks_nothing():
    one = task(recurring("FREQ=SOMETIMES"), plan_period_end=None)
    [(_bound, fires)] = bounds([one], RULES, {}, date(2019, 11, 10))
    assert fires is None  # the bound may still look again after a year: harmless


# -- windows and fire days ------------------------------------------------------------------------------


def test_the_end_of_a_window_on_a_sunday_is_reminded_the_friday_before_and_on_a_friday_that_day():
    rules = book(rule("end", "reminder", "{type: window_end, before_workdays: 0}"))
    sunday = task(window(date(2019, 11, 5), date(2019, 12, 1)))
    friday = task(window(date(2019, 11, 5), date(2019, 11, 29)))
    found = bounds([sunday, friday], rules, {}, date(2019, 11, 20))
    assert found == [(date(2019, 11, 29), date(2019, 11, 29))] * 2


def test_a_window_starting_on_a_saturday_is_announced_that_day_by_a_rule_sent_on_any_day_only():
    saturday = [task(window(date(2019, 11, 30), date(2019, 12, 31)))]
    assert bounds(saturday, book(rule("start", "reminder", "{type: window_start}", any_day=True)), {},
                  date(2019, 11, 20)) == [(date(2019, 11, 30), date(2019, 11, 30))]
    assert bounds(saturday, book(rule("start", "reminder", "{type: window_start}")), {},
                  date(2019, 11, 20)) == [(date(2019, 12, 2), date(2019, 12, 2))]  # else the Monday after


def test_a_fire_day_on_the_day_the_date_changed_is_kept_when_the_sweep_is_run_for_a_day_before():
    """`duban sweep --as-of` a day before the change: the reminder due on the change day still comes."""
    changed = date(2019, 11, 29)
    reminder = book(rule("before", "reminder", "{type: before_due, offsets: [{days: 30}]}"))
    due = task(deadline_changed_on=changed)  # 2019-12-31 less 30 days is Sunday 12-01: Friday 11-29
    start = book(rule("start", "reminder", "{type: window_start}"))
    opens = task(window(changed, date(2019, 12, 31)), deadline_changed_on=changed)
    assert bounds([due], reminder, {}, date(2019, 11, 20)) == [(changed, changed)]
    assert bounds([opens], start, {}, date(2019, 11, 20)) == [(changed, changed)]


def test_next_day_needs_no_other_task_of_the_run():
    """A bound asked alone equals the one asked among others (the caches only save work)."""
    one = task(ONGOING)
    alone = next_day(TaskRun(CAL, {}, date(2019, 11, 10), None), one, RULES.rules_for(one.plan_id))
    assert alone == date(2019, 12, 2)


def test_on_a_fire_day_the_next_day_is_the_following_fire_day_not_tomorrow():
    """Swept on a reminder day, a request day and a window's first day: nothing more comes until the next."""
    due = task()  # 2019-12-31: reminded 30 days before (Friday 11-29), then 7 days before (12-24)
    opens = task(window(date(2019, 11, 29), date(2019, 12, 31)))
    found = bounds([due], book(rule("before", "reminder", "{type: before_due, offsets: [{days: 30}, {days: 7}]}")),
                   {}, date(2019, 11, 29))
    found += bounds([task(ONGOING)], book(monthly()), {}, date(2019, 12, 2))
    found += bounds([opens], book(rule("start", "reminder", "{type: window_start}"),
                                  rule("end", "reminder", "{type: window_end, before_workdays: 3}")), {},
                    date(2019, 11, 29))
    assert found == [(date(2019, 12, 24),) * 2, (date(2020, 1, 2),) * 2, (date(2019, 12, 26),) * 2]


def test_a_fire_day_before_the_date_changed_is_no_next_day():
    """Swept for a day before the change (2019-12-02): the reminder of 11-29 is not sent, the one of 12-24
    is; likewise for the occurrences of a monthly task (11-27 for 11-30, 12-26 for 12-31)."""
    rules = book(rule("before", "reminder", "{type: before_due, offsets: [{days: 30}, {days: 7}]}"))
    changed = date(2019, 12, 2)
    assert bounds([task(deadline_changed_on=changed)], rules, {}, date(2019, 11, 20)) == [
        (date(2019, 12, 24), date(2019, 12, 24))]
    each_month = task(recurring("FREQ=MONTHLY;BYMONTHDAY=-1"), deadline_changed_on=changed)
    assert bounds([each_month], RULES, {}, date(2019, 11, 20)) == [(date(2019, 12, 26), date(2019, 12, 26))]


def test_a_window_over_before_the_next_request_is_not_looked_at_again():
    ended = task(window(date(2019, 11, 5), date(2019, 11, 25)))
    assert bounds([ended], book(monthly()), {}, date(2019, 11, 10)) == [(None, None)]


def test_a_weekly_request_for_a_seventh_working_day_waits_for_a_week_that_has_one():
    """Only a week with both weekend days worked has a 7th working day (2022-01-24 to 01-30, before 春节):
    more than 60 weeks without one must mean "look again then", not "never"."""
    rules = book(rule("weekly", "reminder", "{type: progress_request, every: week, nth_workday: 7}"))
    one = task(ONGOING, plan_period_end=date(2022, 12, 31))
    [(bound, fires)] = bounds([one], rules, {}, date(2020, 6, 1), horizon=640)
    assert fires == date(2022, 1, 30)
    assert bound is not None and bound < fires
