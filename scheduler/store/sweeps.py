"""Sweep bookkeeping: which business days were swept, claimed insert-or-nothing by one instance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import models as m
from scheduler.store.repo import _insert


def plan_periods(session: Session) -> list[tuple[str, date, date]]:
    """Return (plan id, period start, period end) so the sweep can pick the plans still open."""
    return [tuple(row) for row in session.execute(select(m.Plan.id, m.Plan.period_start, m.Plan.period_end))]


def last_swept_day(session: Session, before: date) -> date | None:
    """Return the latest swept business day before `before`, where a catch-up starts from."""
    return session.scalar(select(func.max(m.SweepRun.business_day)).where(m.SweepRun.business_day < before))


def claim_sweep_run(session: Session, day: date, instance: str, now: datetime | None = None) -> bool:
    """Insert the day's run record and commit; True only for the one caller whose insert took effect."""
    statement = (
        _insert(session, m.SweepRun)
        .values(business_day=day, instance=instance, started_at=now or clock.now(), created=0)
        .on_conflict_do_nothing(index_elements=["business_day"])
        .returning(m.SweepRun.business_day)
    )
    claimed = session.execute(statement).first() is not None
    session.commit()
    return claimed


def record_sweep_run(session: Session, day: date, instance: str, created: int, now: datetime | None = None) -> None:
    """Record that `day` was swept (claiming it if nobody did), adding to its created count."""
    now = now or clock.now()
    session.execute(
        _insert(session, m.SweepRun)
        .values(business_day=day, instance=instance, started_at=now, created=0)
        .on_conflict_do_nothing(index_elements=["business_day"])
    )
    session.execute(
        update(m.SweepRun)
        .where(m.SweepRun.business_day == day)
        .values(finished_at=now, created=m.SweepRun.created + created)
    )
