"""Letters and deliveries: view a letter as HTML, download its DOCX and PDF, retry failed sends.

An issued letter is shown from its files of record, the bytes kept when it went out, so what
the console and the portal show is what was sent, whatever changed since. Before delivery numbers
it, an approved or pending escalation shows as a preview marked （待编号）, built from the facts of
the day the sweep proposed it. A letter issued before files were kept is rebuilt with the facts
of its issue day.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from scheduler.ladder import LETTER_LEVELS
from scheduler.letters.content import LetterContext, build_letter
from scheduler.letters.numbers import format_number
from scheduler.letters.render import letter_file_stem
from scheduler.store import deliverylog
from scheduler.store import schema as m
from scheduler.store.catalog import unit_rows
from scheduler.store.letters import letter_listing, letter_source, notice_row, numbered_letter, recorded_file
from scheduler.store.repo import StoreError
from scheduler.store.session import Session
from scheduler.web import bulletins
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import WebContext, db, int_or_none, page, web
from scheduler.web.labels import page_names
from scheduler.web.offices import office_table, user_plans
from scheduler.web.paging import PAGE_SIZE, paging

router = APIRouter(include_in_schema=False)
router.include_router(bulletins.router)  # the monthly 通报, a letter of the office too
LETTER_SEARCH = ("q", "level", "unit", "since", "until")
UNNUMBERED = "（待编号）"
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def letter_key(notice: m.Notice) -> str:
    """Return the key the notice's letter is numbered and kept under (a unit's notices of one level
    and day share one letter, keyed by the first of them)."""
    return notice.letter_key or notice.key


def is_numbered(session: Session, notice: m.Notice) -> bool:
    """True once delivery gave the notice's letter a number."""
    return numbered_letter(session, letter_key(notice), notice.created_on) is not None


def letter_for(session: Session, ctx: WebContext, notice: m.Notice) -> LetterContext:
    """Rebuild the letter of an escalation (numbered if delivery numbered it, else a preview)."""
    if notice.level not in LETTER_LEVELS:
        raise StoreError("只有预警通知函和约谈通知有公文")
    source = letter_source(session, notice, ctx.config.letter_issuers.for_region, notice.created_on)
    if source.numbered is not None:
        number, issued = source.numbered.number, source.numbered.issued_on
    else:  # dated the day its sweep proposed it, as the facts it lists are
        number, issued = format_number(source.issuer.prefix, notice.created_on.year, 1), notice.created_on
    letter = build_letter(notice.level, [source.facts], source.basis, {"name": notice.unit}, issued, number,
                          add_workdays=ctx.calendar.add_workdays)
    return letter if source.numbered is not None else replace(letter, number=UNNUMBERED)


def letter_html(session: Session, ctx: WebContext, notice: m.Notice) -> HTMLResponse:
    """Return the letter's web view: the one of record once issued, else a preview."""
    kept = recorded_file(session, letter_key(notice), "html")
    if kept is not None:
        return HTMLResponse(kept.content.decode("utf-8"))
    try:
        html = ctx.renderer.letter_html(letter_for(session, ctx, notice))
    except (StoreError, LookupError, ValueError) as exc:
        html = f"<!doctype html><meta charset='utf-8'><p>无法生成公文预览：{_escape(str(exc))}</p>"
    return HTMLResponse(html)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def letter_file(session: Session, ctx: WebContext, notice: m.Notice, kind: str) -> Response:
    """Return the DOCX or PDF of record of a numbered letter (404 before it exists); a letter issued
    before files were kept is served from the outbox delivery wrote it to."""
    if kind not in MEDIA:
        raise HTTPException(404, "未知的文件类型")
    numbered = numbered_letter(session, letter_key(notice), notice.created_on)
    if numbered is None:
        raise HTTPException(404, "此公文尚未编号发出，没有文件")
    kept = recorded_file(session, letter_key(notice), kind)
    if kept is not None:
        return Response(kept.content, media_type=MEDIA[kind],
                        headers={"Content-Disposition": _attachment(f"{numbered.number}.{kind}"),
                                 "ETag": f'"{kept.sha256}"'})
    stem = letter_file_stem(letter_for(session, ctx, notice))
    path = ctx.outbox / "letters" / numbered.issued_on.isoformat() / f"{stem}.{kind}"
    if not path.is_file():
        raise HTTPException(404, f"文件尚未生成：{path.name}")
    return FileResponse(path, media_type=MEDIA[kind], filename=path.name)


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=utf-8''{quote(filename)}"


