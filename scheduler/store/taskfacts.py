"""Read the store into the plain facts rule evaluation needs: tasks as of a day, and notice history.

Built for a million assignments: a fixed number of queries whatever the task count (no query per
task), rows read at the Core level (no ORM objects), equal deadline cells parsed once, and the
assignment values shared between tasks because a unit holds the same role in thousands of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast  # the store trusts its own columns: values are checked on the way in

from sqlalchemy import Column, Connection, MetaData, String, Table, and_, insert, select
from sqlalchemy.orm import Session

from scheduler.clock import local_day
from scheduler.escalation.facts import Assignment, PastNotice, ProgressReport, TaskFacts, UnitDeadline
from scheduler.plans.deadlines import Deadline, DeadlineContext, Milestone, find_milestones
from scheduler.plans.ledger import task_deadline
from scheduler.store import schema as m
from scheduler.store.schema import UnitOverride

LETTER_LEVELS = frozenset({"warning", "interview"})  # the notices delivered as numbered letters
OVERRIDE_LABELS = {"external_date": "协调人补录时限", "extension": "批准延期"}
# The tasks an incremental sweep evaluates, joined rather than listed: a day's pick can be thousands.
PICKED = Table("sweep_picked", MetaData(), Column("task_id", String(96), primary_key=True), prefixes=["TEMPORARY"])


def pick(connection: Connection, task_ids: Collection[str]) -> Any:
    """Fill this connection's temporary table with `task_ids`; return the clause keeping only them."""
    connection.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS sweep_picked (task_id VARCHAR(96) PRIMARY KEY)")
    connection.exec_driver_sql("DELETE FROM sweep_picked")
    rows = [{"task_id": tid} for tid in task_ids]
    for start in range(0, len(rows), 5000):
        connection.execute(insert(PICKED), rows[start:start + 5000])
    return select(PICKED.c.task_id)


def plan_context(plan: m.Plan, heating: Callable[[str], tuple[int, int]]) -> DeadlineContext:
    """Return what a plan's deadline cells need to become dates."""
    return DeadlineContext(
        plan_year=plan.plan_year,
        period_start=plan.period_start,
        period_end=plan.period_end,
        heating_season_start=heating(plan.region),
    )


def override_deadline(deadline: Deadline, due: date, kind: str) -> Deadline:
    """Return the effective deadline once a coordinator date or an approved extension applies."""
    label = OVERRIDE_LABELS.get(kind, kind)
    return Deadline(text=deadline.text, kind="due", due=(due,), notes=(*deadline.notes, f"{label}：{due.isoformat()}"))


def latest_overrides(session: Session, plan_id: str) -> dict[str, tuple[date, str, date]]:
    """Return task id -> (due, kind, day set) of the latest deadline override of each task of a plan."""
    found: dict[str, tuple[date, str, date]] = {}
    for task_id, due, kind, at in session.execute(
        select(m.DeadlineOverride.task_id, m.DeadlineOverride.due, m.DeadlineOverride.kind, m.DeadlineOverride.at)
        .join(m.Task, m.Task.id == m.DeadlineOverride.task_id)
        .where(m.Task.plan_id == plan_id)
        .order_by(m.DeadlineOverride.at, m.DeadlineOverride.id)
    ):
        found[task_id] = (due, kind, local_day(at))
    return found


