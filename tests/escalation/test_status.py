"""The one 红黄绿 rule (scheduler.escalation.status.standing), worked out by hand on small tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scheduler.escalation.facts import ProgressReport, TaskFacts
from scheduler.escalation.status import (
    AT_RISK_DAYS,
    STATE_NAMES,
    Standing,
    closed_on,
    overdue_on,
    past_due,
    standing,
)
from scheduler.plans.deadlines import Deadline, Milestone

AS_OF = date(2019, 12, 20)


def task(kind: str = "due", due: tuple[date, ...] = (), status: str = "open", milestones: tuple[date, ...] = (),
         start: date | None = None, end: date | None = None) -> TaskFacts:
    return TaskFacts(task_id="t", plan_id="p", title="t", deadline=Deadline("", kind, due=due, start=start, end=end),
                     milestones=tuple(Milestone(d, "", "") for d in milestones), status=status)


@pytest.mark.parametrize("facts, state, reason", [
    (task(due=(date(2020, 3, 31),)), "on_track", "正常推进"),
    (task(due=(date(2020, 1, 3),)), "at_risk", "临近到期（14天）"),
    (task(due=(date(2020, 3, 31),), milestones=(date(2019, 11, 30),)), "at_risk", "阶段节点已过"),
    (task(due=(date(2019, 10, 31),)), "overdue", "逾期50天"),
    (task(due=(date(2019, 10, 31),), status="reported_done"), "on_track", "已报完成待销号"),
    (task(due=(date(2019, 10, 31),), status="signed_off"), "closed", "已销号"),
    (task(due=(date(2019, 10, 31),), status="waived"), "closed", "免于督办"),
    (task(kind="external"), "at_risk", "时限待定"),
])
def test_each_state_on_20_december_2019(facts, state, reason):
    assert standing(facts, AS_OF) == Standing(state, reason)


def test_lamps_follow_the_states_and_closed_tasks_are_green_but_not_open():
    assert [standing(t, AS_OF).lamp for t in (task(due=(date(2019, 10, 31),)), task(kind="external"),
                                               task(kind="ongoing"), task(status="signed_off"))] == [
        "red", "yellow", "green", "green"]
    assert not standing(task(status="waived"), AS_OF).is_open
    assert standing(task(status="reported_done"), AS_OF).is_open
    assert STATE_NAMES["at_risk"] == "有风险"


def test_the_at_risk_window_is_fourteen_days_and_a_task_due_today_is_not_late_yet():
    assert AT_RISK_DAYS == 14
    assert standing(task(due=(date(2020, 1, 3),)), AS_OF).state == "at_risk"
    assert standing(task(due=(date(2020, 1, 4),)), AS_OF).state == "on_track"
    assert standing(task(due=(AS_OF,)), AS_OF) == Standing("at_risk", "临近到期（0天）")
    assert standing(task(due=(date(2019, 12, 19),)), AS_OF) == Standing("overdue", "逾期1天")


def test_several_due_dates_are_late_from_the_first_one_missed():
    assert standing(task(due=(date(2019, 11, 30), date(2020, 6, 30))), AS_OF) == Standing("overdue", "逾期20天")


def test_an_urge_keeps_a_calm_task_yellow_but_changes_nothing_worse():
    assert standing(task(due=(date(2020, 3, 31),)), AS_OF, urged=True) == Standing("at_risk", "近期受督办")
    assert standing(task(due=(date(2019, 10, 31),)), AS_OF, urged=True).state == "overdue"
    assert standing(task(due=(date(2019, 10, 31),), status="reported_done"), AS_OF, urged=True).state == "on_track"


def test_a_window_is_late_once_over_and_yellow_while_it_runs():
    assert standing(task("window", start=date(2019, 10, 1), end=date(2019, 12, 15)), AS_OF) == Standing(
        "overdue", "实施时段已过")
    assert standing(task("window", start=date(2019, 12, 1), end=date(2020, 2, 29)), AS_OF) == Standing(
        "at_risk", "实施时段内")
    assert standing(task("window", start=date(2020, 5, 1), end=date(2020, 9, 30)), AS_OF).state == "on_track"


def test_work_without_a_date_is_on_track_and_a_dated_external_deadline_counts():
    assert standing(task("ongoing"), AS_OF) == Standing("on_track", "持续推进")
    assert standing(task("year_long", end=date(2019, 12, 31)), AS_OF).state == "at_risk"
    assert standing(task(due=(date(2019, 12, 1),)), AS_OF).state == "overdue"  # a coordinator's date: kind due


def test_a_milestone_due_today_is_not_passed_yet_and_one_due_yesterday_is():
    assert standing(task(due=(date(2020, 3, 31),), milestones=(AS_OF,)), AS_OF) == Standing("on_track", "正常推进")
    assert standing(task(due=(date(2020, 3, 31),), milestones=(date(2019, 12, 19),)), AS_OF) == Standing(
        "at_risk", "阶段节点已过")


def test_a_window_ending_today_still_runs_and_one_starting_today_has_begun():
    assert standing(task("window", start=date(2019, 12, 1), end=AS_OF), AS_OF) == Standing("at_risk", "实施时段内")
    assert standing(task("window", start=AS_OF, end=date(2020, 2, 29)), AS_OF) == Standing("at_risk", "实施时段内")
    assert standing(task("window", start=date(2019, 12, 21), end=date(2020, 2, 29)), AS_OF) == Standing(
        "on_track", "时段未开始")


def test_an_urged_window_not_yet_begun_is_yellow_and_says_why():
    assert standing(task("window", start=date(2020, 5, 1), end=date(2020, 9, 30)), AS_OF, urged=True) == Standing(
        "at_risk", "督办中")
    assert standing(task("window", start=date(2020, 5, 1), end=date(2020, 9, 30)), AS_OF) == Standing(
        "on_track", "时段未开始")


def test_an_unread_deadline_is_pending_like_an_external_one():
    assert standing(task(kind="unknown"), AS_OF) == Standing("at_risk", "时限待定")


def test_past_due_counts_days_before_and_stops_on_the_day_the_task_was_closed():
    dues = (date(2019, 12, 10),)
    assert past_due(dues, date(2019, 12, 11), None)
    assert not past_due(dues, date(2019, 12, 10), None)  # due that day: not late yet
    assert not past_due(dues, date(2019, 12, 11), date(2019, 12, 11))  # closed that very day
    assert past_due(dues, date(2019, 12, 11), date(2019, 12, 12))  # closed only later
    assert not past_due((), date(2019, 12, 11), None)


def test_overdue_on_skips_waived_tasks_and_closed_on_takes_the_first_of_sign_off_and_done_report():
    late = task(due=(date(2019, 12, 10),))
    assert overdue_on(late, date(2019, 12, 20), None)
    assert not overdue_on(task(due=(date(2019, 12, 10),), status="waived"), date(2019, 12, 20), None)
    reported = replace(late, reports=(ProgressReport("u", date(2019, 12, 5), 100, "done", ""),
                                      ProgressReport("u", date(2019, 12, 15), 100, "done", "")))
    assert closed_on(reported, date(2019, 12, 8)) == date(2019, 12, 5)
    assert closed_on(reported, date(2019, 12, 1)) == date(2019, 12, 1)
    assert closed_on(late, None) is None
    assert closed_on(late, date(2019, 12, 3)) == date(2019, 12, 3)
    partial = replace(late, reports=(ProgressReport("u", date(2019, 12, 5), 50, "in_progress", ""),))
    assert closed_on(partial, None) is None
