"""Repository functions: read the store into plain facts, write notices and people's decisions.

Every change a person makes is written to the audit log in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.deadlines import Deadline, DeadlineContext, find_milestones
from scheduler.ledger import task_deadline
from scheduler.facts import Action, PastNotice, TaskFacts
from scheduler.facts import Assignment as AssignmentFact
from scheduler.facts import ProgressReport as ReportFact
from scheduler.store import models as m

__all__ = [
    "audit",
    "plan_periods",
    "last_swept_day",
    "claim_sweep_run",
    "record_sweep_run",
    "task_facts",
    "created_on_day",


    "history",
    "existing_keys",
    "insert_notices",
    "review_queue",
    "decide_notices",
    "notice_by_key",
    "report_progress",
    "sign_off",
    "set_deadline",
    "waive",
    "request_extension",
    "decide_extension",
    "acknowledge",
    "cancel_pending",
    "notice_json",
    "PENDING",
    "StoreError",
]

PENDING = ("queued", "pending_review", "approved", "held")  # not yet delivered or decided away
CHUNK = 500
INSERT_CHUNK = 5000  # notices per executemany; bounds the rows held at once


class StoreError(Exception):
    """A request the store cannot carry out (unknown task, wrong state); message in Chinese."""


def audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    session.add(
        m.AuditEntry(
            at=now or clock.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
        )
    )


# --- sweep bookkeeping ---------------------------------------------------------------------


def plan_periods(session: Session) -> list[tuple[str, date, date]]:
    return list(session.execute(select(m.Plan.id, m.Plan.period_start, m.Plan.period_end)))


def last_swept_day(session: Session, before: date) -> date | None:
    return session.scalar(
        select(func.max(m.SweepRun.business_day)).where(m.SweepRun.business_day < before)
    )


def _insert(session: Session, table):
    return (
        postgresql.insert(table)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(table)
    )


def claim_sweep_run(
    session: Session, day: date, instance: str, now: datetime | None = None
) -> bool:
    """Insert the day's run record; True only for the one caller whose insert took effect."""
    statement = (
        _insert(session, m.SweepRun)
        .values(
            business_day=day,
            instance=instance,
            started_at=now or clock.now(),
            created=0,
        )
        .on_conflict_do_nothing(index_elements=["business_day"]).returning(m.SweepRun.business_day)
    )
    claimed = session.execute(statement).first() is not None
    session.commit()
    return claimed


def record_sweep_run(
    session: Session, day: date, instance: str, created: int, now: datetime | None = None
) -> None:
    """Record that `day` was swept (claiming it if nobody did), adding to its created count."""
    now = now or clock.now()
    session.execute(
        _insert(session, m.SweepRun)
        .values(
            business_day=day,
            instance=instance,
            started_at=now,
            created=0,
        )
        .on_conflict_do_nothing(index_elements=["business_day"])
    )
    session.execute(
        update(m.SweepRun)
        .where(m.SweepRun.business_day == day)
        .values(finished_at=now, created=m.SweepRun.created + created)
    )


