"""Single stored notices, tasks and letters as plain records, for pages that show one of them.

The console reads these instead of ORM rows, so nothing above the store holds a live row (or can
change one by accident); every change still goes through the store's audited functions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store.notices import notice_json


@dataclass(frozen=True)
class StoredNotice:
    """A stored notice: what was asked of which unit, why, and how far it got."""

    id: int
    key: str
    plan_id: str
    task_id: str | None
    unit: str
    level: str
    kind: str
    due: date | None
    rule_id: str
    ruleset_id: str
    ruleset_version: str
    facts: dict[str, Any]
    clause: str
    explanation: str
    needs_review: bool
    status: str
    created_on: date
    created_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str
    acknowledged_on: date | None
    acknowledged_at: datetime | None
    sent_on: date | None


@dataclass(frozen=True)
class StoredTask:
    """A stored task as its page shows it (the ledger row it was loaded from included)."""

    id: str
    plan_id: str
    category: str
    key_work: str
    title: str
    measures: str
    deadline_text: str
    standing: bool
    remarks: str
    source: str
    ledger: dict[str, Any]
    status: str
    percent: int | None
    removed: bool


@dataclass(frozen=True)
class StoredLetter:
    """The number (文号) delivery gave a warning or interview notice."""

    notice_key: str
    issuer: str
    year: int
    serial: int
    number: str


def _copy(cls: Any, row: Any) -> Any:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def notice_record(session: Session, notice_id: int) -> StoredNotice | None:
    row = session.get(m.Notice, notice_id)
    return _copy(StoredNotice, row) if row is not None else None


def notice_records(session: Session, query: Select[m.Notice]) -> list[StoredNotice]:
    """Run a store module's query of notices and return them as records."""
    return [_copy(StoredNotice, row) for row in session.scalars(query)]


def notice_record_by_key(session: Session, key: str) -> StoredNotice | None:
    row = session.scalar(select(m.Notice).where(m.Notice.key == key))
    return _copy(StoredNotice, row) if row is not None else None


def notice_detail_json(session: Session, notice_id: int) -> dict[str, Any] | None:
    """Return a notice as the queue and notice commands print it (scheduler.store.notices.notice_json)."""
    row = session.get(m.Notice, notice_id)
    return notice_json(row) if row is not None else None


def task_record(session: Session, task_id: str) -> StoredTask | None:
    """Return a task, also one its ledger no longer has (`removed`: most pages treat it as absent)."""
    row = session.get(m.Task, task_id)
    return _copy(StoredTask, row) if row is not None else None


def letter_record(session: Session, notice_key: str) -> StoredLetter | None:
    row = session.scalar(select(m.Letter).where(m.Letter.notice_key == notice_key))
    return _copy(StoredLetter, row) if row is not None else None