def task_facts(
    session: Session,
    as_of: date,
    plan_ids: Sequence[str] | None = None,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
    task_ids: Collection[str] | None = None,
) -> list[TaskFacts]:
    """Return the facts of every task still in its ledger (any status) of `plan_ids` (None: all);
    with `task_ids`, of those tasks only."""
    session.flush()  # the Core reads below do not autoflush
    connection = session.connection()
    plans = {p.id: p for p in session.scalars(select(m.Plan))}
    wanted = sorted(plans) if plan_ids is None else sorted(set(plan_ids) & set(plans))
    contexts = {pid: plan_context(plans[pid], heating) for pid in wanted}
    in_plans = m.Task.plan_id.in_(wanted)
    live: tuple[Any, ...] = (m.Task.removed.is_(False), in_plans)
    if task_ids is not None:
        live = (*live, m.Task.id.in_(pick(connection, task_ids)))
    tasks = connection.execute(
        select(m.Task.id, m.Task.plan_id, m.Task.title, m.Task.measures, m.Task.deadline_text, m.Task.standing,
               m.Task.status)
        .where(*live)
        .order_by(m.Task.plan_id, m.Task.position)
    ).all()

    shared: dict[tuple[str, str], Assignment] = {}
    assignments: dict[str, list[Assignment]] = defaultdict(list)
    for task_id, unit, role in connection.execute(
        select(m.Assignment.task_id, m.Assignment.unit, m.Assignment.role)
        .join(m.Task, m.Task.id == m.Assignment.task_id)
        .where(*live)
        .order_by(m.Assignment.id)
    ):
        value = shared.get((unit, role))
        if value is None:
            value = shared[(unit, role)] = Assignment(unit, cast(Any, role))
        assignments[task_id].append(value)
    # units a coordinator chose for an ambiguous group, unknown name or empty cell: latest per written name
    chosen: dict[tuple[str, str], tuple[str, list]] = {}
    for task_id, written, role, units in connection.execute(
        select(UnitOverride.task_id, UnitOverride.written, UnitOverride.role, UnitOverride.units)
        .join(m.Task, m.Task.id == UnitOverride.task_id)
        .where(*live)
        .order_by(UnitOverride.at, UnitOverride.id)
    ):
        chosen[(task_id, written)] = (role, list(units or ()))
    for (task_id, _written), (role, units) in chosen.items():
        held = {(a.unit, a.role) for a in assignments[task_id]}
        for unit in units:
            if (unit, role) not in held:
                held.add((unit, cast(Any, role)))
                value = shared.get((unit, role))
                if value is None:
                    value = shared[(unit, role)] = Assignment(unit, cast(Any, role))
                assignments[task_id].append(value)

    reports: dict[str, list[ProgressReport]] = defaultdict(list)
    for task_id, unit, on, percent, status, note in connection.execute(
        select(m.ProgressReport.task_id, m.ProgressReport.unit, m.ProgressReport.on, m.ProgressReport.percent,
               m.ProgressReport.status, m.ProgressReport.note)
        .join(m.Task, m.Task.id == m.ProgressReport.task_id)
        .where(m.ProgressReport.on <= as_of, *live)
        .order_by(m.ProgressReport.on, m.ProgressReport.id)
    ):
        reports[task_id].append(ProgressReport(unit, on, percent, cast(Any, status), note))

    overrides: dict[str, tuple[date, str, date]] = {}
    override_at: dict[str, datetime] = {}
    for task_id, due, kind, at in connection.execute(
        select(m.DeadlineOverride.task_id, m.DeadlineOverride.due, m.DeadlineOverride.kind, m.DeadlineOverride.at)
        .join(m.Task, m.Task.id == m.DeadlineOverride.task_id)
        .where(*live)
        .order_by(m.DeadlineOverride.at, m.DeadlineOverride.id)
    ):
        overrides[task_id] = (due, kind, local_day(at))
        override_at[task_id] = at
    extended = unit_extensions(connection, live, as_of, override_at)

    parsed: dict[tuple[str, str, bool], Deadline] = {}
    milestones: dict[tuple[str, str], tuple[Milestone, ...]] = {}
    facts: list[TaskFacts] = []
    for task_id, plan_id, title, measures, deadline_text, standing, status in tasks:
        plan = plans[plan_id]
        cell = (plan_id, deadline_text, standing)
        deadline = parsed.get(cell)
        if deadline is None:
            deadline = parsed[cell] = task_deadline(deadline_text, standing, contexts[plan_id])
        changed_on = None
        if task_id in overrides:
            due, kind, changed_on = overrides[task_id]
            deadline = override_deadline(deadline, due, kind)
        found = milestones.get((plan_id, measures))
        if found is None:
            found = milestones[(plan_id, measures)] = tuple(find_milestones(measures, contexts[plan_id]))
        facts.append(
            TaskFacts(
                task_id=task_id,
                plan_id=plan_id,
                title=title,
                deadline=deadline,
                milestones=found,
                assignments=tuple(assignments.get(task_id, ())),
                status=cast(Any, status),
                reports=tuple(reports.get(task_id, ())),
                region=plan.region,
                plan_period_start=plan.period_start,
                plan_period_end=plan.period_end,
                deadline_changed_on=changed_on,
                unit_deadlines=extended.get(task_id, ()),
            )
        )
    return facts


