"""The incremental sweep's cache: which tasks a day's sweep must evaluate, and where each was left.

A task is evaluated again when the day its rules can next fire has come (scheduler.escalation.wake),
or when anything its evaluation reads changed since the sweep that last evaluated it:
- its row: the version the ORM bumps on every change (status, texts, dates, units via `duban load`);
- its notices: their count and the sum of their versions (every change of a notice bumps its
  version, and notices are never deleted);
- the rows beside it (progress reports, dates set, chosen units, extension requests): each table's
  count and newest id are kept as marks; rows added since name their tasks, and any other change
  (a decision, a deletion) makes every task with rows in that table count as changed.
Everything the cursors were computed under — rules, calendar, plans, units, heating seasons — is one
digest; when it changes, or a day before the last one is swept, every task is evaluated again.
Emptying the tables is always safe: the next sweep evaluates everything and fills them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, func, or_, select, true
from sqlalchemy.orm import Session

from scheduler.clock import local_day
from scheduler.store import schema as m
from scheduler.store.bulkwrite import upsert_rows
from scheduler.store.repo import _insert
from scheduler.store.schema import SweepCursor, SweepWorld, UnitOverride
from scheduler.store.taskfacts import PICKED, pick

FORMAT = "wake-1"  # part of the digest: a change in how next days are computed voids every cursor
WORLD_ID = 1
CURSOR_COLUMNS = ("task_id", "day", "next_on", "version", "notices", "notice_versions")
SIDE_TABLES: dict[str, Any] = {"reports": m.ProgressReport, "dates": m.DeadlineOverride, "units": UnitOverride,
               "extensions": m.ExtensionRequest}


@dataclass
class Selection:
    """The tasks a sweep evaluates, and what it writes back for them."""

    full: bool  # no usable cursors: evaluate every task
    digest: str
    save: bool  # write cursors afterwards (not when sweeping a day before the last one)
    marks: dict[str, list[Any]] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)
    seen: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # task id -> (version, notices, versions)
    visible: dict[str, date] = field(default_factory=dict)  # task id -> first later day a stored row counts


def world_digest(session: Session, rulebook, calendar, plan_ids: Sequence[str],
                 heating: Callable[[str], tuple[int, int]], as_of: date) -> str:
    """Digest what every task's evaluation depends on besides its own rows."""
    plans = {pid: (region, start.isoformat(), end.isoformat(), year) for pid, region, start, end, year in
             session.execute(select(m.Plan.id, m.Plan.region, m.Plan.period_start, m.Plan.period_end,
                                    m.Plan.plan_year).where(m.Plan.id.in_(list(plan_ids))))}
    rules = {}
    for pid in sorted(plans):
        eff = rulebook.rules_for(pid)
        rules[pid] = [eff.ruleset_id, eff.inhibit_urges_days,
                      [[r.ruleset_id, r.ruleset_version, r.snapshot] for r in eff.rules]]
    units = sorted(tuple(row) for row in session.execute(select(m.Unit.name, m.Unit.kind)))
    days = []
    for year in range(as_of.year - 1, as_of.year + 3):
        day, flags = date(year, 1, 1), []
        try:
            while day.year == year:
                flags.append("1" if calendar.is_workday(day) else "0")
                day += timedelta(days=1)
        except Exception:  # a year the calendar refuses: its refusal is what the cursors saw
            flags.append("x")
        source = getattr(calendar, "source", None)
        days.append([year, source(year) if source else "", "".join(flags)])
    payload = [FORMAT, plans, {pid: list(heating(region)) for pid, (region, *_rest) in plans.items()}, rules,
               units, days]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


def _marks(session: Session) -> dict[str, list[Any]]:
    """Return each side table's (count, newest id[, decided, approved]) and the notices' (count, version sum)."""
    connection = session.connection()
    found: dict[str, list[Any]] = {}
    for name, model in SIDE_TABLES.items():
        columns: list[Any] = [func.count(), func.max(model.id)]
        if model is m.ExtensionRequest:
            columns += [func.count(m.ExtensionRequest.decided_at),
                        func.sum(case((m.ExtensionRequest.status == "approved", 1), else_=0))]
        found[name] = [int(value or 0) for value in connection.execute(select(*columns)).one()]
    count, versions = connection.execute(select(func.count(), func.sum(m.Notice.version_id))
                                         .where(m.Notice.task_id.is_not(None))).one()
    found["notices"] = [int(count or 0), int(versions or 0)]
    return found


def _side_changes(session: Session, before: dict[str, list[Any]], now: dict[str, list[Any]]) -> set[str]:
    """Return the tasks whose side rows changed between two sets of marks."""
    connection = session.connection()
    changed: set[str] = set()
    for name, model in SIDE_TABLES.items():
        old, new = before.get(name), now[name]
        if old == new:
            continue
        if old is not None and name != "extensions":
            added = connection.execute(select(model.task_id).where(model.id > old[1])).scalars().all()
            if old[0] + len(added) == new[0]:  # only rows added: they name their tasks
                changed.update(added)
                continue
        changed.update(connection.execute(select(model.task_id).distinct()).scalars())
    return changed


