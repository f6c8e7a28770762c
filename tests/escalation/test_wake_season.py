"""A season lived day by day, each day's notices stored as sent and never acknowledged or answered:
no day before the task's next day (the incremental sweep skips the task until then) brings a notice
the store does not hold yet. Covers the later rungs too (urges, warnings, interviews, 签收 and
progress follow-ups), which only appear once history exists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import PastNotice
from scheduler.escalation.run import TaskRun
from scheduler.escalation.wake import next_day
from tests.escalation.test_wake import CAL, DEADLINES, END, PLAN, RULES, START
from tests.escalation.test_wake_ladder import live, waiting_for_delivery


@pytest.mark.parametrize("name", sorted(DEADLINES))
def test_no_new_notice_comes_before_the_next_day_in_a_season_without_answers(name):
    task = DEADLINES[name]
    history: dict[tuple[str | None, str], list[PastNotice]] = {}
    known: set[str] = set()
    wake: date | None = START
    day = START
    fired = 0
    while day <= END + timedelta(days=120):
        new = [a for a in evaluate([task], RULES, CAL, history, day) if a.key not in known]
        if new:
            assert wake is not None and day >= wake, (name, day, wake, [a.key for a in new])
            fired += len(new)
        for action in new:
            known.add(action.key)
            history.setdefault((action.task_id, action.unit), []).append(PastNotice(
                action.key, action.level, action.rule_id, action.task_id, action.unit, day, "sent", sent_on=day,
                plan_id=PLAN))
        wake = next_day(TaskRun(CAL, history, day, None), task, RULES.rules_for(PLAN))
        day += timedelta(days=1)
    if name != "external":
        assert fired > 0  # the season did exercise the rules


@pytest.mark.parametrize("name", sorted(DEADLINES))
def test_no_new_notice_comes_before_the_next_day_when_nothing_stored_is_sent_yet(name):
    """As the sweep stores its proposals: urges queued and letters approved the same day, none delivered,
    so every premise and warning counts from the day it was proposed and nothing is signed for."""
    task = DEADLINES[name]
    fired = live(task, RULES, {}, START, END + timedelta(days=120), store=waiting_for_delivery)
    if name != "external":
        assert fired
