"""`duban load`: upsert ledgers and the unit directory, idempotently.

Editing a ledger and loading again updates the changed tasks and keeps their progress, overrides
and notice history; notices that no longer apply (a unit removed, a date moved) are cancelled; a
task that left the ledger is waived, never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from datetime import datetime as dt

from dateutil.rrule import rrulestr
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.plans.deadlines import Deadline, DeadlineContext, find_milestones
from scheduler.plans.ledger import Ledger, Task, task_deadline
from scheduler.store import schema as m
from scheduler.store.provisional import moves
from scheduler.store.repo import audit, cancel_pending
from scheduler.store.taskfacts import latest_overrides, override_deadline
from scheduler.store.unitoverrides import latest_unit_overrides

ROLES = (
    ("lead", "lead_units"),
    ("cooperating", "cooperating_units"),
    ("responsible", "responsible_units"),
)


@dataclass
class LoadReport:
    plans: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_unchanged: int = 0
    tasks_removed: int = 0
    tasks_reordered: int = 0  # unchanged rows whose place in the ledger moved
    notices_cancelled: int = 0
    unresolved: list[str] = field(default_factory=list)  # "task: written name — note"
    provisional: list[str] = field(default_factory=list)  # provisional units named, once each

    def summary(self) -> str:
        return (
            f"载入 {self.plans} 个计划：新增 {self.tasks_created} 项、更新 {self.tasks_updated} 项、"
            f"未变 {self.tasks_unchanged} 项、移出 {self.tasks_removed} 项；"
            f"取消不再适用的通知 {self.notices_cancelled} 条；待协调单位名称 {len(self.unresolved)} 处"
            + (f"（其中临时单位 {len(self.provisional)} 个，可用 duban units list 查看）" if self.provisional else "")
            + ("；台账与存储一致，未作任何改动" if self.unchanged_all() else "")
        )

    def unchanged_all(self) -> bool:
        """Say whether the load found the store already equal to the ledgers and wrote nothing."""
        return not (self.tasks_created or self.tasks_updated or self.tasks_removed or self.tasks_reordered
                    or self.notices_cancelled)


def _hash(task: Task) -> str:
    """Return a digest of the whole ledger row, so an unchanged row is skipped."""
    return digest_of(task.model_dump(mode="json"))


def digest_of(row: dict) -> str:
    """Return the digest of a ledger row already dumped to JSON-ready values."""
    text = json.dumps(row, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _notice_dates(deadline: Deadline, measures: str, context: DeadlineContext) -> frozenset[date]:
    """Return every date a notice of the task may be about: due dates, the end of a year-long or
    window task, recurring occurrences within the plan, and milestones inside the measures."""
    dates = set(deadline.due)
    dates.update(d for d in (deadline.end,) if d is not None)
    begin = deadline.start or context.period_start
    if deadline.rrule and begin and context.period_end:
        start = dt.combine(begin, dt.min.time())
        try:
            rule = rrulestr(deadline.rrule, dtstart=start)
            dates.update(d.date() for d in rule.between(start, dt.combine(context.period_end, dt.min.time()), inc=True))
        except (ValueError, TypeError):
            pass  # a bad RRULE yields no notices; `duban check` reports it
    dates.update(milestone.due for milestone in find_milestones(measures, context))
    return frozenset(dates)


def _effective_dates(
    text: str, standing: bool, measures: str, context: DeadlineContext, override: tuple | None
) -> frozenset[date]:
    """Return the notice dates of a task as stored or as loaded; a coordinator's date outranks the cell."""
    deadline = task_deadline(text, standing, context)
    if override is not None:
        deadline = override_deadline(deadline, override[0], override[1])
    return _notice_dates(deadline, measures, context)


