"""“2019年内完成” is a common way to write a year-end deadline: the written year wins over the plan's,
and "年内" after a number that is no year ("31年内") is left to a coordinator, never dated."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.deadlines import DeadlineContext, parse_deadline

PLAN_2020 = DeadlineContext(plan_year=2020)


@pytest.mark.parametrize("text", ["2019年内", "2019年内完成", "2019年度内", "确保2019年内完成", "2019年年内"])
def test_a_written_year_with_nei_is_due_at_that_years_end(text: str) -> None:
    deadline = parse_deadline(text, PLAN_2020)
    assert (deadline.kind, deadline.due) == ("due", (date(2019, 12, 31),))
    assert "按计划年度计" not in deadline.notes


@pytest.mark.parametrize("text", ["年内完成", "年度内"])
def test_a_bare_nei_takes_the_plan_year(text: str) -> None:
    deadline = parse_deadline(text, PLAN_2020)
    assert (deadline.kind, deadline.due) == ("due", (date(2020, 12, 31),))
    assert "按计划年度计" in deadline.notes


def test_nei_after_a_number_that_is_no_year_is_not_dated() -> None:
    assert parse_deadline("31年内", PLAN_2020).kind == "unknown"


def test_a_whole_year_stays_year_long() -> None:
    deadline = parse_deadline("2019年全年", PLAN_2020)
    assert (deadline.kind, deadline.start, deadline.end) == ("year_long", date(2019, 1, 1), date(2019, 12, 31))
