"""Periods of the periodic progress requests: where a week, month or quarter starts, where the next
one starts (across a year end), and how a request names its period."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.escalation.reminders import period_label
from scheduler.escalation.run import _next_period, period_start


@pytest.mark.parametrize("day, every, start", [
    (date(2019, 12, 2), "week", date(2019, 12, 2)),  # a Monday starts its own week
    (date(2019, 12, 8), "week", date(2019, 12, 2)),  # a Sunday belongs to the Monday before
    (date(2020, 1, 1), "week", date(2019, 12, 30)),  # a week across the year end
    (date(2019, 12, 1), "month", date(2019, 12, 1)),
    (date(2020, 2, 29), "month", date(2020, 2, 1)),
    (date(2019, 1, 1), "quarter", date(2019, 1, 1)),
    (date(2019, 3, 31), "quarter", date(2019, 1, 1)),
    (date(2019, 4, 1), "quarter", date(2019, 4, 1)),
    (date(2019, 6, 30), "quarter", date(2019, 4, 1)),
    (date(2019, 9, 15), "quarter", date(2019, 7, 1)),
    (date(2019, 10, 1), "quarter", date(2019, 10, 1)),
    (date(2019, 12, 31), "quarter", date(2019, 10, 1)),
])
def test_a_period_starts_on_its_monday_or_first_of_month_or_quarter(day, every, start):
    assert period_start(day, every) == start


@pytest.mark.parametrize("start, every, following", [
    (date(2019, 12, 30), "week", date(2020, 1, 6)),
    (date(2019, 11, 1), "month", date(2019, 12, 1)),
    (date(2019, 12, 1), "month", date(2020, 1, 1)),  # December is followed by next year's January
    (date(2020, 1, 1), "month", date(2020, 2, 1)),
    (date(2019, 7, 1), "quarter", date(2019, 10, 1)),
    (date(2019, 10, 1), "quarter", date(2020, 1, 1)),  # the fourth quarter by next year's first
    (date(2020, 1, 1), "quarter", date(2020, 4, 1)),
])
def test_the_next_period_starts_right_after_this_one_even_across_a_year_end(start, every, following):
    assert _next_period(start, every) == following


@pytest.mark.parametrize("start, every, label", [
    (date(2019, 12, 2), "week", "2019年12月2日当周"),
    (date(2019, 12, 1), "month", "2019年12月"),
    (date(2020, 1, 1), "month", "2020年1月"),
    (date(2020, 1, 1), "quarter", "2020年第1季度"),
    (date(2019, 3, 1), "quarter", "2019年第1季度"),
    (date(2019, 4, 1), "quarter", "2019年第2季度"),
    (date(2019, 7, 1), "quarter", "2019年第3季度"),
    (date(2019, 10, 1), "quarter", "2019年第4季度"),
    (date(2019, 12, 1), "quarter", "2019年第4季度"),
])
def test_a_request_names_its_week_month_or_quarter_as_a_coordinator_says_it(start, every, label):
    assert period_label(start, every) == label
