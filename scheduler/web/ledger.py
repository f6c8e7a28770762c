"""The ledger (台账): tasks by plan, unit, status and deadline class; a task's page with its
timeline of notices, progress reports, letters and deliveries; sign-off (销号)."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scheduler.clock import local_day
from scheduler.delivery.run import digest_key
from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.status import COUNTED_ROLES, Standing, as_seen_by, due_dates, standing
from scheduler.exports.xlsx import export_ledger_xlsx
from scheduler.glossary import DEADLINE_KINDS, PROGRESS_STATUSES
from scheduler.issuers import Issuers
from scheduler.ladder import LETTER_LEVELS
from scheduler.plans.views import export_rows
from scheduler.store import sign_off, task_facts
from scheduler.store.catalog import plan_rows, unit_rows
from scheduler.store.dashboard import urged_pairs
from scheduler.store.deliverylog import deliveries_for
from scheduler.store.ledgerview import task_activity, task_flags, task_history
from scheduler.store.offices import plan_offices
from scheduler.store.records import task_record
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.store.unitoverrides import task_units
from scheduler.web.accounts import WebUser, utc
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import WebContext, db, page, term, web
from scheduler.web.dashboard import unit_counties
from scheduler.web.labels import page_names
from scheduler.web.offices import office_table, user_plans
from scheduler.web.paging import paging

router = APIRouter(include_in_schema=False)
TASK_STATUSES = ("open", "reported_done", "signed_off", "waived")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_VISIBLE = ("queued", "sent")  # what a unit user sees of its notices: never the internal review


def _deadline_kind(task: TaskFacts, standing: bool) -> str:
    return "standing" if standing and task.deadline.kind == "unknown" else task.deadline.kind


def task_standing(task: TaskFacts, as_of: date, urged: set[tuple[str, str]], units: tuple[str, ...] | None = None
                  ) -> Standing:
    """How the task stands for the units it is counted for (all of them, or the user's): the one rule,
    yellow when any of them was urged lately, as the dashboard counts each of them."""
    counted = [u for u in task.units(*COUNTED_ROLES) if units is None or u in units]
    return standing(task, as_of, any((task.task_id, u) in urged for u in counted))


def matches(words: str, *texts: str) -> bool:
    """The search box: every word (split on spaces) found in one of the texts, case ignored."""
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in words.casefold().split())


def task_rows(session: Session, ctx: WebContext, *, plan: str = "", unit: str = "", status: str = "",
              kind: str = "", units: tuple[str, ...] | None = None, q: str = "",
              plan_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Return the tasks matching the filters with their effective deadline and 红黄绿 state.
    With `units` (a unit user), only tasks those units hold, and the state for them only; with
    `plan_ids` (the plans of the user's offices) only those plans; `q` searches the title, the
    deadline words, the units and the task number."""
    as_of = ctx.today()
    if plan and plan_ids is not None and plan not in plan_ids:
        return []
    plan_ids = [plan] if plan else plan_ids
    facts = task_facts(session, as_of, plan_ids=plan_ids, heating=ctx.config.heating_season_start)
    flags = task_flags(session)
    urged = urged_pairs(session, plan_ids if plan_ids is not None else [p.id for p in plan_rows(session)], as_of)
    rows = []
    for task in facts:
        holders = task.units("lead", "cooperating", "responsible")
        if units is not None:
            holders = tuple(u for u in holders if u in units)
            if not holders:
                continue
            task = as_seen_by(task, holders)  # the unit's own extended date, if it has one
        if unit and unit not in holders:
            continue
        if status and task.status != status:
            continue
        if q and not matches(q, task.title, task.deadline.text, task.task_id, *task.units("lead", "cooperating",
                                                                                          "responsible")):
            continue
        flag = flags.get(task.task_id)
        deadline_kind = _deadline_kind(task, flag.standing if flag else False)
        if kind and deadline_kind != kind:
            continue
        found = task_standing(task, as_of, urged, units)
        dates = due_dates(task)
        rows.append({
            "id": task.task_id, "plan": task.plan_id, "title": task.title, "status": task.status,
            "deadline_text": task.deadline.text, "deadline_kind": deadline_kind,
            "due": list(dates), "next_due": next((d for d in sorted(dates) if d >= as_of), None),
            "state": found.state if found.is_open else None, "reason": found.reason, "units": list(holders),
            "percent": flag.percent if flag else None,
        })
    return rows


def narrowed(session: Session, issuers: Issuers, plan_ids: list[str] | None, office: str) -> list[str] | None:
    """The user's plans, narrowed to one issuing office's when the filter names one."""
    if not office:
        return plan_ids
    chosen = [pid for pid, issuer in plan_offices(session, issuers).items() if issuer == office]
    return chosen if plan_ids is None else [pid for pid in chosen if pid in plan_ids]


def ledger_data(session: Session, ctx: WebContext, plan: str, unit: str, status: str, kind: str,
                page_no: int, q: str = "", plan_ids: list[str] | None = None, county: str = "",
                office: str = "") -> dict[str, Any]:
    counties = unit_counties(session)
    issuers = ctx.config.letter_issuers
    offices = sorted({o for pid, o in plan_offices(session, issuers).items()
                      if o and (plan_ids is None or pid in plan_ids)})
    rows = task_rows(session, ctx, plan=plan, unit=unit, status=status, kind=kind, q=q.strip(),
                     plan_ids=narrowed(session, issuers, plan_ids, office))
    if county:
        rows = [r for r in rows if any(counties.get(u) == county for u in r["units"])]
    at = paging(len(rows), page_no)
    chosen = {"plan": plan, "unit": unit, "status": status, "kind": kind, "q": q.strip(), "county": county,
              "office": office}
    return {
        "tasks": at.rows(rows), "all": rows, **at.values(),
        "plans": [(p.id, p.title) for p in plan_rows(session) if plan_ids is None or p.id in plan_ids],
        "units": [(u.name, u.region) for u in unit_rows(session)],  # by region, then name: the picker's order
        "statuses": TASK_STATUSES, "kinds": list(DEADLINE_KINDS), "offices": offices,
        "counties": sorted(set(counties.values())),
        "filter": chosen, "query": urlencode({k: v for k, v in chosen.items() if v}),
    }


def _stamp(day: date | None, moment: datetime | None = None) -> tuple[str, str]:
    """Sort key (day, time) for timeline events."""
    return ((day.isoformat() if day else ""), utc(moment).isoformat() if moment else "")


def task_detail(session: Session, ctx: WebContext, task_id: str, *, units: tuple[str, ...] | None = None
                ) -> dict[str, Any]:
    """Return a task and its timeline; with `units`, only what those units may see (404 otherwise)."""
    task = task_record(session, task_id)
    if task is None or task.removed:
        raise HTTPException(404, "没有此任务")
    assignments = [{"unit": unit, "role": role, "written": written, "chosen": chosen}
                   for unit, role, written, chosen in task_units(session, task_id)]  # ledger + coordinator's
    if units is not None:
        assignments = [a for a in assignments if a["unit"] in units]
        if not assignments:
            raise HTTPException(404, "没有此任务")
    as_of = ctx.today()
    facts = next(iter(f for f in task_facts(session, as_of, plan_ids=[task.plan_id],
                                            heating=ctx.config.heating_season_start) if f.task_id == task_id))
    history = task_history(session, task_id, units=units, statuses=UNIT_VISIBLE if units is not None else None)
    notices, letters = history.notices, history.letters
    digests = {digest_key(n.unit, n.sent_on) for n in notices if n.sent_on and n.level not in LETTER_LEVELS}
    deliveries = deliveries_for(session, [*(n.key for n in notices), *digests]) if units is None else []
    events: list[dict[str, Any]] = []
    for n in notices:
        events.append({"sort": _stamp(n.created_on, n.created_at), "day": n.created_on, "kind": term(n.level),
                       "text": n.explanation, "unit": n.unit, "status": n.status, "notice_id": n.id,
                       "review": n.needs_review})
        if n.key in letters:
            events.append({"sort": _stamp(n.sent_on or n.created_on), "day": n.sent_on, "kind": "公文",
                           "text": f"{letters[n.key]}（{term(n.level)}）", "unit": n.unit, "status": n.status,
                           "notice_id": n.id, "letter": True})
        if n.acknowledged_on:
            events.append({"sort": _stamp(n.acknowledged_on, n.acknowledged_at), "day": n.acknowledged_on,
                           "kind": "签收", "text": f"{n.unit}签收{term(n.level)}", "unit": n.unit, "status": ""})
    for r in history.reports:
        pct = f"，完成{r.percent}%" if r.percent is not None else ""
        events.append({"sort": _stamp(r.on), "day": r.on, "kind": "进展报送",
                       "text": f"{PROGRESS_STATUSES.get(r.status, r.status)}{pct}。{r.note}",
                       "unit": r.unit, "status": r.status, "by": r.by})
    for o in history.deadline_changes:
        events.append({"sort": _stamp(local_day(o.at), o.at), "day": local_day(o.at), "kind": "时限变更",
                       "text": f"完成时限定为 {o.due.isoformat()}：{o.reason}", "unit": "", "status": o.kind,
                       "by": o.by})
    for c in history.unit_choices:
        events.append({"sort": _stamp(local_day(c.at), c.at), "day": local_day(c.at), "kind": "单位指定",
                       "text": f"“{c.written or '（未写明单位）'}”指定为{term(c.role)}：{'、'.join(c.units)}。"
                               f"{c.reason}",
                       "unit": "", "status": "", "by": c.by})
    for s in history.signoffs:
        events.append({"sort": _stamp(s.on, s.at), "day": s.on, "kind": "销号", "text": s.note, "unit": "",
                       "status": "", "by": s.by})
    events.sort(key=lambda e: e["sort"])
    deliveries_json = [{"id": d.id, "message_key": d.message_key, "channel": d.channel, "address": d.address,
                        "status": d.status, "attempts": d.attempts, "last_error": d.last_error}
                       for d in deliveries]  # channels and addresses are internal: none for a unit user
    urged = urged_pairs(session, [task.plan_id], as_of)
    return {
        "task": task, "facts": facts, "assignments": assignments,
        "deadline_kind": _deadline_kind(facts, task.standing), "due": list(due_dates(facts)),
        "milestones": [{"due": ms.due, "text": ms.text} for ms in facts.milestones],
        "standing": task_standing(facts, as_of, urged, units),
        "events": events, "deliveries": deliveries_json,
    }


def task_json(detail: dict[str, Any]) -> dict[str, Any]:
    task = detail["task"]
    return {
        "id": task.id, "plan": task.plan_id, "title": task.title, "measures": task.measures,
        "deadline_text": task.deadline_text, "deadline_kind": detail["deadline_kind"],
        "due": [d.isoformat() for d in detail["due"]], "status": task.status, "percent": task.percent,
        "state": detail["standing"].state, "lamp": detail["standing"].lamp, "reason": detail["standing"].reason,
        "assignments": detail["assignments"],
        "milestones": [{"due": ms["due"].isoformat(), "text": ms["text"]} for ms in detail["milestones"]],
        "timeline": [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items() if k != "sort"}
                     for e in detail["events"]],
        "deliveries": detail["deliveries"],
    }


