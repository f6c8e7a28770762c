"""The audit log as coordinators read it: who did what, when, to which object."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request

from scheduler.store.auditlog import audit_records
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import db, page

router = APIRouter(include_in_schema=False)
LIMIT = 200


def audit_entries(session: Session, actor: str = "", action: str = "", limit: int = LIMIT) -> list[dict[str, Any]]:
    return [asdict(e) for e in audit_records(session, actor, action, limit)]


@router.get("/audit")
def audit_page(request: Request, actor: str = "", action: str = "", user: WebUser = Depends(staff),
               session: Session = Depends(db)):
    return page(request, "audit.html", user, entries=audit_entries(session, actor, action), actor=actor,
                action=action)
