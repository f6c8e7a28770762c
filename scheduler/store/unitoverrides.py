"""Coordinator-chosen units for a task: record a choice, and read the latest ones back
for the sweep (scheduler.store.taskfacts), the console's task page and the unit portal.

The latest choice per (task, written name) applies; choosing again replaces it, and notices not
yet delivered to a unit that no longer holds the task are cancelled, as `duban load` does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit, cancel_pending, task_row
from scheduler.store.schema import UnitOverride

ROLES = ("lead", "cooperating", "responsible")
LEDGER_FIELDS = {"lead": "lead_units", "cooperating": "cooperating_units", "responsible": "responsible_units"}


def latest_unit_overrides(session: Session, task_ids: Iterable[str] | None = None
                          ) -> dict[str, list[tuple[str, str, str]]]:
    """Return task id -> [(unit, role, written)] of the latest choice per (task, written name)."""
    query = select(UnitOverride.task_id, UnitOverride.written, UnitOverride.role, UnitOverride.units)
    if task_ids is not None:
        query = query.where(UnitOverride.task_id.in_(list(task_ids)))
    latest: dict[tuple[str, str], tuple[str, list]] = {}
    for task_id, written, role, units in session.execute(query.order_by(UnitOverride.at, UnitOverride.id)):
        latest[(task_id, written)] = (role, list(units or ()))
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for (task_id, written), (role, units) in latest.items():
        found[task_id].extend((unit, role, written) for unit in units)
    return dict(found)


def task_units(session: Session, task_id: str) -> list[tuple[str, str, str, bool]]:
    """Return the task's (unit, role, written, chosen by a coordinator) in ledger order, then the choices."""
    rows = [(a.unit, a.role, a.written, False) for a in session.execute(
        select(m.Assignment.unit, m.Assignment.role, m.Assignment.written)
        .where(m.Assignment.task_id == task_id).order_by(m.Assignment.id))]
    seen = {(unit, role) for unit, role, _, _ in rows}
    for unit, role, written in latest_unit_overrides(session, [task_id]).get(task_id, []):
        if (unit, role) not in seen:
            seen.add((unit, role))
            rows.append((unit, role, written, True))
    return rows


def written_role(task: m.Task, written: str) -> str:
    """Return the role the ledger gave a written name ("lead" when the task names no unit)."""
    for role in ROLES:
        if written and written in (task.ledger or {}).get(LEDGER_FIELDS[role], []):
            return role
    return "lead"


def assign_units(
    session: Session,
    task_id: str,
    written: str,
    units: Iterable[str],
    by: str,
    reason: str,
    role: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Record the units a coordinator chose for a written name (or for a task naming none); the caller
    commits. Return the chosen units; raise StoreError naming what is wrong."""
    task = task_row(session, task_id)
    now = now or clock.now()
    written = written.strip()
    role = role or written_role(task, written)
    if role not in ROLES:
        raise StoreError(f"角色应为 lead、cooperating 或 responsible：{role}")
    chosen = list(dict.fromkeys(u.strip() for u in units if u and u.strip()))
    if not chosen:
        raise StoreError("请至少选择一个单位")
    known = set(session.scalars(select(m.Unit.name).where(m.Unit.name.in_(chosen))))
    unknown = [u for u in chosen if u not in known]
    if unknown:
        raise StoreError(f"单位目录中没有：{'、'.join(unknown)}")
    if not reason.strip():
        raise StoreError("请写明依据（如协调会议纪要、上级通知）")
    session.add(UnitOverride(task_id=task_id, written=written, role=role, units=chosen, reason=reason.strip(),
                             by=by, at=now))
    session.flush()
    holders = {unit for unit, _, _, _ in task_units(session, task_id)}
    cancel_pending(session, task_id, by, "协调人调整了责任单位", keep=lambda n: n.unit in holders, now=now)
    audit(session, by, "task.assign_units", "task", task_id,
          {"written": written, "role": role, "units": chosen, "reason": reason.strip()}, now)
    return chosen
