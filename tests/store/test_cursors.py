"""The incremental sweep's cursors: a repeat sweep evaluates nothing, a change marks exactly its task,
and a store migrated from the previous revision (no cursors yet) sweeps as the full sweep does."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, func, select

from scheduler import store as repo
from scheduler.store import cursors
from scheduler.store import schema as m
from scheduler.store.migrate import alembic_config
from tests.shipped import CALENDAR, CONFIG, RULES, changzhi_store, sweep

DAY = date(2019, 12, 2)
NOW = datetime(2019, 12, 2, 2, 0, tzinfo=UTC)


def loaded(url: str):
    return changzhi_store(url, NOW)


def picked(store, day: date) -> set[str]:
    with store.session() as session:
        plans = [plan for plan, *_ in repo.plan_periods(session)]
        digest = cursors.world_digest(session, RULES, CALENDAR, plans, CONFIG.heating_season_start, day)
        return set(cursors.select_tasks(session, day, plans, digest).task_ids)


def unaddressed(store) -> set[str]:
    with store.session() as session:
        held = select(m.Assignment.task_id)
        return set(session.scalars(select(m.Task.id).where(m.Task.status == "open", m.Task.id.not_in(held))))


def test_a_first_sweep_leaves_a_cursor_per_task_and_its_repeat_evaluates_none(store_url):
    store = loaded(store_url)
    sweep(store, DAY)
    with store.session() as session:
        tasks = session.scalar(select(func.count()).select_from(m.Task))
        assert session.scalar(select(func.count()).select_from(m.SweepCursor)) == tasks
    assert picked(store, DAY) == unaddressed(store)  # only the tasks the sweep must warn about
    assert sweep(store, DAY).created == []
    store.dispose()


def test_a_progress_report_or_a_notice_change_marks_its_task_and_no_other(store_url):
    store = loaded(store_url)
    created = sweep(store, DAY).created
    task = created[0].task_id
    other = next(a.task_id for a in created if a.task_id != task)
    with store.session() as session:
        repo.report_progress(session, task, created[0].unit, "in_progress", 30, "", "单位", DAY, now=NOW)
        notice = session.scalar(select(m.Notice).where(m.Notice.task_id == other).limit(1))
        notice.status, notice.sent_on = "sent", DAY
        session.commit()
    assert picked(store, DAY) - unaddressed(store) == {task, other}
    store.dispose()


def test_emptied_cursors_are_filled_again_by_the_next_sweep_which_then_equals_the_full_one(tmp_path):
    stores = [loaded(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db")]
    for store, full in zip(stores, (False, True), strict=True):
        sweep(store, DAY, full=full)
    with stores[0].session() as session:
        session.execute(delete(m.SweepCursor))
        session.execute(delete(m.SweepWorld))
        session.commit()
    later = date(2019, 12, 20)
    mine, reference = (sweep(store, later, full=full) for store, full in zip(stores, (False, True), strict=True))
    assert sorted(a.key for a in mine.created) == sorted(a.key for a in reference.created)
    assert picked(stores[0], later) == unaddressed(stores[0])
    for store in stores:
        store.dispose()


@pytest.mark.slow  # two stores swept over four days: a second on this machine
def test_a_store_at_the_previous_revision_upgrades_and_sweeps_as_the_full_sweep_does(store_url, tmp_path):
    engine = create_engine(store_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")  # before the cursors and their index
    engine.dispose()
    old = loaded(store_url)  # open_store migrates it to the head: empty cursor tables
    reference = loaded(f"sqlite:///{tmp_path / 'reference.db'}")
    for day in (DAY, date(2019, 12, 3), date(2019, 12, 31), date(2020, 1, 2)):
        mine, full = sweep(old, day), sweep(reference, day, full=True)
        assert sorted(a.key for a in mine.created) == sorted(a.key for a in full.created), day
    old.dispose()
    reference.dispose()
