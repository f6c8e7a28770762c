"""Coordinator-chosen units for a task (open points fixable in the console).

A ledger cell may name no unit, an ambiguous group ("相关县区政府") or a name the directory lacks;
the loader then assigns nobody for it. A coordinator picks concrete units from the directory;
the latest choice per (task, written name) is added to the task's units wherever the store hands
tasks to rules. Kept apart from `assignments`, which `duban load` rewrites from the ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base
from scheduler.store.schema.timestamps import UtcDateTime


class UnitOverride(Base):
    __tablename__ = "unit_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    written: Mapped[str] = mapped_column(Text, default="")  # the cell as written; "" when it named no unit
    role: Mapped[str] = mapped_column(String(16))  # lead, cooperating, responsible
    units: Mapped[list[Any]] = mapped_column(JSON, default=list)  # canonical unit names, in the chosen order
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
