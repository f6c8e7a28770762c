"""What the service produced: notices under their occurrence keys, numbered letters, deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_status_level", "status", "level"),
        Index("ix_notices_task_unit", "task_id", "unit"),
        # the incremental sweep's per-task count and version sum, read from the index alone (0013)
        Index("ix_notices_task_version", "task_id", "version_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    task_id: Mapped[str | None] = mapped_column(String(96), nullable=True)
    unit: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(48))
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(32))
    rule_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    clause: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    created_on: Mapped[date] = mapped_column(Date, index=True)  # the business day swept
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # null before 0003
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    acknowledged_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # the key its letter was numbered under: a unit's notices of one level go out as one letter (0010)
    letter_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    # an interview's time, place, attendees and contact, entered by the approving coordinator (0010)
    arrangement: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version_id}


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("issuer", "year", "serial"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_key: Mapped[str] = mapped_column(ForeignKey("notices.key"), unique=True)
    issuer: Mapped[str] = mapped_column(String(128))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("message_key", "channel", "address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_key: Mapped[str] = mapped_column(String(200))  # notice key or digest key
    channel: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    # when the current run of transient failures began (UTC); delivery dead-letters by this age
    first_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # 0006
