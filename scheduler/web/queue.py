"""The escalation queue: filter by plan, level and county, preview the letter, and approve, hold
or reject one by one or in a batch. Decisions go through scheduler.store.decide_notices, which
writes who, when, what and why to the audit log in the same transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from scheduler.issuers import missing_issuer
from scheduler.ladder import LEVELS, REVIEW_LEVELS, REVIEWABLE_STATUSES
from scheduler.store import decide_notices
from scheduler.store import queue as stored
from scheduler.store.catalog import plan_rows
from scheduler.store.notices import ARRANGEMENT_FIELDS
from scheduler.store.offices import letters_without_issuer, unconfigured_plan_notes
from scheduler.store.records import task_record
from scheduler.store.repo import StoreError, chunks
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import db, int_or_none, page, web
from scheduler.web.dashboard import unit_counties
from scheduler.web.letters import letter_html, notice_or_404
from scheduler.web.offices import office_table, user_plans
from scheduler.web.paging import paging

router = APIRouter(include_in_schema=False)
REVIEWED_LEVELS = tuple(level for level in LEVELS if level in REVIEW_LEVELS)  # the levels the queue holds
STATUSES = {"": REVIEWABLE_STATUSES, **{status: (status,) for status in REVIEWABLE_STATUSES}}
DECISION_NAMES = {"approve": "批准", "hold": "暂缓", "reject": "驳回"}


@dataclass(frozen=True)
class QueueFilter:
    """The queue page's filter as the form and the URL carry it."""

    plan: str = ""
    level: str = ""
    county: str = ""
    status: str = ""
    q: str = ""
    since: str = ""  # YYYY-MM-DD, the day the sweep proposed it; anything else is ignored
    until: str = ""

    def query_string(self, **extra: Any) -> str:
        values = {k: v for k, v in {**self.__dict__, **extra}.items() if v not in ("", None)}
        return urlencode(values)

    def for_store(self, counties: dict[str, str], plan_ids: list[str] | None = None) -> stored.QueueFilter:
        """The store's filter, held to `plan_ids` (the plans of the user's offices; None: every plan)."""
        units = tuple(u for u, c in counties.items() if c == self.county) if self.county else None
        return stored.QueueFilter(self.plan, self.level, units, STATUSES.get(self.status, STATUSES[""]),
                                  plans=None if plan_ids is None else tuple(plan_ids), q=self.q.strip(),
                                  since=_day(self.since), until=_day(self.until))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def queue_data(session: Session, flt: QueueFilter, page_no: int = 1, *,
               plan_ids: list[str] | None = None) -> dict[str, Any]:
    """One page of the queue (oldest first) with its filter choices and the total count, held to
    `plan_ids` (the plans of the user's offices; None: every plan)."""
    counties = unit_counties(session)
    wanted = flt.for_store(counties, plan_ids)
    at = paging(stored.queue_count(session, wanted), page_no)
    items = [{**asdict(item), "county": counties.get(item.unit, "其他")}
             for item in stored.queue_items(session, wanted, at.offset, at.size)]
    return {
        "items": items, **at.values(), "filter": flt,
        "plans": [(p.id, p.title) for p in plan_rows(session) if plan_ids is None or p.id in plan_ids],
        "counties": sorted(set(counties.values())), "levels": REVIEWED_LEVELS, "statuses": REVIEWABLE_STATUSES,
    }


