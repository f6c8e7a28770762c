"""The plans and units in the store, as plain rows: for pickers, filters and grouping by county."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store import schema as m


@dataclass(frozen=True)
class PlanRow:
    """A loaded plan as the console lists it."""

    id: str
    title: str
    region: str
    period_start: date
    period_end: date


@dataclass(frozen=True)
class UnitRow:
    """A unit of the directory as loaded into the store."""

    name: str
    kind: str
    region: str


def plan_rows(session: Session) -> list[PlanRow]:
    """Return every plan, earliest period first."""
    return [PlanRow(*row) for row in session.execute(
        select(m.Plan.id, m.Plan.title, m.Plan.region, m.Plan.period_start, m.Plan.period_end)
        .order_by(m.Plan.period_start, m.Plan.id))]


def unit_rows(session: Session) -> list[UnitRow]:
    """Return every unit, by region then name."""
    return [UnitRow(*row) for row in session.execute(
        select(m.Unit.name, m.Unit.kind, m.Unit.region).order_by(m.Unit.region, m.Unit.name))]


def known_units(session: Session, names: Iterable[str]) -> set[str]:
    """Return those of `names` the unit directory in the store knows."""
    wanted = list(names)
    if not wanted:
        return set()
    return set(session.scalars(select(m.Unit.name).where(m.Unit.name.in_(wanted))))


def source_files(session: Session) -> dict[str, str]:
    """Return each source document's file name with the plan its tasks come from (a task's source
    is `file:line`), so a page can name the plan instead of the file."""
    files: dict[str, str] = {}
    for plan_id, source in session.execute(select(m.Task.plan_id, m.Task.source).distinct()):
        files.setdefault(str(source).rsplit(":", 1)[0], plan_id)
    return files
