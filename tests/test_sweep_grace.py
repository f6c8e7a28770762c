"""A plan stays swept for its grace days after its period ends, so work due on a 秋冬季 plan's last
day is still urged, warned about and escalated to an interview after the period is over.

The real 长治 2019-20 ledger: period 2019-10-01..2020-03-31, tasks r009 and r010 due 2020-03-31.
Working days from the 2020 calendar (清明 2020-04-04..06 off): the 1st working day after the due
date is 2020-04-01, the 10th 2020-04-15, the 30th 2020-05-14; 2020-03-31 + 90 days = 2020-06-29.
"""

from __future__ import annotations

from datetime import date

import pytest

from scheduler import store as repo
from scheduler.sweep import open_plan_ids
from tests import shipped
from tests.shipped import CONFIG, changzhi_store

PLAN = "changzhi-2019"
PERIOD_END = date(2020, 3, 31)
LAST_DAY_DUE = ("changzhi-2019/r009", "changzhi-2019/r010")
GRACE = 90
PLANS = [(PLAN, date(2019, 10, 1), PERIOD_END)]


@pytest.fixture
def store(store_url):
    store = changzhi_store(store_url)
    yield store
    store.dispose()


def sweep(store, day: date):
    return shipped.sweep(store, day, grace_days=GRACE)


def created(result, level: str) -> set[tuple[str, str]]:
    return {(a.task_id, a.kind) for a in result.created if a.level == level and a.task_id in LAST_DAY_DUE}


# -- which days a plan is swept on -------------------------------------------------------------


@pytest.mark.parametrize("day, swept", [
    (date(2020, 3, 31), True),  # the period's last day
    (date(2020, 4, 1), True),  # the day after: inside the grace
    (date(2020, 6, 29), True),  # the grace's last day
    (date(2020, 6, 30), False),
])
def test_a_plan_is_swept_until_its_grace_days_after_the_period_end(day, swept):
    assert open_plan_ids(PLANS, day, GRACE) == ([PLAN] if swept else [])


def test_without_grace_a_plan_is_swept_through_its_last_day_only():
    assert open_plan_ids(PLANS, PERIOD_END, 0) == [PLAN]
    assert open_plan_ids(PLANS, date(2020, 4, 1), 0) == []


def test_the_service_default_grace_is_ninety_days():
    assert CONFIG.service.closed_plan_grace_days == GRACE


# -- the ladder after the period's end -------------------------------------------------------


def test_work_due_on_the_last_day_is_urged_the_day_after_the_period_ends(store):
    result = sweep(store, date(2020, 4, 1))
    assert result.plans == [PLAN]
    assert created(result, "urge") == {(task, "overdue") for task in LAST_DAY_DUE}


def approve_warnings(store, result) -> None:
    with store.session() as session:
        ids = [n.id for n in repo.review_queue(session) if n.level == "warning" and n.task_id in LAST_DAY_DUE]
        repo.decide_notices(session, ids, "approve", "协调人")
        session.commit()


def test_the_warning_and_the_interview_follow_after_the_period_ends(store):
    sweep(store, date(2020, 4, 1))  # the urges the warnings rest on
    warned = sweep(store, date(2020, 4, 15))
    assert created(warned, "warning") == {(task, "overdue") for task in LAST_DAY_DUE}
    assert all(a.needs_review for a in warned.created if a.level == "warning")
    approve_warnings(store, warned)
    # 15 working days after the warning of 04-15 (劳动节 05-01..05 off, Sunday 04-26 worked): 05-08.
    assert created(sweep(store, date(2020, 5, 7)), "interview") == set()
    interviewed = sweep(store, date(2020, 5, 8))
    assert created(interviewed, "interview") == {(task, "warning_unresolved") for task in LAST_DAY_DUE}


def test_nothing_is_swept_once_the_grace_is_over(store):
    assert sweep(store, date(2020, 6, 29)).plans == [PLAN]
    late = sweep(store, date(2020, 6, 30))
    assert late.plans == [] and late.created == []
