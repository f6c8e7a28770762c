"""Letters of record in the store: gapless document numbers, the day each was issued, its plan.

A number is allocated once per notice and kept: a letter re-sent after a failure, or re-rendered
by the console, carries the number and the date it was first given. Serials are unique and
gapless per issuer and year because the unique constraint decides a race between two senders
(scheduler.letters.numbers formats them and names the issuer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from scheduler.ladder import LETTER_LEVELS
from scheduler.letters.numbers import Issuer, format_number, next_serial
from scheduler.store import schema as m
from scheduler.store.repo import audit

if TYPE_CHECKING:
    from scheduler.store import Store

ACTOR = "督办系统"
ALLOCATION_TRIES = 50


@dataclass(frozen=True)
class NumberedLetter:
    """A notice's letter as numbered: its number and the day it was issued."""

    notice_key: str
    issuer: str
    year: int
    serial: int
    number: str
    issued_on: date


@dataclass(frozen=True)
class LetterPlan:
    """What a letter needs of its plan: the region (which names the issuer) and the basis it cites."""

    region: str
    title: str
    number: str  # the plan's own document number, may be empty
    clause: str  # its assessment clause
    contact: str

    def basis(self, issuer: Issuer) -> dict[str, Any]:
        """Return the plan fields scheduler.letters.content.build_letter reads."""
        return {"title": self.title, "number": self.number, "clause": self.clause, "issuer": issuer.name,
                "contact": self.contact}


class _Numbered(Protocol):
    notice_key: str
    number: str
    year: int


def allocate_letter(store: Store, notice_key: str, issuer: Issuer, day: date, now: datetime) -> NumberedLetter:
    """Give the notice its letter: the one it has, else the next serial for (issuer, year).

    Two processes may pick the same serial; the unique constraint lets one win and the other
    tries again with the next, so numbers stay unique and gapless. A letter numbered before keeps
    its number and the day it was first issued, so a re-run prints the same letter.
    """
    for _ in range(ALLOCATION_TRIES):
        with store.session() as session:
            row = session.scalar(select(m.Letter).where(m.Letter.notice_key == notice_key))
            if row is not None:
                return _numbered(row, issue_day(session, row, day))
            highest = session.scalar(select(func.max(m.Letter.serial))
                                     .where(m.Letter.issuer == issuer.name, m.Letter.year == day.year))
            serial = next_serial((highest,) if highest else ())
            number = format_number(issuer.prefix, day.year, serial)
            row = m.Letter(notice_key=notice_key, issuer=issuer.name, year=day.year, serial=serial, number=number)
            session.add(row)
            audit(session, ACTOR, "letter.number", "notice", notice_key,
                  {"number": number, "issuer": issuer.name, "day": day.isoformat()}, now)
            try:
                session.commit()
            except (IntegrityError, OperationalError):  # lost the race (or SQLite's snapshot)
                session.rollback()
                continue
            return _numbered(row, day)
    raise RuntimeError(f"{ALLOCATION_TRIES} 次仍未能为 {notice_key} 分配发文字号")


def _numbered(row: m.Letter, issued_on: date) -> NumberedLetter:
    return NumberedLetter(row.notice_key, row.issuer, row.year, row.serial, row.number, issued_on)


def issue_day(session: Session, letter: _Numbered, fallback: date) -> date:
    """Return the day a number was issued (from its audit entry), so a re-rendered letter keeps its date."""
    details = session.scalars(
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "letter.number", m.AuditEntry.object_id == letter.notice_key
        )
    ).all()
    for detail in details:
        if detail.get("number") == letter.number and detail.get("day"):
            return date.fromisoformat(detail["day"])
    return fallback if fallback.year == letter.year else date(letter.year, 12, 31)


def numbered_letter(session: Session, notice_key: str, fallback: date) -> NumberedLetter | None:
    """Return the notice's letter if it has been numbered, with the day it was issued."""
    row = session.scalar(select(m.Letter).where(m.Letter.notice_key == notice_key))
    return None if row is None else _numbered(row, issue_day(session, row, fallback))


def letter_plan(session: Session, plan_id: str) -> LetterPlan | None:
    """Return what a letter cites of its plan; None when there is no such plan."""
    plan = session.get(m.Plan, plan_id)
    if plan is None:
        return None
    meta = plan.meta or {}
    return LetterPlan(region=plan.region or "", title=plan.title, number=meta.get("document_number", ""),
                      clause=meta.get("assessment_clause", ""), contact=meta.get("contact", ""))


