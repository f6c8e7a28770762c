"""What every response carries and every request may send: security headers and a body limit.

Both are plain ASGI middleware, so they cover every route, the ones added later included, and
answer before any route or dependency reads a byte of the body. A request body is bounded by
`web.max_body_kb`; only the upload routes take up to `web.max_upload_mb`. A Content-Length over
the limit is refused at once; a body sent without one (chunked) is cut off when it passes the limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = frozenset({"/metrics/import", "/api/metrics/import"})
FORM_SLACK = 64 * 1024  # multipart boundaries, the CSRF field, the file name around an upload

# No scripts at all; the pages' own <style> and style="" need 'unsafe-inline' for styles only.
# frame-ancestors 'self': the review page shows a letter in an iframe of the same console.
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"no-referrer"),  # a 签收 link carries its token in the path
    (b"cache-control", b"no-store"),  # pages show one user's data; the ack page holds a token
    (b"pragma", b"no-cache"),
)


class BodyTooLarge(Exception):
    """The request body passed its limit while a route was reading it."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"请求内容超过 {limit // 1024} KB")
        self.limit = limit


def _too_large(limit: int) -> str:
    return f"提交的内容过大（上限 {_size(limit)}），未处理。"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} KB"


async def _answer(scope: Scope, send: Send, status: int, message: str) -> None:
    """Answer before any route ran: JSON under /api/ as the API's errors are, plain text elsewhere."""
    if str(scope.get("path", "")).startswith("/api/"):
        body, kind = json.dumps({"detail": message}, ensure_ascii=False).encode(), b"application/json"
    else:
        body, kind = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse a request whose body is larger than its route allows (413)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int,
                 upload_paths: Iterable[str] = UPLOAD_PATHS) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload + FORM_SLACK
        self.upload_paths = frozenset(upload_paths)

    def limit_for(self, path: str) -> int:
        return self.max_upload if path in self.upload_paths else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if length and (not length.isdigit() or int(length) > limit):
            if scope["path"] not in self.upload_paths:  # an upload route refuses and audits it itself
                await _answer(scope, send, 413, _too_large(limit))
                return
        received = 0
        started = False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _answer(scope, send, 413, _too_large(limit))


MAX_ID = 2**63 - 1  # the store's integer keys are 64-bit


class OutOfRangeIds:
    """Answer 404 for a path with a number no 64-bit key can hold (/queue/2**70): it names nothing,
    and handing it to the database driver fails (SQLite raises OverflowError, PostgreSQL an error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(part.isdigit() and len(part) > 18 and int(part) > MAX_ID
                                           for part in scope.get("path", "").split("/")):
            await _answer(scope, send, 404, "编号超出范围：没有此记录")
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add the security headers to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in HEADERS if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