# --- facts for rule evaluation ------------------------------------------------------------


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def task_facts(
    session: Session,
    as_of: date,
    plan_ids: Sequence[str] | None = None,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
) -> list[TaskFacts]:
    """Return the facts of every open task of `plan_ids` (all plans when None) as of `as_of`."""
    plans = {p.id: p for p in session.scalars(select(m.Plan))}
    wanted = set(plans) if plan_ids is None else set(plan_ids)
    contexts = {
        pid: DeadlineContext(
            plan_year=p.plan_year,
            period_start=p.period_start,
            period_end=p.period_end,
            heating_season_start=heating(p.region),
        )
        for pid, p in plans.items()
    }
    rows = session.execute(
        select(
            m.Task.id,
            m.Task.plan_id,
            m.Task.title,
            m.Task.measures,
            m.Task.deadline_text,
            m.Task.standing,
            m.Task.status,
        )
        .where(m.Task.plan_id.in_(wanted), m.Task.removed.is_(False))
        .order_by(m.Task.plan_id, m.Task.position)
    ).all()
    assignments: dict[str, list[AssignmentFact]] = defaultdict(list)
    for task_id, unit, role in session.execute(
        select(m.Assignment.task_id, m.Assignment.unit, m.Assignment.role)
        .join(m.Task, m.Task.id == m.Assignment.task_id)
        .where(m.Task.plan_id.in_(wanted))
        .order_by(m.Assignment.id)
    ):
        assignments[task_id].append(AssignmentFact(unit, role))
    reports: dict[str, list[ReportFact]] = defaultdict(list)
    for r in session.execute(
        select(
            m.ProgressReport.task_id,
            m.ProgressReport.unit,
            m.ProgressReport.on,
            m.ProgressReport.percent,
            m.ProgressReport.status,
            m.ProgressReport.note,
        )
        .where(m.ProgressReport.on <= as_of)
        .order_by(m.ProgressReport.on, m.ProgressReport.id)
    ):
        reports[r.task_id].append(ReportFact(r.unit, r.on, r.percent, r.status, r.note))
    overrides: dict[str, tuple[date, str, date]] = {}
    for o in session.execute(
        select(
            m.DeadlineOverride.task_id,
            m.DeadlineOverride.due,
            m.DeadlineOverride.kind,
            m.DeadlineOverride.at,
        ).order_by(m.DeadlineOverride.at, m.DeadlineOverride.id)
    ):
        overrides[o.task_id] = (o.due, o.kind, o.at.date())
    parsed: dict[tuple[str, str, bool], Deadline] = {}
    milestones: dict[tuple[str, str], tuple] = {}
    facts = []
    for row in rows:
        plan = plans[row.plan_id]
        cache_key = (row.plan_id, row.deadline_text, row.standing)
        if cache_key not in parsed:
            parsed[cache_key] = task_deadline(row.deadline_text, row.standing, contexts[row.plan_id])
        deadline = parsed[cache_key]
        changed_on = None
        if row.id in overrides:
            due, kind, changed_on = overrides[row.id]
            label = "协调人补录时限" if kind == "external_date" else "批准延期"
            deadline = Deadline(
                text=row.deadline_text,
                kind="due",
                due=(due,),
                notes=(*deadline.notes, f"{label}：{due.isoformat()}"),
            )
        measure_key = (row.plan_id, row.measures)
        if measure_key not in milestones:
            milestones[measure_key] = tuple(find_milestones(row.measures, contexts[row.plan_id]))
        facts.append(
            TaskFacts(
                task_id=row.id,
                plan_id=row.plan_id,
                title=row.title,
                deadline=deadline,
                milestones=milestones[measure_key],
                assignments=tuple(assignments.get(row.id, ())),
                status=row.status,
                reports=tuple(reports.get(row.id, ())),
                region=plan.region,
                plan_period_start=plan.period_start,
                plan_period_end=plan.period_end,
                deadline_changed_on=changed_on,
            )
        )
    return facts


def history(
    session: Session, plan_ids: Sequence[str] | None = None
) -> dict[tuple[str | None, str], list[PastNotice]]:
    """Return every notice as escalation history, keyed by (task id, unit)."""
    query = select(
        m.Notice.key,
        m.Notice.level,
        m.Notice.rule_id,
        m.Notice.task_id,
        m.Notice.unit,
        m.Notice.created_on,
        m.Notice.status,
        m.Notice.acknowledged_on,
        m.Notice.sent_on,
    )
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(plan_ids))
    result: dict[tuple[str | None, str], list[PastNotice]] = defaultdict(list)
    for n in session.execute(query.order_by(m.Notice.id)):
        result[(n.task_id, n.unit)].append(
            PastNotice(
                key=n.key,
                level=n.level,
                rule_id=n.rule_id,
                task_id=n.task_id,
                unit=n.unit,
                created_on=n.created_on,
                status=n.status,
                acknowledged_on=n.acknowledged_on,
                sent_on=n.sent_on,
            )
        )
    return result


def created_on_day(session: Session, day: date, plan_ids: Sequence[str] | None = None) -> int:
    """Count the notices an earlier sweep of `day` already created."""
    query = select(func.count()).select_from(m.Notice).where(m.Notice.created_on == day)
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(plan_ids))
    return session.scalar(query) or 0


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(keys)):
        found.update(session.scalars(select(m.Notice.key).where(m.Notice.key.in_(chunk))))
    return found


def _notice_row(action: Action, business_day: date) -> dict[str, Any]:
    folded = action.kind.endswith("|folded")
    return dict(
        key=action.key,
        plan_id=action.plan_id,
        task_id=action.task_id,
        unit=action.unit,
        level=action.level,
        kind=action.kind.removesuffix("|folded"),
        due=action.due,
        rule_id=action.rule_id,
        ruleset_id=action.ruleset_id,
        ruleset_version=action.ruleset_version,
        rule_snapshot=action.rule_snapshot,
        facts=action.facts,
        clause=action.clause,
        explanation=action.explanation,
        needs_review=action.needs_review,
        created_on=business_day,
        review_reason="",
        status="folded" if folded else "pending_review" if action.needs_review else "queued",
        version_id=1,
    )


