"""Extensions (申请延期): a unit asks for a later date on one task; a coordinator decides.

An approved extension moves the deadline of the unit that asked (and of any other units the
decision names) and of no one else: it is kept per unit and read by the task facts
(scheduler.escalation.facts.TaskFacts.unit_deadlines), and only that unit's notices of the old
date are cancelled. A unit named in a decision besides the one that asked gets an approved record
of its own that points at the request, so every unit's date has its reason and decider on file.
Each function works in the caller's transaction and writes the audit log; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit, cancel_pending, task_row
from scheduler.store.unitoverrides import task_units

STATUSES = ("pending", "approved", "rejected")
STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}


@dataclass(frozen=True)
class Extension:
    """An extension request as lists show it."""

    id: int
    task_id: str
    task_title: str
    plan_id: str
    unit: str
    requested_due: date
    reason: str
    status: str
    by: str
    at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id, "task": self.task_id, "title": self.task_title, "plan": self.plan_id, "unit": self.unit,
            "requested_due": self.requested_due.isoformat(), "reason": self.reason, "status": self.status,
            "by": self.by, "at": self.at.isoformat(), "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decision_reason": self.decision_reason,
        }


def holders(session: Session, task_id: str) -> list[str]:
    """Return the units that hold a part in the task (ledger and coordinator choices), in order."""
    return list(dict.fromkeys(unit for unit, _role, _written, _chosen in task_units(session, task_id)))


def _check_holder(session: Session, task_id: str, unit: str) -> None:
    units = holders(session, task_id)
    if unit not in units:
        listed = "、".join(units) or "（无）"
        raise StoreError(f"“{unit}”不是任务 {task_id} 的责任单位，不能为其延期；该任务的单位有：{listed}")


def request_extension(
    session: Session,
    task_id: str,
    unit: str,
    requested_due: date,
    reason: str,
    by: str,
    now: datetime | None = None,
) -> m.ExtensionRequest:
    """File a unit's request for a later date (申请延期); nothing moves until it is approved."""
    task = task_row(session, task_id)
    if task.removed:
        raise StoreError(f"任务 {task_id} 已移出台账，不能申请延期")
    if not reason.strip():
        raise StoreError("申请延期必须写明理由")
    _check_holder(session, task_id, unit)
    open_one = session.scalar(select(m.ExtensionRequest.id).where(
        m.ExtensionRequest.task_id == task_id, m.ExtensionRequest.unit == unit,
        m.ExtensionRequest.status == "pending"))
    if open_one is not None:
        raise StoreError(f"{unit}对任务 {task_id} 已有待审批的延期申请（第{open_one}号），请等待审批结果")
    now = now or clock.now()
    request = m.ExtensionRequest(task_id=task_id, unit=unit, requested_due=requested_due, reason=reason.strip(),
                                 status="pending", by=by, at=now)
    session.add(request)
    session.flush()
    detail = {"unit": unit, "due": requested_due.isoformat(), "reason": reason.strip(), "id": request.id}
    audit(session, by, "extension.request", "task", task_id, detail, now)
    return request


def decide_extension(
    session: Session,
    request_id: int,
    approve: bool,
    by: str,
    reason: str = "",
    now: datetime | None = None,
    units: Sequence[str] = (),
) -> list[str]:
    """Approve or reject an extension request; return the units whose date moved.

    Approval moves the requested date for the unit that asked and for `units` (other holders of the
    task the coordinator names), cancelling only their notices of the old date."""
    request = session.get(m.ExtensionRequest, request_id)
    if request is None or request.status != "pending":
        raise StoreError(f"没有待审批的延期申请：第{request_id}号")
    if not approve and not reason.strip():
        raise StoreError("驳回延期申请必须写明理由")
    if units and not approve:
        raise StoreError("驳回时不能指定一并延期的单位")
    now = now or clock.now()
    moved = list(dict.fromkeys([request.unit, *units]))
    for unit in moved[1:]:
        _check_holder(session, request.task_id, unit)
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at, request.decision_reason = by, now, reason
    if approve:
        for unit in moved[1:]:
            session.add(m.ExtensionRequest(
                task_id=request.task_id, unit=unit, requested_due=request.requested_due,
                reason=f"随第{request.id}号延期申请（{request.unit}）一并批准：{request.reason}", status="approved",
                by=by, at=now, decided_by=by, decided_at=now, decision_reason=reason))
        due = request.requested_due
        shifted = set(moved)
        # Only these units' reminders and escalations of the old date go; dateless requests,
        # milestones inside the measures and every other unit's notices stay.
        cancel_pending(
            session, request.task_id, by, f"{'、'.join(moved)}延期至 {due.isoformat()}",
            keep=lambda n: (n.unit not in shifted or n.due is None or n.due == due
                            or bool((n.facts or {}).get("milestone"))),
            now=now,
        )
    action = "extension.approve" if approve else "extension.reject"
    detail = {"id": request_id, "reason": reason, "units": moved if approve else [],
              "due": request.requested_due.isoformat()}
    audit(session, by, action, "task", request.task_id, detail, now)
    return moved if approve else []


def list_extensions(
    session: Session,
    status: str | None = None,
    plan_id: str | None = None,
    units: Iterable[str] | None = None,
    plan_ids: Iterable[str] | None = None,
    task_id: str | None = None,
    request_id: int | None = None,
) -> list[Extension]:
    """Return extension requests, newest first; `units` limits them to those units' own, `plan_ids` to
    those plans (an office's)."""
    query = (select(m.ExtensionRequest, m.Task.title, m.Task.plan_id)
             .join(m.Task, m.Task.id == m.ExtensionRequest.task_id)
             .order_by(m.ExtensionRequest.id.desc()))
    if status:
        if status not in STATUSES:
            raise StoreError(f"延期申请状态应为 {'、'.join(STATUSES)}：{status}")
        query = query.where(m.ExtensionRequest.status == status)
    if plan_id:
        query = query.where(m.Task.plan_id == plan_id)
    if plan_ids is not None:
        query = query.where(m.Task.plan_id.in_(list(plan_ids)))
    if units is not None:
        query = query.where(m.ExtensionRequest.unit.in_(list(units)))
    if task_id:
        query = query.where(m.ExtensionRequest.task_id == task_id)
    if request_id is not None:
        query = query.where(m.ExtensionRequest.id == request_id)
    return [
        Extension(r.id, r.task_id, title, plan, r.unit, r.requested_due, r.reason, r.status, r.by, r.at,
                  r.decided_by, r.decided_at, r.decision_reason or "")
        for r, title, plan in session.execute(query)
    ]


def extension(session: Session, request_id: int) -> Extension | None:
    """Return one request as lists show it."""
    found = list_extensions(session, request_id=request_id)
    return found[0] if found else None


def task_region(session: Session, task_id: str) -> str:
    """Return the region of the task's plan, in which its unit names are read (e.g. 长治市)."""
    task = task_row(session, task_id)
    plan = session.get(m.Plan, task.plan_id)
    return plan.region if plan is not None else ""