@router.get("/ledger")
def ledger_page(request: Request, plan: str = "", unit: str = "", status: str = "", kind: str = "", q: str = "",
                county: str = "", office: str = "", page_no: int = 1, user: WebUser = Depends(staff),
                session: Session = Depends(db)):
    ctx = web(request)
    data = ledger_data(session, ctx, plan, unit, status, kind, page_no, q, 
                       plan_ids=user_plans(session, user, office_table(request)), county=county, office=office)
    return page(request, "ledger.html", user, **data, names=page_names(session, ctx))


@router.get("/ledger/export")
def ledger_export(request: Request, plan: str = "", unit: str = "", status: str = "", kind: str = "", q: str = "",
                  county: str = "", office: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    """The 台账 workbook of the tasks the page shows (its filter applied), with the store's progress,
    notices and letters, as `duban ledger export --format xlsx --with-store` writes it."""
    ctx = web(request)
    data = ledger_data(session, ctx, plan, unit, status, kind, 1, q, 
                       plan_ids=user_plans(session, user, office_table(request)), county=county, office=office)
    shown = {r["id"] for r in data["all"]}
    as_of = ctx.today()
    rows = [r for r in export_rows(ctx.config.path(ctx.config.data_dir), ctx.config) if r["id"] in shown]
    titles = {p.id: p.title for p in plan_rows(session)}
    with tempfile.TemporaryDirectory() as folder:
        path = export_ledger_xlsx(rows, Path(folder) / "ledger.xlsx", as_of, task_activity(session, as_of), titles)
        content = path.read_bytes()
    name = f"台账{as_of.strftime('%Y%m%d')}.xlsx"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/tasks/{task_id:path}")
def task_page(request: Request, task_id: str, done: str = "", user: WebUser = Depends(staff),
              session: Session = Depends(db)):
    ctx = web(request)
    return page(request, "task.html", user, **task_detail(session, ctx, task_id), done=done,
                names=page_names(session, ctx))


@router.post("/signoff/{task_id:path}")
async def task_signoff(request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                       session: Session = Depends(db)):
    form = await request.form()
    ctx = web(request)
    if task_record(session, task_id) is None:
        raise StoreError(f"没有此任务：{task_id}")
    sign_off(session, task_id, user.name, ctx.today(), str(form.get("note", "")).strip(), now=ctx.now())
    session.commit()
    return RedirectResponse(f"/tasks/{task_id}?done=signoff", status_code=303)
