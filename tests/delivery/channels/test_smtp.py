from __future__ import annotations

import email
import email.policy
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from scheduler.delivery.channels.base import TransportError, message_id
from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings
from tests.delivery.channels.conftest import NOW, free_port


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients with 550."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"duban" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def smtp_server():
    servers = []

    def start(**kwargs):
        inbox = Inbox(kwargs.pop("refuse", False))
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


def _channel(port: int, **kwargs) -> SmtpChannel:
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none",
                            sender="duban@changzhi.gov.cn", timeout=5, **kwargs)
    return SmtpChannel(settings, now=lambda: NOW)


def test_it_delivers_headers_chinese_subject_body_and_attachments(smtp_server, message):
    inbox, port = smtp_server()
    receipt = _channel(port).send(message)
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "duban@changzhi.gov.cn"
    assert envelope.rcpt_tos == ["dqb@luzhou.gov.cn", "sthjj@changzhi.gov.cn"]
    raw = envelope.content
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # the subject travels RFC 2047-encoded
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == message.subject
    assert mail["Message-ID"] == receipt.message_id == message_id(message.key)
    assert mail["To"] == "dqb@luzhou.gov.cn"
    assert mail["Cc"] == "sthjj@changzhi.gov.cn"
    assert mail["Date"] == "Fri, 20 Dec 2019 09:00:00 +0800"
    assert mail.get_body(("plain",)).get_content().startswith("潞州区人民政府：")
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files == {
        "长大气办函〔2019〕12号.docx": b"PK\x03\x04 docx bytes",
        "长大气办函〔2019〕12号.pdf": b"%PDF-1.4 pdf bytes",
    }


def test_a_resend_after_a_crash_keeps_the_message_id(smtp_server, message):
    inbox, port = smtp_server()
    _channel(port).send(message)
    _channel(port).send(message)
    first, second = (email.message_from_bytes(e.content) for e in inbox.envelopes)
    assert first["Message-ID"] == second["Message-ID"]


def test_a_refusing_server_is_a_permanent_error(smtp_server, message):
    _, port = smtp_server(refuse=True)
    with pytest.raises(TransportError) as caught:
        _channel(port).send(message)
    assert caught.value.permanent is True
    assert "550" in str(caught.value)


def test_a_closed_port_is_a_retryable_error(message):
    with pytest.raises(TransportError) as caught:
        _channel(free_port()).send(message)
    assert caught.value.permanent is False


def test_it_logs_in_with_credentials_from_the_environment(smtp_server, message, monkeypatch):
    inbox, port = smtp_server(authenticator=_authenticate, auth_require_tls=False)
    monkeypatch.setenv("T_SMTP_USER", "duban")
    monkeypatch.setenv("T_SMTP_PASS", "s3cret")
    _channel(port, username_env="T_SMTP_USER", password_env="T_SMTP_PASS").send(message)
    assert len(inbox.envelopes) == 1


def test_wrong_credentials_are_a_permanent_error(smtp_server, message, monkeypatch):
    _, port = smtp_server(authenticator=_authenticate, auth_require_tls=False)
    monkeypatch.setenv("T_SMTP_USER", "duban")
    monkeypatch.setenv("T_SMTP_PASS", "wrong")
    with pytest.raises(TransportError) as caught:
        _channel(port, username_env="T_SMTP_USER", password_env="T_SMTP_PASS").send(message)
    assert caught.value.permanent is True


def test_unset_credentials_are_a_permanent_error_before_connecting(message, monkeypatch):
    monkeypatch.delenv("T_SMTP_USER", raising=False)
    with pytest.raises(TransportError, match="T_SMTP_USER") as caught:
        _channel(free_port(), username_env="T_SMTP_USER", password_env="T_SMTP_PASS").send(message)
    assert caught.value.permanent is True


def test_a_unit_without_an_address_is_a_permanent_error(message):
    with pytest.raises(TransportError) as caught:
        _channel(free_port()).send(replace(message, to=()))
    assert caught.value.permanent is True


def test_a_batch_shares_one_session_and_one_bad_message_does_not_stop_the_rest(
        smtp_server, message):
    inbox, port = smtp_server()
    batch = [replace(message, key="digest|a"), replace(message, key="digest|b", to=()),
             replace(message, key="digest|c")]
    results = _channel(port).send_batch(batch)
    assert [getattr(r, "permanent", None) for r in results] == [None, True, None]
    ids = [email.message_from_bytes(e.content)["Message-ID"] for e in inbox.envelopes]
    assert ids == [message_id("digest|a"), message_id("digest|c")]
