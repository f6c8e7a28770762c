"""Letters and deliveries: view a letter as HTML, download its DOCX and PDF, retry failed sends.

A letter's content is rebuilt from the store exactly as delivery built it (same notice, plan
basis, number and issue day), so the HTML view matches the DOCX that went out. Before delivery
numbers it, an approved or pending escalation shows as a preview marked （待编号）.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.delivery.run import LETTER_LEVELS, issue_day, issuer_for_region, notice_facts, plan_basis
from scheduler.letters.content import LetterContext, build_letter
from scheduler.letters.numbers import format_number
from scheduler.letters.render import letter_file_stem
from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit
from scheduler.web.accounts import WebUser
from scheduler.web.auth import coordinator_post, staff
from scheduler.web.core import PAGE_SIZE, WebContext, db, int_or_none, page, web

router = APIRouter(include_in_schema=False)
UNNUMBERED = "（待编号）"
RETRYABLE = ("dead", "pending")
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def letter_row(session: Session, notice: m.Notice) -> m.Letter | None:
    return session.scalar(select(m.Letter).where(m.Letter.notice_key == notice.key))


def letter_for(session: Session, ctx: WebContext, notice: m.Notice) -> LetterContext:
    """Rebuild the letter of an escalation (numbered if delivery numbered it, else a preview)."""
    if notice.level not in LETTER_LEVELS:
        raise StoreError("只有预警通知函和约谈通知有公文")
    task = session.get(m.Task, notice.task_id) if notice.task_id else None
    plan = session.get(m.Plan, notice.plan_id)
    issuer = issuer_for_region(plan.region if plan else "")
    basis = plan_basis(session, notice.plan_id, issuer)
    row = letter_row(session, notice)
    today = ctx.today()
    if row is not None:
        number, issued = row.number, issue_day(session, row, today)
    else:
        number, issued = format_number(issuer.prefix, today.year, 1), today
    letter = build_letter(notice.level, [notice_facts(notice, task)], basis, {"name": notice.unit}, issued, number,
                          add_workdays=ctx.calendar.add_workdays)
    return letter if row is not None else replace(letter, number=UNNUMBERED)


def letter_html(session: Session, ctx: WebContext, notice: m.Notice) -> HTMLResponse:
    try:
        html = ctx.renderer.letter_html(letter_for(session, ctx, notice))
    except (StoreError, LookupError, ValueError) as exc:
        html = f"<!doctype html><meta charset='utf-8'><p>无法生成公文预览：{_escape(str(exc))}</p>"
    return HTMLResponse(html)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def letter_file(session: Session, ctx: WebContext, notice: m.Notice, kind: str) -> FileResponse:
    """Return the DOCX or PDF delivery wrote for a numbered letter (404 before it exists)."""
    if kind not in MEDIA:
        raise HTTPException(404, "未知的文件类型")
    row = letter_row(session, notice)
    if row is None:
        raise HTTPException(404, "此公文尚未编号发出，没有文件")
    issued = issue_day(session, row, ctx.today())
    stem = letter_file_stem(letter_for(session, ctx, notice))
    path = ctx.outbox / "letters" / issued.isoformat() / f"{stem}.{kind}"
    if not path.is_file():
        raise HTTPException(404, f"文件尚未生成：{path.name}")
    return FileResponse(path, media_type=MEDIA[kind], filename=path.name)


def notice_or_404(session: Session, notice_id: int, *, units: tuple[str, ...] | None = None) -> m.Notice:
    """Return a notice; with `units`, only one addressed to them (others are 404, not 403: a unit
    user must not even learn that another unit's notice exists)."""
    notice = session.get(m.Notice, notice_id)
    if notice is None or (units is not None and notice.unit not in units):
        raise HTTPException(404, "没有此事项")
    return notice


def letters_data(session: Session, *, units: tuple[str, ...] | None = None, page_no: int = 1,
                 sent_only: bool = False) -> dict[str, Any]:
    """Numbered letters (newest first) and, for coordinators, approved ones awaiting delivery."""
    query = (select(m.Letter, m.Notice, m.Task.title).join(m.Notice, m.Notice.key == m.Letter.notice_key)
             .outerjoin(m.Task, m.Task.id == m.Notice.task_id))
    if units is not None:
        query = query.where(m.Notice.unit.in_(units))
    if sent_only:
        query = query.where(m.Notice.status == "sent")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(m.Letter.year.desc(), m.Letter.serial.desc())
                           .limit(PAGE_SIZE).offset((page_no - 1) * PAGE_SIZE)).all()
    letters = [{"notice_id": n.id, "number": letter.number, "level": n.level, "unit": n.unit, "task": n.task_id,
                "title": title or "", "status": n.status, "sent_on": n.sent_on, "acknowledged_on": n.acknowledged_on,
                "key": n.key} for letter, n, title in rows]
    awaiting = []
    if units is None:
        waiting = (select(m.Notice, m.Task.title).outerjoin(m.Task, m.Task.id == m.Notice.task_id)
                   .outerjoin(m.Letter, m.Letter.notice_key == m.Notice.key)
                   .where(m.Notice.status == "approved", m.Notice.level.in_(LETTER_LEVELS), m.Letter.id.is_(None))
                   .order_by(m.Notice.reviewed_at, m.Notice.id).limit(PAGE_SIZE))
        awaiting = [{"notice_id": n.id, "level": n.level, "unit": n.unit, "task": n.task_id, "title": title or "",
                     "reviewed_by": n.reviewed_by, "reviewed_at": n.reviewed_at, "key": n.key}
                    for n, title in session.execute(waiting)]
    return {"letters": letters, "awaiting": awaiting, "total": total, "page_no": page_no,
            "pages": max(1, -(-total // PAGE_SIZE))}


def failed_deliveries(session: Session) -> list[dict[str, Any]]:
    """Dead letters and sends that failed and wait for their next attempt."""
    query = select(m.Delivery).where(
        or_(m.Delivery.status == "dead", (m.Delivery.status == "pending") & (m.Delivery.attempts > 0))
    ).order_by(m.Delivery.status, m.Delivery.id)
    return [{"id": d.id, "message_key": d.message_key, "channel": d.channel, "address": d.address,
             "status": d.status, "attempts": d.attempts, "next_attempt_at": d.next_attempt_at,
             "last_error": d.last_error} for d in session.scalars(query)]


def retry_deliveries(session: Session, ids: list[int], by: str, now) -> int:
    """Make failed or dead deliveries due again with a fresh count of attempts (audited)."""
    rows = list(session.scalars(select(m.Delivery).where(m.Delivery.id.in_(ids))))
    missing = set(ids) - {d.id for d in rows}
    if missing:
        raise StoreError(f"没有这些发送记录：{sorted(missing)}")
    for delivery in rows:
        if delivery.status not in RETRYABLE:
            raise StoreError(f"发送记录 {delivery.id} 当前状态为 {delivery.status}，无需重试")
    for delivery in rows:
        detail = {"from": delivery.status, "attempts": delivery.attempts, "error": delivery.last_error,
                  "channel": delivery.channel, "address": delivery.address}
        delivery.status, delivery.next_attempt_at, delivery.attempts = "pending", None, 0
        audit(session, by, "delivery.retry_request", "delivery", delivery.message_key, detail, now)
    return len(rows)


@router.get("/letters")
def letters_page(request: Request, page_no: int = 1, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return page(request, "letters.html", user, **letters_data(session, page_no=max(1, page_no)))


@router.get("/letters/{notice_id:int}/html")
def letter_view(request: Request, notice_id: int, user: WebUser = Depends(staff), session: Session = Depends(db)):
    return letter_html(session, web(request), notice_or_404(session, notice_id))


@router.get("/letters/{notice_id:int}/{kind}")
def letter_download(request: Request, notice_id: int, kind: str, user: WebUser = Depends(staff),
                    session: Session = Depends(db)):
    return letter_file(session, web(request), notice_or_404(session, notice_id), kind)


@router.get("/deliveries")
def deliveries_page(request: Request, done: str = "", user: WebUser = Depends(staff), session: Session = Depends(db)):
    return page(request, "deliveries.html", user, deliveries=failed_deliveries(session), done=int_or_none(done))


@router.post("/deliveries/retry")
async def deliveries_retry(request: Request, user: WebUser = Depends(coordinator_post),
                           session: Session = Depends(db)):
    form = await request.form()
    ids = [i for i in (int_or_none(str(v)) for v in form.getlist("ids")) if i is not None]
    if not ids:
        raise StoreError("请选择要重试的发送记录")
    count = retry_deliveries(session, ids, user.name, web(request).now())
    session.commit()
    return RedirectResponse(f"/deliveries?done={count}", status_code=303)
