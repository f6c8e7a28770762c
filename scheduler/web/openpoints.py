"""Open points (待协调事项): deadlines awaiting a date, unknown units, ambiguous groups; paged, and
filtered by kind, with the counts over all of them.

The list comes from scheduler.plans.views.open_points (the same as `duban ledger check`). A
deadline left to the state or province, blank or unreadable can be dated here
(scheduler.store.set_deadline, audited). An ambiguous group ("相关县区政府"), an unknown name or a
task naming no unit can be given concrete units from the directory
(scheduler.store.unitoverrides.assign_units, audited), which the next sweep addresses. A provisional
unit (a name the directory lacks) can be confirmed, merged into a known unit or renamed
(scheduler.store.provisional, audited), as `duban units confirm|merge|rename` does.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from scheduler.plans.views import LABELS
from scheduler.store import set_deadline
from scheduler.store.catalog import unit_rows
from scheduler.store.openpoints import chosen_units, latest_dates, point_tasks
from scheduler.store.provisional import KINDS, PROVISIONAL, confirm_unit, merge_unit, provisional_units, rename_unit
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.store.unitoverrides import ROLES, assign_units
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import WebContext, db, page, web
from scheduler.web.labels import page_names
from scheduler.web.paging import paging

router = APIRouter(include_in_schema=False)
DATABLE = ("external_deadline", "missing_deadline", "unknown_deadline", "deadline_conflict")
ASSIGNABLE = ("ambiguous_group", "unknown_unit", "no_unit")
def written_key(kind: str, written: str) -> str:
    """The written name a unit choice is stored under ("" for a task that names no unit)."""
    return "" if kind == "no_unit" else written


def points_data(session: Session, ctx: WebContext) -> list[dict[str, Any]]:
    """Every open point with the date a coordinator already set (latest override), if any."""
    points = ctx.open_points()  # cached per app until a ledger or units.yaml changes
    dates = latest_dates(session)
    keys = [(p.task_id, written_key(p.kind, p.written)) for p in points]
    tasks = point_tasks(session, keys)
    chosen = chosen_units(session, {p.task_id for p in points})
    states = {u.name: u for u in provisional_units(session, include_settled=True)} if any(
        p.unit for p in points) else {}
    rows = []
    for point, (_, written) in zip(points, keys):
        date_set = dates.get(point.task_id)
        task = tasks.get(point.task_id)
        assignable = point.kind in ASSIGNABLE and task is not None
        choice = chosen.get((point.task_id, written))
        rows.append({
            **point.to_json(), "label": LABELS[point.kind], "datable": point.kind in DATABLE and task is not None,
            "set_due": date_set.due if date_set else None, "set_by": date_set.by if date_set else "",
            "set_reason": date_set.reason if date_set else "",
            "assignable": assignable, "written_key": written, "chosen": asdict(choice) if choice else None,
            "role": task.roles[written] if task is not None and assignable else "",
            "region": task.region if task is not None else "",
            "unit": point.unit, **_unit_state(point.unit, states),
        })
        row = rows[-1]
        # settled by a coordinator (dated, units chosen, unit confirmed or merged): counted apart
        row["resolved"] = bool(row["set_due"] or row["chosen"] or row["unit_state"] not in ("", PROVISIONAL))
    return rows


def _unit_state(name: str, states: dict) -> dict[str, Any]:
    """What a coordinator already did with a provisional unit (nothing, confirmed, merged)."""
    state = states.get(name) if name else None
    if state is None:  # no unit, or not loaded yet: `duban load` makes it a store unit
        return {"unit_state": "", "unit_into": "", "settleable": False}
    return {"unit_state": state.kind, "unit_into": state.into, "settleable": state.kind == PROVISIONAL}


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text!r}") from None


def fix_deadline(session: Session, ctx: WebContext, task_id: str, due: date, reason: str, by: str) -> None:
    if not reason.strip():
        raise StoreError("请写明时限依据（如上级文件名称和文号）")
    set_deadline(session, task_id, due, by, reason.strip(), now=ctx.now())


def fix_units(session: Session, ctx: WebContext, task_id: str, written: str, units: list[str], role: str,
              reason: str, by: str) -> list[str]:
    if role and role not in ROLES:
        raise StoreError(f"角色应为 lead、cooperating 或 responsible：{role}")
    return assign_units(session, task_id, written, units, by, reason, role=role or None, now=ctx.now())


ASSIGN_FIELDS = 4  # unit fields of an assignment form; a saved choice shows its units and one more


@router.get("/open-points")
def open_points_page(request: Request, done: str = "", kind: str = "", page_no: str = "1",
                     user: WebUser = Depends(staff), session: Session = Depends(db)):
    points = points_data(session, web(request))
    kinds = sorted({p["kind"] for p in points}, key=list(LABELS).index)
    kind = kind if kind in kinds else ""
    shown = [p for p in points if not kind or p["kind"] == kind]
    at = paging(len(shown), page_no)
    # the picker: every unit by region, then name (typing filters it); only coordinators get forms
    units = [(u.name, u.region) for u in unit_rows(session)] if user.role == "coordinator" else []
    open_count = sum(not p["resolved"] for p in points)
    return page(request, "open_points.html", user, points=at.rows(shown), **at.values(), kind=kind,
                query=urlencode({"kind": kind} if kind else {}), open_count=open_count,
                resolved_count=len(points) - open_count, kinds=[(k, LABELS[k]) for k in kinds], done=done,
                units=units, assign_fields=ASSIGN_FIELDS, roles=ROLES, unit_kinds=KINDS,
                names=page_names(session, web(request)))


@router.post("/deadline/{task_id:path}")
async def set_task_deadline(request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                            session: Session = Depends(db)):
    form = await request.form()
    ctx = web(request)
    fix_deadline(session, ctx, task_id, parse_date(str(form.get("due", ""))), str(form.get("reason", "")), user.name)
    session.commit()
    back = "/tasks/" + task_id if form.get("back") == "task" else "/open-points"
    return RedirectResponse(f"{back}?done=deadline", status_code=303)


@router.post("/assign/{task_id:path}")
async def set_task_units(request: Request, task_id: str, user: WebUser = Depends(coordinator_post),
                         session: Session = Depends(db)):
    form = await request.form()
    units = [str(u) for u in form.getlist("units")]
    fix_units(session, web(request), task_id, str(form.get("written", "")), units, str(form.get("role", "")),
              str(form.get("reason", "")), user.name)
    session.commit()
    back = "/tasks/" + task_id if form.get("back") == "task" else "/open-points"
    return RedirectResponse(f"{back}?done=units", status_code=303)


@router.post("/units/{action}")
async def settle_unit(request: Request, action: str, user: WebUser = Depends(coordinator_post),
                      session: Session = Depends(db)):
    """Confirm, merge or rename a provisional unit (audited); the next sweep addresses the result."""
    form = await request.form()
    name, reason, now = str(form.get("name", "")), str(form.get("reason", "")), web(request).now()
    if action == "confirm":
        confirm_unit(session, name, user.name, str(form.get("kind", "")), reason, now=now)
    elif action == "merge":
        merge_unit(session, name, str(form.get("into", "")), user.name, reason, now=now)
    elif action == "rename":
        rename_unit(session, name, str(form.get("to", "")), user.name, reason, str(form.get("kind", "")), now=now)
    else:
        raise StoreError(f"未知操作：{action}")
    session.commit()
    return RedirectResponse(f"/open-points?done=unit-{action}", status_code=303)
