"""All outbound HTTP goes through here: one place for timeouts, headers and error classes."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from scheduler.delivery.channels.base import TransportError

DEFAULT_TIMEOUT = 10.0  # seconds; a stuck robot endpoint must not stall the delivery loop
USER_AGENT = "duban/0.1"  # header values must be Latin-1
RETRYABLE_STATUS = {408, 425, 429}  # client-side codes that mean "later", not "never"


@dataclass(frozen=True)
class HttpResponse:
    """Status and body of a response that came back 2xx."""

    status: int
    body: bytes

    def json(self) -> Any:
        """Decode the body as JSON; a non-JSON answer from a robot endpoint is retryable."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise TransportError(f"响应不是 JSON：{self.body[:200]!r}", permanent=False) from None


def post_json(url: str, payload: Any, *, timeout: float = DEFAULT_TIMEOUT,
              headers: dict[str, str] | None = None) -> HttpResponse:
    """POST `payload` as UTF-8 JSON; map failures to TransportError (4xx permanent, else retry)."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpResponse(response.status, response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()[:200].decode("utf-8", "replace")
        permanent = 400 <= exc.code < 500 and exc.code not in RETRYABLE_STATUS
        raise TransportError(f"HTTP {exc.code}：{body}", permanent=permanent) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ValueError):
            raise TransportError(f"地址无效：{_host(url)}", permanent=True) from None
        raise TransportError(f"无法连接 {_host(url)}：{reason}", permanent=False) from None
    except TimeoutError:
        raise TransportError(f"请求 {_host(url)} 超时（{timeout} 秒）", permanent=False) from None
    except (ConnectionError, OSError) as exc:
        raise TransportError(f"连接 {_host(url)} 出错：{exc}", permanent=False) from None
    except ValueError as exc:  # e.g. an unknown URL scheme
        raise TransportError(f"地址无效：{_host(url)}（{exc}）", permanent=True) from None


def _host(url: str) -> str:
    """Name the host in messages, never the query string (robot tokens live there)."""
    return urllib.parse.urlsplit(url).netloc or url.split("?")[0]

