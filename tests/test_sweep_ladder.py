"""Golden days on the real 长治 2019-20 ledger: the ladder climbs one rung at a time, and a catch-up
leaves a passed deadline to the overdue rules.

Worked out by hand from the 2019-20 calendar. Task r001 (洗煤, lead 长治市能源局) is due 2019-12-31.
春节 2020: 01-24..02-02 off (01-19, a Sunday, worked), so the 5th working day after 01-20 is
02-04 and the 15th after 02-04 is 02-25; the 30th working day after 12-31 is 02-19.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from scheduler import store as repo
from tests.shipped import changzhi_store, sweep

ENERGY = "长治市能源局"
WASHING = "changzhi-2019/r001"
ESCALATIONS = {"urge", "warning", "interview"}


@pytest.fixture
def store(store_url):
    store = changzhi_store(store_url)
    yield store
    store.dispose()


def washing(result) -> set[tuple[str, str, str]]:
    return {(a.level, a.unit, a.kind) for a in result.created if a.task_id == WASHING}


def approve(store, level: str) -> int:
    with store.session() as session:
        ids = [n.id for n in repo.review_queue(session) if n.level == level]
        repo.decide_notices(session, ids, "approve", "王协调")
        session.commit()
    return len(ids)


def test_a_first_sweep_long_after_the_deadlines_proposes_one_rung_per_task_and_unit(store):
    # A store started on 2020-01-20: r001 is 13 working days overdue, past the warning's 10.
    first = sweep(store, date(2020, 1, 20))
    levels: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for action in first.created:
        levels[(action.task_id, action.unit)].add(action.level)
    assert all(len(found & ESCALATIONS) <= 1 for found in levels.values())
    assert {a.level for a in first.created} <= {"reminder", "urge"}
    assert sum(1 for a in first.created if a.level == "urge") > 20
    assert washing(first) == {("urge", ENERGY, "overdue")}


def test_the_ladder_climbs_from_the_urge_to_the_warning_to_the_interview(store):
    sweep(store, date(2020, 1, 20))
    assert washing(sweep(store, date(2020, 2, 3))) == set()  # the urge's 5 working days not over
    warned = sweep(store, date(2020, 2, 4))
    assert washing(warned) == {("warning", ENERGY, "overdue")}
    [warning] = [a for a in warned.created if a.task_id == WASHING]
    assert warning.facts["premise_level"] == "urge" and warning.facts["premise_on"] == "2020-01-20"
    assert "此前已于2020年1月20日催办" in warning.explanation
    # r001 is 30 working days late on 02-19, but the warning still waits for its coordinator:
    assert washing(sweep(store, date(2020, 2, 19))) == set()
    assert approve(store, "warning") > 0
    assert washing(sweep(store, date(2020, 2, 24))) == set()  # 14 working days after the warning
    interviewed = sweep(store, date(2020, 2, 25))
    [interview] = [a for a in interviewed.created if a.task_id == WASHING]
    assert interview.level == "interview" and interview.facts["premise_on"] == "2020-02-04"
    assert interview.facts["premise_workdays"] == 15


def test_an_interview_never_rests_on_a_held_or_rejected_warning(store):
    sweep(store, date(2020, 1, 20))
    sweep(store, date(2020, 2, 4))
    with store.session() as session:
        ids = [n.id for n in repo.review_queue(session) if n.level == "warning"]
        repo.decide_notices(session, ids, "hold", "王协调")
        session.commit()
    assert washing(sweep(store, date(2020, 3, 20))) == set()  # 30+ working days late, warning held


def test_a_catch_up_after_the_deadline_sends_the_urge_not_the_missed_reminder(store):
    sweep(store, date(2019, 12, 20))
    # down from 12-23 to 01-03: the 3- and 1-working-day reminders (12-26, 12-30) were missed.
    catch_up = sweep(store, date(2020, 1, 6))
    assert catch_up.since == date(2019, 12, 20)
    assert washing(catch_up) == {("urge", ENERGY, "overdue")}
    stale = [a for a in catch_up.created if a.level == "reminder" and a.due is not None and a.due < date(2020, 1, 6)]
    assert stale == []
    assert not any("距今-" in a.explanation for a in catch_up.created)


def test_a_catch_up_before_the_deadline_still_sends_the_latest_reminder(store):
    sweep(store, date(2019, 12, 20))
    catch_up = sweep(store, date(2019, 12, 31))  # the due day itself: not yet passed
    [reminder] = [a for a in catch_up.created if a.task_id == WASHING]
    assert (reminder.level, reminder.key.rsplit("|", 1)[1]) == ("reminder", "1wd")
    assert "补发" in reminder.explanation


def test_every_sweep_stays_idempotent_on_the_climb(store):
    for day in (date(2020, 1, 20), date(2020, 2, 4)):
        first = sweep(store, day)
        again = sweep(store, day)
        assert first.created and again.created == [] and again.unchanged == len(first.created)
