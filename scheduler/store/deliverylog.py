"""The delivery log as coordinators read it: what did not go out, and sending it again.

Delivery itself (claiming, sending, backing off) is scheduler.delivery; this module lists its rows
for the console and `duban delivery status`, and puts failed ones back in line (audited).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit

RETRYABLE = ("dead", "pending")
REACHING_UNITS = ("queued", "approved", "sent")  # notices that are or will be delivered to their unit


@dataclass(frozen=True)
class DeliveryRecord:
    """One message's delivery on one channel to one address."""

    id: int
    message_key: str
    channel: str
    address: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    first_failed_at: datetime | None
    message_id: str = ""


def _record(d: m.Delivery) -> DeliveryRecord:
    return DeliveryRecord(d.id, d.message_key, d.channel, d.address, d.status, d.attempts, d.next_attempt_at,
                          d.last_error, d.first_failed_at, d.message_id or "")


def deliveries_for(session: Session, message_keys: Iterable[str]) -> list[DeliveryRecord]:
    """Return the deliveries of these messages (notice keys, digest keys), in the order they were queued."""
    keys = sorted(set(message_keys))
    if not keys:
        return []
    return [_record(d) for d in session.scalars(
        select(m.Delivery).where(m.Delivery.message_key.in_(keys)).order_by(m.Delivery.id))]


def failed_deliveries(session: Session) -> list[DeliveryRecord]:
    """Return dead letters and sends that failed and wait for their next attempt, dead ones first."""
    return [_record(d) for d in session.scalars(select(m.Delivery).where(
        or_(m.Delivery.status == "dead", (m.Delivery.status == "pending") & (m.Delivery.attempts > 0))
    ).order_by(m.Delivery.status, m.Delivery.id))]


def dead_deliveries(session: Session) -> list[DeliveryRecord]:
    """Return the deliveries that gave up, oldest first, for a coordinator to resolve."""
    return [_record(d) for d in session.scalars(
        select(m.Delivery).where(m.Delivery.status == "dead").order_by(m.Delivery.id))]


def dead_delivery_count(session: Session) -> int:
    """Return how many deliveries gave up (dead letters waiting for a coordinator)."""
    return session.scalar(select(func.count()).select_from(m.Delivery).where(m.Delivery.status == "dead")) or 0


def retrying_deliveries(session: Session) -> list[DeliveryRecord]:
    """Return the deliveries that failed at least once and are still being tried."""
    return [_record(d) for d in session.scalars(
        select(m.Delivery).where(m.Delivery.status.in_(("pending", "sending")), m.Delivery.attempts > 0)
        .order_by(m.Delivery.id))]


def units_without_contact(session: Session) -> list[str]:
    """Return the units that notices go to but the directory gives no contact, in order of first notice."""
    return list(session.scalars(
        select(m.Notice.unit).where(m.Notice.status.in_(REACHING_UNITS), m.Notice.unit.not_in(select(m.Contact.unit)))
        .group_by(m.Notice.unit).order_by(func.min(m.Notice.id))))


def retry_deliveries(session: Session, ids: Sequence[int], by: str, now: datetime) -> int:
    """Make failed or dead deliveries due again with a fresh count of attempts (audited); the caller commits."""
    rows = list(session.scalars(select(m.Delivery).where(m.Delivery.id.in_(list(ids)))))
    missing = set(ids) - {d.id for d in rows}
    if missing:
        raise StoreError(f"没有这些发送记录：{sorted(missing)}")
    for delivery in rows:
        if delivery.status not in RETRYABLE:
            raise StoreError(f"发送记录 {delivery.id} 当前状态为 {delivery.status}，无需重试")
    for delivery in rows:
        detail = {"from": delivery.status, "attempts": delivery.attempts, "error": delivery.last_error,
                  "channel": delivery.channel, "address": delivery.address}
        delivery.status, delivery.next_attempt_at, delivery.attempts = "pending", None, 0
        audit(session, by, "delivery.retry_request", "delivery", delivery.message_key, detail, now)
    return len(rows)