def upsert_units(session: Session, directory) -> None:
    """Insert or update the directory's units and replace their contacts."""
    existing = {u.name: u for u in session.scalars(select(m.Unit))}
    for unit in directory.units():
        row = existing.get(unit.name)
        if row is None:
            session.add(
                m.Unit(
                    name=unit.name,
                    id=unit.id,
                    kind=unit.kind,
                    region=unit.region,
                    head_title=unit.head_title,
                )
            )
        else:
            row.id, row.kind, row.region, row.head_title = (
                unit.id,
                unit.kind,
                unit.region,
                unit.head_title,
            )
    session.flush()
    session.execute(delete(m.Contact))
    for unit in directory.units():
        for channel, addresses in unit.contacts.items():
            for address in dict.fromkeys(addresses):
                session.add(m.Contact(unit=unit.name, channel=channel, address=address))


class Extras:
    """Units a ledger names that the directory file does not hold: county governments from the
    division list and provisional units. Each gets a store row the first time; an existing row is
    left alone, so a coordinator's confirmation (its kind) survives the next load."""

    def __init__(self, session: Session, directory, moved: dict[str, str]) -> None:
        self.session = session
        self.declared = {unit.name for unit in directory.units()}
        self.kinds: dict[str, str] = {name: kind for name, kind in session.execute(select(m.Unit.name, m.Unit.kind))}
        self.stored = set(self.kinds)
        self.moved = moved  # provisional name -> the unit a coordinator merged or renamed it into

    def unsettled(self, unit) -> bool:
        """Say whether a provisional unit still waits for a coordinator (not confirmed, merged or renamed)."""
        return unit.name not in self.moved and self.kinds.get(unit.name, unit.kind) == unit.kind

    def name(self, unit) -> str:
        """Return the store's name for a resolved unit, adding its row when it has none."""
        if unit.name in self.moved:
            return self.moved[unit.name]
        if unit.name not in self.declared and unit.name not in self.stored:
            self.session.add(m.Unit(name=unit.name, id=unit.id, kind=unit.kind, region=unit.region,
                                    head_title=unit.head_title))
            self.session.flush()
            self.stored.add(unit.name)
        return unit.name


def assignments_of(task: Task, region: str, directory, report: LoadReport,
                 extras: Extras) -> list[tuple[str, str, str]]:
    """Resolve the written unit names of a task to (canonical unit, role, written)."""
    rows: dict[tuple[str, str], str] = {}
    for role, attribute in ROLES:
        for written in getattr(task, attribute):
            resolution = directory.resolve(written, region)
            if resolution.status in ("unit", "group", "provisional"):
                for unit in resolution.units:
                    rows.setdefault((extras.name(unit), role), written)
            for unit in resolution.units if resolution.status == "provisional" else ():
                if extras.unsettled(unit) and unit.name not in report.provisional:
                    report.provisional.append(unit.name)
            if resolution.status in ("ambiguous", "unknown") or (
                resolution.status != "title" and resolution.note
            ):
                report.unresolved.append(
                    f"{task.id}: {written} — {resolution.note or resolution.status}"
                )
    return [(unit, role, written) for (unit, role), written in rows.items()]


def upsert_plan(session: Session, ledger: Ledger) -> None:
    """Insert or update the plan row of a ledger."""
    meta = ledger.plan
    plan = session.get(m.Plan, meta.id) or m.Plan(id=meta.id)
    plan.title, plan.region, plan.plan_year = meta.title, meta.region, meta.plan_year
    plan.period_start, plan.period_end = meta.period_start, meta.period_end
    plan.meta = {
        **meta.model_dump(mode="json"),
        "targets": ledger.targets.model_dump(mode="json"),
    }
    session.add(plan)
    session.flush()


