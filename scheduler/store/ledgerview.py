"""The ledger (台账) as the console lists it and a task's history as its page tells it, read as plain records.

The task list itself comes from scheduler.store.taskfacts (the same facts the sweep evaluates); this
module adds what only the pages and the 台账 export show: the standing flag and share done of each
task, for one task its notices, letters, progress reports, date changes, unit choices and sign-offs
(its deliveries are in scheduler.store.deliverylog), and for the export each task's latest activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.escalation.status import COUNTED_ROLES
from scheduler.store import schema as m
from scheduler.store.dashboard import urged_pairs
from scheduler.store.records import StoredNotice, notice_records
from scheduler.store.schema import UnitOverride
from scheduler.store.taskfacts import latest_overrides


@dataclass(frozen=True)
class TaskFlags:
    """What the ledger list shows of a task beyond its facts."""

    standing: bool  # continuous work without a date (常态化)
    percent: int | None  # the latest share done a unit reported


@dataclass(frozen=True)
class ReportRecord:
    """A progress report (进展报送) as the timeline shows it."""

    on: date
    unit: str
    status: str
    percent: int | None
    note: str
    by: str


@dataclass(frozen=True)
class DeadlineChange:
    """A date a coordinator set, or an approved extension."""

    due: date
    kind: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class UnitChoice:
    """Units a coordinator chose for a name the ledger wrote (or for a task naming none)."""

    written: str
    role: str
    units: tuple[str, ...]
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class SignOffRecord:
    on: date
    at: datetime | None
    by: str
    note: str


@dataclass(frozen=True)
class TaskHistory:
    """Everything that happened to a task, each kind oldest first."""

    notices: tuple[StoredNotice, ...]
    letters: dict[str, str]  # notice key -> document number (文号)
    reports: tuple[ReportRecord, ...]
    deadline_changes: tuple[DeadlineChange, ...] = ()
    unit_choices: tuple[UnitChoice, ...] = ()
    signoffs: tuple[SignOffRecord, ...] = ()


def task_flags(session: Session) -> dict[str, TaskFlags]:
    """Return task id -> its flags, for every task still in its ledger."""
    return {task_id: TaskFlags(standing, percent) for task_id, standing, percent in session.execute(
        select(m.Task.id, m.Task.standing, m.Task.percent).where(m.Task.removed.is_(False)))}


def task_history(session: Session, task_id: str, *, units: Sequence[str] | None = None,
                 statuses: Sequence[str] | None = None) -> TaskHistory:
    """Return a task's history; with `units`, only those units' notices (in `statuses`) and reports,
    and none of the coordinators' own records (dates, unit choices, sign-offs)."""
    notices_query = select(m.Notice).where(m.Notice.task_id == task_id)
    reports_query = select(m.ProgressReport.on, m.ProgressReport.unit, m.ProgressReport.status,
                           m.ProgressReport.percent, m.ProgressReport.note, m.ProgressReport.by
                           ).where(m.ProgressReport.task_id == task_id)
    if units is not None:
        notices_query = notices_query.where(m.Notice.unit.in_(list(units)))
        reports_query = reports_query.where(m.ProgressReport.unit.in_(list(units)))
    if statuses is not None:
        notices_query = notices_query.where(m.Notice.status.in_(list(statuses)))
    notices = tuple(notice_records(session, notices_query.order_by(m.Notice.created_on, m.Notice.id)))
    keys = [n.key for n in notices]
    letters = dict(session.execute(
        select(m.Letter.notice_key, m.Letter.number).where(m.Letter.notice_key.in_(keys))).all())
    reports = tuple(ReportRecord(*row) for row in session.execute(
        reports_query.order_by(m.ProgressReport.on, m.ProgressReport.id)))
    if units is not None:
        return TaskHistory(notices, letters, reports)
    changes = tuple(DeadlineChange(o.due, o.kind, o.reason, o.by, o.at) for o in session.scalars(
        select(m.DeadlineOverride).where(m.DeadlineOverride.task_id == task_id).order_by(m.DeadlineOverride.id)))
    choices = tuple(UnitChoice(o.written, o.role, tuple(o.units or ()), o.reason, o.by, o.at) for o in session.scalars(
        select(UnitOverride).where(UnitOverride.task_id == task_id).order_by(UnitOverride.id)))
    signoffs = tuple(SignOffRecord(s.on, s.at, s.by, s.note) for s in session.scalars(
        select(m.SignOff).where(m.SignOff.task_id == task_id).order_by(m.SignOff.id)))
    return TaskHistory(notices, letters, reports, changes, choices, signoffs)



