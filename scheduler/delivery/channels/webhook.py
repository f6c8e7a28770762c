"""Webhooks: a generic JSON POST, and the DingTalk and WeCom group-robot formats."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from scheduler import clock
from scheduler.delivery.channels import http
from scheduler.delivery.channels.base import ChannelKind, Clock, OutgoingMessage, Receipt, TransportError, key_digest

# Robot error codes that mean "try later"; every other non-zero errcode is a configuration or
# content problem that a retry cannot fix (bad token, failed signature, keyword, IP allow-list).
DINGTALK_RETRYABLE = {-1, 130101}  # system busy; sending too fast (20 messages a minute)
WECOM_RETRYABLE = {-1, 45009, 45033}  # system busy; frequency limit; too many concurrent calls
WECOM_LIMIT = 4096  # bytes of markdown content a WeCom robot accepts
DINGTALK_LIMIT = 20000


@dataclass(frozen=True)
class WebhookSettings:
    """One webhook endpoint; a robot secret comes from the environment variable named here."""

    url: str
    format: Literal["json", "dingtalk", "wecom"] = "json"
    secret_env: str = ""  # DingTalk 加签 secret (SEC…)
    timeout: float = http.DEFAULT_TIMEOUT


ROBOT_HOSTS = {"oapi.dingtalk.com": "dingtalk", "qyapi.weixin.qq.com": "wecom"}


def format_for(url: str, configured: str = "auto") -> str:
    """Return the payload format for a contact's URL: as configured, or by the robot's host."""
    if configured != "auto":
        return configured
    return ROBOT_HOSTS.get(urllib.parse.urlsplit(url).hostname or "", "json")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Sign as DingTalk's robot expects: HMAC-SHA256 of "timestamp\\nsecret", base64, urlencoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _with_query(url: str, **params: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + joiner + "&".join(f"{k}={v}" for k, v in params.items())


def _clip(text: str, limit: int) -> str:
    """Cut text to `limit` UTF-8 bytes, saying so, because robots reject longer messages."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    note = "\n\n……（内容过长已截断，全文见督办系统或邮件）"
    room = limit - len(note.encode("utf-8"))
    return data[:room].decode("utf-8", "ignore") + note


def _markdown(message: OutgoingMessage) -> str:
    lines = [f"### {message.subject}", "", message.text.strip()]
    if message.attachments:
        lines += ["", "附件：" + "、".join(p.name for p in message.attachments)]
    return "\n".join(lines)


def payload_for(message: OutgoingMessage, fmt: str) -> dict[str, Any]:
    """Shape the message as the endpoint's format wants it."""
    if fmt == "dingtalk":
        text = _clip(_markdown(message), DINGTALK_LIMIT)
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
    if fmt == "wecom":
        content = _clip(_markdown(message), WECOM_LIMIT)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {
        "key": message.key,
        "day": message.day.isoformat(),
        "unit": message.unit,
        "subject": message.subject,
        "text": message.text,
        "attachments": [p.name for p in message.attachments],
        **({"extra": message.extra} if message.extra else {}),
    }


class WebhookChannel:
    """POST each message to one endpoint."""

    name = "webhook"

    def __init__(self, settings: WebhookSettings, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        if settings.format not in ("json", "dingtalk", "wecom"):
            raise ValueError(f"未知的 webhook 格式：{settings.format!r}")
        self.settings = settings
        self.now = now

    def _url(self) -> str:
        s = self.settings
        if s.format != "dingtalk" or not s.secret_env:
            return s.url
        secret = os.environ.get(s.secret_env)
        if not secret:
            raise TransportError(f"钉钉加签密钥未配置：环境变量 {s.secret_env} 为空",
                                 permanent=True)
        stamp = int(self.now().timestamp() * 1000)
        return _with_query(s.url, timestamp=str(stamp), sign=dingtalk_sign(secret, stamp))

    def send(self, message: OutgoingMessage) -> Receipt:
        """Deliver; robots answer 200 with an errcode, which decides permanent or retryable."""
        fmt = self.settings.format
        headers = {"Idempotency-Key": key_digest(message.key)} if fmt == "json" else {}
        response = http.post_json(self._url(), payload_for(message, fmt),
                                  timeout=self.settings.timeout, headers=headers)
        if fmt == "json":
            return Receipt(self.name, key_digest(message.key), f"HTTP {response.status}")
        answer = response.json()
        code = answer.get("errcode", 0) if isinstance(answer, dict) else None
        if code != 0:
            retry = DINGTALK_RETRYABLE if fmt == "dingtalk" else WECOM_RETRYABLE
            errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else answer
            raise TransportError(f"{fmt} 机器人拒绝：errcode={code} {errmsg}",
                                 permanent=code not in retry)
        return Receipt(self.name, key_digest(message.key), f"{fmt} errcode=0")


def _make(settings: Any, address: str, now: Clock | None) -> WebhookChannel:
    """One channel per URL; config.delivery.webhook holds what all of them share."""
    hook = WebhookSettings(url=address, format=format_for(address, settings.format),  # type: ignore[arg-type]
                           secret_env=settings.secret_env, timeout=settings.timeout)
    return WebhookChannel(hook, now=now) if now else WebhookChannel(hook)


KIND = ChannelKind("webhook", contact="webhook", section="webhook", make=_make)
