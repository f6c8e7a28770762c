"""Console accounts and sessions.

Passwords are stored only as argon2 hashes; a session row stores the SHA-256 of its cookie token,
so a copy of the database does not let anyone log in. Unit users are scoped to their units by
rows of `user_units`; coordinators and viewers have none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime

ROLES = ("coordinator", "unit", "viewer")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # login name, also the audit actor
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # coordinator, unit, viewer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserUnit(Base):
    """A unit a unit user answers for (canonical unit name as in `units`)."""

    __tablename__ = "user_units"
    __table_args__ = (UniqueConstraint("user_id", "unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(128))


class WebSession(Base):
    """A logged-in browser or API client; it ends at `expires_at` or at logout."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
