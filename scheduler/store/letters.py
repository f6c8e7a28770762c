"""Letters of record in the store: gapless document numbers, the day each was issued, its plan,
and the files that went out.

A number is allocated once per notice and kept: a letter re-sent after a failure carries the
number and the date it was first given. Serials are unique and gapless per issuer and year because
the unique constraint decides a race between two senders (scheduler.letters.numbers formats them
and names the issuer). The DOCX, PDF and HTML rendered when a letter is first issued are kept as
it was sent (keep_letter_of_record): the console and the portal show those bytes, never a letter
rebuilt from later data, and a resend carries them too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, or_, select
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
    """Return what a letter of `notice` is built from (its plan must exist: LookupError otherwise).

    Its facts stand as on the day it was issued, or, before it is numbered, on the day the sweep
    proposed it: progress reported since then is not in the letter."""
    plan = letter_plan(session, notice.plan_id)
    if plan is None:
        raise LookupError(f"没有方案 {notice.plan_id}")
    issuer = issuer_for(plan.region)
    numbered = numbered_letter(session, notice.key, fallback)
    return LetterSource(facts_as_of(session, notice, numbered.issued_on if numbered else notice.created_on),
                        plan.basis(issuer), issuer, numbered)


def percent_on(session: Session, task_id: str, day: date) -> int | None:
    """Return the task's completion percentage as last reported on or before `day`."""
    return session.scalar(
        select(m.ProgressReport.percent)
        .where(m.ProgressReport.task_id == task_id, m.ProgressReport.on <= day,
               m.ProgressReport.percent.is_not(None))
        .order_by(m.ProgressReport.on.desc(), m.ProgressReport.id.desc()).limit(1)
    )


def facts_as_of(session: Session, notice: m.Notice, day: date) -> dict[str, Any]:
    """Return the facts of a notice with the progress reported up to `day` (not today's)."""
    task = session.get(m.Task, notice.task_id) if notice.task_id else None
    facts = notice_facts(notice, task)
    percent = percent_on(session, notice.task_id, day) if notice.task_id else None
    facts["progress"] = f"已完成{percent}%" if percent is not None else ""
    return facts


def notice_row(session: Session, notice_id: int) -> m.Notice | None:
    """Return the notice with this id, if any."""
    return session.get(m.Notice, notice_id)


