"""Routes for the other features' signed links: /ack/{token} (签收 without logging in), the short
form letters print, /q/{code}, which redirects there, and /feeds/{unit}.ics (a unit's calendar).
Each is mounted only when its module exists."""

from __future__ import annotations

import hmac
import importlib.util
import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from scheduler.web.core import page, web

ACK_COOKIE = "duban_ack"


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _secret(request: Request) -> bytes:
    ctx = web(request)
    if ctx.secret is None:
        from scheduler.delivery.acklinks import ack_secret

        ctx.secret = ack_secret(ctx.config)
    return ctx.secret


def ack_router() -> APIRouter:
    from scheduler.delivery.acklinks import AckLinkError, ack_refusal, honour_ack, read_ack, resolve_short
    from scheduler.store import notice_by_key
    from scheduler.web.letters import letter_for

    router = APIRouter(include_in_schema=False)

    def _show(request: Request, token: str, result=None, error: str = "", status_code: int = 200):
        ctx = web(request)
        letter = Markup("")
        notice = None
        if not error:
            try:
                key = read_ack(token, _secret(request), ctx.today())
            except AckLinkError as exc:
                error, status_code = str(exc), 400
            else:
                with ctx.store.session() as session:
                    notice = notice_by_key(session, key)
                    if notice is None or notice.status != "sent":
                        error, status_code = "签收链接对应的函件不存在或已撤销，请联系市大气办", 404
                    elif ack_refusal(notice.level):
                        error, status_code, notice = ack_refusal(notice.level) or "", 400, None
                    else:
                        try:
                            html = ctx.renderer.letter_html(letter_for(session, ctx, notice))
                            letter = Markup('<iframe class="letter" title="公文" srcdoc="{}"></iframe>').format(html)
                        except (LookupError, ValueError) as exc:
                            letter = Markup("<p>无法显示公文：{}</p>").format(str(exc))
        form_token = secrets.token_urlsafe(24)
        response = page(request, "ack.html", None, status_code=status_code, notice=notice, letter=letter,
                        error=error, result=result, form_token=form_token, token=token)
        response.set_cookie(ACK_COOKIE, form_token, httponly=True, samesite="strict",
                            secure=ctx.secure_cookies, path="/ack/")
        return response

    @router.get("/ack/{token}")
    def ack_page(request: Request, token: str):
        return _show(request, token)

    @router.get("/q/{code}")
    def short_link(request: Request, code: str):
        """A letter's printed short link: on to the token's page (where the form's cookie lives)."""
        ctx = web(request)
        with ctx.store.session() as session:
            try:
                token = resolve_short(session, code, secret=_secret(request), today=ctx.today())
            except AckLinkError as exc:
                session.rollback()
                return page(request, "ack.html", None, status_code=404, notice=None, letter=Markup(""),
                            error=str(exc), result=None, form_token="", token="")
            session.commit()  # links issued before short codes may have just got theirs
        return RedirectResponse(f"/ack/{token}", status_code=303)

    @router.post("/ack/{token}")
    async def ack_post(request: Request, token: str):
        form = await request.form()
        sent, cookie = str(form.get("csrf_token", "")), request.cookies.get(ACK_COOKIE, "")
        if not sent or not cookie or not hmac.compare_digest(sent, cookie):
            return _show(request, token, error="表单已过期，请刷新页面后再签收。", status_code=403)
        ctx = web(request)
        by = str(form.get("by", "")).strip()[:64] or "签收链接"
        with ctx.store.session() as session:
            try:
                result = honour_ack(session, token, secret=_secret(request), by=by, today=ctx.today(), now=ctx.now())
            except AckLinkError as exc:
                session.rollback()
                return _show(request, token, error=str(exc), status_code=400)
            session.commit()
        return _show(request, token, result=result)

    return router


def feed_router() -> APIRouter:
    from scheduler.exports.ics import check_feed_token, unit_calendar

    router = APIRouter(include_in_schema=False)

    @router.get("/feeds/{unit}.ics")
    def feed(request: Request, unit: str, token: str = ""):
        if not token or not check_feed_token(unit, token, _secret(request)):
            raise HTTPException(403, "日历订阅链接无效")
        ctx = web(request)
        with ctx.store.session() as session:
            body = unit_calendar(session, unit, ctx.today(), rulebook=ctx.rulebook, calendar=ctx.calendar,
                                 heating=ctx.config.heating_season_start)
        return Response(body, media_type="text/calendar; charset=utf-8")

    return router


def optional_routers() -> list[APIRouter]:
    routers = []
    if has_module("scheduler.delivery.acklinks"):
        routers.append(ack_router())
    if has_module("scheduler.exports.ics"):
        routers.append(feed_router())
    return routers


__all__ = ["HTMLResponse", "optional_routers"]
