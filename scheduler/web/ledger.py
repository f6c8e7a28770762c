"""The ledger (台账): tasks by plan, unit, status and deadline class; a task's page with its
timeline of notices, progress reports, letters and deliveries; sign-off (销号)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.clock import local_day
from scheduler.delivery.run import LETTER_LEVELS, digest_key
from scheduler.escalation.evaluate import due_dates
from scheduler.escalation.facts import TaskFacts
from scheduler.store import schema as m
from scheduler.store import sign_off, task_facts
from scheduler.store.repo import StoreError
from scheduler.store.schema import UnitOverride
from scheduler.store.unitoverrides import task_units
from scheduler.web import status as lights
from scheduler.web.accounts import WebUser, utc
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import DEADLINE_KINDS, PAGE_SIZE, WebContext, db, page, term, web
from scheduler.web.dashboard import plans, urged_pairs

router = APIRouter(include_in_schema=False)
TASK_STATUSES = ("open", "reported_done", "signed_off", "waived")
UNIT_VISIBLE = ("queued", "sent")  # what a unit user sees of its notices: never the internal review


def _deadline_kind(task: TaskFacts, standing: bool) -> str:
    return "standing" if standing and task.deadline.kind == "unknown" else task.deadline.kind


def task_rows(session: Session, ctx: WebContext, *, plan: str = "", unit: str = "", status: str = "",
              kind: str = "", units: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Return the tasks matching the filters with their effective deadline and 红黄绿 state.
    With `units` (a unit user), only tasks those units hold, and the state for them only."""
    as_of = ctx.today()
    plan_ids = [plan] if plan else None
    facts = task_facts(session, as_of, plan_ids=plan_ids, heating=ctx.config.heating_season_start)
    standing = dict(session.execute(select(m.Task.id, m.Task.standing).where(m.Task.removed.is_(False))).all())
    percent = dict(session.execute(select(m.Task.id, m.Task.percent).where(m.Task.removed.is_(False))).all())
    urged = urged_pairs(session, [p.id for p in plans(session)] if not plan else [plan], as_of)
    rows = []
    for task in facts:
        holders = task.units("lead", "cooperating", "responsible")
        if units is not None:
            holders = tuple(u for u in holders if u in units)
            if not holders:
                continue
        if unit and unit not in holders:
            continue
        if status and task.status != status:
            continue
        deadline_kind = _deadline_kind(task, standing.get(task.task_id, False))
        if kind and deadline_kind != kind:
            continue
        counted = [u for u in task.units(*lights.COUNTED_ROLES) if units is None or u in units] or list(holders)
        states = [lights.task_state(task, as_of, (task.task_id, u) in urged) for u in counted]
        state = next((s for s in lights.STATES if s in states), None)
        dates = due_dates(task)
        rows.append({
            "id": task.task_id, "plan": task.plan_id, "title": task.title, "status": task.status,
            "deadline_text": task.deadline.text, "deadline_kind": deadline_kind,
            "due": [d for d in dates], "next_due": next((d for d in sorted(dates) if d >= as_of), None),
            "state": state, "units": list(holders), "percent": percent.get(task.task_id),
        })
    return rows


def ledger_data(session: Session, ctx: WebContext, plan: str, unit: str, status: str, kind: str,
                page_no: int) -> dict[str, Any]:
    rows = task_rows(session, ctx, plan=plan, unit=unit, status=status, kind=kind)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page_no = min(max(1, page_no), pages)
    unit_names = list(session.scalars(select(m.Unit.name).order_by(m.Unit.region, m.Unit.name)))
    return {
        "tasks": rows[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE], "total": len(rows), "page_no": page_no,
        "pages": pages, "plans": [(p.id, p.title) for p in plans(session)], "units": unit_names,
        "statuses": TASK_STATUSES, "kinds": list(DEADLINE_KINDS),
        "filter": {"plan": plan, "unit": unit, "status": status, "kind": kind},
    }


def _stamp(day: date | None, moment: datetime | None = None) -> tuple[str, str]:
    """Sort key (day, time) for timeline events."""
    return ((day.isoformat() if day else ""), utc(moment).isoformat() if moment else "")