def insert_notices(session: Session, actions: Sequence[Action], business_day: date) -> list[Action]:
    """Insert notices under their unique keys, doing nothing on conflict; return the new ones."""
    # One cached statement run as executemany: SQLAlchemy batches it into multi-row VALUES with
    # RETURNING ("insertmanyvalues"), instead of compiling a fresh 500-row statement per chunk.
    statement = (
        _insert(session, m.Notice.__table__)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(m.Notice.key)
    )
    created: list[Action] = []
    for chunk in _chunks(list(actions), INSERT_CHUNK):
        new_keys = set(
            session.execute(statement, [_notice_row(a, business_day) for a in chunk]).scalars()
        )
        created.extend(a for a in chunk if a.key in new_keys)
    return created


# --- review queue ---------------------------------------------------------------------------


def notice_json(n: m.Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "key": n.key,
        "level": n.level,
        "kind": n.kind,
        "task": n.task_id or "",
        "unit": n.unit,
        "due": n.due.isoformat() if n.due else None,
        "rule": n.rule_id,
        "plan": n.plan_id,
        "status": n.status,
        "created_on": n.created_on.isoformat(),
        "explanation": n.explanation,
        "clause": n.clause,
        "facts": n.facts,
        "ruleset": f"{n.ruleset_id}@{n.ruleset_version}",
        "rule_snapshot": n.rule_snapshot,
        "reviewed_by": n.reviewed_by,
        "review_reason": n.review_reason,
        "acknowledged_on": n.acknowledged_on.isoformat() if n.acknowledged_on else None,
    }


def review_queue(
    session: Session,
    *,
    plan: str | None = None,
    level: str | None = None,
    statuses: Sequence[str] = ("pending_review", "held"),
) -> list[m.Notice]:
    query = select(m.Notice).where(m.Notice.needs_review.is_(True), m.Notice.status.in_(statuses))
    if plan:
        query = query.where(m.Notice.plan_id == plan)
    if level:
        query = query.where(m.Notice.level == level)
    return list(session.scalars(query.order_by(m.Notice.created_on, m.Notice.id)))


DECISIONS = {"approve": "approved", "hold": "held", "reject": "rejected"}


def decide_notices(
    session: Session,
    ids: Sequence[int] | None,
    decision: str,
    by: str,
    reason: str = "",
    now: datetime | None = None,
) -> list[m.Notice]:
    """Approve, hold or reject escalations awaiting review (ids None = the whole queue)."""
    if decision not in DECISIONS:
        raise StoreError(f"未知的审核决定：{decision}")
    if decision == "reject" and not reason.strip():
        raise StoreError("驳回必须写明理由（--reason）")
    now = now or clock.now()
    notices = (
        review_queue(session)
        if ids is None
        else list(session.scalars(select(m.Notice).where(m.Notice.id.in_(ids))))
    )
    if ids is not None:
        missing = set(ids) - {n.id for n in notices}
        if missing:
            raise StoreError(f"没有这些待审事项：{sorted(missing)}")
    for notice in notices:
        if notice.status not in ("pending_review", "held"):
            raise StoreError(f"事项 {notice.id} 当前状态为 {notice.status}，不能再审核")
        before = notice.status
        notice.status = DECISIONS[decision]
        notice.reviewed_by, notice.reviewed_at, notice.review_reason = by, now, reason
        audit(
            session,
            by,
            f"notice.{decision}",
            "notice",
            notice.key,
            {"from": before, "to": notice.status, "reason": reason},
            now,
        )
    return notices


def notice_by_key(session: Session, key: str) -> m.Notice | None:
    return session.scalar(select(m.Notice).where(m.Notice.key == key))


def acknowledge(session: Session, key: str, by: str, on: date, now: datetime | None = None) -> None:
    """Record receipt (签收) of a letter: it pauses the escalation timer, it does not close it."""
    notice = notice_by_key(session, key)
    if notice is None:
        raise StoreError(f"没有此通知：{key}")
    notice.acknowledged_on = notice.acknowledged_on or on
    audit(session, by, "notice.acknowledge", "notice", key, {"on": on.isoformat()}, now)


# --- progress, sign-off, dates --------------------------------------------------------------


