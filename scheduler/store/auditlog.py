"""The audit log as coordinators read it: who did what, when, to which object, newest first.

Writing it is scheduler.store.repo.audit, in the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scheduler.clock import SHANGHAI
from scheduler.store import schema as m


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


def _filtered(actor: str, action: str, since: date | None, until: date | None) -> Select:
    query = select(m.AuditEntry)
    if actor:
        query = query.where(m.AuditEntry.actor == actor)
    if action:
        query = query.where(m.AuditEntry.action.startswith(action))
    if since is not None:
        query = query.where(m.AuditEntry.at >= datetime.combine(since, time.min, SHANGHAI).astimezone(UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, SHANGHAI).astimezone(UTC)
        query = query.where(m.AuditEntry.at < end)
    return query


def audit_records(session: Session, actor: str = "", action: str = "", limit: int = 200, *, offset: int = 0,
                  since: date | None = None, until: date | None = None) -> list[AuditRecord]:
    """Return one page of entries, newest first: of one actor, of actions starting with `action`,
    between two days (Beijing time, both included) when given."""
    query = _filtered(actor, action, since, until)
    return [AuditRecord(e.at, e.actor, e.action, e.object_type, e.object_id, e.detail)
            for e in session.scalars(query.order_by(m.AuditEntry.id.desc()).limit(limit).offset(offset))]


def audit_count(session: Session, actor: str = "", action: str = "", *, since: date | None = None,
                until: date | None = None) -> int:
    """Count the entries the same filter matches, for the pager."""
    query = _filtered(actor, action, since, until).with_only_columns(m.AuditEntry.id)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def audit_actors(session: Session) -> list[str]:
    """Every name that appears in the log, for the filter's picker."""
    return sorted(session.scalars(select(m.AuditEntry.actor).distinct()))
