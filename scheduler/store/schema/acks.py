"""Signed 签收 links and their use.

One row per link issued: the token itself is not kept, only its SHA-256, so a copy of the database
does not hand out working links. A link is deterministic for (notice, expiry), so re-sending a
letter re-issues the same row; using it records who and when, and acknowledges the notice.
A letter prints the link's short code (/q/<code>, derived from the token); the row keeps the code's
SHA-256 too, so the short link can be found and a copy of the database still hands out none.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime


class AckLink(Base):
    __tablename__ = "ack_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    # sha256 hex of the short code; empty for links issued before short codes (filled on first need)
    short_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    notice_key: Mapped[str] = mapped_column(String(200), index=True)
    expires_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
