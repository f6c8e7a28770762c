"""The audit log as coordinators read it: who did what, when, to which object, newest first.

Writing it is scheduler.store.repo.audit, in the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store import schema as m


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


def audit_records(session: Session, actor: str = "", action: str = "", limit: int = 200) -> list[AuditRecord]:
    """Return the newest entries, of one actor and of actions starting with `action` when given."""
    query = select(m.AuditEntry)
    if actor:
        query = query.where(m.AuditEntry.actor == actor)
    if action:
        query = query.where(m.AuditEntry.action.startswith(action))
    return [AuditRecord(e.at, e.actor, e.action, e.object_type, e.object_id, e.detail)
            for e in session.scalars(query.order_by(m.AuditEntry.id.desc()).limit(limit))]
