"""The review queue as the console pages it: escalations awaiting a coordinator, filtered and counted.

Decisions themselves go through scheduler.store.notices.decide_notices (audited); this module reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from scheduler.ladder import REVIEWABLE_STATUSES
from scheduler.store import schema as m


@dataclass(frozen=True)
class QueueFilter:
    """Which escalations to list: a plan, a level, the units of a county, some review statuses."""

    plan: str = ""
    level: str = ""
    units: tuple[str, ...] | None = None  # None: any unit
    statuses: tuple[str, ...] = REVIEWABLE_STATUSES
    plans: tuple[str, ...] | None = None  # the plans of the user's offices; None: every plan
    q: str = ""  # the search box: every word in the task's title, the unit or the task number
    since: date | None = None  # created on or after
    until: date | None = None  # created on or before


@dataclass(frozen=True)
class QueueItem:
    """One escalation in the queue with its task's title."""

    id: int
    key: str
    level: str
    plan: str
    task: str
    title: str
    unit: str
    due: date | None
    created_on: date
    status: str
    explanation: str
    review_reason: str


def _filtered(flt: QueueFilter) -> Select:
    query = (select(m.Notice.id).outerjoin(m.Task, m.Task.id == m.Notice.task_id)
             .where(m.Notice.needs_review.is_(True), m.Notice.status.in_(flt.statuses)))
    if flt.plan:
        query = query.where(m.Notice.plan_id == flt.plan)
    if flt.level:
        query = query.where(m.Notice.level == flt.level)
    if flt.units is not None:
        query = query.where(m.Notice.unit.in_(flt.units))
    if flt.plans is not None:
        query = query.where(m.Notice.plan_id.in_(flt.plans))
    if flt.since is not None:
        query = query.where(m.Notice.created_on >= flt.since)
    if flt.until is not None:
        query = query.where(m.Notice.created_on <= flt.until)
    for word in flt.q.split():
        like = f"%{word}%"
        query = query.where(or_(m.Task.title.ilike(like), m.Notice.unit.ilike(like), m.Notice.task_id.ilike(like)))
    return query


def queue_count(session: Session, flt: QueueFilter) -> int:
    return session.scalar(select(func.count()).select_from(_filtered(flt).subquery())) or 0


def queue_items(session: Session, flt: QueueFilter, offset: int, limit: int) -> list[QueueItem]:
    """Return one page of the queue, oldest first."""
    rows = session.execute(
        _filtered(flt).with_only_columns(
            m.Notice.id, m.Notice.key, m.Notice.level, m.Notice.plan_id, m.Notice.task_id, m.Task.title, m.Notice.unit,
            m.Notice.due, m.Notice.created_on, m.Notice.status, m.Notice.explanation, m.Notice.review_reason)
        .order_by(m.Notice.created_on, m.Notice.id).limit(limit).offset(offset)
    ).all()
    return [QueueItem(i, key, level, plan, task or "", title or "", unit, due, created_on, status, explanation,
                      reason) for i, key, level, plan, task, title, unit, due, created_on, status, explanation, reason
            in rows]


def queue_ids(session: Session, flt: QueueFilter) -> list[int]:
    """Return the ids of every escalation the filter matches (a batch decision takes them all)."""
    return list(session.scalars(_filtered(flt)))



def ids_outside_plans(session: Session, ids: list[int], plans: list[str]) -> list[int]:
    """Return those of `ids` whose notice belongs to none of `plans` (an id naming no notice counts
    as outside: the decision refuses what it cannot place)."""
    inside: set[int] = set()
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        inside.update(session.scalars(select(m.Notice.id).where(m.Notice.id.in_(part), m.Notice.plan_id.in_(plans))))
    return [i for i in wanted if i not in inside]
