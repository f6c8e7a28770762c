"""Air-quality and progress metrics with their targets.

Values are keyed by region, metric, day and whether they stand for a month, so a re-import of a
corrected file updates values in place; every import is recorded with its report (bad rows, gaps).
Targets are not stored: they live in data/targets/ next to the ledgers and are read with the rules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime


class MetricValueRow(Base):
    """One day's (or month's) value of one metric in one region."""

    __tablename__ = "metric_values"
    __table_args__ = (UniqueConstraint("region", "metric", "monthly", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(32))
    monthly: Mapped[bool] = mapped_column(Boolean, default=False)
    day: Mapped[date] = mapped_column(Date)  # the first of the month for a monthly value
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")  # file and row
    import_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MetricImport(Base):
    """One run of `duban metrics import`: what it read, loaded and rejected."""

    __tablename__ = "metric_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # problems and gaps as JSON
