"""What every store module shares: the error type, the audit log, insert-or-nothing, cancelling.

The repository functions themselves live one module per concept (taskfacts, notices, sweeps,
progress) and are re-exported by `scheduler.store`; every change a person makes is written to the
audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import schema as m

PENDING = ("queued", "pending_review", "approved", "held")  # not yet delivered or decided away
CHUNK = 500  # rows per statement: 500 x ~20 columns stays under SQLite's 32766 parameters


class StoreError(Exception):
    """A request the store cannot carry out (unknown task, wrong state); message in Chinese."""


def audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Add an audit row in the caller's transaction, so the change and its record commit together."""
    session.add(
        m.AuditEntry(
            at=now or clock.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
        )
    )


def _insert(session: Session, table):
    """Return the dialect's INSERT, which (unlike the generic one) has ON CONFLICT DO NOTHING."""
    return (
        postgresql.insert(table)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(table)
    )


insert_for = _insert


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """Split a list so IN lists and multi-row statements stay under the drivers' limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def task_row(session: Session, task_id: str) -> m.Task:
    """Return the task or say in Chinese that it does not exist."""
    task = session.get(m.Task, task_id)
    if task is None:
        raise StoreError(f"没有此任务：{task_id}")
    return task


def cancel_pending(
    session: Session,
    task_id: str,
    by: str,
    reason: str,
    keep: Callable[[m.Notice], bool] = lambda n: False,
    now: datetime | None = None,
) -> int:
    """Cancel the task's notices that were not delivered yet and no longer apply."""
    cancelled = 0
    for notice in session.scalars(
        select(m.Notice).where(m.Notice.task_id == task_id, m.Notice.status.in_(PENDING))
    ):
        if keep(notice):
            continue
        notice.status = "cancelled"
        audit(session, by, "notice.cancel", "notice", notice.key, {"reason": reason}, now)
        cancelled += 1
    return cancelled
