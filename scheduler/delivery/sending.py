"""Handing a batch's messages to their channels in order, each outcome committed before the next
message can be accepted.

An outcome commits in the recorder's thread (a WAL flush: milliseconds on a busy disk) while the
next message is handed over as far as its channel goes without it being accepted — for SMTP the
whole transaction but DATA's final dot (scheduler.delivery.channels.base.Staging) — and it is
completed only once that commit has landed. A crash therefore still leaves at most one accepted
message uncommitted (resent with the same Message-ID), while the flush overlaps the next message's
SMTP round trips instead of adding to them. Channels that cannot stage send after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from typing import Protocol, TypeVar

from scheduler.delivery.channels.base import Channel, OutgoingMessage, Receipt, Staged, TransportError
from scheduler.delivery.channels.registry import ChannelFactory
from scheduler.delivery.targets import Target

log = logging.getLogger(__name__)

Outcome = tuple[Receipt | None, TransportError | None]


class Sendable(Protocol):
    """A claimed message on its way: what to send, where, or why it cannot go."""

    target: Target
    message: OutgoingMessage | None
    error: TransportError | None

    @property
    def key(self) -> str: ...


J = TypeVar("J", bound=Sendable)

def send_all(jobs: Sequence[J], factory: ChannelFactory, used: dict[int, Channel], down: dict[int, TransportError],
             record: Callable[[J, Receipt | None, TransportError | None], None], recorder: Executor,
             prepare: Callable[[J], None] = lambda job: None) -> None:
    """Send `jobs` in order; `record(job, receipt, error)` commits each outcome in `recorder`.

    `prepare(job)` runs just before a job is handed over, while the previous outcome commits (a
    digest is rendered then). `used` collects the channels made (the caller closes them); `down`
    the ones found unreachable, which are not tried again this run. An error from `record` stops
    the batch: the message handed over meanwhile is dropped, not accepted."""
    landing: Future[None] | None = None
    for job in jobs:
        prepare(job)  # on an error, the caller's executor still lets the previous outcome land
        complete, abort = hand_over(job, factory, used, down)
        if landing is not None:
            try:
                landing.result()
            except BaseException:
                abort()  # the previous outcome is not recorded: this message must not be accepted
                raise
        receipt, error = complete()
        job.message = None  # sent: the batch keeps only what recording needs
        landing = recorder.submit(record, job, receipt, error)
    if landing is not None:
        landing.result()


def _nothing() -> None:
    return None


def hand_over(job: Sendable, factory: ChannelFactory, used: dict[int, Channel],
              down: dict[int, TransportError]) -> tuple[Callable[[], Outcome], Callable[[], None]]:
    """Start handing the message to its channel, staging it now if the channel can. Return the
    step that completes it (receipt or error) and the one that drops it instead."""
    if job.error is not None or job.message is None:
        error = job.error
        return (lambda: (None, error)), _nothing
    message = job.message
    channel: Channel | None = None
    try:
        channel = factory(job.target.channel, job.target.address)
        used[id(channel)] = channel
        if id(channel) in down:  # unreachable earlier in this run: do not wait for it again
            raise TransportError(f"{down[id(channel)]}（本轮不再尝试）", permanent=False)
        stage = getattr(channel, "stage", None)
        if not callable(stage):
            send = channel.send
            return (lambda: _outcome(job, channel, down, lambda: send(message))), _nothing
        staged: Staged = stage(message)
    except Exception as exc:  # noqa: BLE001 - a broken channel must not stop the others
        failed: Outcome = (None, _failure(job, channel, down, exc))
        return (lambda: failed), _nothing
    return (lambda: _outcome(job, channel, down, staged.complete)), staged.abort


def _outcome(job: Sendable, channel: Channel | None, down: dict[int, TransportError],
             step: Callable[[], Receipt]) -> Outcome:
    try:
        return step(), None
    except Exception as exc:  # noqa: BLE001 - a broken channel must not stop the others
        return None, _failure(job, channel, down, exc)


def _failure(job: Sendable, channel: Channel | None, down: dict[int, TransportError],
             exc: Exception) -> TransportError:
    """Return the error to record, noting a server that cannot be reached at all."""
    if isinstance(exc, TransportError):
        if exc.unreachable and channel is not None:
            down[id(channel)] = exc
        return exc
    log.exception("channel %s failed on %s", job.target.channel, job.key)
    return TransportError(f"{type(exc).__name__}: {exc}", permanent=False)
