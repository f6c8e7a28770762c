"""Golden days on the real 长治 2019-20 ledger, idempotence, and catch-up after downtime.

Expectations are worked out by hand from the 2019-20 calendar: 2019-12-01 is a Sunday, 2020-01-01
(元旦) a holiday, so working days after 2019-12-31 run Jan 2, 3, 6, 7, 8, 9, 10, 13, 14, 15.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.store.schema import Notice
from tests.shipped import CALENDAR, changzhi_store, sweep

ENERGY = "长治市能源局"
INDUSTRY = "长治市工业和信息化局"
COUNTIES = ("潞城区人民政府", "襄垣县人民政府", "武乡县人民政府")
WASHING, COKE = "changzhi-2019/r001", "changzhi-2019/r002"  # both due 2019-12-31


@pytest.fixture
def store(store_url):
    store = changzhi_store(store_url)
    yield store
    store.dispose()


def notices(result, *tasks: str) -> set[tuple[str, str, str]]:
    return {(a.level, a.task_id, a.unit) for a in result.created if a.task_id in tasks}


def sweep_days(store, first: date, last: date) -> list:
    results, day = [], first
    while day <= last:
        if CALENDAR.is_workday(day):
            results.append(sweep(store, day))
        day += timedelta(days=1)
    return results


def test_the_30_day_reminder_moves_off_a_sunday_to_the_friday_before(store):
    # 2019-12-31 minus 30 days is Sunday 2019-12-01, so the reminder goes out on Friday 11-29,
    # once per unit (市能源局 is both lead and responsible for the washing task).
    result = sweep(store, date(2019, 11, 29))
    assert notices(result, WASHING, COKE) == {
        ("reminder", WASHING, ENERGY),
        ("reminder", COKE, INDUSTRY),
        *{("reminder", COKE, county) for county in COUNTIES},
    }


def test_nothing_is_due_for_these_tasks_between_reminders(store):
    assert notices(sweep(store, date(2019, 12, 10)), WASHING, COKE) == set()


def test_a_sunday_creates_nothing(store):
    result = sweep(store, date(2019, 12, 1))
    assert result.created == [] and result.skipped


def test_overdue_work_is_urged_on_the_first_working_day_after_new_year(store):
    result = sweep(store, date(2020, 1, 2))
    assert notices(result, WASHING) == {("urge", WASHING, ENERGY)}
    assert all(not a.needs_review for a in result.created if a.level == "urge")


def test_the_warning_comes_on_the_tenth_working_day_overdue_and_waits_for_review(store):
    results = {r.as_of: r for r in sweep_days(store, date(2020, 1, 2), date(2020, 1, 15))}
    assert notices(results[date(2020, 1, 14)], WASHING) == set()
    assert notices(results[date(2020, 1, 15)], WASHING) == {("warning", WASHING, ENERGY)}
    with store.session() as session:
        queued = {(n.level, n.task_id, n.unit) for n in repo.review_queue(session)}
    assert ("warning", WASHING, ENERGY) in queued
    warning = next(a for a in results[date(2020, 1, 15)].created if a.task_id == WASHING)
    assert warning.facts["workdays_overdue"] == 10
    assert "预警通知函" in warning.explanation and warning.clause


def test_a_signed_off_task_gets_nothing_more(store):
    with store.session() as session:
        repo.sign_off(session, WASHING, "王协调", date(2019, 12, 30), "已完成")
        session.commit()
    assert notices(sweep(store, date(2020, 1, 2)), WASHING) == set()


def test_reported_done_pauses_escalation(store):
    with store.session() as session:
        repo.report_progress(session, WASHING, ENERGY, "done", 100, "已完成，待核查", ENERGY, date(2019, 12, 30))
        session.commit()
    assert notices(sweep(store, date(2020, 1, 2)), WASHING) == set()


def test_sweeping_the_same_day_twice_creates_nothing_new(store):
    first = sweep(store, date(2019, 11, 29))
    second = sweep(store, date(2019, 11, 29))
    assert first.created and second.created == []
    assert second.unchanged == len(first.created)


def test_a_dry_run_stores_nothing(store):
    preview = sweep(store, date(2019, 11, 29), dry_run=True)
    real = sweep(store, date(2019, 11, 29))
    assert {a.key for a in preview.created} == {a.key for a in real.created}


def test_after_three_days_down_one_catch_up_sweep_sends_the_latest_reminder_once(store):
    sweep_days(store, date(2019, 12, 16), date(2019, 12, 20))
    # down from Monday 12-23 to Thursday 12-26; the 7-day (12-24) and 3-working-day (12-26)
    # reminders were missed: catch-up on 12-27 sends the latest one only, not both.
    catch_up = sweep(store, date(2019, 12, 27))
    assert catch_up.since == date(2019, 12, 20)
    washing = [a for a in catch_up.created if a.task_id == WASHING]
    assert [(a.level, a.unit) for a in washing] == [("reminder", ENERGY)]
    assert washing[0].key.endswith("|3wd"), washing[0].key  # the 3-working-day reminder, not the 7-day one
    # the next day runs normally: the 1-working-day reminder on 12-30, no repeats
    later = sweep_days(store, date(2019, 12, 30), date(2019, 12, 31))
    keys = [a.key for r in later for a in r.created]
    assert len(keys) == len(set(keys))
    with store.session() as session:
        all_keys = list(session.scalars(select(Notice.key)))
    assert len(all_keys) == len(set(all_keys))


def test_a_plan_long_closed_is_not_swept(store):
    result = sweep(store, date(2026, 11, 23) - timedelta(days=400), grace_days=90)
    assert result.plans == [] and result.created == []
