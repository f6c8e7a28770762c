"""What a coordinator already settled of the ledgers' open points (待协调事项): the latest date set
for each task, the latest units chosen per written name, and each task's region and ledger roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store.schema import UnitOverride
from scheduler.store.unitoverrides import written_role


@dataclass(frozen=True)
class DateSet:
    """The date a coordinator set for a task (or an approved extension), with who and why."""

    due: date
    by: str
    reason: str


@dataclass(frozen=True)
class ChosenUnits:
    """The units a coordinator chose for a written name, with the role, who and why."""

    units: list[str]
    role: str
    by: str
    reason: str


@dataclass(frozen=True)
class PointTask:
    """A task an open point is about: its plan's region, and the role its ledger gave each written name."""

    task_id: str
    region: str
    roles: dict[str, str] = field(default_factory=dict)  # written name -> lead, cooperating or responsible


def latest_dates(session: Session) -> dict[str, DateSet]:
    """Return task id -> the latest date set for it."""
    found: dict[str, DateSet] = {}
    for task_id, due, by, reason in session.execute(
        select(m.DeadlineOverride.task_id, m.DeadlineOverride.due, m.DeadlineOverride.by, m.DeadlineOverride.reason)
        .order_by(m.DeadlineOverride.at, m.DeadlineOverride.id)
    ):
        found[task_id] = DateSet(due, by, reason)
    return found


def chosen_units(session: Session, task_ids: Iterable[str]) -> dict[tuple[str, str], ChosenUnits]:
    """Return (task, written name) -> the latest coordinator choice."""
    found: dict[tuple[str, str], ChosenUnits] = {}
    for o in session.scalars(select(UnitOverride).where(UnitOverride.task_id.in_(list(task_ids)))
                             .order_by(UnitOverride.at, UnitOverride.id)):
        found[(o.task_id, o.written)] = ChosenUnits(list(o.units), o.role, o.by, o.reason)
    return found


def point_tasks(session: Session, written: Iterable[tuple[str, str]]) -> dict[str, PointTask]:
    """Return task id -> the task of each (task, written name) asked for that is in the store."""
    wanted: dict[str, list[str]] = {}
    for task_id, name in written:
        wanted.setdefault(task_id, []).append(name)
    regions = dict(session.execute(select(m.Plan.id, m.Plan.region)).all())
    return {t.id: PointTask(t.id, regions.get(t.plan_id, ""), {name: written_role(t, name) for name in wanted[t.id]})
            for t in session.scalars(select(m.Task).where(m.Task.id.in_(list(wanted))))}
