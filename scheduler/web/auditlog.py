"""The audit log as coordinators read it: who did what, when, to which object, in words (actions
from the glossary, details as sentences), filtered and paged."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request

from scheduler.glossary import (
    AUDIT_ACTIONS,
    AUDIT_FIELDS,
    AUDIT_OBJECTS,
    DELIVERY_STATUSES,
    NOTICE_STATUSES,
    PROGRESS_STATUSES,
    audit_action,
)
from scheduler.store.auditlog import audit_actors, audit_count, audit_records
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import db, page, web
from scheduler.web.labels import Names, page_names, sentence
from scheduler.web.paging import paging

router = APIRouter(include_in_schema=False)
LIMIT = 200
STATUS_FIELDS = ("from", "to", "status")
STATUS_WORDS = {**DELIVERY_STATUSES, **PROGRESS_STATUSES, **NOTICE_STATUSES}


def detail_sentence(detail: dict[str, Any], words: Names) -> str:
    """An entry's detail as 理由：…；单位：…, statuses in Chinese, lists joined, no Python reprs."""
    parts = []
    for key, value in detail.items():
        label = AUDIT_FIELDS.get(key, key)
        shown = STATUS_WORDS.get(value, value) if key in STATUS_FIELDS and isinstance(value, str) else value
        parts.append(f"{label}：{sentence(shown, words)}")
    return "；".join(parts)


def object_words(kind: str, key: str, words: Names) -> str:
    """What an entry acted on: a task by its plan and number, anything else by its kind and key."""
    shown = words.task(key) if kind == "task" else words.words(key)
    return f"{AUDIT_OBJECTS.get(kind, kind)} {shown}".strip()


def audit_entries(session: Session, actor: str = "", action: str = "", limit: int = LIMIT, *, offset: int = 0,
                  since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
    """The entries as stored (the API's answer); the page words them."""
    return [asdict(e) for e in audit_records(session, actor, action, limit, offset=offset, since=since, until=until)]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(request: Request, actor: str = "", action: str = "", since: str = "", until: str = "",
               page_no: int = 1, user: WebUser = Depends(staff), session: Session = Depends(db)):
    start, end = _day(since), _day(until)
    at = paging(audit_count(session, actor, action, since=start, until=end), page_no)
    words = page_names(session, web(request))
    rows = [{"at": e["at"], "actor": e["actor"], "action": audit_action(e["action"]),
             "object": object_words(e["object_type"], e["object_id"], words),
             "detail": detail_sentence(e["detail"] or {}, words)}
            for e in audit_entries(session, actor, action, at.size, offset=at.offset, since=start, until=end)]
    query = urlencode({k: v for k, v in (("actor", actor), ("action", action), ("since", since),
                                         ("until", until)) if v})
    return page(request, "audit.html", user, entries=rows, actor=actor, action=action, since=since, until=until,
                **at.values(), query=query, actors=audit_actors(session),
                actions=sorted(AUDIT_ACTIONS.items(), key=lambda kv: kv[0]))
