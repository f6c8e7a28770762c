"""What was issued, kept as issued: a letter's files of record, and the offices an account serves.

A letter's DOCX, PDF and HTML are stored once, when it is first issued, as content-addressed
blobs (SHA-256 of the bytes, kept beside them), so the console and the portal show the letter that
went out, not one rebuilt from later data, and the integrity check can prove nothing changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime


class LetterFile(Base):
    """One file of a letter of record: its kind (docx, pdf, html), its bytes and their hash."""

    __tablename__ = "letter_files"
    __table_args__ = (UniqueConstraint("letter_key", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    letter_key: Mapped[str] = mapped_column(ForeignKey("letters.notice_key"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserOffice(Base):
    """An issuing office (发文机关) a coordinator or viewer account works for; none means every office."""

    __tablename__ = "user_offices"
    __table_args__ = (UniqueConstraint("user_id", "office"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    office: Mapped[str] = mapped_column(String(128))
