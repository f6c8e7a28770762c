"""What people do to tasks: report progress, sign off (销号), set a date, waive.

Extensions (申请延期), which move one unit's date rather than the task's, are
scheduler.store.extensions; their functions are re-exported here for the store's callers.

Each function checks its input, changes the task, cancels the notices that no longer apply and
writes the audit log, all in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import schema as m
from scheduler.store.extensions import decide_extension, request_extension
from scheduler.store.repo import StoreError, audit, cancel_pending, task_row

__all__ = ["decide_extension", "report_progress", "request_extension", "set_deadline", "sign_off", "waive"]

REPORT_STATUSES = ("in_progress", "done", "blocked")
OVERRIDE_KINDS = ("external_date", "extension")


def report_progress(
    session: Session,
    task_id: str,
    unit: str,
    status: str,
    percent: int | None,
    note: str,
    by: str,
    on: date,
    now: datetime | None = None,
) -> None:
    """Record a unit's progress report (进展报送); 'done' pauses escalation until sign-off."""
    task = task_row(session, task_id)
    if status not in REPORT_STATUSES:
        raise StoreError(f"进展状态应为 in_progress、done 或 blocked：{status}")
    if percent is not None and not 0 <= percent <= 100:
        raise StoreError("完成百分比应在 0 到 100 之间")
    session.add(m.ProgressReport(task_id=task_id, unit=unit, on=on, status=status, percent=percent, note=note, by=by))
    if percent is not None:
        task.percent = percent
    if status == "done" and task.status == "open":
        task.status = "reported_done"  # pauses escalation until a coordinator verifies
    detail = {"unit": unit, "status": status, "percent": percent, "note": note, "on": on.isoformat()}
    audit(session, by, "task.progress", "task", task_id, detail, now)


def sign_off(session: Session, task_id: str, by: str, on: date, note: str = "", now: datetime | None = None) -> None:
    """Sign the task off (销号): it stops every reminder and escalation."""
    task = task_row(session, task_id)
    now = now or clock.now()
    task.status = "signed_off"
    session.add(m.SignOff(task_id=task_id, on=on, at=now, by=by, note=note))
    cancel_pending(session, task_id, by, "已销号", now=now)
    audit(session, by, "task.sign_off", "task", task_id, {"note": note, "on": on.isoformat()}, now)


def set_deadline(
    session: Session,
    task_id: str,
    due: date,
    by: str,
    reason: str,
    kind: str = "external_date",
    now: datetime | None = None,
) -> None:
    """Set the date an external deadline left open (or apply an approved extension); the latest wins."""
    task_row(session, task_id)
    if kind not in OVERRIDE_KINDS:
        raise StoreError(f"时限变更类型应为 external_date 或 extension：{kind}")
    now = now or clock.now()
    session.add(m.DeadlineOverride(task_id=task_id, due=due, kind=kind, reason=reason, by=by, at=now))
    # Reminders of the old date go; dateless requests and milestones inside the measures stay.
    cancel_pending(
        session,
        task_id,
        by,
        f"时限改为 {due.isoformat()}",
        keep=lambda n: n.due is None or n.due == due or bool((n.facts or {}).get("milestone")),
        now=now,
    )
    audit(session, by, f"task.{kind}", "task", task_id, {"due": due.isoformat(), "reason": reason}, now)


def waive(session: Session, task_id: str, by: str, reason: str, now: datetime | None = None) -> None:
    """Exempt a task from supervision (免于督办) with a reason; its pending notices are cancelled."""
    if not reason.strip():
        raise StoreError("免于督办必须写明理由")
    task = task_row(session, task_id)
    task.status = "waived"
    cancel_pending(session, task_id, by, f"免于督办：{reason}", now=now)
    audit(session, by, "task.waive", "task", task_id, {"reason": reason}, now)
