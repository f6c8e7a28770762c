"""The dashboard: 红黄绿灯 by county and by unit, and overdue tasks over time (inline SVG)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store import task_facts
from scheduler.sweep import open_plan_ids
from scheduler.web import status
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import WebContext, db, page, web

router = APIRouter(include_in_schema=False)
ALL = "all"


def plans(session: Session) -> list[m.Plan]:
    return list(session.scalars(select(m.Plan).order_by(m.Plan.period_start, m.Plan.id)))


def unit_counties(session: Session) -> dict[str, str]:
    """Return unit name -> county (or 市直部门) for every unit in the store."""
    return {name: status.county_of(name, kind, region)
            for name, kind, region in session.execute(select(m.Unit.name, m.Unit.kind, m.Unit.region))}


def scoped_plans(session: Session, ctx: WebContext, wanted: str | None) -> tuple[list[str], str]:
    """Return the plan ids to show and the selector's value: by default the plans the service still
    sweeps today, or every plan when none is open any more."""
    every = plans(session)
    ids = [p.id for p in every]
    if wanted and wanted in ids:
        return [wanted], wanted
    if wanted == ALL:
        return ids, ALL
    grace = ctx.config.service.closed_plan_grace_days
    live = open_plan_ids([(p.id, p.period_start, p.period_end) for p in every], ctx.today(), grace)
    return (live, "") if live else (ids, "")


def urged_pairs(session: Session, plan_ids: list[str], as_of: date) -> set[tuple[str, str]]:
    """Return (task, unit) pairs urged, warned or summoned in the last URGED_DAYS days."""
    rows = session.execute(
        select(m.Notice.task_id, m.Notice.unit).distinct().where(
            m.Notice.plan_id.in_(plan_ids),
            m.Notice.level.in_(("urge", "warning", "interview")),
            m.Notice.status.not_in(("cancelled", "rejected", "folded")),
            m.Notice.created_on > as_of - timedelta(days=status.URGED_DAYS),
            m.Notice.created_on <= as_of,
        )
    )
    return {(t, u) for t, u in rows if t}


def dashboard_data(session: Session, ctx: WebContext, wanted: str | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain values (the page and the API share it)."""
    as_of = ctx.today()
    plan_ids, selected = scoped_plans(session, ctx, wanted)
    facts = task_facts(session, as_of, plan_ids=plan_ids, heating=ctx.config.heating_season_start)
    counties = unit_counties(session)
    by_county, by_unit = status.lights(facts, as_of, counties, urged_pairs(session, plan_ids, as_of))
    signoffs = dict(session.execute(
        select(m.SignOff.task_id, func.max(m.SignOff.on)).join(m.Task, m.Task.id == m.SignOff.task_id)
        .where(m.Task.plan_id.in_(plan_ids)).group_by(m.SignOff.task_id)
    ).all())
    periods = [p for p in plans(session) if p.id in plan_ids]
    start = min((p.period_start for p in periods), default=as_of)
    days = status.sample_days(min(start, as_of), as_of)
    series = status.overdue_series(facts, signoffs, days)
    queue = dict(session.execute(
        select(m.Notice.status, func.count()).where(m.Notice.needs_review.is_(True),
                                                    m.Notice.status.in_(("pending_review", "held")))
        .group_by(m.Notice.status)
    ).all())
    dead = session.scalar(select(func.count()).select_from(m.Delivery).where(m.Delivery.status == "dead")) or 0
    total = sum((t.counts for t in by_county), start=status.Counter())
    return {
        "as_of": as_of,
        "plans": [{"id": p.id, "title": p.title} for p in plans(session)],
        "plan_ids": plan_ids,
        "selected": selected,
        "totals": {s: total[s] for s in status.STATES},
        "by_county": by_county,
        "by_unit": by_unit,
        "series": [{"day": d.isoformat(), "overdue": v} for d, v in zip(days, series)],
        "chart": status.chart(days, series),
        "pending_review": queue.get("pending_review", 0),
        "held": queue.get("held", 0),
        "dead_deliveries": dead,
    }


def tally_json(tally: status.Tally) -> dict[str, Any]:
    return {"name": tally.name, "lamp": tally.lamp, **{s: tally.counts[s] for s in status.STATES}}


@router.get("/dashboard")
def dashboard(request: Request, plan: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    return page(request, "dashboard.html", user, **dashboard_data(session, web(request), plan or None))
