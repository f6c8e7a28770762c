"""Who may do what: login and logout, the session cookie, roles, and CSRF checks.

Logins are throttled per name and per address and their passwords hashed off the event loop
(scheduler.web.throttle). The session cookie is HttpOnly and SameSite=Lax (Secure behind https). Every state-changing
request, form or API, must carry the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`); the login form itself is protected by a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from scheduler.store.accounts import Account
from scheduler.store.repo import audit
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser, authenticate, close_session, open_session, session_user
from scheduler.web.core import Forbidden, LoginRequired, db, page, web
from scheduler.web.passwords import MAX_PASSWORD
from scheduler.web.throttle import Refusal

COOKIE = "duban_session"
LOGIN_COOKIE = "duban_login"  # double-submit token of the login form
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
COORDINATOR, UNIT, VIEWER = "coordinator", "unit", "viewer"
STAFF = (COORDINATOR, VIEWER)  # who may read the coordinators' pages

router = APIRouter(include_in_schema=False)


def optional_user(request: Request, session: Session = Depends(db)) -> WebUser | None:
    """Return the logged-in user, or None."""
    return session_user(session, request.cookies.get(COOKIE, ""), web(request).now())


async def _csrf_sent(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches it; the route reads the same form
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def need(*roles: str, csrf: bool = False):
    """Return a dependency that admits the given roles; with `csrf`, only with the session's token."""

    async def dependency(request: Request, user: WebUser | None = Depends(optional_user)) -> WebUser:
        if user is None:
            raise LoginRequired()
        if user.role not in roles:
            raise Forbidden()
        if csrf:
            sent = await _csrf_sent(request)
            if not sent or not hmac.compare_digest(sent, user.csrf):
                raise Forbidden("请求缺少有效的 CSRF 令牌，请刷新页面后重试。")
        return user

    return dependency


staff = need(COORDINATOR, VIEWER)
coordinator = need(COORDINATOR)
coordinator_post = need(COORDINATOR, csrf=True)
unit_user = need(UNIT)
unit_post = need(UNIT, csrf=True)
anyone = need(COORDINATOR, UNIT, VIEWER)
anyone_post = need(COORDINATOR, UNIT, VIEWER, csrf=True)


def home_for(user: WebUser) -> str:
    return "/portal" if user.role == UNIT else "/dashboard"


