"""Sweep bookkeeping: which business days were swept, claimed insert-or-nothing by one instance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.store import schema as m
from scheduler.store.repo import _insert, audit


def plan_periods(session: Session) -> list[tuple[str, date, date]]:
    """Return (plan id, period start, period end) so the sweep can pick the plans still open."""
    return [(plan, start, end) for plan, start, end in
            session.execute(select(m.Plan.id, m.Plan.period_start, m.Plan.period_end))]


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


def record_sweep_calendar(session: Session, day: date, instance: str, sources: dict[str, str],
                          detail: dict[str, Any] | None = None, now: datetime | None = None) -> list[str]:
    """Audit which calendar (official file, library, provisional rule) each year of `day`'s sweep
    used; where a year's source differs from the previous sweep's (a provisional year replaced by
    the official one), add a calendar.replace entry first. Return the years replaced."""
    now = now or clock.now()
    # The newest sweep entry only: it is a day old, so the backward scan stops after a day's rows.
    previous = session.scalar(select(m.AuditEntry.detail).where(m.AuditEntry.action == "sweep.run")
                              .order_by(m.AuditEntry.id.desc()).limit(1))
    before: dict[str, str] = (previous or {}).get("calendar", {})
    replaced = []
    for year, source in sources.items():
        if before.get(year, source) != source:
            audit(session, instance, "calendar.replace", "calendar", year,
                  {"from": before[year], "to": source, "day": day.isoformat()}, now)
            replaced.append(year)
    audit(session, instance, "sweep.run", "sweep", day.isoformat(), {"calendar": sources, **(detail or {})}, now)
    return replaced
