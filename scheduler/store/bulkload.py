"""`duban load` at province scale: the same upsert as `load`, written in bulk.

Row by row, the ORM load spends ~0.2 ms an assignment on unit-of-work bookkeeping, so a province
of 1,000,000 assignments took about four minutes. Here new tasks, their assignments and their
audit entries go to the database in batches (COPY on PostgreSQL, executemany on SQLite); an
unchanged task costs one digest comparison. A changed or removed task still takes the shared
row-by-row path (`update_task`, `retire_tasks`), since cancelling stale notices needs the ORM and
edits are few. Batches are written in ledger order, so ids and audit order equal the row-by-row
load's: both paths leave identical stores (tests/store/test_bulkload.py). On PostgreSQL a first
load checks the foreign keys of `assignments` once at the end rather than row by row
(`_set_keys_aside`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime as dt
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from scheduler import clock
from scheduler.plans.ledger import Ledger, Task
from scheduler.store import schema as m
from scheduler.store.bulkwrite import insert_rows
from scheduler.store.load import (
    ROLES,
    Change,
    Extras,
    LoadReport,
    digest_of,
    retire_tasks,
    update_task,
    upsert_plan,
    upsert_units,
)
from scheduler.store.provisional import moves
from scheduler.store.taskfacts import latest_overrides
from scheduler.store.unitoverrides import latest_unit_overrides

BATCH = 20_000  # assignments buffered before a write: bounds memory, keeps statements large
TASK_COLUMNS = ("id", "plan_id", "position", "category", "key_work", "title", "measures", "deadline_text",
                "standing", "remarks", "source", "ledger", "ledger_hash", "status", "percent", "removed",
                "version_id")
ASSIGNMENT_COLUMNS = ("task_id", "unit", "role", "written")
AUDIT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "detail")


TASKS = cast(Table, m.Task.__table__)
ASSIGNMENTS = cast(Table, m.Assignment.__table__)
AUDIT = cast(Table, m.AuditEntry.__table__)


class _Stored(NamedTuple):
    ledger_hash: str
    removed: bool
    position: int


class _Batch:
    """New tasks, their assignments and audit entries, and moved positions, waiting to be written."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.tasks: list[tuple] = []
        self.assignments: list[tuple] = []
        self.audits: list[tuple] = []
        self.positions: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.assignments) + len(self.tasks) + len(self.positions)

    def create(self, plan_id: str, task: Task, dumped: dict, position: int, digest: str,
               assignments: list[tuple[str, str, str]], actor: str, now: dt) -> None:
        self.tasks.append((task.id, plan_id, position, task.category, task.key_work, task.title, task.measures,
                           task.deadline_text, task.standing, task.remarks, task.source, dumped, digest, "open",
                           None, False, 1))
        self.assignments.extend((task.id, unit, role, written) for unit, role, written in assignments)
        self.audits.append((now, actor, "task.create", "task", task.id, {"source": task.source, "changed": []}))

    def write(self) -> None:
        """Write what is buffered: tasks first (the assignments refer to them), in ledger order."""
        if self.positions:
            self.session.execute(
                update(TASKS).where(TASKS.c.id == bindparam("task_id"))
                .values(position=bindparam("new_position"), version_id=TASKS.c.version_id + 1),
                self.positions)
        for table, columns, rows in ((TASKS, TASK_COLUMNS, self.tasks),
                                     (ASSIGNMENTS, ASSIGNMENT_COLUMNS, self.assignments),
                                     (AUDIT, AUDIT_COLUMNS, self.audits)):
            insert_rows(self.session, table, columns, rows)
        self.tasks, self.assignments, self.audits, self.positions = [], [], [], []


class _Names:
    """`assignments_of` with each written name resolved once per load: a province repeats the same
    few hundred names a million times. Same rows, same report entries, in the same order."""

    def __init__(self, directory, report: LoadReport, extras: Extras) -> None:
        self.directory, self.report, self.extras = directory, report, extras
        self.known: dict[tuple[str, str], tuple[tuple[str, ...], str | None]] = {}

    def assignments(self, task: Task, region: str) -> list[tuple[str, str, str]]:
        """Resolve the written unit names of a task to (canonical unit, role, written)."""
        rows: dict[tuple[str, str], str] = {}
        for role, attribute in ROLES:
            for written in getattr(task, attribute):
                names, note = self.known.get((written, region)) or self._resolve(written, region)
                for name in names:
                    rows.setdefault((name, role), written)
                if note is not None:
                    self.report.unresolved.append(f"{task.id}: {written} — {note}")
        return [(unit, role, written) for (unit, role), written in rows.items()]

    def _resolve(self, written: str, region: str) -> tuple[tuple[str, ...], str | None]:
        resolution = self.directory.resolve(written, region)
        names: tuple[str, ...] = ()
        if resolution.status in ("unit", "group", "provisional"):
            names = tuple(self.extras.name(unit) for unit in resolution.units)
        for unit in resolution.units if resolution.status == "provisional" else ():
            if self.extras.unsettled(unit) and unit.name not in self.report.provisional:
                self.report.provisional.append(unit.name)
        note = None
        if resolution.status in ("ambiguous", "unknown") or (resolution.status != "title" and resolution.note):
            note = resolution.note or resolution.status
        self.known[(written, region)] = (names, note)
        return names, note


