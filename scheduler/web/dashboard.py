"""The dashboard: 红黄绿灯 by county and by unit, and overdue tasks over time (inline SVG)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, Request

from scheduler.escalation.status import AT_RISK_DAYS, STATES, URGED_DAYS
from scheduler.store import task_facts
from scheduler.store.catalog import PlanRow, plan_rows, unit_rows
from scheduler.store.dashboard import review_counts, signoff_days, urged_pairs
from scheduler.store.deliverylog import dead_delivery_count
from scheduler.store.session import Session
from scheduler.sweep import open_plan_ids
from scheduler.web import status
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import WebContext, db, page, web

router = APIRouter(include_in_schema=False)
ALL = "all"


def unit_counties(session: Session) -> dict[str, str]:
    """Return unit name -> county (or 市直部门) for every unit in the store."""
    return {u.name: status.county_of(u.name, u.kind, u.region) for u in unit_rows(session)}


def scoped_plans(every: list[PlanRow], ctx: WebContext, wanted: str | None) -> tuple[list[str], str]:
    """Return the plan ids to show and the selector's value: by default the plans the service still
    sweeps today, or every plan when none is open any more."""
    ids = [p.id for p in every]
    if wanted and wanted in ids:
        return [wanted], wanted
    if wanted == ALL:
        return ids, ALL
    grace = ctx.config.service.closed_plan_grace_days
    live = open_plan_ids([(p.id, p.period_start, p.period_end) for p in every], ctx.today(), grace)
    return (live, "") if live else (ids, "")


def dashboard_data(session: Session, ctx: WebContext, wanted: str | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain values (the page and the API share it)."""
    as_of = ctx.today()
    every = plan_rows(session)
    plan_ids, selected = scoped_plans(every, ctx, wanted)
    facts = task_facts(session, as_of, plan_ids=plan_ids, heating=ctx.config.heating_season_start)
    counties = unit_counties(session)
    by_county, by_unit = status.lights(facts, as_of, counties, urged_pairs(session, plan_ids, as_of))
    periods = [p for p in every if p.id in plan_ids]
    start = min((p.period_start for p in periods), default=as_of)
    days = status.sample_days(min(start, as_of), as_of)
    series = status.overdue_series(facts, signoff_days(session, plan_ids), days)
    queue = review_counts(session)
    total = sum((t.counts for t in by_county), start=Counter())
    return {
        "as_of": as_of,
        "plans": [{"id": p.id, "title": p.title} for p in every],
        "plan_ids": plan_ids,
        "selected": selected,
        "totals": {s: total[s] for s in STATES},
        "states": STATES,
        "at_risk_days": AT_RISK_DAYS,
        "urged_days": URGED_DAYS,
        "by_county": by_county,
        "by_unit": by_unit,
        "series": [{"day": d.isoformat(), "overdue": v} for d, v in zip(days, series)],
        "chart": status.chart(days, series),
        "pending_review": queue.get("pending_review", 0),
        "held": queue.get("held", 0),
        "dead_deliveries": dead_delivery_count(session),
    }


def tally_json(tally: status.Tally) -> dict[str, Any]:
    return {"name": tally.name, "lamp": tally.lamp, **{s: tally.counts[s] for s in STATES}}


@router.get("/dashboard")
def dashboard(request: Request, plan: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    return page(request, "dashboard.html", user, **dashboard_data(session, web(request), plan or None))