def letter_listing(session: Session, *, units: tuple[str, ...] | None, page_no: int, page_size: int,
                   sent_only: bool, plan_ids: Sequence[str] | None = None, q: str = "", level: str = "",
                   unit: str = "", since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Numbered letters (newest first) and, for coordinators (no `units`), approved ones awaiting
    delivery; with `plan_ids`, only the letters of those plans (an office's own). `q` (every word
    in the 文号, the unit or the task's title), `level`, `unit` and the days it was sent
    (`since`..`until`) narrow the numbered letters."""
    query = (select(m.Letter, m.Notice, m.Task.title).join(m.Notice, m.Notice.key == m.Letter.notice_key)
             .outerjoin(m.Task, m.Task.id == m.Notice.task_id))
    if units is not None:
        query = query.where(m.Notice.unit.in_(units))
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(list(plan_ids)))
    if sent_only:
        query = query.where(m.Notice.status == "sent")
    for word in q.split():
        like = f"%{word}%"
        query = query.where(or_(m.Letter.number.ilike(like), m.Notice.unit.ilike(like), m.Task.title.ilike(like)))
    if level:
        query = query.where(m.Notice.level == level)
    if unit:
        query = query.where(m.Notice.unit == unit)
    if since is not None:
        query = query.where(m.Notice.sent_on >= since)
    if until is not None:
        query = query.where(m.Notice.sent_on <= until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(m.Letter.year.desc(), m.Letter.serial.desc())
                           .limit(page_size).offset((page_no - 1) * page_size)).all()
    keys = [letter.notice_key for letter, _, _ in rows]
    carried = dict(session.execute(select(m.Notice.letter_key, func.count()).where(m.Notice.letter_key.in_(keys))
                                   .group_by(m.Notice.letter_key)).all()) if keys else {}
    kept = recorded_kinds(session, keys)
    letters = [{"notice_id": n.id, "number": letter.number, "level": n.level, "unit": n.unit, "task": n.task_id,
                "title": title or "", "status": n.status, "sent_on": n.sent_on, "acknowledged_on": n.acknowledged_on,
                "key": n.key, "tasks": carried.get(letter.notice_key, 1), "kept": kept.get(letter.notice_key, ())}
               for letter, n, title in rows]
    awaiting = []
    if units is None:
        waiting = (select(m.Notice, m.Task.title).outerjoin(m.Task, m.Task.id == m.Notice.task_id)
                   .outerjoin(m.Letter, m.Letter.notice_key == m.Notice.key)
                   .where(m.Notice.status == "approved", m.Notice.level.in_(LETTER_LEVELS), m.Letter.id.is_(None))
                   .order_by(m.Notice.reviewed_at, m.Notice.id).limit(page_size))
        if plan_ids is not None:
            waiting = waiting.where(m.Notice.plan_id.in_(list(plan_ids)))
        awaiting = [{"notice_id": n.id, "level": n.level, "unit": n.unit, "task": n.task_id, "title": title or "",
                     "reviewed_by": n.reviewed_by, "reviewed_at": n.reviewed_at, "key": n.key}
                    for n, title in session.execute(waiting)]
    return {"letters": letters, "awaiting": awaiting, "total": total, "page_no": page_no,
            "pages": max(1, -(-total // page_size))}


FILE_KINDS = ("docx", "pdf", "html")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class RecordedFile:
    """One file of a letter of record: its bytes and the hash they were stored under."""

    letter_key: str
    kind: str
    sha256: str
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keep_letter_of_record(store: Store, letter_key: str, files: Iterable[Path], html: str | None,
                          now: datetime) -> dict[str, str]:
    """Keep the files a letter goes out with, the first time it is issued; return kind -> SHA-256.

    `files` are the DOCX (and PDF when made) just rendered for `letter_key` (the key its number was
    allocated under), `html` its web view. A kind already on record is never replaced: its bytes
    are written back over the freshly rendered file, so a resend carries exactly the letter of
    record. A kind not yet on record (the PDF of a letter first sent without one) is added.
    """
    rendered: dict[str, bytes] = {}
    paths: dict[str, Path] = {}
    for path in files:
        kind = path.suffix.lstrip(".").lower()
        if kind in FILE_KINDS:
            rendered[kind], paths[kind] = path.read_bytes(), path
    if html is not None:
        rendered["html"] = html.encode("utf-8")
    for _ in range(ALLOCATION_TRIES):
        with store.session() as session:
            kept = {row.kind: row for row in session.scalars(
                select(m.LetterFile).where(m.LetterFile.letter_key == letter_key))}
            added = {kind: content for kind, content in rendered.items() if kind not in kept}
            for kind, content in added.items():
                session.add(m.LetterFile(letter_key=letter_key, kind=kind, sha256=sha256_hex(content),
                                         size=len(content), content=content, recorded_at=now))
            if added:
                audit(session, ACTOR, "letter.record", "letter", letter_key,
                      {kind: sha256_hex(content) for kind, content in sorted(added.items())}, now)
                try:
                    session.commit()
                except IntegrityError:  # another sender recorded it first: theirs is the record
                    session.rollback()
                    continue
            for kind, row in kept.items():
                if kind in paths and paths[kind].read_bytes() != row.content:
                    paths[kind].write_bytes(row.content)
            hashes = {kind: row.sha256 for kind, row in kept.items()}
            return {**hashes, **{kind: sha256_hex(content) for kind, content in added.items()}}
    raise RuntimeError(f"{ALLOCATION_TRIES} 次仍未能保存 {letter_key} 的公文存档")


def keep_letters_of_record(store: Store, issued: Iterable[tuple[str, Iterable[Path], str | None]],
                           now: datetime) -> None:
    """Keep each (letter key, rendered files, HTML view) of a delivery batch (keep_letter_of_record)."""
    for letter_key, files, html in issued:
        keep_letter_of_record(store, letter_key, files, html, now)


def recorded_file(session: Session, letter_key: str, kind: str) -> RecordedFile | None:
    """Return one file of the letter of record under `letter_key`, if it was kept."""
    row = session.scalar(select(m.LetterFile).where(m.LetterFile.letter_key == letter_key,
                                                    m.LetterFile.kind == kind))
    return None if row is None else RecordedFile(row.letter_key, row.kind, row.sha256, row.content)


def recorded_kinds(session: Session, letter_keys: Iterable[str]) -> Mapping[str, tuple[str, ...]]:
    """Return letter key -> the kinds of file kept for it (keys without a record are left out)."""
    keys = list(letter_keys)
    found: dict[str, list[str]] = {}
    if keys:
        for key, kind in session.execute(select(m.LetterFile.letter_key, m.LetterFile.kind)
                                          .where(m.LetterFile.letter_key.in_(keys))):
            found.setdefault(key, []).append(kind)
    return {key: tuple(k for k in FILE_KINDS if k in kinds) for key, kinds in found.items()}


def record_problems(session: Session) -> tuple[int, list[str]]:
    """Re-hash every kept file; return how many were checked and each one whose bytes changed."""
    problems: list[str] = []
    checked = 0
    for row in session.scalars(select(m.LetterFile).order_by(m.LetterFile.id)).yield_per(50):
        checked += 1
        actual = sha256_hex(row.content)
        if actual != row.sha256 or len(row.content) != row.size:
            problems.append(f"{row.letter_key} 的 {row.kind.upper()}（记录 {row.sha256[:12]}…，"
                            f"现为 {actual[:12]}…，{len(row.content)} 字节）")
    return checked, problems
