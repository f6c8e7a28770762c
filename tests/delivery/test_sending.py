"""Sending a batch: each outcome commits before the next message can be accepted, while the next
one is staged meanwhile; a failed commit drops the staged message and stops the batch."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import pytest

from scheduler.delivery.channels.base import OutgoingMessage, Receipt, TransportError
from scheduler.delivery.sending import send_all
from scheduler.delivery.targets import Target

DAY = date(2019, 12, 2)


@dataclass
class Job:
    key: str
    target: Target
    message: OutgoingMessage | None
    error: TransportError | None = None


class StagingChannel:
    """Notes, in order, what happens to each message: staged, accepted (completed) or dropped."""

    name = "smtp"

    def __init__(self, events: list[str]) -> None:
        self.events, self.lock = events, threading.Lock()

    def note(self, event: str) -> None:
        with self.lock:
            self.events.append(event)

    def send(self, message):  # pragma: no cover - a staging channel is never asked to send
        raise AssertionError("send() on a staging channel")

    def stage(self, message):
        self.note(f"staged {message.key}")
        channel = self

        class Staged:
            def complete(self):
                channel.note(f"accepted {message.key}")
                return Receipt("smtp", f"<{message.key}>")

            def abort(self):
                channel.note(f"dropped {message.key}")

        return Staged()


def jobs(n: int) -> list[Job]:
    return [Job(f"m{i}", Target("smtp", "x@example.cn"),
                OutgoingMessage(key=f"m{i}", day=DAY, unit="单位", subject="s", text="t")) for i in range(n)]


def test_the_next_message_is_rendered_and_staged_during_the_commit_and_accepted_only_after_it():
    events: list[str] = []
    channel = StagingChannel(events)

    def record(job, receipt, error):
        channel.note(f"committing {job.key}")
        time.sleep(0.05)  # a slow WAL flush: the next message is staged meanwhile
        channel.note(f"committed {job.key}")

    with ThreadPoolExecutor(1) as recorder:
        send_all(jobs(3), lambda c, a: channel, {}, {}, record, recorder,
                 prepare=lambda job: channel.note(f"rendered {job.key}"))
    for i in range(3):
        assert events.index(f"rendered m{i}") < events.index(f"staged m{i}") < events.index(f"accepted m{i}")
        assert events.index(f"accepted m{i}") < events.index(f"committed m{i}")
    for i in range(2):
        assert events.index(f"committed m{i}") < events.index(f"accepted m{i + 1}")  # never two unrecorded
        assert events.index(f"rendered m{i + 1}") < events.index(f"committed m{i}")  # the overlap
        assert events.index(f"staged m{i + 1}") < events.index(f"committed m{i}")
    assert events[-1] == "committed m2"


def test_a_failed_commit_drops_the_staged_message_and_stops_the_batch():
    events: list[str] = []
    channel = StagingChannel(events)

    def record(job, receipt, error):
        raise RuntimeError("database is locked")

    with ThreadPoolExecutor(1) as recorder, pytest.raises(RuntimeError):
        send_all(jobs(3), lambda c, a: channel, {}, {}, record, recorder)
    assert events == ["staged m0", "accepted m0", "staged m1", "dropped m1"]


def test_a_channel_without_staging_sends_after_the_previous_commit():
    events: list[str] = []

    class Plain:
        name = "file"

        def send(self, message):
            events.append(f"sent {message.key}")
            return Receipt("file", message.key)

    def record(job, receipt, error):
        time.sleep(0.02)
        events.append(f"committed {job.key}")

    with ThreadPoolExecutor(1) as recorder:
        send_all(jobs(3), lambda c, a: Plain(), {}, {}, record, recorder)
    assert events == ["sent m0", "committed m0", "sent m1", "committed m1", "sent m2", "committed m2"]


def test_a_message_that_could_not_be_built_is_recorded_with_its_error_and_not_sent():
    events: list[str] = []
    channel = StagingChannel(events)
    outcomes = []
    broken = jobs(2)
    broken[0].message, broken[0].error = None, TransportError("无法生成公文", permanent=True)
    with ThreadPoolExecutor(1) as recorder:
        send_all(broken, lambda c, a: channel, {}, {}, lambda j, r, e: outcomes.append((j.key, r, e)), recorder)
    assert [(k, r is None, str(e) if e else "") for k, r, e in outcomes] == [("m0", True, "无法生成公文"),
                                                                            ("m1", False, "")]
    assert events == ["staged m1", "accepted m1"]