def unit_extensions(connection: Connection, live: tuple[Any, ...], as_of: date,
                    task_dates_at: dict[str, datetime]) -> dict[str, tuple[UnitDeadline, ...]]:
    """Return task id -> the units' own approved extensions (latest per unit, approved by `as_of`).

    A date a coordinator set for the whole task after a unit's extension replaces it: the latest wins."""
    latest: dict[tuple[str, str], tuple[date, datetime]] = {}
    for task_id, unit, due, at in connection.execute(
        select(m.ExtensionRequest.task_id, m.ExtensionRequest.unit, m.ExtensionRequest.requested_due,
               m.ExtensionRequest.decided_at)
        .join(m.Task, m.Task.id == m.ExtensionRequest.task_id)
        .where(m.ExtensionRequest.status == "approved", m.ExtensionRequest.decided_at.is_not(None), *live)
        .order_by(m.ExtensionRequest.decided_at, m.ExtensionRequest.id)
    ):
        if at is not None and local_day(at) <= as_of:
            latest[(task_id, unit)] = (due, at)
    found: dict[str, list[UnitDeadline]] = defaultdict(list)
    for (task_id, unit), (due, at) in latest.items():
        replaced = task_dates_at.get(task_id)
        if replaced is None or _aware(at) > _aware(replaced):
            found[task_id].append(UnitDeadline(unit, due, local_day(at)))
    return {task_id: tuple(units) for task_id, units in found.items()}


def _aware(moment: datetime) -> datetime:
    # SQLite hands back what UtcDateTime stored; compare both sides as UTC whatever the driver did.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def history(session: Session, plan_ids: Sequence[str] | None = None, picked: bool = False
            ) -> dict[tuple[str | None, str], list[PastNotice]]:
    """Return every notice as escalation history, keyed by (task id, unit), oldest first.

    `picked`: only what evaluating the tasks last passed to task_facts(task_ids=...) can ask — their
    notices, the notices without task, and every interview (an interview case folds a unit's urges).

    Letters carry their plan and document number: a metric letter (no task) is followed up by its plan's
    rules, and the follow-up names the letter by its number."""
    session.flush()
    connection = session.connection()
    # letters are few next to notices: a lookup table costs less than an outer join on every notice
    numbers: dict[str, str] = dict(connection.execute(select(m.Letter.notice_key, m.Letter.number)).all())
    query = select(m.Notice.key, m.Notice.level, m.Notice.rule_id, m.Notice.task_id, m.Notice.unit,
                   m.Notice.created_on, m.Notice.status, m.Notice.acknowledged_on, m.Notice.sent_on, m.Notice.plan_id)
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(plan_ids))
    if picked:
        rows = _picked_notices(connection, query)
    else:
        rows = list(connection.execute(query.order_by(m.Notice.id)))
    result: dict[tuple[str | None, str], list[PastNotice]] = defaultdict(list)
    for key, level, rule_id, task_id, unit, created_on, status, acknowledged_on, sent_on, plan_id in rows:
        result[(task_id, unit)].append(
            PastNotice(key, cast(Any, level), rule_id, task_id, unit, created_on, cast(Any, status), acknowledged_on,
                       sent_on,
                       plan_id, numbers.get(key, "") if level in LETTER_LEVELS else "")
        )
    return result


def _picked_notices(connection: Connection, query: Any) -> list[Any]:
    """Return the rows of `query` for the picked tasks, without task, and every interview, in id order.

    Three indexed reads rather than one OR, which would scan every notice: interviews are found through
    the (status, level) index, once per status the table holds (read from that index too)."""
    statuses = list(connection.execute(select(m.Notice.status).distinct()).scalars())
    found: dict[int, Any] = {}
    for condition in (m.Notice.task_id.in_(select(PICKED.c.task_id)), m.Notice.task_id.is_(None),
                      and_(m.Notice.status.in_(statuses), m.Notice.level == "interview")):
        for row in connection.execute(query.add_columns(m.Notice.id).where(condition)):
            found[row[-1]] = row[:-1]
    return [found[key] for key in sorted(found)]
