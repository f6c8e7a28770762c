"""SMTP delivery with STARTTLS or implicit TLS; credentials come from environment variables.

One channel holds one SMTP session for a delivery run: consecutive messages reuse it (connecting,
TLS and login cost more than a message), a failure closes it and the next message opens a fresh
one, and the delivery loop calls close() at the end of the run. A server that cannot be reached is
reported as `unreachable`, so the loop does not wait for the same timeout once per message.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from scheduler import clock
from scheduler.delivery.channels.base import (
    ChannelKind,
    Clock,
    OutgoingMessage,
    Receipt,
    Staged,
    TransportError,
    email_bytes,
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
    ca_file: str = ""  # extra CA certificates (PEM), e.g. an internal CA


def _code_error(what: str, code: int, reply: bytes | str) -> TransportError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return TransportError(f"{what}：{code} {text}", permanent=code >= 500)


_LEADING_DOT = re.compile(rb"(?m)^\.")  # doubled in DATA (RFC 5321 4.5.2), as smtplib does


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
    """Send messages over one reused SMTP session; close() ends it."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        self.settings = settings
        self.now = now
        self._tls: ssl.SSLContext | None = None
        self._server: smtplib.SMTP | None = None
        self._mid_data = False  # a staged message awaits its final dot: QUIT would become its text

    def _context(self) -> ssl.SSLContext:
        """Build the TLS context once: loading the CA store costs ~30 ms, more than a send."""
        if self._tls is None:
            context = ssl.create_default_context()
            if self.settings.ca_file:
                try:
                    context.load_verify_locations(cafile=self.settings.ca_file)
                except (OSError, ssl.SSLError) as exc:  # a retry cannot fix the file: say so now
                    raise TransportError(f"无法读取 SMTP 证书文件 {self.settings.ca_file}：{exc}",
                                         permanent=True) from None
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
        """Deliver by SMTP; 5xx and bad credentials are permanent, the rest can be retried.

        A session kept from an earlier message may have been dropped by the server meanwhile; then
        the message is tried once more on a fresh session."""
        if not message.to:
            raise TransportError(f"{message.unit} 没有配置邮箱地址", permanent=True)
        mail = email_bytes(message, self.settings.sender, self.now(), domain=self.settings.domain)
        reused = self._server is not None
        try:
            return self._deliver(self._session(), message, mail)
        except TransportError as exc:
            self.close()  # the session is suspect after any failure
            if not reused or exc.permanent:
                raise
        return self._deliver(self._session(), message, mail)

    def stage(self, message: OutgoingMessage) -> Staged:
        """Run the SMTP transaction up to the end of DATA, all but the final dot: the server holds
        the message but has not accepted it. complete() sends the dot; abort() drops the session,
        and a server discards a transaction whose DATA never ended (RFC 5321 4.1.1.4), as it does
        when the sender dies. Like send(), a dropped kept session is replaced once."""
        if not message.to:
            raise TransportError(f"{message.unit} 没有配置邮箱地址", permanent=True)
        mail = email_bytes(message, self.settings.sender, self.now(), domain=self.settings.domain)
        reused = self._server is not None
        try:
            return self._begin(self._session(), message, mail)
        except TransportError as exc:
            self.close()
            if not reused or exc.permanent:
                raise
        return self._begin(self._session(), message, mail)

    def send_batch(self, messages: list[OutgoingMessage]) -> list[Receipt | TransportError]:
        """Deliver several messages over one SMTP session, one result each; close at the end.

        A refused message does not stop the others; after a transient failure the next message
        opens a fresh session."""
        results: list[Receipt | TransportError] = []
        try:
            for message in messages:
                try:
                    results.append(self.send(message))
                except TransportError as exc:
                    results.append(exc)
        finally:
            self.close()
        return results

    def close(self) -> None:
        """End the session, if one is open (QUIT, else just drop it; mid-DATA, drop it, so the
        server discards the staged message)."""
        server, self._server = self._server, None
        mid_data, self._mid_data = self._mid_data, False
        if server is not None:
            if mid_data:
                server.close()
            else:
                _close(server)

    def _session(self) -> smtplib.SMTP:
        if self._server is None:
            self._server = self._open()
        return self._server

    def _open(self) -> smtplib.SMTP:
        credentials = self._credentials()
        server: smtplib.SMTP | None = None
        try:
            server = self._connect()
            if server.sock is not None:  # the final dot follows DATA alone: Nagle would hold it ~40 ms
                server.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if credentials:
                _login(server, *credentials)
            return server
        except Exception as exc:  # noqa: BLE001 - classified below
            if server is not None:
                _close(server)
            error = self._classify(exc)
            if not error.permanent:
                error.unreachable = True  # no session at all: the next message would wait the same
            raise error from None

    def _deliver(self, server: smtplib.SMTP, message: OutgoingMessage, mail: bytes) -> Receipt:
        try:
            refused = server.sendmail(self.settings.sender, [*message.to, *message.cc], mail)
        except Exception as exc:  # noqa: BLE001 - classified below
            raise self._classify(exc) from None
        detail = "；".join(f"{a} 被拒绝" for a in refused) if refused else ""
        return Receipt(self.name, message_id(message.key, self.settings.domain), detail)

    def _begin(self, server: smtplib.SMTP, message: OutgoingMessage, mail: bytes) -> _StagedMail:
        """smtplib.sendmail's steps (MAIL, RCPT, DATA, the message), stopped before the final dot."""
        try:
            server.ehlo_or_helo_if_needed()
            options = [f"size={len(mail)}"] if server.does_esmtp and server.has_extn("size") else []
            code, reply = server.mail(self.settings.sender, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self.settings.sender)
            refused: dict[str, tuple[int, bytes]] = {}
            recipients = [*message.to, *message.cc]
            for address in recipients:
                code, reply = server.rcpt(address)
                if code not in (250, 251):
                    refused[address] = (code, reply)
            if len(refused) == len(recipients):
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = server.docmd("data")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            body = _LEADING_DOT.sub(b"..", mail)
            self._mid_data = True
            server.send(body if body.endswith(b"\r\n") else body + b"\r\n")
        except Exception as exc:  # noqa: BLE001 - classified below
            raise self._classify(exc) from None
        detail = "；".join(f"{a} 被拒绝" for a in refused) if refused else ""
        return _StagedMail(self, server, Receipt(self.name, message_id(message.key, self.settings.domain), detail))

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


