"""The next day a task's rules can fire is never later than the first day evaluate() proposes something
for it (the incremental sweep skips a task until then), and is not needlessly early."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, TaskFacts
from scheduler.escalation.ruleset import load_rulebook
from scheduler.escalation.run import TaskRun
from scheduler.escalation.wake import next_day
from scheduler.plans.deadlines import Deadline, Milestone

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar.load(Path(__file__).resolve().parents[2] / "data" / "calendar")
PLAN = "changzhi-2019"
UNITS = (Assignment("市能源局", "lead"), Assignment("潞州区人民政府", "responsible"))
START, END = date(2019, 10, 1), date(2020, 3, 31)


def facts(deadline: Deadline, **changes) -> TaskFacts:
    return TaskFacts(task_id=f"{PLAN}/1", plan_id=PLAN, title="洗煤行业整治", deadline=deadline, assignments=UNITS,
                     plan_period_start=START, plan_period_end=END, **changes)


DEADLINES = {
    "due": facts(Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),))),
    "milestone": facts(Deadline("2020年3月底前", "due", due=(date(2020, 3, 31),)),
                       milestones=(Milestone(date(2019, 12, 15), "12月15日前", "完成主体工程"),)),
    "window": facts(Deadline("2019年11月5日至2020年1月20日", "window", start=date(2019, 11, 5),
                             end=date(2020, 1, 20))),
    "ongoing": facts(Deadline("长期坚持", "ongoing")),
    "recurring": facts(Deadline("每月", "recurring", rrule="FREQ=MONTHLY;BYMONTHDAY=-1")),
    "external": facts(Deadline("按省要求时限完成", "external")),
}


def first_firing(task: TaskFacts, history, after: date, horizon: int = 150) -> date | None:
    day = after + timedelta(days=1)
    for _ in range(horizon):
        if evaluate([task], RULES, CAL, history, day):
            return day
        day += timedelta(days=1)
    return None


@pytest.mark.parametrize("name", sorted(DEADLINES))
def test_no_day_before_the_next_day_proposes_anything(name):
    task = DEADLINES[name]
    for as_of in (date(2019, 10, 8), date(2019, 11, 20), date(2019, 12, 16), date(2020, 1, 10)):
        found = next_day(TaskRun(CAL, {}, as_of, None), task, RULES.rules_for(PLAN))
        fires = first_firing(task, {}, as_of)
        if fires is not None:
            assert found is not None and found <= fires, (name, as_of, found, fires)


def test_a_task_due_in_six_weeks_waits_for_its_30_day_reminder():
    task = DEADLINES["due"]
    found = next_day(TaskRun(CAL, {}, date(2019, 11, 20), None), task, RULES.rules_for(PLAN))
    assert found == date(2019, 11, 29)  # 2019-12-31 minus 30 days is 12-01, a Sunday: the Friday before
    assert first_firing(task, {}, date(2019, 11, 20)) == found


def test_an_urge_already_stored_waits_for_the_warning_its_reply_period_allows():
    task = DEADLINES["due"]
    as_of = date(2020, 1, 3)
    urges = {(task.task_id, unit.unit): [PastNotice(f"overdue-urge|{task.task_id}|{unit.unit}|2019-12-31", "urge",
                                                    "overdue-urge", task.task_id, unit.unit, as_of, "queued")]
             for unit in UNITS}
    found = next_day(TaskRun(CAL, urges, as_of, None), task, RULES.rules_for(PLAN))
    fires = first_firing(task, urges, as_of)
    assert found is not None and fires is not None and as_of < found <= fires
    assert found > as_of + timedelta(days=1)  # not every day: nothing can come before the premise stands


def test_a_signed_off_task_never_wakes():
    task = facts(Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),)), status="signed_off")
    assert next_day(TaskRun(CAL, {}, date(2019, 11, 20), None), task, RULES.rules_for(PLAN)) is None
