"""The units' portal: a unit user's own tasks and letters, progress reports, 签收.

Every query here is filtered by the user's units; anything else answers 404, so a unit user
cannot even learn that another unit's task or letter exists.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from scheduler.ladder import LETTER_LEVELS
from scheduler.store import acknowledge, report_progress
from scheduler.store import schema as m
from scheduler.store.records import task_record
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.store.unitoverrides import task_units
from scheduler.web.accounts import WebUser
from scheduler.web.auth import unit_post, unit_user
from scheduler.web.core import WebContext, db, int_or_none, page, web
from scheduler.web.labels import page_names
from scheduler.web.ledger import task_detail, task_rows
from scheduler.web.letters import is_numbered, letter_file, letter_html, letters_data, notice_or_404

router = APIRouter(include_in_schema=False)
REPORT_STATUSES = {"in_progress": "推进中", "done": "已完成（待销号）", "blocked": "受阻"}


def portal_data(session: Session, ctx: WebContext, user: WebUser) -> dict[str, Any]:
    letters = letters_data(session, units=user.units, sent_only=True)
    return {"tasks": task_rows(session, ctx, units=user.units), "letters": letters["letters"],
            "awaiting_ack": sum(1 for lt in letters["letters"] if lt["acknowledged_on"] is None)}


def own_letter(session: Session, user: WebUser, notice_id: int) -> m.Notice:
    """Return a letter sent to one of the user's units, else 404."""
    notice = notice_or_404(session, notice_id, units=user.units)
    if notice.level not in LETTER_LEVELS or notice.status != "sent" or not is_numbered(session, notice):
        raise HTTPException(404, "没有此公文")
    return notice


def record_progress(session: Session, ctx: WebContext, user: WebUser, task_id: str, unit: str, status: str,
                    percent: int | None, note: str) -> str:
    """Record a report for one of the user's units that holds the task; return that unit."""
    holders = {unit for unit, _, _, _ in task_units(session, task_id)}
    mine = [u for u in user.units if u in holders]
    task = task_record(session, task_id)
    if not mine or task is None or task.removed:
        raise HTTPException(404, "没有此任务")
    unit = unit or mine[0]
    if unit not in mine:
        raise HTTPException(404, "没有此任务")
    if status not in REPORT_STATUSES:
        raise StoreError("请选择进展状态")
    report_progress(session, task_id, unit, status, percent, note.strip(), user.name, ctx.today(), now=ctx.now())
    return unit


def acknowledge_letter(session: Session, ctx: WebContext, user: WebUser, notice_id: int) -> m.Notice:
    notice = own_letter(session, user, notice_id)
    acknowledge(session, notice.key, user.name, ctx.today(), now=ctx.now())
    return notice


@router.get("/portal")
def portal(request: Request, done: str = "", user: WebUser = Depends(unit_user), session: Session = Depends(db)):
    return page(request, "portal.html", user, **portal_data(session, web(request), user), done=done,
                names=page_names(session, web(request)))


@router.get("/portal/tasks/{task_id:path}")
def portal_task(request: Request, task_id: str, done: str = "", user: WebUser = Depends(unit_user),
                session: Session = Depends(db)):
    detail = task_detail(session, web(request), task_id, units=user.units)
    return page(request, "portal_task.html", user, **detail, statuses=REPORT_STATUSES, done=done,
                names=page_names(session, web(request)))


@router.post("/portal/progress/{task_id:path}")
async def portal_progress(request: Request, task_id: str, user: WebUser = Depends(unit_post),
                          session: Session = Depends(db)):
    form = await request.form()
    percent_text = str(form.get("percent", "")).strip()
    percent = int_or_none(percent_text)
    if percent_text and percent is None:
        raise StoreError("完成百分比应为 0 到 100 的整数")
    record_progress(session, web(request), user, task_id, str(form.get("unit", "")), str(form.get("status", "")),
                    percent, str(form.get("note", "")))
    session.commit()
    return RedirectResponse(f"/portal/tasks/{task_id}?done=progress", status_code=303)


@router.get("/portal/letters/{notice_id:int}/html")
def portal_letter(request: Request, notice_id: int, user: WebUser = Depends(unit_user),
                  session: Session = Depends(db)):
    return letter_html(session, web(request), own_letter(session, user, notice_id))


@router.get("/portal/letters/{notice_id:int}/{kind}")
def portal_letter_file(request: Request, notice_id: int, kind: str, user: WebUser = Depends(unit_user),
                       session: Session = Depends(db)):
    return letter_file(session, web(request), own_letter(session, user, notice_id), kind)


@router.post("/portal/ack/{notice_id:int}")
def portal_ack(request: Request, notice_id: int, user: WebUser = Depends(unit_post), session: Session = Depends(db)):
    acknowledge_letter(session, web(request), user, notice_id)
    session.commit()
    return RedirectResponse("/portal?done=ack", status_code=303)