class _StagedMail:
    """An SMTP transaction waiting for its final dot."""

    def __init__(self, channel: SmtpChannel, server: smtplib.SMTP, receipt: Receipt) -> None:
        self.channel, self.server, self.receipt = channel, server, receipt

    def complete(self) -> Receipt:
        """Send the final dot; the server's 250 is its acceptance."""
        try:
            self.channel._mid_data = False
            code, reply = self.server.docmd(".")
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except Exception as exc:  # noqa: BLE001 - classified below
            error = self.channel._classify(exc)
            self.channel.close()
            raise error from None
        return self.receipt

    def abort(self) -> None:
        """Drop the connection mid-DATA, without QUIT (which would be read as part of the message)."""
        if self.channel._server is self.server:
            self.channel._server, self.channel._mid_data = None, False
        self.server.close()


def _close(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _make(settings: Any, address: str, now: Clock | None) -> SmtpChannel:
    """One channel for every address: config.delivery.smtp's server, one session per run."""
    smtp = SmtpSettings(**settings.model_dump())
    return SmtpChannel(smtp, now=now) if now else SmtpChannel(smtp)


KIND = ChannelKind("smtp", contact="email", section="smtp", make=_make, shared=True, addressed=True,
                   unconfigured="仅有邮箱地址，但未配置 SMTP")