def notice_or_404(session: Session, notice_id: int, *, units: tuple[str, ...] | None = None,
                  plans: list[str] | None = None) -> m.Notice:
    """Return a notice; with `units`, only one addressed to them, with `plans` only one of those
    plans (others are 404, not 403: a user must not even learn that another's notice exists)."""
    notice = notice_row(session, notice_id)
    if notice is None or (units is not None and notice.unit not in units) or (
            plans is not None and notice.plan_id not in plans):
        raise HTTPException(404, "没有此事项")
    return notice


def letters_data(session: Session, *, units: tuple[str, ...] | None = None, page_no: int = 1,
                 sent_only: bool = False, plan_ids: list[str] | None = None,
                 search: dict[str, str] | None = None) -> dict[str, Any]:
    """Numbered letters (newest first) and, for coordinators, approved ones awaiting delivery;
    `search` is the page's form: q, level, unit, since, until (a day that is no date is ignored)."""
    found = {k: v.strip() for k, v in (search or {}).items() if k in LETTER_SEARCH}
    listing = letter_listing(session, units=units, page_no=page_no, page_size=PAGE_SIZE, sent_only=sent_only,
                             plan_ids=plan_ids, q=found.get("q", ""),
                             level=found.get("level", "") if found.get("level") in LETTER_LEVELS else "",
                             unit=found.get("unit", ""), since=_day(found.get("since")), until=_day(found.get("until")))
    return {**listing, "search": {k: found.get(k, "") for k in LETTER_SEARCH},
            "query": urlencode({k: v for k, v in found.items() if v})}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def failed_deliveries(session: Session) -> list[dict[str, Any]]:
    """Dead letters and sends that failed and wait for their next attempt."""
    return [asdict(d) for d in deliverylog.failed_deliveries(session)]


@router.get("/letters")
def letters_page(request: Request, page_no: int = 1, q: str = "", level: str = "", unit: str = "", since: str = "",
                 until: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    search = {"q": q, "level": level, "unit": unit, "since": since, "until": until}
    units = [(u.name, u.region) for u in unit_rows(session)]  # by region, then name: the picker's order
    return page(request, "letters.html", user, levels=LETTER_LEVELS, units=units,
                **letters_data(session, page_no=max(1, page_no),
                               plan_ids=user_plans(session, user, office_table(request)), search=search))


@router.get("/letters/{notice_id:int}/html")
def letter_view(request: Request, notice_id: int, user: WebUser = Depends(staff), session: Session = Depends(db)):
    plans = user_plans(session, user, office_table(request))
    return letter_html(session, web(request), notice_or_404(session, notice_id, plans=plans))


@router.get("/letters/{notice_id:int}/{kind}")
def letter_download(request: Request, notice_id: int, kind: str, user: WebUser = Depends(staff),
                    session: Session = Depends(db)):
    plans = user_plans(session, user, office_table(request))
    return letter_file(session, web(request), notice_or_404(session, notice_id, plans=plans), kind)


@router.get("/deliveries")
def deliveries_page(request: Request, done: str = "", page_no: str = "1", user: WebUser = Depends(staff),
                    session: Session = Depends(db)):
    failed = failed_deliveries(session)
    at = paging(len(failed), page_no)
    return page(request, "deliveries.html", user, deliveries=at.rows(failed), **at.values(), query="",
                done=int_or_none(done), names=page_names(session, web(request)))


@router.post("/deliveries/retry")
async def deliveries_retry(request: Request, user: WebUser = Depends(coordinator_post),
                           session: Session = Depends(db)):
    form = await request.form()
    ids = [i for i in (int_or_none(str(v)) for v in form.getlist("ids")) if i is not None]
    if not ids:
        raise StoreError("请选择要重试的发送记录")
    count = deliverylog.retry_deliveries(session, ids, user.name, web(request).now())
    session.commit()
    return RedirectResponse(f"/deliveries?done={count}", status_code=303)
