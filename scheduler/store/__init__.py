"""The store: SQLAlchemy on SQLite (default) or PostgreSQL, migrated with Alembic on open.

Sessions live here at the edge; the functions in `repo` and `load` take a session and return the
plain values of scheduler.escalation.facts, so rule evaluation never sees the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.load import LoadReport, load_ledgers
from scheduler.store.notices import (
    acknowledge,
    created_on_day,
    decide,
    decide_notices,
    insert_notices,
    list_review_queue,
    notice_by_key,
    notice_json,
    review_queue,
)
from scheduler.store.progress import (
    decide_extension,
    report_progress,
    request_extension,
    set_deadline,
    sign_off,
    waive,
)
from scheduler.store.repo import PENDING, StoreError, audit, cancel_pending
from scheduler.store.sweeps import (
    claim_sweep_run,
    last_swept_day,
    plan_periods,
    record_sweep_calendar,
    record_sweep_run,
)
from scheduler.store.taskfacts import history, task_facts

__all__ = [
    "PENDING",
    "LoadReport",
    "Store",
    "StoreError",
    "acknowledge",
    "audit",
    "cancel_pending",
    "claim_sweep_run",
    "created_on_day",
    "decide",
    "decide_extension",
    "decide_notices",
    "history",
    "insert_notices",
    "last_swept_day",
    "list_review_queue",
    "load_ledgers",
    "notice_by_key",
    "notice_json",
    "open_store",
    "plan_periods",
    "record_sweep_calendar",
    "record_sweep_run",
    "report_progress",
    "request_extension",
    "review_queue",
    "set_deadline",
    "sign_off",
    "task_facts",
    "waive",
]


@dataclass
class Store:
    """An open database: the engine and a session factory; one per process."""

    engine: Engine
    factory: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session; roll back on error, always close. Callers commit explicitly."""
        session = self.factory()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys, let readers run beside the sweep's writer, and keep every commit.

    synchronous=FULL (SQLite's default, stated so nobody "optimises" it away): in WAL mode each
    commit syncs the log, so an approval, a sign-off or a number given in the console survives an OS
    crash or power loss too. NORMAL was tried for delivery's per-message commits and bought nothing
    measurable here (0.55 ms vs 0.03 ms a commit; deliver() is bound by Python, bench/RESULTS.md)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the sweep's writer
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Connect to `url` and bring its schema to the newest migration."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        from scheduler.store.migrate import upgrade

        upgrade(engine)
    return Store(engine, sessionmaker(engine, expire_on_commit=False))
