"""签收 links in the store: which links were issued, when they run out, and honouring one.

The token itself is signed and checked in scheduler.delivery.acklinks, which needs only the
secret; the store keeps a row per issued link (its SHA-256, never the token) so that a copy of the
database hands out no working links, and records who used a link and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store.notices import acknowledge, notice_by_key
from scheduler.store.schema import AckLink

if TYPE_CHECKING:
    from scheduler.store import Store

# What a caller outside the store holds while it keeps one transaction open across calls.
StoreSession = Session

_LINK_EXPIRES = (select(AckLink.expires_on).where(AckLink.notice_key == bindparam("key"))
                 .order_by(AckLink.expires_on.desc()).limit(1))


@dataclass(frozen=True)
class IssuedLink:
    """A link put into a letter or a digest: whose notice, its token's hash, its last day."""

    notice_key: str
    token_hash: str
    expires_on: date
    short_hash: str = ""  # SHA-256 of the link's short code (scheduler.delivery.acklinks.short_code)


@dataclass(frozen=True)
class AckResult:
    """What honouring a link did."""

    notice_key: str
    unit: str
    level: str
    number: str  # the letter's document number, empty when it has none
    acknowledged_on: date
    first: bool  # False when the notice had been acknowledged before


def record_issued(session: Session, link: IssuedLink, now: datetime) -> None:
    """Record that a link was put into a letter (once per token; a re-send changes nothing)."""
    row = session.scalar(select(AckLink).where(AckLink.token_hash == link.token_hash))
    if row is None:
        session.add(AckLink(token_hash=link.token_hash, notice_key=link.notice_key, expires_on=link.expires_on,
                            issued_at=now, uses=0, short_hash=link.short_hash or None))
    elif link.short_hash and not row.short_hash:  # issued before short codes: a re-send adds it
        row.short_hash = link.short_hash


def record_links(store: Store, links: Iterable[IssuedLink], now: datetime) -> None:
    """Record several issued links in one transaction."""
    with store.session() as session:
        for link in links:
            record_issued(session, link, now)
        session.commit()


def link_expiry(session: Session, notice_key: str) -> date | None:
    """Return the last day of the latest link issued for the notice; None if none was recorded."""
    return session.scalar(_LINK_EXPIRES, {"key": notice_key})


def honour(session: Session, link: IssuedLink, *, by: str, today: date, now: datetime) -> AckResult | None:
    """Acknowledge the link's notice (idempotent) and count the link's use; the caller commits.

    `link` comes from a token whose signature was checked. None when the notice does not exist
    (cancelled, or another installation's link)."""
    notice = notice_by_key(session, link.notice_key)
    if notice is None:
        return None
    first = notice.acknowledged_on is None
    acknowledge(session, link.notice_key, by, today, now)
    row = session.scalar(select(AckLink).where(AckLink.token_hash == link.token_hash))
    if row is None:  # signed with our secret but issued before links were recorded
        session.add(AckLink(token_hash=link.token_hash, notice_key=link.notice_key, expires_on=link.expires_on,
                            issued_at=now, used_at=now, used_by=by, uses=1, short_hash=link.short_hash or None))
    else:
        session.execute(
            update(AckLink).where(AckLink.id == row.id)
            .values(uses=AckLink.uses + 1, used_by=row.used_by or by, used_at=row.used_at or now)
            .execution_options(synchronize_session=False)
        )
    number = session.scalar(select(m.Letter.number).where(m.Letter.notice_key == link.notice_key)) or ""
    return AckResult(link.notice_key, notice.unit, notice.level, number, notice.acknowledged_on or today, first)