def plan_basis(session: Session, plan_id: str, issuer: Issuer) -> dict[str, Any]:
    """Return the plan a letter rests on: title, document number and clause, for its opening paragraph."""
    plan = letter_plan(session, plan_id)
    if plan is None:
        raise LookupError(f"没有方案 {plan_id}")
    return plan.basis(issuer)


def notice_facts(notice: m.Notice, task: m.Task | None) -> dict[str, Any]:
    """Return the facts of one notice a letter or digest lists; the console's preview uses the same."""
    percent = task.percent if task is not None else None
    return {
        "key": notice.key,
        "level": notice.level,
        "kind": notice.kind,
        "task_id": notice.task_id or "",
        "task_title": task.title if task is not None else "",
        "unit": notice.unit,
        "due": notice.due,
        "explanation": notice.explanation,
        "clause": notice.clause,
        "facts": notice.facts or {},
        "acknowledged_on": notice.acknowledged_on,
        "progress": f"已完成{percent}%" if percent is not None else "",
    }


@dataclass(frozen=True)
class LetterSource:
    """Everything the store holds for one escalation's letter: the facts it lists, the plan it rests
    on, its issuer and, once delivery numbered it, its number and issue day."""

    facts: dict[str, Any]
    basis: dict[str, Any]
    issuer: Issuer
    numbered: NumberedLetter | None


def letter_source(session: Session, notice: m.Notice, issuer_for: Callable[[str], Issuer],
                  fallback: date) -> LetterSource:
    """Return what a letter of `notice` is built from (its plan must exist: LookupError otherwise)."""
    task = session.get(m.Task, notice.task_id) if notice.task_id else None
    plan = letter_plan(session, notice.plan_id)
    if plan is None:
        raise LookupError(f"没有方案 {notice.plan_id}")
    issuer = issuer_for(plan.region)
    return LetterSource(notice_facts(notice, task), plan.basis(issuer), issuer,
                        numbered_letter(session, notice.key, fallback))


def notice_row(session: Session, notice_id: int) -> m.Notice | None:
    """Return the notice with this id, if any."""
    return session.get(m.Notice, notice_id)


def letter_listing(session: Session, *, units: tuple[str, ...] | None, page_no: int, page_size: int,
                   sent_only: bool) -> dict[str, Any]:
    """Numbered letters (newest first) and, for coordinators (no `units`), approved ones awaiting delivery."""
    query = (select(m.Letter, m.Notice, m.Task.title).join(m.Notice, m.Notice.key == m.Letter.notice_key)
             .outerjoin(m.Task, m.Task.id == m.Notice.task_id))
    if units is not None:
        query = query.where(m.Notice.unit.in_(units))
    if sent_only:
        query = query.where(m.Notice.status == "sent")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(m.Letter.year.desc(), m.Letter.serial.desc())
                           .limit(page_size).offset((page_no - 1) * page_size)).all()
    letters = [{"notice_id": n.id, "number": letter.number, "level": n.level, "unit": n.unit, "task": n.task_id,
                "title": title or "", "status": n.status, "sent_on": n.sent_on, "acknowledged_on": n.acknowledged_on,
                "key": n.key} for letter, n, title in rows]
    awaiting = []
    if units is None:
        waiting = (select(m.Notice, m.Task.title).outerjoin(m.Task, m.Task.id == m.Notice.task_id)
                   .outerjoin(m.Letter, m.Letter.notice_key == m.Notice.key)
                   .where(m.Notice.status == "approved", m.Notice.level.in_(LETTER_LEVELS), m.Letter.id.is_(None))
                   .order_by(m.Notice.reviewed_at, m.Notice.id).limit(page_size))
        awaiting = [{"notice_id": n.id, "level": n.level, "unit": n.unit, "task": n.task_id, "title": title or "",
                     "reviewed_by": n.reviewed_by, "reviewed_at": n.reviewed_at, "key": n.key}
                    for n, title in session.execute(waiting)]
    return {"letters": letters, "awaiting": awaiting, "total": total, "page_no": page_no,
            "pages": max(1, -(-total // page_size))}
