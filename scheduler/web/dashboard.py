"""The dashboard: 红黄绿灯 by county and by unit, and overdue tasks over time (inline SVG).

It shows the plans of the user's offices only, as of a chosen day: by default today while one of
them is still running, else the last day swept, so a finished season is shown as it ended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from scheduler.escalation.status import AT_RISK_DAYS, STATES, URGED_DAYS
from scheduler.store import task_facts
from scheduler.store.catalog import PlanRow, plan_rows, unit_rows
from scheduler.store.dashboard import review_counts, signoff_days, urged_pairs
from scheduler.store.deliverylog import dead_delivery_count
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.store.sweeps import last_swept_day
from scheduler.sweep import open_plan_ids
from scheduler.web import status
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import WebContext, db, page, web
from scheduler.web.offices import office_table, user_plans

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


def default_as_of(plans: Sequence[PlanRow], today: date, last_swept: date | None) -> date:
    """Return the day the dashboard shows by default: today while a shown plan still runs, else
    the last day swept (a finished season as it ended), never later than today."""
    if any(p.period_start <= today <= p.period_end for p in plans) or last_swept is None:
        return today
    return min(today, last_swept)


def dashboard_data(session: Session, ctx: WebContext, wanted: str | None = None, *,
                   plan_ids: Sequence[str] | None = None, as_of: date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain values (the page and the API share it).

    `plan_ids` are the plans the user may see (None: every plan), `as_of` the day to show."""
    today = ctx.today()
    allowed = None if plan_ids is None else set(plan_ids)
    every = [p for p in plan_rows(session) if allowed is None or p.id in allowed]
    chosen, selected = scoped_plans(every, ctx, wanted)
    periods = [p for p in every if p.id in chosen]
    if as_of is None:
        as_of = default_as_of(periods, today, last_swept_day(session, before=today + timedelta(days=1)))
    facts = task_facts(session, as_of, plan_ids=chosen, heating=ctx.config.heating_season_start)
    counties = unit_counties(session)
    by_county, by_unit = status.lights(facts, as_of, counties, urged_pairs(session, chosen, as_of))
    start = min((p.period_start for p in periods), default=as_of)
    days = status.sample_days(min(start, as_of), as_of)
    series = status.overdue_series(facts, signoff_days(session, chosen), days)
    queue = review_counts(session, plan_ids)
    total = sum((t.counts for t in by_county), start=Counter())
    return {
        "as_of": as_of,
        "plans": [{"id": p.id, "title": p.title} for p in every],
        "plan_ids": chosen,
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


def as_of_param(text: str) -> date | None:
    """Read the page's 截至 date (YYYY-MM-DD); empty means the default."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text}") from None


def tally_json(tally: status.Tally) -> dict[str, Any]:
    return {"name": tally.name, "lamp": tally.lamp, **{s: tally.counts[s] for s in STATES}}


@router.get("/dashboard")
def dashboard(request: Request, plan: str = "", as_of: str = "", user: WebUser = Depends(staff),
              session: Session = Depends(db)):
    plan_ids = user_plans(session, user, office_table(request))
    data = dashboard_data(session, web(request), plan or None, plan_ids=plan_ids, as_of=as_of_param(as_of))
    return page(request, "dashboard.html", user, **data)