def decide(session: Session, ids: list[int] | None, flt: QueueFilter | None, decision: str, reason: str,
           by: str, now: datetime, arrangement: dict[str, str] | None = None, *,
           plan_ids: list[str] | None = None) -> list[int]:
    """Decide the given ids, or every item matching `flt`, and return the ids decided; all in the
    caller's transaction.
    `arrangement` is an interview's time, place, attendees and contact (required to approve one).
    With `plan_ids` (the plans of the user's offices) a batch reaches only those plans' items, and
    an id of another office's plan is refused, so one office cannot decide another's queue."""
    if decision not in DECISION_NAMES:
        raise StoreError(f"未知的审核决定：{decision}")
    if ids is None:
        if flt is None:
            raise StoreError("请选择事项")
        ids = stored.queue_ids(session, flt.for_store(unit_counties(session), plan_ids))
    if not ids:
        raise StoreError("请至少选择一个待审事项")
    if plan_ids is not None:
        outside = stored.ids_outside_plans(session, ids, plan_ids)
        if outside:
            raise StoreError(f"所选事项中有 {len(outside)} 项不属于本办的方案，未执行任何审核")
    done: list[int] = []
    for part in chunks(ids, 500):
        done += [n.id for n in decide_notices(session, list(part), decision, by, reason, now=now,
                                              arrangement=arrangement)]
    return done


@router.get("/queue")
def queue_page(request: Request, plan: str = "", level: str = "", county: str = "", status: str = "", q: str = "",
               since: str = "", until: str = "", page_no: int = 1, done: str = "", n: str = "",
               user: WebUser = Depends(staff), session: Session = Depends(db)):
    flt = QueueFilter(plan, level if level in REVIEWED_LEVELS else "", county, status if status in STATUSES else "",
                      q.strip(), since, until)
    plan_ids = user_plans(session, user, office_table(request))
    return page(request, "queue.html", user, **queue_data(session, flt, page_no, plan_ids=plan_ids),
                done=DECISION_NAMES.get(done, ""), done_count=int_or_none(n),
                issuer_notes=unconfigured_plan_notes(session, office_table(request), plan_ids))


@router.get("/queue/{notice_id:int}")
def queue_item(request: Request, notice_id: int, done: str = "", user: WebUser = Depends(staff),
               session: Session = Depends(db)):
    notice = notice_or_404(session, notice_id, plans=user_plans(session, user, office_table(request)))
    task = task_record(session, notice.task_id) if notice.task_id else None
    unnumbered = letters_without_issuer(session, [notice.id], office_table(request))
    return page(request, "queue_item.html", user, notice=notice, task=task,
                issuer_notes=[missing_issuer(row.plan_id, row.region) for row in unnumbered],
                counties=unit_counties(session), decidable=notice.status in REVIEWABLE_STATUSES,
                done=DECISION_NAMES.get(done, ""), arrangement_fields=ARRANGEMENT_FIELDS,
                arrangement=notice.arrangement or {})


@router.get("/queue/{notice_id:int}/letter")
def queue_letter(request: Request, notice_id: int, user: WebUser = Depends(staff), session: Session = Depends(db)):
    plans = user_plans(session, user, office_table(request))
    return letter_html(session, web(request), notice_or_404(session, notice_id, plans=plans))


@router.post("/queue/decide")
async def queue_decide(request: Request, user: WebUser = Depends(coordinator_post), session: Session = Depends(db)):
    form = await request.form()
    decision, reason = str(form.get("decision", "")), str(form.get("reason", "")).strip()
    flt = QueueFilter(*(str(form.get(k, "")) for k in ("plan", "level", "county", "status", "q", "since", "until")))
    if form.get("scope") == "filtered":
        ids = None
    else:
        ids = [i for i in (int_or_none(str(v)) for v in form.getlist("ids")) if i is not None]
    given = form.get("time") is not None  # the item page of an interview has the arrangement's fields
    arrangement = {k: str(form.get(k, "")).strip() for k in ARRANGEMENT_FIELDS} if given else None
    count = len(decide(session, ids, flt, decision, reason, user.name, web(request).now(), arrangement,
                       plan_ids=user_plans(session, user, office_table(request))))
    session.commit()
    back = str(form.get("back", ""))
    if back.startswith("/queue/") and back[7:].isdigit():
        return RedirectResponse(f"{back}?done={decision}", status_code=303)
    return RedirectResponse(f"/queue?{flt.query_string(done=decision, n=count)}", status_code=303)
