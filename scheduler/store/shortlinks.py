"""Short 签收 links in the store: find an issued link by its short code's hash, and give the links
issued before short codes existed their hash (only a holder of the secret can compute it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.store.acks import IssuedLink
from scheduler.store.schema import AckLink


def link_by_short(session: Session, short_hash: str) -> IssuedLink | None:
    """Return the issued link whose short code hashes to `short_hash`, or None."""
    row = session.execute(select(AckLink.notice_key, AckLink.token_hash, AckLink.expires_on)
                          .where(AckLink.short_hash == short_hash)).first()
    return IssuedLink(row.notice_key, row.token_hash, row.expires_on, short_hash) if row else None


def fill_short_hashes(session: Session, today: date, short_hash_of: Callable[[IssuedLink], str | None]) -> int:
    """Give every unexpired link without a short hash the one `short_hash_of` computes (None: skip,
    e.g. a link signed with another secret); return how many were filled. The caller commits."""
    rows = session.execute(select(AckLink.id, AckLink.notice_key, AckLink.token_hash, AckLink.expires_on)
                           .where(AckLink.short_hash.is_(None), AckLink.expires_on >= today)).all()
    filled = 0
    for row in rows:
        value = short_hash_of(IssuedLink(row.notice_key, row.token_hash, row.expires_on))
        if value:
            session.execute(update(AckLink).where(AckLink.id == row.id).values(short_hash=value)
                            .execution_options(synchronize_session=False))
            filled += 1
    return filled
