"""Staging: the SMTP transaction runs up to the end of DATA while the previous outcome commits; the
server accepts the message only at the final dot, and a dropped transaction is never delivered."""

from __future__ import annotations

import email
import email.policy
import time
from dataclasses import replace

import pytest

from scheduler.delivery.channels.base import TransportError, message_id
from tests.delivery.channels.test_smtp import _channel, smtp_server  # noqa: F401 - the fixture


def settle(seconds: float = 0.2) -> None:
    """Give the in-process server time to act on what it was sent."""
    time.sleep(seconds)


def test_a_staged_message_is_accepted_only_when_completed(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server()
    channel = _channel(port)
    staged = channel.stage(message)
    settle()
    assert inbox.envelopes == []
    assert staged.complete().message_id == message_id(message.key)
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["dqb@luzhou.gov.cn", "sthjj@changzhi.gov.cn"]
    assert email.message_from_bytes(envelope.content, policy=email.policy.default)["Subject"] == message.subject
    channel.close()


def test_an_aborted_message_is_discarded_and_the_next_goes_out_on_a_fresh_session(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server()
    channel = _channel(port)
    channel.stage(replace(message, key="dropped")).abort()
    settle()
    channel.stage(replace(message, key="next")).complete()
    channel.close()
    assert [email.message_from_bytes(e.content)["X-Duban-Key"] for e in inbox.envelopes] == ["next"]


def test_lines_starting_with_a_dot_arrive_intact(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server()
    text = "第一行\n.\n..两个点\n.结尾"
    channel = _channel(port)
    channel.stage(replace(message, text=text, html=None, attachments=())).complete()
    channel.close()
    (envelope,) = inbox.envelopes
    assert email.message_from_bytes(envelope.content, policy=email.policy.default).get_content() == text


def test_a_refused_recipient_is_a_permanent_error_when_staging(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server(refuse=True)
    with pytest.raises(TransportError) as caught:
        _channel(port).stage(message)
    assert caught.value.permanent is True and "550" in str(caught.value)
    assert inbox.envelopes == []


def test_one_session_carries_staged_messages_one_after_another(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server()
    channel = _channel(port)
    sessions = []
    for i in range(3):
        channel.stage(replace(message, key=f"m{i}")).complete()
        sessions.append(channel._server)
    channel.close()
    assert [email.message_from_bytes(e.content)["X-Duban-Key"] for e in inbox.envelopes] == ["m0", "m1", "m2"]
    assert sessions[0] is sessions[1] is sessions[2] is not None


def test_closing_the_channel_with_a_message_staged_discards_it_at_once(smtp_server, message):  # noqa: F811
    inbox, port = smtp_server()
    channel = _channel(port)
    channel.stage(replace(message, key="interrupted"))
    started = time.perf_counter()
    channel.close()  # e.g. the run stopped between staging and the dot: no QUIT inside DATA
    assert time.perf_counter() - started < 1
    channel.stage(replace(message, key="after")).complete()
    channel.close()
    settle()
    assert [email.message_from_bytes(e.content)["X-Duban-Key"] for e in inbox.envelopes] == ["after"]