def _task(session: Session, task_id: str) -> m.Task:
    task = session.get(m.Task, task_id)
    if task is None:
        raise StoreError(f"没有此任务：{task_id}")
    return task


def cancel_pending(
    session: Session,
    task_id: str,
    by: str,
    reason: str,
    keep: Callable[[m.Notice], bool] = lambda n: False,
    now: datetime | None = None,
) -> int:
    """Cancel the task's notices that were not delivered yet and no longer apply."""
    cancelled = 0
    for notice in session.scalars(
        select(m.Notice).where(m.Notice.task_id == task_id, m.Notice.status.in_(PENDING))
    ):
        if keep(notice):
            continue
        notice.status = "cancelled"
        audit(session, by, "notice.cancel", "notice", notice.key, {"reason": reason}, now)
        cancelled += 1
    return cancelled


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
    task = _task(session, task_id)
    if status not in ("in_progress", "done", "blocked"):
        raise StoreError(f"进展状态应为 in_progress、done 或 blocked：{status}")
    if percent is not None and not 0 <= percent <= 100:
        raise StoreError("完成百分比应在 0 到 100 之间")
    session.add(
        m.ProgressReport(
            task_id=task_id, unit=unit, on=on, status=status, percent=percent, note=note, by=by
        )
    )
    if percent is not None:
        task.percent = percent
    if status == "done" and task.status == "open":
        task.status = "reported_done"  # pauses escalation until a coordinator verifies
    audit(
        session,
        by,
        "task.progress",
        "task",
        task_id,
        {"unit": unit, "status": status, "percent": percent, "note": note, "on": on.isoformat()},
        now,
    )


def sign_off(
    session: Session, task_id: str, by: str, on: date, note: str = "", now: datetime | None = None
) -> None:
    """Sign the task off (销号): it stops every reminder and escalation."""
    task = _task(session, task_id)
    task.status = "signed_off"
    session.add(m.SignOff(task_id=task_id, on=on, by=by, note=note))
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
    """Set the date an external deadline left open (or apply an approved extension)."""
    _task(session, task_id)
    now = now or clock.now()
    session.add(
        m.DeadlineOverride(task_id=task_id, due=due, kind=kind, reason=reason, by=by, at=now)
    )
    cancel_pending(
        session,
        task_id,
        by,
        f"时限改为 {due.isoformat()}",
        keep=lambda n: n.due is None or n.due == due,
        now=now,
    )
    audit(
        session,
        by,
        f"task.{kind}",
        "task",
        task_id,
        {"due": due.isoformat(), "reason": reason},
        now,
    )


def waive(
    session: Session, task_id: str, by: str, reason: str, now: datetime | None = None
) -> None:
    if not reason.strip():
        raise StoreError("免于督办必须写明理由")
    task = _task(session, task_id)
    task.status = "waived"
    cancel_pending(session, task_id, by, f"免于督办：{reason}", now=now)
    audit(session, by, "task.waive", "task", task_id, {"reason": reason}, now)


def request_extension(
    session: Session,
    task_id: str,
    unit: str,
    requested_due: date,
    reason: str,
    by: str,
    now: datetime | None = None,
) -> m.ExtensionRequest:
    _task(session, task_id)
    if not reason.strip():
        raise StoreError("申请延期必须写明理由")
    now = now or clock.now()
    request = m.ExtensionRequest(
        task_id=task_id,
        unit=unit,
        requested_due=requested_due,
        reason=reason,
        status="pending",
        by=by,
        at=now,
    )
    session.add(request)
    session.flush()
    audit(
        session,
        by,
        "extension.request",
        "task",
        task_id,
        {"unit": unit, "due": requested_due.isoformat(), "reason": reason, "id": request.id},
        now,
    )
    return request


def decide_extension(
    session: Session,
    request_id: int,
    approve: bool,
    by: str,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    request = session.get(m.ExtensionRequest, request_id)
    if request is None or request.status != "pending":
        raise StoreError(f"没有待审批的延期申请：{request_id}")
    now = now or clock.now()
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at, request.decision_reason = by, now, reason
    if approve:
        set_deadline(
            session,
            request.task_id,
            request.requested_due,
            by,
            f"批准延期：{request.reason}",
            kind="extension",
            now=now,
        )
    audit(
        session,
        by,
        "extension.approve" if approve else "extension.reject",
        "task",
        request.task_id,
        {"id": request_id, "reason": reason},
        now,
    )