def _safe_next(target: str | None) -> str | None:
    """Only follow local paths after login (no //host or scheme: no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    ctx = web(request)
    response.set_cookie(COOKIE, token, max_age=ctx.config.web.session_minutes * 60, httponly=True,
                        samesite="lax", secure=ctx.secure_cookies, path="/")


def _login_page(request: Request, error: str = "", status_code: int = 200, next_path: str = ""):
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", None, status_code=status_code, error=error, login_token=token,
                    next_path=next_path)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=web(request).secure_cookies,
                        path="/login", max_age=3600)
    return response


@router.get("/")
def index(user: WebUser | None = Depends(optional_user)):
    return RedirectResponse("/login" if user is None else home_for(user), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "", user: WebUser | None = Depends(optional_user)):
    if user is not None:
        return RedirectResponse(home_for(user), status_code=303)
    return _login_page(request, next_path=_safe_next(next) or "")


BUSY = "登录请求过多，请稍后再试。"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _verify(ctx, session: Session, name: str, password: str, address: str) -> Account | Refusal | None:
    """In a hashing thread: look again whether the attempt is throttled (failures counted while it
    waited), then check the password."""
    refusal = ctx.throttle.check(name, address)
    if refusal is not None:
        return refusal
    if len(password) > MAX_PASSWORD:  # no account has one; not worth hashing
        return None
    return authenticate(session, name, password)


def _record_failure(ctx, session: Session, name: str, address: str, details: dict) -> None:
    now = ctx.now()
    actor = name.strip()[:64] or "（空）"
    audit(session, actor, "web.login_failed", "user", name.strip()[:200], {**details, "address": address}, now)
    for key in ctx.throttle.failed(name, address):
        kind, _, value = key.partition(":")
        audit(session, actor, "web.login_locked", "user" if kind == "user" else "address", value[:200],
              {**details, "address": address, "minutes": ctx.config.web.login_lock_minutes}, now)
    session.commit()


async def attempt_login(request: Request, session: Session, name: str, password: str,
                        details: dict) -> Account | Refusal:
    """Check a login off the event loop, throttled; return the account or why it was refused.
    A wrong password is a Refusal with seconds 0."""
    ctx = web(request)
    address = _client(request)
    refusal = ctx.throttle.check(name, address)
    if refusal is not None:
        return refusal
    if ctx.hashes.busy():
        return Refusal(5, False, "busy")
    found = await ctx.hashes.run(_verify, ctx, session, name, password, address)
    if isinstance(found, Refusal):
        return found
    if found is None:
        await run_in_threadpool(_record_failure, ctx, session, name, address, details)
        return Refusal(0, False, "")
    ctx.throttle.succeeded(name, address)
    return found


def refusal_text(refusal: Refusal) -> str:
    if refusal.key == "busy":
        return BUSY
    return refusal.message if refusal.seconds else "用户名或密码不正确。"


@router.post("/login")
async def login(request: Request, session: Session = Depends(db)):
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "")))
    sent, cookie = str(form.get(CSRF_FIELD, "")), request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not cookie or not hmac.compare_digest(sent, cookie):
        return _login_page(request, "登录表单已过期，请重新输入。", 403, next_path or "")
    ctx = web(request)
    account = await attempt_login(request, session, name, password, {})
    if isinstance(account, Refusal):
        if not account.seconds:
            return _login_page(request, "用户名或密码不正确。", 401, next_path or "")
        response = _login_page(request, refusal_text(account), 429, next_path or "")
        response.headers["Retry-After"] = str(account.seconds)
        return response
    token = await run_in_threadpool(_start, ctx, session, account, {})
    target = next_path or ("/portal" if account.role == UNIT else "/dashboard")
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, user: WebUser = Depends(anyone_post), session: Session = Depends(db)):
    close_session(session, request.cookies.get(COOKIE, ""))
    audit(session, user.name, "web.logout", "user", user.name, {}, web(request).now())
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- the JSON API's login ------------------------------------------------------------------

api_router = APIRouter(prefix="/api", tags=["会话"])


class Credentials(BaseModel):
    name: str
    password: str


class SessionInfo(BaseModel):
    name: str
    display_name: str
    role: str
    units: list[str]
    csrf_token: str


def session_info(user: WebUser) -> SessionInfo:
    return SessionInfo(name=user.name, display_name=user.display_name, role=user.role, units=list(user.units),
                       csrf_token=user.csrf)


def _start(ctx, session: Session, account: Account, details: dict) -> str:
    """Open the session of a checked login, audit it, commit; return the cookie token."""
    now = ctx.now()
    token, _csrf = open_session(session, account, ctx.config.web.session_minutes, now)
    audit(session, account.name, "web.login", "user", account.name, details, now)
    session.commit()
    return token


@api_router.post("/session", response_model=SessionInfo, summary="登录：设置会话 Cookie，返回 CSRF 令牌",
                 responses={401: {"description": "用户名或密码不正确"},
                            429: {"description": "失败次数过多：按 Retry-After 等待，或账号已临时锁定"}})
async def api_login(credentials: Credentials, request: Request, response: Response, session: Session = Depends(db)):
    """A JSON client logs in here; later state-changing calls send `X-CSRF-Token`."""
    from fastapi import HTTPException

    ctx = web(request)
    account = await attempt_login(request, session, credentials.name, credentials.password, {"api": True})
    if isinstance(account, Refusal):
        if not account.seconds:
            raise HTTPException(401, "用户名或密码不正确")
        raise HTTPException(429, refusal_text(account).rstrip("。"), headers={"Retry-After": str(account.seconds)})
    token = await run_in_threadpool(_start, ctx, session, account, {"api": True})
    set_session_cookie(response, request, token)
    user = await run_in_threadpool(session_user, session, token, ctx.now())
    assert user is not None  # the session was opened just above
    return session_info(user)


@api_router.get("/session", response_model=SessionInfo, summary="当前会话")
def api_me(user: WebUser = Depends(anyone)):
    return session_info(user)


@api_router.delete("/session", summary="退出登录")
def api_logout(request: Request, response: Response, user: WebUser = Depends(anyone_post),
               session: Session = Depends(db)):
    close_session(session, request.cookies.get(COOKIE, ""))
    audit(session, user.name, "web.logout", "user", user.name, {"api": True}, web(request).now())
    session.commit()
    response.delete_cookie(COOKIE, path="/")
    return {"ok": True}


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
