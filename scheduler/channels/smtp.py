"""SMTP delivery with STARTTLS or implicit TLS; credentials come from environment variables."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from scheduler import clock
from scheduler.channels.base import (
    OutgoingMessage,
    Receipt,
    TransportError,
    build_email,
    message_id,
)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; the password is never in config, only the variable's name."""

    host: str
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = "duban@localhost"
    username_env: str = ""  # e.g. DUBAN_SMTP_USER; empty: no login
    password_env: str = ""  # e.g. DUBAN_SMTP_PASSWORD
    timeout: float = 20.0
    domain: str = "duban.local"  # right-hand side of Message-IDs
    verify_tls: bool = True


def _code_error(what: str, code: int, reply: bytes | str) -> TransportError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return TransportError(f"{what}：{code} {text}", permanent=code >= 500)


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN when offered: one attempt, so a wrong password gets a clean 535
    instead of smtplib falling through to AUTH LOGIN on a connection the server may drop."""
    server.ehlo_or_helo_if_needed()
    if "PLAIN" in server.esmtp_features.get("auth", "").upper().split():
        server.user, server.password = user, password
        server.auth("PLAIN", server.auth_plain)
    else:
        server.login(user, password)


class SmtpChannel:
    """Send each message in its own SMTP session (simple, and a failure affects one message)."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        self.settings = settings
        self.now = now
        self._tls: ssl.SSLContext | None = None

    def _context(self) -> ssl.SSLContext:
        """Build the TLS context once: loading the CA store costs ~30 ms, more than a send."""
        if self._tls is None:
            context = ssl.create_default_context()
            if not self.settings.verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._tls = context
        return self._tls

    def _credentials(self) -> tuple[str, str] | None:
        s = self.settings
        if not s.username_env:
            return None
        user, password = os.environ.get(s.username_env), os.environ.get(s.password_env or "")
        if not user or password is None:
            missing = s.username_env if not user else s.password_env or "password_env"
            raise TransportError(f"SMTP 凭据未配置：环境变量 {missing} 为空", permanent=True)
        return user, password

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            server.starttls(context=self._context())
        return server

    def send(self, message: OutgoingMessage) -> Receipt:
        """Deliver by SMTP; 5xx and bad credentials are permanent, the rest can be retried."""
        result = self.send_batch([message])[0]
        if isinstance(result, TransportError):
            raise result
        return result

    def send_batch(self, messages: list[OutgoingMessage]) -> list[Receipt | TransportError]:
        """Deliver several messages over one SMTP session (the daily digests), one result each.

        A refused message does not stop the others; a dropped connection is reopened once per
        message, and what still fails is returned as a retryable error for that message.
        """
        results: list[Receipt | TransportError] = []
        server: smtplib.SMTP | None = None
        try:
            for message in messages:
                try:
                    if not message.to:
                        raise TransportError(f"{message.unit} 没有配置邮箱地址", permanent=True)
                    server = server or self._open()
                    results.append(self._deliver(server, message))
                except TransportError as exc:
                    results.append(exc)
                    if not exc.permanent and server is not None:
                        _close(server)  # the session is suspect after a transient failure
                        server = None
        finally:
            if server is not None:
                _close(server)
        return results

    def _open(self) -> smtplib.SMTP:
        credentials = self._credentials()
        try:
            server = self._connect()
            if credentials:
                _login(server, *credentials)
            return server
        except Exception as exc:  # noqa: BLE001 - classified below
            raise self._classify(exc) from None

    def _deliver(self, server: smtplib.SMTP, message: OutgoingMessage) -> Receipt:
        mail = build_email(message, self.settings.sender, self.now(), domain=self.settings.domain)
        try:
            refused = server.send_message(mail, self.settings.sender, [*message.to, *message.cc])
            server.rset()  # a clean state for the next message on this session
        except Exception as exc:  # noqa: BLE001 - classified below
            raise self._classify(exc) from None
        detail = "；".join(f"{a} 被拒绝" for a in refused) if refused else ""
        return Receipt(self.name, message_id(message.key, self.settings.domain), detail)

    def _classify(self, exc: BaseException) -> TransportError:
        """Map an smtplib/socket failure to TransportError: 5xx and auth permanent, else retry."""
        if isinstance(exc, TransportError):
            return exc
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return _code_error("SMTP 认证失败", exc.smtp_code, exc.smtp_error)
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            detail = "；".join(f"{addr} {code}" for addr, (code, _) in exc.recipients.items())
            return TransportError(f"收件人被拒绝：{detail}", permanent=all(c >= 500 for c in codes))
        if isinstance(exc, smtplib.SMTPResponseException):  # sender/data refused, HELO …
            return _code_error("SMTP 服务器拒绝", exc.smtp_code, exc.smtp_error)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return TransportError(f"SMTP 服务器不支持：{exc}", permanent=True)
        if isinstance(exc, ssl.SSLCertVerificationError):
            return TransportError(f"SMTP 证书校验失败：{exc}", permanent=True)
        if isinstance(exc, (smtplib.SMTPException, socket.timeout, TimeoutError, OSError)):
            where = f"{self.settings.host}:{self.settings.port}"
            return TransportError(f"无法连接 SMTP 服务器 {where}：{exc}", permanent=False)
        raise exc


def _close(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()
