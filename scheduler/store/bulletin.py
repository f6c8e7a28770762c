"""The store edge of the 通报: read a region's tasks, letters, unit kinds and plans for a period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.escalation.status import COUNTED_ROLES
from scheduler.ladder import LETTER_LEVELS
from scheduler.letters.bulletin.ranking import LetterRecord, Period, TaskRecord
from scheduler.letters.content import PlanBasis
from scheduler.store import schema as m
from scheduler.store.taskfacts import task_facts


def _progress(reports: Sequence[Any]) -> str:
    if not reports:
        return "未报送进展"
    last = reports[-1]
    if last.status == "done":
        return "已报完成，待销号"
    return f"已完成{last.percent}%" if last.percent is not None else "推进中"


def bulletin_facts(
    session: Session, region: str, period: Period,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
) -> tuple[list[TaskRecord], list[LetterRecord], dict[str, str], list[PlanBasis]]:
    """Read the tasks, letters and unit kinds of `region`'s plans that run during the period."""
    plans = list(session.scalars(
        select(m.Plan).where(m.Plan.region == region, m.Plan.period_start <= period.end,
                             m.Plan.period_end >= period.start).order_by(m.Plan.period_start, m.Plan.id)
    ))
    plan_ids = [p.id for p in plans]
    signed = dict(session.execute(
        select(m.SignOff.task_id, func.max(m.SignOff.on))
        .join(m.Task, m.Task.id == m.SignOff.task_id)
        .where(m.Task.plan_id.in_(plan_ids)).group_by(m.SignOff.task_id)
    ).all())
    tasks = []
    for facts in task_facts(session, period.end, plan_ids, heating):
        # one record per view: a unit with its own approved extension is counted at its own date
        for view in facts.by_unit():
            units = tuple(dict.fromkeys(a.unit for a in view.assignments if a.role in COUNTED_ROLES))
            if not units and view is not facts:
                continue  # an extended unit that only cooperates is accountable for nothing
            tasks.append(TaskRecord(
                task_id=facts.task_id,
                title=facts.title,
                due=view.deadline.due[-1] if view.deadline.due else None,
                done_on=signed.get(facts.task_id) if facts.status == "signed_off" else None,
                units=units,
                progress=_progress(facts.reports),
                waived=facts.status == "waived",
                reported_on=min((r.on for r in facts.reports if r.status == "done"), default=None),
            ))
    letters = [
        LetterRecord(key, unit, level, sent_on, acknowledged_on)
        for key, unit, level, sent_on, acknowledged_on in session.execute(
            select(m.Notice.key, m.Notice.unit, m.Notice.level, m.Notice.sent_on, m.Notice.acknowledged_on)
            .where(m.Notice.plan_id.in_(plan_ids), m.Notice.level.in_(LETTER_LEVELS),
                   m.Notice.sent_on >= period.start, m.Notice.sent_on <= period.end)
            .order_by(m.Notice.id)
        )
        if sent_on is not None  # the query asks for sent ones; this tells the type checker
    ]
    kinds = dict(session.execute(select(m.Unit.name, m.Unit.kind)).all())
    bases = [PlanBasis(p.title, (p.meta or {}).get("document_number", ""), (p.meta or {}).get("assessment_clause", ""))
             for p in plans]
    return tasks, letters, kinds, bases


def regions_with_plans(session: Session, period: Period) -> list[str]:
    """Return the regions that have a plan running during the period."""
    return sorted(set(session.scalars(
        select(m.Plan.region).where(m.Plan.period_start <= period.end, m.Plan.period_end >= period.start)
    )))
