"""The audit log as coordinators read it: who did what, when, to which object."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import db, page

router = APIRouter(include_in_schema=False)
LIMIT = 200


def audit_entries(session: Session, actor: str = "", action: str = "", limit: int = LIMIT) -> list[dict[str, Any]]:
    query = select(m.AuditEntry)
    if actor:
        query = query.where(m.AuditEntry.actor == actor)
    if action:
        query = query.where(m.AuditEntry.action.startswith(action))
    return [{"at": e.at, "actor": e.actor, "action": e.action, "object_type": e.object_type,
             "object_id": e.object_id, "detail": e.detail}
            for e in session.scalars(query.order_by(m.AuditEntry.id.desc()).limit(limit))]


@router.get("/audit")
def audit_page(request: Request, actor: str = "", action: str = "", user: WebUser = Depends(staff),
               session: Session = Depends(db)):
    return page(request, "audit.html", user, entries=audit_entries(session, actor, action), actor=actor,
                action=action)
