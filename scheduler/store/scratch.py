"""A scratch store: every change made through it is rolled back at the end, nothing is kept.

`duban preview` runs the real sweep day after day to see what would go out; it must write nothing.
All its sessions share one connection inside one outer transaction, and each session's commit
only releases a savepoint, so the code that runs is exactly the production code, and the outer
rollback undoes all of it. On SQLite the driver's own transaction handling is switched off for
that connection (as scheduler.store.migrate does), since pysqlite would otherwise commit before
a savepoint; on PostgreSQL sequences are the one thing a rollback does not restore (ids skip).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store import Store
from scheduler.store import schema as m
from scheduler.store.repo import chunks

GOING = ("queued", "approved", "pending_review")  # what goes out once (if) a coordinator approves
CLOSED_TASKS = ("signed_off", "waived")


@contextmanager
def scratch_store(store: Store) -> Iterator[Store]:
    """Yield a store whose every commit is undone when the block ends (normally or not)."""
    with store.engine.connect() as connection:
        raw = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
        isolation = raw.isolation_level if isinstance(raw, sqlite3.Connection) else None
        if isinstance(raw, sqlite3.Connection):
            raw.isolation_level = None  # BEGIN and SAVEPOINT go to SQLite as written
        try:
            outer = connection.begin()
            if isinstance(raw, sqlite3.Connection):
                connection.exec_driver_sql("BEGIN")
            try:
                yield Store(store.engine, sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                                       expire_on_commit=False))
            finally:
                outer.rollback()
        finally:
            if isinstance(raw, sqlite3.Connection):
                raw.isolation_level = isolation


def settle_as_sent(session: Session, keys: Iterable[str], day: date, letters: dict[str, str]) -> None:
    """Mark notices as delivered on `day` (in a scratch store), grouped into letters by lead key, so
    the next day's sweep sees the history it would see had they gone out."""
    for chunk in chunks(list(keys)):
        session.execute(update(m.Notice).where(m.Notice.key.in_(chunk)).values(status="sent", sent_on=day,
                                                                                    version_id=m.Notice.version_id + 1))
    for key, lead in letters.items():
        session.execute(update(m.Notice).where(m.Notice.key == key)
                        .values(letter_key=lead, version_id=m.Notice.version_id + 1))


@dataclass(frozen=True)
class Outgoing:
    """A notice that would go out on a day if nothing changes: queued, approved, or awaiting review."""

    key: str
    level: str
    plan_id: str
    task_id: str
    title: str
    unit: str
    due: date | None
    rule_id: str
    status: str
    created_on: date


def outgoing(session: Session, day: date) -> list[Outgoing]:
    """Return the notices not yet sent that delivery would carry on `day` once approved: neither
    held nor decided away, on tasks still open, oldest first."""
    rows = session.execute(
        select(m.Notice, m.Task.title).outerjoin(m.Task, m.Task.id == m.Notice.task_id)
        .where(m.Notice.status.in_(GOING), m.Notice.created_on <= day,
               or_(m.Task.id.is_(None), m.Task.status.not_in(CLOSED_TASKS)))
        .order_by(m.Notice.created_on, m.Notice.id)
    ).all()
    return [Outgoing(n.key, n.level, n.plan_id, n.task_id or "", title or "", n.unit, n.due, n.rule_id, n.status,
                     n.created_on) for n, title in rows]
