"""Open points (待协调事项): deadlines awaiting a date, unknown units, ambiguous groups.

The list comes from scheduler.ledgerview.open_points (the same as `duban ledger check`). A
deadline left to the state or province, blank or unreadable can be dated here
(scheduler.store.set_deadline, audited); unit names are fixed in the ledger or data/units.yaml.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.ledgerview import LABELS
from scheduler.store import models as m
from scheduler.store import set_deadline
from scheduler.store.repo import StoreError
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import WebContext, db, page, web

router = APIRouter(include_in_schema=False)
DATABLE = ("external_deadline", "missing_deadline", "unknown_deadline", "deadline_conflict")


def points_data(session: Session, ctx: WebContext) -> list[dict[str, Any]]:
    """Every open point with the date a coordinator already set (latest override), if any."""
    points = ctx.open_points()  # cached per app until a ledger or units.yaml changes
    overrides: dict[str, tuple[date, str, str]] = {}
    for task_id, due, by, reason in session.execute(
        select(m.DeadlineOverride.task_id, m.DeadlineOverride.due, m.DeadlineOverride.by, m.DeadlineOverride.reason)
        .order_by(m.DeadlineOverride.at, m.DeadlineOverride.id)
    ):
        overrides[task_id] = (due, by, reason)
    known = set(session.scalars(select(m.Task.id).where(m.Task.id.in_({p.task_id for p in points}))))
    rows = []
    for point in points:
        override = overrides.get(point.task_id)
        rows.append({
            **point.to_json(), "label": LABELS[point.kind], "datable": point.kind in DATABLE and point.task_id in known,
            "set_due": override[0] if override else None, "set_by": override[1] if override else "",
            "set_reason": override[2] if override else "",
        })
    return rows


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text!r}") from None


def fix_deadline(session: Session, ctx: WebContext, task_id: str, due: date, reason: str, by: str) -> None:
    if not reason.strip():
        raise StoreError("请写明时限依据（如上级文件名称和文号）")
    set_deadline(session, task_id, due, by, reason.strip(), now=ctx.now())


@router.get("/open-points")
def open_points_page(request: Request, done: str = "", user: WebUser = Depends(staff),
                     session: Session = Depends(db)):
    points = points_data(session, web(request))
    kinds = sorted({p["kind"] for p in points}, key=list(LABELS).index)
    return page(request, "open_points.html", user, points=points, kinds=[(k, LABELS[k]) for k in kinds], done=done)


@router.post("/deadline/{task_id:path}")
async def set_task_deadline(request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                            session: Session = Depends(db)):
    form = await request.form()
    ctx = web(request)
    fix_deadline(session, ctx, task_id, parse_date(str(form.get("due", ""))), str(form.get("reason", "")), user.name)
    session.commit()
    back = "/tasks/" + task_id if form.get("back") == "task" else "/open-points"
    return RedirectResponse(f"{back}?done=deadline", status_code=303)