def task_detail(session: Session, ctx: WebContext, task_id: str, *, units: tuple[str, ...] | None = None
                ) -> dict[str, Any]:
    """Return a task and its timeline; with `units`, only what those units may see (404 otherwise)."""
    task = session.get(m.Task, task_id)
    if task is None or task.removed:
        raise HTTPException(404, "没有此任务")
    assignments = [{"unit": unit, "role": role, "written": written, "chosen": chosen}
                   for unit, role, written, chosen in task_units(session, task_id)]  # ledger + coordinator's
    if units is not None:
        assignments = [a for a in assignments if a["unit"] in units]
        if not assignments:
            raise HTTPException(404, "没有此任务")
    facts = next(iter(f for f in task_facts(session, ctx.today(), plan_ids=[task.plan_id],
                                            heating=ctx.config.heating_season_start) if f.task_id == task_id))
    notices_query = select(m.Notice).where(m.Notice.task_id == task_id).order_by(m.Notice.created_on, m.Notice.id)
    reports_query = select(m.ProgressReport).where(m.ProgressReport.task_id == task_id)
    if units is not None:
        notices_query = notices_query.where(m.Notice.unit.in_(units), m.Notice.status.in_(UNIT_VISIBLE))
        reports_query = reports_query.where(m.ProgressReport.unit.in_(units))
    notices = list(session.scalars(notices_query))
    reports = list(session.scalars(reports_query.order_by(m.ProgressReport.on, m.ProgressReport.id)))
    keys = [n.key for n in notices]
    letters = {lt.notice_key: lt for lt in session.scalars(select(m.Letter).where(m.Letter.notice_key.in_(keys)))}
    digests = {digest_key(n.unit, n.sent_on) for n in notices if n.sent_on and n.level not in LETTER_LEVELS}
    deliveries = list(session.scalars(select(m.Delivery).where(
        or_(m.Delivery.message_key.in_(keys), m.Delivery.message_key.in_(digests))).order_by(m.Delivery.id)))
    events: list[dict[str, Any]] = []
    for n in notices:
        events.append({"sort": _stamp(n.created_on, n.created_at), "day": n.created_on, "kind": term(n.level),
                       "text": n.explanation, "unit": n.unit, "status": n.status, "notice_id": n.id,
                       "review": n.needs_review})
        if n.key in letters:
            events.append({"sort": _stamp(n.sent_on or n.created_on), "day": n.sent_on, "kind": "公文",
                           "text": f"{letters[n.key].number}（{term(n.level)}）", "unit": n.unit, "status": n.status,
                           "notice_id": n.id, "letter": True})
        if n.acknowledged_on:
            events.append({"sort": _stamp(n.acknowledged_on, n.acknowledged_at), "day": n.acknowledged_on,
                           "kind": "签收", "text": f"{n.unit}签收{term(n.level)}", "unit": n.unit, "status": ""})
    for r in reports:
        pct = f"，完成{r.percent}%" if r.percent is not None else ""
        events.append({"sort": _stamp(r.on), "day": r.on, "kind": "进展报送",
                       "text": f"{term(r.status) if r.status != 'in_progress' else '推进中'}{pct}。{r.note}",
                       "unit": r.unit, "status": r.status, "by": r.by})
    if units is None:
        for o in session.scalars(select(m.DeadlineOverride).where(m.DeadlineOverride.task_id == task_id)):
            events.append({"sort": _stamp(local_day(o.at), o.at), "day": local_day(o.at), "kind": "时限变更",
                           "text": f"完成时限定为 {o.due.isoformat()}：{o.reason}", "unit": "", "status": o.kind,
                           "by": o.by})
        for o in session.scalars(select(UnitOverride).where(UnitOverride.task_id == task_id)):
            events.append({"sort": _stamp(local_day(o.at), o.at), "day": local_day(o.at), "kind": "单位指定",
                           "text": f"“{o.written or '（未写明单位）'}”指定为{term(o.role)}：{'、'.join(o.units)}。"
                                   f"{o.reason}",
                           "unit": "", "status": "", "by": o.by})
        for s in session.scalars(select(m.SignOff).where(m.SignOff.task_id == task_id)):
            events.append({"sort": _stamp(s.on, s.at), "day": s.on, "kind": "销号", "text": s.note, "unit": "",
                           "status": "", "by": s.by})
    events.sort(key=lambda e: e["sort"])
    deliveries_json = [{"id": d.id, "message_key": d.message_key, "channel": d.channel, "address": d.address,
                        "status": d.status, "attempts": d.attempts, "last_error": d.last_error}
                       for d in deliveries if units is None]  # channels and addresses are internal
    return {
        "task": task, "facts": facts, "assignments": assignments,
        "deadline_kind": _deadline_kind(facts, task.standing), "due": list(due_dates(facts)),
        "milestones": [{"due": ms.due, "text": ms.text} for ms in facts.milestones],
        "events": events, "deliveries": deliveries_json,
    }


def task_json(detail: dict[str, Any]) -> dict[str, Any]:
    task = detail["task"]
    return {
        "id": task.id, "plan": task.plan_id, "title": task.title, "measures": task.measures,
        "deadline_text": task.deadline_text, "deadline_kind": detail["deadline_kind"],
        "due": [d.isoformat() for d in detail["due"]], "status": task.status, "percent": task.percent,
        "assignments": detail["assignments"],
        "milestones": [{"due": ms["due"].isoformat(), "text": ms["text"]} for ms in detail["milestones"]],
        "timeline": [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items() if k != "sort"}
                     for e in detail["events"]],
        "deliveries": detail["deliveries"],
    }


@router.get("/ledger")
def ledger_page(request: Request, plan: str = "", unit: str = "", status: str = "", kind: str = "",
                page_no: int = 1, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return page(request, "ledger.html", user, **ledger_data(session, web(request), plan, unit, status, kind, page_no))


@router.get("/tasks/{task_id:path}")
def task_page(request: Request, task_id: str, done: str = "", user: WebUser = Depends(staff),
              session: Session = Depends(db)):
    return page(request, "task.html", user, **task_detail(session, web(request), task_id), done=done)


@router.post("/signoff/{task_id:path}")
async def task_signoff(request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                       session: Session = Depends(db)):
    form = await request.form()
    ctx = web(request)
    if session.get(m.Task, task_id) is None:
        raise StoreError(f"没有此任务：{task_id}")
    sign_off(session, task_id, user.name, ctx.today(), str(form.get("note", "")).strip(), now=ctx.now())
    session.commit()
    return RedirectResponse(f"/tasks/{task_id}?done=signoff", status_code=303)
