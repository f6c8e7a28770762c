"""No text from a plan, a unit directory or a key can add an e-mail header: a Bcc: hidden after a
line break in a subject or a unit name reaches a real SMTP server (aiosmtpd on loopback) as text
inside its own header, and the envelope holds only the intended recipients."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller

from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings
from tests.delivery.channels.conftest import NOW, free_port

SNEAK = "\r\nBcc: leak@evil.example"


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.mark.parametrize("field", ["subject", "unit", "key"])
@pytest.mark.parametrize("sneak", [SNEAK, "\nBcc: leak@evil.example", "\rBcc: leak@evil.example",
                                   "\u2028Bcc: leak@evil.example", "\x85Bcc: leak@evil.example"])
def test_a_bcc_after_a_line_break_in_a_header_value_never_becomes_a_header(inbox, message, field, sneak):
    handler, port = inbox
    ascii_value = {"subject": "Progress report", "unit": "Luzhou District", "key": "reminder|cz|Luzhou"}[field]
    sneaky = replace(message, **{field: ascii_value + sneak}, attachments=())
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, security="none",
                                       sender="duban@changzhi.gov.cn", timeout=5), now=lambda: NOW)
    channel.send(sneaky)
    channel.close()
    envelope = handler.envelopes[-1]
    assert sorted(envelope.rcpt_tos) == sorted([*message.to, *message.cc])
    raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in head.split(b"\r\n"))
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert "Bcc" not in received
    header = {"subject": "Subject", "unit": "X-Duban-Unit", "key": "X-Duban-Key"}[field]
    assert received[header] == f"{ascii_value} Bcc: leak@evil.example"


def test_an_attachment_name_with_a_quote_and_a_line_break_stays_one_parameter(inbox, message, tmp_path):
    handler, port = inbox
    odd = tmp_path / 'report"\r\nContent-Type: text-html\r\n.pdf'
    odd.write_bytes(b"%PDF-1.4")
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=port, security="none",
                                       sender="duban@changzhi.gov.cn", timeout=5), now=lambda: NOW)
    channel.send(replace(message, attachments=(odd,)))
    channel.close()
    received = email.message_from_bytes(handler.envelopes[-1].content, policy=email.policy.default)
    parts = [p for p in received.iter_attachments()]
    assert [p.get_filename() for p in parts] == ['report" Content-Type: text-html .pdf']
    assert parts[0].get_content_type() == "application/pdf"
