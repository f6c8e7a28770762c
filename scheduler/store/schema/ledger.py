"""The ledger as loaded: plans, units and their contacts, tasks and who holds each task."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.store.schema.base import Base


class Plan(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    plan_year: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Unit(Base):
    __tablename__ = "units"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # canonical name
    id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    head_title: Mapped[str] = mapped_column(String(64), default="")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("unit", "channel", "address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.name"))
    channel: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the ledger
    category: Mapped[str] = mapped_column(Text, default="")
    key_work: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    standing: Mapped[bool] = mapped_column(Boolean, default=False)  # no date: continuous work
    remarks: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(128))
    ledger: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the ledger row as loaded
    ledger_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version_id}


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("task_id", "unit", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.name"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # lead, cooperating, responsible
    written: Mapped[str] = mapped_column(Text, default="")  # the name as the plan wrote it