def load_ledgers(
    session: Session,
    ledgers: Sequence[Ledger],
    directory,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
    actor: str = "system",
    now: dt | None = None,
) -> LoadReport:
    """Upsert `ledgers` and the directory's units; the caller commits."""
    now = now or clock.now()
    report = LoadReport()
    upsert_units(session, directory)
    extras = Extras(session, directory, moves(session))
    for ledger in ledgers:
        meta = ledger.plan
        upsert_plan(session, ledger)
        report.plans += 1
        context = ledger.deadline_context(heating(meta.region))
        stored = {t.id: t for t in session.scalars(select(m.Task).where(m.Task.plan_id == meta.id))}
        overrides = latest_overrides(session, meta.id)
        chosen = latest_unit_overrides(session, stored)  # coordinator-chosen units survive a ledger edit
        for position, task in enumerate(ledger.tasks):
            digest = _hash(task)
            row = stored.pop(task.id, None)
            assignments = assignments_of(task, meta.region, directory, report, extras)
            if row is not None and row.ledger_hash == digest and not row.removed:
                report.tasks_reordered += row.position != position
                row.position = position
                report.tasks_unchanged += 1
                continue
            if row is None:
                row = m.Task(id=task.id, plan_id=meta.id, status="open")
                session.add(row)
                report.tasks_created += 1
                _fill(row, task, position, digest)
                session.flush()
                _replace_assignments(session, task.id, assignments)
                audit(session, actor, "task.create", "task", task.id, {"source": task.source, "changed": []}, now)
                continue
            change = Change(context, overrides.get(task.id), chosen.get(task.id, ()), actor, now)
            update_task(session, row, task, position, digest, assignments, change, report)
        retire_tasks(session, stored.values(), report, actor, now)
    session.flush()
    return report


@dataclass(frozen=True)
class Change:
    """What updating one task needs besides the task: the plan's context and the coordinator's choices."""

    context: DeadlineContext
    override: tuple | None  # the latest deadline override, if any
    chosen: Sequence[tuple[str, str, str]]  # coordinator-chosen (unit, role, written)
    actor: str
    now: dt


def update_task(session: Session, row: m.Task, task: Task, position: int, digest: str,
                assignments: list[tuple[str, str, str]], change: Change, report: LoadReport) -> None:
    """Apply a changed ledger row to its stored task: cancel the notices it makes stale, replace its
    assignments and audit which fields changed. Shared by the row-by-row and the bulk load."""
    context, actor, now = change.context, change.actor, change.now
    old_dates = _effective_dates(row.deadline_text, row.standing, row.measures, context, change.override)
    report.tasks_updated += 1
    if row.removed:
        row.removed, row.status = False, "open"
    changed = sorted(k for k, v in task.model_dump(mode="json").items() if (row.ledger or {}).get(k) != v)
    _fill(row, task, position, digest)
    session.flush()
    units = {unit for unit, _, _ in assignments} | {unit for unit, _, _ in change.chosen}
    dates = _effective_dates(task.deadline_text, task.standing, task.measures, context, change.override)
    moved = dates != old_dates

    def applies(n: m.Notice) -> bool:
        """Keep a notice whose unit still holds the task and whose date still exists."""
        return n.unit in units and (not moved or n.due is None or n.due in dates)

    report.notices_cancelled += cancel_pending(
        session, task.id, actor, "台账已修改：单位或时限变化", keep=applies, now=now
    )
    _replace_assignments(session, task.id, assignments)
    audit(session, actor, "task.update", "task", task.id, {"source": task.source, "changed": changed}, now)


def retire_tasks(session: Session, rows: Iterable[m.Task], report: LoadReport, actor: str, now: dt) -> None:
    """Waive the tasks that left their ledger (never delete them) and cancel their pending notices."""
    for row in rows:
        if not row.removed:
            row.removed, row.status = True, "waived"
            report.tasks_removed += 1
            report.notices_cancelled += cancel_pending(session, row.id, actor, "任务已移出台账", now=now)
            audit(session, actor, "task.remove", "task", row.id, {}, now)


def _replace_assignments(session: Session, task_id: str, assignments: list[tuple[str, str, str]]) -> None:
    session.execute(delete(m.Assignment).where(m.Assignment.task_id == task_id))
    for unit, role, written in assignments:
        session.add(m.Assignment(task_id=task_id, unit=unit, role=role, written=written))


def _fill(row: m.Task, task: Task, position: int, digest: str) -> None:
    """Copy the ledger row's fields onto the stored task (status and progress are the store's own)."""
    row.position = position
    row.category, row.key_work, row.title = task.category, task.key_work, task.title
    row.measures, row.deadline_text, row.remarks = task.measures, task.deadline_text, task.remarks
    row.standing = task.standing
    row.source, row.ledger, row.ledger_hash = task.source, task.model_dump(mode="json"), digest