@dataclass(frozen=True)
class LatestReport:
    on: date
    unit: str
    status: str
    percent: int | None
    note: str


@dataclass(frozen=True)
class LatestNotice:
    created_on: date
    level: str
    unit: str
    status: str


@dataclass(frozen=True)
class LatestLetter:
    number: str
    sent_on: date | None  # None: numbered, not sent yet
    acknowledged_on: date | None


@dataclass(frozen=True)
class TaskActivity:
    """What the store knows of a task on a day beyond its ledger row, as the 台账 export shows it."""

    status: str = "open"  # open, reported_done, signed_off, waived
    percent: int | None = None
    due: date | None = None  # a coordinator date or an approved extension
    urged: bool = False  # a lead or responsible unit was urged, warned or summoned lately
    report: LatestReport | None = None
    notice: LatestNotice | None = None
    letter: LatestLetter | None = None
    letters: tuple[LatestLetter, ...] = ()  # every letter about the task up to the day, oldest first


def task_activity(session: Session, as_of: date) -> dict[str, TaskActivity]:
    """Return task id -> each task's status, latest progress, date override, latest notice and latest
    letter up to `as_of`, and whether it was urged lately (scheduler.escalation.status)."""
    tasks = {tid: (status, percent) for tid, status, percent in session.execute(
        select(m.Task.id, m.Task.status, m.Task.percent).where(m.Task.removed.is_(False)))}
    reports: dict[str, LatestReport] = {}
    for task_id, on, unit, status, percent, note in session.execute(
            select(m.ProgressReport.task_id, m.ProgressReport.on, m.ProgressReport.unit, m.ProgressReport.status,
                   m.ProgressReport.percent, m.ProgressReport.note)
            .where(m.ProgressReport.on <= as_of).order_by(m.ProgressReport.on, m.ProgressReport.id)):
        reports[task_id] = LatestReport(on, unit, status, percent, note)
    notices: dict[str, LatestNotice] = {}
    for notice_task, level, unit, created_on, status in session.execute(
            select(m.Notice.task_id, m.Notice.level, m.Notice.unit, m.Notice.created_on, m.Notice.status)
            .where(m.Notice.task_id.is_not(None), m.Notice.created_on <= as_of)
            .order_by(m.Notice.created_on, m.Notice.id)):
        if notice_task is not None:  # the query asks for task notices; this tells the type checker
            notices[notice_task] = LatestNotice(created_on, level, unit, status)
    letters: dict[str, LatestLetter] = {}
    every: dict[str, dict[str, LatestLetter]] = {}
    # a letter carries a unit's notices of one level and day, numbered under the first one's key
    found = session.execute(
        select(m.Notice.task_id, m.Letter.number, m.Notice.sent_on, m.Notice.acknowledged_on, m.Letter.id)
        .join(m.Letter, m.Letter.notice_key == func.coalesce(m.Notice.letter_key, m.Notice.key))
        .where(m.Notice.task_id.is_not(None), m.Notice.created_on <= as_of)).all()
    # a numbered letter not sent yet is the newest; sorted here because databases place NULLs differently
    for letter_task, number, sent_on, acknowledged_on, _ in sorted(
            found, key=lambda r: (r.sent_on is None, r.sent_on or date.min, r.id)):
        if letter_task is None or (sent_on is not None and sent_on > as_of):
            continue
        letters[letter_task] = LatestLetter(number, sent_on, acknowledged_on)
        every.setdefault(letter_task, {})[number] = letters[letter_task]
    overrides: dict[str, date] = {}
    for plan_id in session.scalars(select(m.Plan.id)):
        overrides.update({tid: due for tid, (due, _, _) in latest_overrides(session, plan_id).items()})
    counted = set(session.execute(select(m.Assignment.task_id, m.Assignment.unit)
                                  .where(m.Assignment.role.in_(COUNTED_ROLES))).all())
    plans = list(session.scalars(select(m.Plan.id)))
    urged = {task_id for task_id, unit in urged_pairs(session, plans, as_of) if (task_id, unit) in counted}
    return {tid: TaskActivity(status=status, percent=percent, due=overrides.get(tid), urged=tid in urged,
                              report=reports.get(tid), notice=notices.get(tid), letter=letters.get(tid),
                              letters=tuple(every.get(tid, {}).values()))
            for tid, (status, percent) in tasks.items()}