def _visible_later(session: Session, live: tuple[Any, ...], as_of: date) -> dict[str, date]:
    """Return task id -> the first day after `as_of` on which a stored report or extension starts to count."""
    found: dict[str, date] = {}
    connection = session.connection()
    for tid, first in connection.execute(
        select(m.ProgressReport.task_id, func.min(m.ProgressReport.on))
        .join(m.Task, m.Task.id == m.ProgressReport.task_id)
        .where(m.ProgressReport.on > as_of, *live).group_by(m.ProgressReport.task_id)
    ):
        found[tid] = first
    ext = m.ExtensionRequest
    for tid, at in connection.execute(
        select(ext.task_id, ext.decided_at).join(m.Task, m.Task.id == ext.task_id)
        .where(ext.status == "approved", ext.decided_at.is_not(None), *live)
    ):
        day = local_day(at) if at is not None else as_of
        if day > as_of and (tid not in found or day < found[tid]):
            found[tid] = day
    return found


def _notice_counts(picked: bool) -> Any:
    query = select(m.Notice.task_id.label("task_id"), func.count().label("n"),
                   func.sum(m.Notice.version_id).label("v")).where(m.Notice.task_id.is_not(None))
    if picked:
        query = query.where(m.Notice.task_id.in_(select(PICKED.c.task_id)))
    return query.group_by(m.Notice.task_id).subquery()


def select_tasks(session: Session, as_of: date, plan_ids: Sequence[str], digest: str,
                 always: Collection[str] = ()) -> Selection:
    """Return the tasks of `plan_ids` a sweep of `as_of` must evaluate; `always`: plans evaluated whole."""
    session.flush()
    connection = session.connection()
    live = (m.Task.removed.is_(False), m.Task.plan_id.in_(list(plan_ids)))
    world = connection.execute(select(SweepWorld.digest, SweepWorld.day, SweepWorld.marks)
                               .where(SweepWorld.id == WORLD_ID)).first()
    selection = Selection(full=world is None or world[0] != digest or as_of < world[1], digest=digest,
                          save=world is None or as_of >= world[1], marks=_marks(session))
    selection.visible = _visible_later(session, live, as_of)
    if selection.full:
        picked = list(connection.execute(select(m.Task.id).where(*live)).scalars())
    else:
        assert world is not None
        before = world[2] or {}
        chosen = _side_changes(session, before, selection.marks)
        cursor = SweepCursor.__table__.c
        due = [cursor.task_id.is_(None), cursor.next_on <= as_of, cursor.day > as_of,
               cursor.version != m.Task.version_id]
        query = select(m.Task.id).join_from(m.Task.__table__, SweepCursor.__table__, cursor.task_id == m.Task.id,
                                            isouter=True)
        if before.get("notices") != selection.marks["notices"]:
            counts = _notice_counts(picked=False)
            query = query.join(counts, counts.c.task_id == m.Task.id, isouter=True)
            due += [func.coalesce(counts.c.n, 0) != cursor.notices,
                    func.coalesce(counts.c.v, 0) != cursor.notice_versions]
        if always:  # plans a metric rule reads whole
            due.append(m.Task.plan_id.in_(list(always)))
        chosen.update(connection.execute(query.where(*live, or_(*due))).scalars())
        picked = list(chosen)
    selection.task_ids = picked
    if selection.save:
        clause = true() if selection.full else m.Task.id.in_(pick(connection, picked))
        counts = _notice_counts(picked=not selection.full)
        selection.seen = {tid: (version, int(n or 0), int(v or 0)) for tid, version, n, v in connection.execute(
            select(m.Task.id, m.Task.version_id, counts.c.n, counts.c.v)
            .join(counts, counts.c.task_id == m.Task.id, isouter=True).where(*live, clause))}
    return selection


def save(session: Session, selection: Selection, as_of: date, wakes: Iterable[tuple[str, date | None]],
         created: Iterable[str | None]) -> int:
    """Write the cursors of the tasks just evaluated (`wakes`: task id -> next day), the digest and marks.

    `created` are the task ids of the notices this sweep inserted: each has version 1, so the counts
    after the insert are the ones read before it plus them."""
    if not selection.save:
        return 0
    added: dict[str | None, int] = {}
    for tid in created:
        added[tid] = added.get(tid, 0) + 1
    rows = []
    for tid, next_on in wakes:
        seen = selection.seen.get(tid)
        if seen is None:  # came in after the selection was read: no cursor, evaluated next time
            continue
        later = selection.visible.get(tid)
        if later is not None and (next_on is None or later < next_on):
            next_on = later
        plus = added.get(tid, 0)
        rows.append((tid, as_of, next_on, seen[0], seen[1] + plus, seen[2] + plus))
    upsert_rows(session, cast(Table, SweepCursor.__table__), CURSOR_COLUMNS, rows, key="task_id")
    total = sum(n for tid, n in added.items() if tid is not None)
    marks = {**selection.marks, "notices": [selection.marks["notices"][0] + total,
                                            selection.marks["notices"][1] + total]}
    world = _insert(session, SweepWorld.__table__).values(id=WORLD_ID, digest=selection.digest, day=as_of,
                                                          marks=marks)
    session.execute(world.on_conflict_do_update(index_elements=["id"], set_={
        "digest": world.excluded.digest, "day": world.excluded.day, "marks": world.excluded.marks}))
    return len(rows)
