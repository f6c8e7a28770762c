"""未来将发出: what would go out over the coming days if nothing changes, for the user's offices.

The page runs the same preview as `duban preview` (scheduler.preview): the real sweep, day by day,
in a scratch store that is rolled back, so opening it writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from scheduler.preview import Preview, preview, sweeper
from scheduler.runtime import Runtime
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import staff
from scheduler.web.core import WebContext, db, page, web
from scheduler.web.labels import page_names
from scheduler.web.offices import user_offices

router = APIRouter(include_in_schema=False)
DEFAULT_DAYS = 7  # a working week ahead
MAX_PAGE_DAYS = 31  # each day is a sweep: a month is as far as a page should wait for


def _day(text: str, default: date) -> date:
    if not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"日期应为 YYYY-MM-DD：{text}") from None


def preview_data(session: Session, ctx: WebContext, user: WebUser, start: date, end: date,
                 unit: str = "") -> dict[str, Any]:
    """Run the preview for the user's offices and return what the page shows."""
    if (end - start).days >= MAX_PAGE_DAYS:
        raise StoreError(f"页面一次最多预览 {MAX_PAGE_DAYS} 天；更长的时段请用 duban preview")
    runtime = Runtime(ctx.config)
    try:
        result: Preview = preview(ctx.store, sweeper(runtime), ctx.calendar.is_workday, start, end,
                                  issuer_for=ctx.config.letter_issuers.for_region, unit=unit.strip() or None,
                                  offices=user_offices(session, user))
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    return {"preview": result, "start": start, "end": end, "unit": unit.strip(), "totals": result.totals()}


@router.get("/preview")
def preview_page(request: Request, start: str = "", end: str = "", unit: str = "", user: WebUser = Depends(staff),
                 session: Session = Depends(db)):
    ctx = web(request)
    first = _day(start, ctx.today())
    last = _day(end, first + timedelta(days=DEFAULT_DAYS - 1))
    return page(request, "preview.html", user, **preview_data(session, ctx, user, first, last, unit),
                names=page_names(session, ctx))