class _KeysSetAside(NamedTuple):
    savepoint: SessionTransaction
    keys: list[tuple[str, str]]  # name, definition as pg_get_constraintdef gives it


def _set_keys_aside(session: Session) -> _KeysSetAside | None:
    """On PostgreSQL, for a first load (no assignment stored yet), drop the foreign keys of
    `assignments` until `_put_keys_back`; None when they stay.

    Per row, each key costs a trigger and an index probe: half the server's work in a COPY of a
    million assignments. Added back after the load, each key is checked in one join over the
    table, so what is committed is exactly as checked as before. DDL is transactional in
    PostgreSQL and a savepoint surrounds the load, so a crash, an error or a rollback leaves the
    keys as they were. The lock is taken before the table is looked at again: a concurrent first
    load waits until this one has committed, then finds the table filled and keeps its keys;
    readers of the three tables wait too, for the few seconds of a first load. Dropping a key
    needs ownership of the table; without it the load simply keeps the keys."""
    if session.get_bind().dialect.name != "postgresql" or session.scalar(text(_ANY_ASSIGNMENT)):
        return None
    savepoint = session.begin_nested()
    try:
        session.execute(text("LOCK TABLE assignments IN ACCESS EXCLUSIVE MODE"))
        keys = [] if session.scalar(text(_ANY_ASSIGNMENT)) else [tuple(row) for row in session.execute(text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'assignments'::regclass AND contype = 'f' ORDER BY conname"))]
        for name, _ in keys:
            session.execute(text(f'ALTER TABLE assignments DROP CONSTRAINT "{name}"'))
    except DBAPIError:  # not the table's owner
        savepoint.rollback()
        return None
    return _KeysSetAside(savepoint, keys)


_ANY_ASSIGNMENT = "SELECT EXISTS (SELECT 1 FROM assignments)"


def _put_keys_back(session: Session, aside: _KeysSetAside) -> None:
    """Add the keys back, checking every assignment against them in one pass."""
    for name, definition in aside.keys:
        session.execute(text(f'ALTER TABLE assignments ADD CONSTRAINT "{name}" {definition}'))
    aside.savepoint.commit()


def bulk_load_ledgers(
    session: Session,
    ledgers: Sequence[Ledger],
    directory,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
    actor: str = "system",
    now: dt | None = None,
    progress: Callable[[int], None] = lambda tasks: None,
) -> LoadReport:
    """Upsert `ledgers` and the directory's units like `load_ledgers`, in bulk; the caller commits.

    `progress` is called with the number of tasks handled since its last call."""
    now = now or clock.now()
    aside = _set_keys_aside(session)
    try:
        report = _load(session, ledgers, directory, heating, actor, now, progress)
        if aside is not None:
            _put_keys_back(session, aside)
    except BaseException:
        if aside is not None and aside.savepoint.is_active:
            aside.savepoint.rollback()  # never leave the transaction without its keys
        raise
    return report


def _load(session: Session, ledgers: Sequence[Ledger], directory, heating: Callable[[str], tuple[int, int]],
          actor: str, now: dt, progress: Callable[[int], None]) -> LoadReport:
    report = LoadReport()
    upsert_units(session, directory)
    extras = Extras(session, directory, moves(session))
    batch = _Batch(session)
    names = _Names(directory, report, extras)
    chosen: dict[str, list[tuple[str, str, str]]] | None = None
    for ledger in ledgers:
        meta = ledger.plan
        upsert_plan(session, ledger)
        report.plans += 1
        context = ledger.deadline_context(heating(meta.region))
        stored = {
            task_id: _Stored(digest, removed, position)
            for task_id, digest, removed, position in session.execute(
                select(m.Task.id, m.Task.ledger_hash, m.Task.removed, m.Task.position)
                .where(m.Task.plan_id == meta.id))
        }
        overrides: dict | None = None
        done = 0
        for position, task in enumerate(ledger.tasks):
            dumped = task.model_dump(mode="json")
            digest = digest_of(dumped)
            state = stored.pop(task.id, None)
            assignments = names.assignments(task, meta.region)
            if state is not None and state.ledger_hash == digest and not state.removed:
                if state.position != position:
                    batch.positions.append({"task_id": task.id, "new_position": position})
                    report.tasks_reordered += 1
                report.tasks_unchanged += 1
            elif state is None:
                batch.create(meta.id, task, dumped, position, digest, assignments, actor, now)
                report.tasks_created += 1
            else:
                batch.write()  # earlier rows first, so ids keep ledger order
                if overrides is None:
                    overrides = latest_overrides(session, meta.id)
                if chosen is None:  # a coordinator's unit choices are few: read them all once
                    chosen = latest_unit_overrides(session)
                row = session.get(m.Task, task.id)
                assert row is not None
                update_task(session, row, task, position, digest, assignments,
                            Change(context, overrides.get(task.id), chosen.get(task.id, []), actor, now), report)
                session.flush()
            done += 1
            if len(batch) >= BATCH:
                batch.write()
                progress(done)
                done = 0
        batch.write()
        progress(done)
        gone = [session.get(m.Task, task_id) for task_id, state in stored.items() if not state.removed]
        retire_tasks(session, [row for row in gone if row is not None], report, actor, now)
        session.flush()
    return report
