"""Where the incremental sweep left each task: what its facts looked like, and the next day its rules can fire.

A cache, never a record: emptying both tables makes the next sweep evaluate everything and fill them
again, so a store migrated from an older version needs nothing but one full sweep.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base


class SweepCursor(Base):
    """One task as the last sweep that evaluated it saw it."""

    __tablename__ = "sweep_cursors"
    task_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the business day it was evaluated for
    next_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: nothing fires until something changes
    version: Mapped[int] = mapped_column(Integer)  # the task row's version_id
    notices: Mapped[int] = mapped_column(Integer)  # how many notices the task had
    notice_versions: Mapped[int] = mapped_column(Integer)  # the sum of their version_id


class SweepWorld(Base):
    """What every cursor was computed under: rules, calendar, plans, units (a digest), the day, and
    the marks (count, newest id) of the rows beside the tasks, to find the tasks they changed."""

    __tablename__ = "sweep_world"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
