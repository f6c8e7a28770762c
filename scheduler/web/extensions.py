"""Extensions (申请延期) in the console and the portal.

A unit asks in the portal for a later date on one of its tasks, with its reason; coordinators see
the requests of their offices' plans on one screen and approve (for the unit that asked, and any
other units of the task they tick) or reject with a reason. Everything goes through
scheduler.store.extensions, which moves that unit's date only and writes the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from scheduler.issuers import Issuers
from scheduler.store.extensions import STATUS_LABELS, decide_extension, extension, holders, list_extensions
from scheduler.store.extensions import request_extension as file_request
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff, unit_post, unit_user
from scheduler.web.core import db, page, web
from scheduler.web.ledger import task_rows
from scheduler.web.offices import office_table, user_plans

router = APIRouter(include_in_schema=False)
DONE = {"approve": "已批准延期：相关单位的完成时限与督办阶梯已顺延，其他单位不受影响。",
        "reject": "已驳回延期申请。", "request": "延期申请已提交，待市大气办审批。"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text!r}") from None


def console_rows(session: Session, user: WebUser, status: str, issuers: Issuers) -> list[dict[str, Any]]:
    """Return the requests of the user's plans, each with the other units a decision could extend."""
    plans = user_plans(session, user, issuers)
    rows = []
    for item in list_extensions(session, status=status or None, plan_ids=plans):
        others = [u for u in holders(session, item.task_id) if u != item.unit] if item.status == "pending" else []
        rows.append({"item": item, "others": others})
    return rows


@router.get("/extensions")
def extensions_page(request: Request, status: str = "pending", done: str = "", user: WebUser = Depends(staff),
                    session: Session = Depends(db)):
    if status and status not in STATUS_LABELS:
        raise StoreError(f"延期申请状态应为 {'、'.join(STATUS_LABELS)}：{status}")
    rows = console_rows(session, user, status, office_table(request))
    return page(request, "extensions.html", user, rows=rows, status=status, statuses=STATUS_LABELS,
                done=DONE.get(done, ""), portal=False)


@router.post("/extensions/{request_id:int}/decide")
async def decide(request: Request, request_id: int, user: WebUser = Depends(coordinator_post),
                 session: Session = Depends(db)):
    form = await request.form()
    found = extension(session, request_id)
    plans = user_plans(session, user, office_table(request))
    if found is None or (plans is not None and found.plan_id not in plans):
        raise HTTPException(404, "没有此延期申请")
    decision = str(form.get("decision", ""))
    if decision not in ("approve", "reject"):
        raise StoreError("请选择批准或驳回")
    also = [str(u) for u in form.getlist("also")] if decision == "approve" else []
    decide_extension(session, request_id, decision == "approve", user.name, str(form.get("reason", "")).strip(),
                     now=web(request).now(), units=also)
    session.commit()
    return RedirectResponse(f"/extensions?done={decision}", status_code=303)


@router.get("/portal/extensions")
def portal_extensions(request: Request, done: str = "", task: str = "", user: WebUser = Depends(unit_user),
                      session: Session = Depends(db)):
    tasks = [row for row in task_rows(session, web(request), units=user.units)
             if row["status"] not in ("signed_off", "waived")]
    requests = list_extensions(session, units=user.units)
    return page(request, "extensions.html", user, portal=True, tasks=tasks, requests=requests, chosen=task,
                done=DONE.get(done, ""), statuses=STATUS_LABELS)


@router.post("/portal/extensions")
async def portal_request(request: Request, user: WebUser = Depends(unit_post), session: Session = Depends(db)):
    form = await request.form()
    task_id = str(form.get("task", "")).strip()
    mine = [u for u in holders(session, task_id) if u in user.units] if task_id else []
    if not mine:
        raise HTTPException(404, "没有此任务")
    unit = str(form.get("unit", "")).strip() or mine[0]
    if unit not in mine:
        raise HTTPException(404, "没有此任务")
    file_request(session, task_id, unit, _day(str(form.get("due", ""))), str(form.get("reason", "")), user.name,
                 now=web(request).now())
    session.commit()
    return RedirectResponse("/portal/extensions?done=request", status_code=303)
