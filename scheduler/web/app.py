"""The console's FastAPI application: pages, the JSON API and their shared error handling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scheduler import clock
from scheduler.config import Config
from scheduler.store.repo import StoreError
from scheduler.web import (
    acks,
    api,
    auditlog,
    auth,
    dashboard,
    extensions,
    ledger,
    letters,
    metrics,
    openpoints,
    portal,
    preview,
    queue,
)
from scheduler.web.core import Forbidden, LoginRequired, WebContext, is_api, page
from scheduler.web.limits import BodyLimit, OutOfRangeIds, SecurityHeaders
from scheduler.web.throttle import LoginThrottle, Rule, WorkerPool

HASH_QUEUE = 16  # logins waiting for a hash beyond this are refused at once (429), not queued

DESCRIPTION = (
    "督办控制台的 JSON 接口：先 `POST /api/session` 登录（设置会话 Cookie 并返回 csrf_token），"
    "之后每个修改数据的请求都须带 `X-CSRF-Token` 头。未登录返回 401，角色无权限返回 403；"
    "责任单位用户只能访问 /api/portal/ 下本单位的数据。"
)


def create_app(config: Config, store, *, now: Callable[[], datetime] = clock.now,
               secret: bytes | None = None) -> FastAPI:
    """Build the app around an open store; `now` is the clock (tests pass a fixed one)."""
    app = FastAPI(title="督办 Duban 控制台", description=DESCRIPTION, version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json")
    settings = config.web
    app.state.web = WebContext(config=config, store=store, now=now, secret=secret,
                               throttle=login_throttle(config), hashes=WorkerPool(settings.hash_workers, HASH_QUEUE),
                               uploads=WorkerPool(1, HASH_QUEUE))
    # the last added runs first: the headers go on every answer, the 413 and 404 answered here included
    app.add_middleware(BodyLimit, max_body=settings.max_body_kb * 1024, max_upload=settings.max_upload_mb * 1024 * 1024)
    app.add_middleware(OutOfRangeIds)
    app.add_middleware(SecurityHeaders)
    for router in (auth.router, auth.api_router, dashboard.router, queue.router, ledger.router, openpoints.router,
                   letters.router, metrics.router, portal.router, auditlog.router, api.router, preview.router,
                   extensions.router, *acks.optional_routers()):
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        if is_api(request):
            return JSONResponse({"detail": "未登录或会话已过期"}, status_code=401,
                                headers={"WWW-Authenticate": "Cookie"})
        return auth.login_redirect(request)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return page(request, "error.html", None, status_code=403, title="无权访问", message=exc.message)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return page(request, "error.html", None, status_code=400, title="未执行", message=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "请求有误"
        if exc.status_code == 404 and message == "Not Found":
            message = "页面不存在"
        if exc.status_code == 405:
            message = "不支持此请求方法"
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)
        return page(request, "error.html", None, status_code=exc.status_code, title="出错了", message=message)

    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, exc: OverflowError):
        # an id past the store's 64-bit integers (2**70 in a path, a form or a JSON body) names nothing
        if is_api(request):
            return JSONResponse({"detail": "编号超出范围：没有此记录"}, status_code=404)
        return page(request, "error.html", None, status_code=404, title="出错了", message="页面不存在")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if is_api(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return page(request, "error.html", None, status_code=422, title="请求有误", message="提交的内容格式不正确")

    return app


def login_throttle(config: Config) -> LoginThrottle:
    """Per name: three free failures, then doubling delays, then a lock. Per address five times
    as many, since an office's users may share one address."""
    web = config.web
    lock = web.login_lock_minutes * 60.0
    return LoginThrottle(Rule(free=3, lock_after=web.login_lock_failures, lock_seconds=lock),
                         Rule(free=15, lock_after=5 * web.login_lock_failures, lock_seconds=lock))


def route_table(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """Return (path, methods) of every route the app answers, however FastAPI nests included
    routers (0.165 keeps them as included-router objects), so a test can walk them all."""
    table: list[tuple[str, frozenset[str]]] = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                table.append((context.path, frozenset(getattr(context.original_route, "methods", ()) or ())))
        else:
            table.append((getattr(route, "path", ""), frozenset(getattr(route, "methods", ()) or ())))
    return table
