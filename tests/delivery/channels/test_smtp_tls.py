"""SMTP security for real: STARTTLS and implicit TLS against aiosmtpd on loopback, certificates from a
trustme CA, credentials from the environment, letters attached as PDF and DOCX; and one session reused
for consecutive messages, with a fresh one after the server drops it."""

from __future__ import annotations

import email
import email.policy
import ssl
from dataclasses import replace

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from scheduler.delivery.channels.base import TransportError, message_id
from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings
from tests.delivery.channels.conftest import NOW, free_port

USER, PASSWORD = "dqb-sender", "Zhongqiu#2019"


class Inbox:
    """Keeps each message with what the session looked like when it arrived."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.sessions: set[int] = set()

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        self.received.append({
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data if session.authenticated else None,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "content": envelope.content,
        })
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("T_SMTP_USER", USER)
    monkeypatch.setenv("T_SMTP_PASSWORD", PASSWORD)


@pytest.fixture
def servers():
    started = []

    def start(handler, **kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=_authenticate,
                                **kwargs)
        controller.start()
        started.append(controller)
        return controller.port

    yield start
    for controller in started:
        controller.stop()


def _channel(port: int, security: str, ca_file: str, **kwargs) -> SmtpChannel:
    settings = SmtpSettings(host="127.0.0.1", port=port, security=security, sender="dqb@changzhi.gov.cn",
                            username_env="T_SMTP_USER", password_env="T_SMTP_PASSWORD", timeout=5,
                            ca_file=ca_file, **kwargs)
    return SmtpChannel(settings, now=lambda: NOW)


def _check_arrival(received: dict, message) -> None:
    assert received["tls"] is True
    assert received["login"] == USER.encode()
    assert received["mail_from"] == "dqb@changzhi.gov.cn"
    assert received["rcpt_tos"] == ["dqb@luzhou.gov.cn", "sthjj@changzhi.gov.cn"]
    mail = email.message_from_bytes(received["content"], policy=email.policy.default)
    assert mail["Message-ID"] == message_id("overdue-warning|cz2019-12|潞州区人民政府|2019-11-30")
    assert mail["Subject"] == message.subject
    assert mail.get_body(("plain",)).get_content().startswith("潞州区人民政府：")
    assert mail.get_body(("html",)).get_content().strip() == "<p>潞州区人民政府：</p>"
    parts = {part.get_filename(): (part.get_content_type(), part.get_content()) for part in mail.iter_attachments()}
    assert parts == {
        "长大气办函〔2019〕12号.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                  b"PK\x03\x04 docx bytes"),
        "长大气办函〔2019〕12号.pdf": ("application/pdf", b"%PDF-1.4 pdf bytes"),
    }


def test_starttls_with_login_delivers_the_letter_with_pdf_and_docx(ca, ca_file, servers, credentials, message):
    inbox = Inbox()
    port = servers(inbox, tls_context=_server_context(ca), require_starttls=True)
    receipt = _channel(port, "starttls", ca_file).send(message)
    [received] = inbox.received
    _check_arrival(received, message)
    assert receipt.message_id == message_id(message.key)


def test_implicit_tls_with_login_delivers_the_letter(ca, ca_file, servers, credentials, message):
    inbox = Inbox()
    # aiosmtpd offers AUTH only after STARTTLS unless told otherwise; here TLS starts with the connection
    port = servers(inbox, ssl_context=_server_context(ca), auth_require_tls=False)
    channel = _channel(port, "ssl", ca_file)
    channel.send(message)
    channel.close()
    [received] = inbox.received
    _check_arrival(received, message)


def test_a_certificate_from_an_unknown_ca_is_refused_permanently(servers, credentials, message, tmp_path):
    inbox = Inbox()
    port = servers(inbox, ssl_context=_server_context(trustme.CA()))  # not the CA the client trusts
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(TransportError, match="证书校验失败") as caught:
        _channel(port, "ssl", str(other)).send(message)
    assert caught.value.permanent is True and inbox.received == []


def test_a_wrong_password_over_tls_is_permanent(ca, ca_file, servers, monkeypatch, message):
    monkeypatch.setenv("T_SMTP_USER", USER)
    monkeypatch.setenv("T_SMTP_PASSWORD", "wrong")
    port = servers(Inbox(), tls_context=_server_context(ca), require_starttls=True)
    with pytest.raises(TransportError, match="535") as caught:
        _channel(port, "starttls", ca_file).send(message)
    assert caught.value.permanent is True


def test_consecutive_messages_share_one_tls_session(ca, ca_file, servers, credentials, message):
    inbox = Inbox()
    port = servers(inbox, tls_context=_server_context(ca), require_starttls=True)
    channel = _channel(port, "starttls", ca_file)
    for n in range(3):
        channel.send(replace(message, key=f"digest|潞州区人民政府|2019-12-2{n}"))
    channel.close()
    assert len(inbox.received) == 3 and len(inbox.sessions) == 1
    ids = [email.message_from_bytes(r["content"])["Message-ID"] for r in inbox.received]
    assert ids == [message_id(f"digest|潞州区人民政府|2019-12-2{n}") for n in range(3)]


class Dropper(Inbox):
    """Takes one message per session; the next MAIL gets 421 and the connection is closed (an idle
    timeout or a restart between two sends)."""

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if id(session) in self.sessions:
            server.transport.close()
            return "421 4.4.2 idle too long, closing"
        envelope.mail_from = address
        return "250 OK"


def test_a_dropped_session_is_replaced_by_a_fresh_one_for_the_next_message(servers, message):
    inbox = Dropper()
    port = servers(inbox)
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, security="none", sender="dqb@changzhi.gov.cn",
                                       timeout=5), now=lambda: NOW)
    channel.send(replace(message, key="a"))
    channel.send(replace(message, key="b"))
    channel.close()
    assert [email.message_from_bytes(r["content"])["Message-ID"] for r in inbox.received] == [
        message_id("a"), message_id("b")]
    assert len(inbox.sessions) == 2


def test_an_unreachable_server_is_flagged_so_the_run_stops_trying_it(message):
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2))
    with pytest.raises(TransportError) as caught:
        channel.send(message)
    assert caught.value.permanent is False and caught.value.unreachable is True


def test_a_temporary_refusal_is_retryable_but_not_unreachable(servers, message):
    class Busy(Inbox):
        async def handle_DATA(self, server, session, envelope):
            return "451 4.3.0 try again later"

    port = servers(Busy())
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5))
    with pytest.raises(TransportError, match="451") as caught:
        channel.send(message)
    assert (caught.value.permanent, caught.value.unreachable) == (False, False)
