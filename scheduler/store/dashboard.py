"""What the dashboard and the task lists read from the store beyond the tasks' facts: who was urged
lately (it keeps a task yellow), the day each task was signed off, and the review queue's counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.escalation.status import URGED_DAYS
from scheduler.ladder import ESCALATION_LEVELS, REVIEWABLE_STATUSES
from scheduler.store import schema as m

SETTLED_AWAY = ("cancelled", "rejected", "folded")  # notices that never reached the unit


def urged_pairs(session: Session, plan_ids: Sequence[str], as_of: date) -> set[tuple[str, str]]:
    """Return the (task, unit) pairs urged, warned or summoned in the URGED_DAYS days up to `as_of`."""
    rows = session.execute(
        select(m.Notice.task_id, m.Notice.unit).distinct().where(
            m.Notice.plan_id.in_(list(plan_ids)),
            m.Notice.level.in_(sorted(ESCALATION_LEVELS)),
            m.Notice.status.not_in(SETTLED_AWAY),
            m.Notice.created_on > as_of - timedelta(days=URGED_DAYS),
            m.Notice.created_on <= as_of,
        )
    )
    return {(t, u) for t, u in rows if t}


def signoff_days(session: Session, plan_ids: Sequence[str]) -> dict[str, date]:
    """Return task id -> the day of its latest sign-off (销号), for the plans' tasks signed off."""
    return dict(session.execute(
        select(m.SignOff.task_id, func.max(m.SignOff.on)).join(m.Task, m.Task.id == m.SignOff.task_id)
        .where(m.Task.plan_id.in_(list(plan_ids))).group_by(m.SignOff.task_id)
    ).all())


def review_counts(session: Session, plan_ids: Sequence[str] | None = None) -> dict[str, int]:
    """Return review status -> the number of escalations in it (pending_review, held), of the
    plans `plan_ids` (None: every plan)."""
    query = select(m.Notice.status, func.count()).where(m.Notice.needs_review.is_(True),
                                                        m.Notice.status.in_(REVIEWABLE_STATUSES))
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(list(plan_ids)))
    return dict(session.execute(query.group_by(m.Notice.status)).all())

