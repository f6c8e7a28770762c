"""Notices: inserted once under their occurrence key, reviewed by a coordinator, acknowledged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.escalation.facts import Action
from scheduler.store import schema as m
from scheduler.store.bulkwrite import insert_new
from scheduler.store.letters import issue_day
from scheduler.store.repo import StoreError, audit

DECISIONS = {"approve": "approved", "hold": "held", "reject": "rejected"}
# What an interview notice cannot go out without: the approving coordinator enters them.
ARRANGEMENT_FIELDS = {"time": "约谈时间", "place": "约谈地点", "attendees": "参加人员", "contact": "联系人及电话"}
FOLDED = "|folded"  # escalation marks an urge folded into a pending interview case this way


def created_on_day(session: Session, day: date, plan_ids: Sequence[str] | None = None) -> int:
    """Count the notices an earlier sweep of `day` already created."""
    query = select(func.count()).select_from(m.Notice).where(m.Notice.created_on == day)
    if plan_ids is not None:
        query = query.where(m.Notice.plan_id.in_(plan_ids))
    return session.scalar(query) or 0


NOTICE_COLUMNS = ("key", "plan_id", "task_id", "unit", "level", "kind", "due", "rule_id", "ruleset_id",
                  "ruleset_version", "rule_snapshot", "facts", "clause", "explanation", "needs_review", "created_on",
                  "created_at", "review_reason", "status", "version_id")


def _notice_row(action: Action, business_day: date, now: datetime) -> tuple[Any, ...]:
    """The values of NOTICE_COLUMNS for a new notice."""
    folded = action.kind.endswith(FOLDED)
    return (action.key, action.plan_id, action.task_id, action.unit, action.level, action.kind.removesuffix(FOLDED),
            action.due, action.rule_id, action.ruleset_id, action.ruleset_version, action.rule_snapshot,
            action.facts, action.clause, action.explanation, action.needs_review, business_day, now, "",
            "folded" if folded else "pending_review" if action.needs_review else "queued", 1)


def insert_notices(
    session: Session, actions: Sequence[Action], business_day: date, now: datetime | None = None
) -> list[Action]:
    """Insert notices under their unique keys, doing nothing on conflict; return the new ones.

    Through the driver in bulk (scheduler.store.bulkwrite): a first sweep of a province creates
    tens of thousands. A second sweep of the same day, or two sweeps at once, create nothing twice."""
    now = now or clock.now()
    rows = [_notice_row(a, business_day, now) for a in actions]
    new_keys = insert_new(session, cast(Table, m.Notice.__table__), NOTICE_COLUMNS, rows, key="key")
    return [a for a in actions if a.key in new_keys]


def notice_json(n: m.Notice) -> dict[str, Any]:
    """Return a stored notice as the JSON object of the queue and notice commands."""
    return {
        "id": n.id,
        "key": n.key,
        "level": n.level,
        "kind": n.kind,
        "task": n.task_id or "",
        "unit": n.unit,
        "due": n.due.isoformat() if n.due else None,
        "rule": n.rule_id,
        "plan": n.plan_id,
        "status": n.status,
        "created_on": n.created_on.isoformat(),
        "explanation": n.explanation,
        "clause": n.clause,
        "facts": n.facts,
        "ruleset": f"{n.ruleset_id}@{n.ruleset_version}",
        "rule_snapshot": n.rule_snapshot,
        "reviewed_by": n.reviewed_by,
        "review_reason": n.review_reason,
        "acknowledged_on": n.acknowledged_on.isoformat() if n.acknowledged_on else None,
    }


def review_queue(
    session: Session,
    *,
    plan: str | None = None,
    level: str | None = None,
    statuses: Sequence[str] = ("pending_review", "held"),
) -> list[m.Notice]:
    """Return the escalations waiting for a coordinator, oldest first."""
    query = select(m.Notice).where(m.Notice.needs_review.is_(True), m.Notice.status.in_(statuses))
    if plan:
        query = query.where(m.Notice.plan_id == plan)
    if level:
        query = query.where(m.Notice.level == level)
    return list(session.scalars(query.order_by(m.Notice.created_on, m.Notice.id)))


list_review_queue = review_queue


def interview_arrangement(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Return an interview's time, place, attendees and contact, trimmed; refuse with the missing
    ones named when any is empty, since the notice would otherwise say 另行通知."""
    given = {k: str((values or {}).get(k) or "").strip() for k in ARRANGEMENT_FIELDS}
    missing = [label for k, label in ARRANGEMENT_FIELDS.items() if not given[k]]
    if missing:
        raise StoreError(f"批准约谈须填写{'、'.join(missing)}（约谈通知须写明时间、地点、参加人员和联系人）")
    return given


def decide_notices(
    session: Session,
    ids: Sequence[int] | None,
    decision: str,
    by: str,
    reason: str = "",
    now: datetime | None = None,
    arrangement: Mapping[str, Any] | None = None,
) -> list[m.Notice]:
    """Approve, hold or reject escalations awaiting review (ids None = the whole queue).

    Approving an interview needs its `arrangement` (time, place, attendees, contact), which the
    notice keeps and its letter prints; without it the approval is refused."""
    if decision not in DECISIONS:
        raise StoreError(f"未知的审核决定：{decision}")
    if decision == "reject" and not reason.strip():
        raise StoreError("驳回必须写明理由")
    now = now or clock.now()
    if ids is None:
        notices = review_queue(session)
    else:
        notices = list(session.scalars(select(m.Notice).where(m.Notice.id.in_(ids)).order_by(m.Notice.id)))
        missing = set(ids) - {n.id for n in notices}
        if missing:
            raise StoreError(f"没有这些待审事项：{sorted(missing)}")
    for notice in notices:
        if notice.status not in ("pending_review", "held"):
            raise StoreError(f"事项 {notice.id} 当前状态为 {notice.status}，不能再审核")
    interviews = [n for n in notices if n.level == "interview"]
    settled = None
    if decision == "approve" and interviews:
        settled = interview_arrangement(arrangement)
    for notice in notices:
        before = notice.status
        notice.status = DECISIONS[decision]
        notice.reviewed_by, notice.reviewed_at, notice.review_reason = by, now, reason
        detail: dict[str, Any] = {"from": before, "to": notice.status, "reason": reason}
        if settled is not None and notice.level == "interview":
            notice.arrangement = settled
            detail["arrangement"] = settled
        audit(session, by, f"notice.{decision}", "notice", notice.key, detail, now)
    return notices


decide = decide_notices


def notice_by_key(session: Session, key: str) -> m.Notice | None:
    """Return the notice stored under `key`, if any."""
    return session.scalar(select(m.Notice).where(m.Notice.key == key))


def acknowledge(session: Session, key: str, by: str, on: date, now: datetime | None = None) -> None:
    """Record receipt (签收) of a letter: it pauses the escalation timer, it does not close it."""
    notice = notice_by_key(session, key)
    if notice is None:
        raise StoreError(f"没有此通知：{key}")
    now = now or clock.now()
    # signing for a letter signs for every notice it carries
    carried = session.scalars(select(m.Notice).where(m.Notice.letter_key == key)).all()
    for item in {notice.key: notice, **{n.key: n for n in carried}}.values():
        if item.acknowledged_on is None:
            item.acknowledged_on, item.acknowledged_at = on, now
    audit(session, by, "notice.acknowledge", "notice", key, {"on": on.isoformat()}, now)


def _warned(session: Session, notice: m.Notice) -> tuple[Any, list[dict[str, Any]]]:
    """Return the deadline an interview's warning was about and the warning letters it recalls
    (number and issue day): a task interview follows one warning (`warning_key`), an air-quality
    one the repeated warnings that led to it (`warnings`)."""
    facts = notice.facts or {}
    keys = [str(k) for k in ([facts["warning_key"]] if facts.get("warning_key") else facts.get("warnings") or [])]
    due = None
    prior = []
    for key in keys:
        warning = notice_by_key(session, key)
        if warning is None:
            continue
        due = due or warning.due
        letter = session.scalar(select(m.Letter).where(m.Letter.notice_key == (warning.letter_key or warning.key)))
        if letter is not None:
            issued = issue_day(session, letter, warning.sent_on or warning.created_on)
            prior.append({"number": letter.number, "issued_on": issued.isoformat()})
    return due, prior


def letter_facts(session: Session, notice: m.Notice, task: m.Task | None, facts: dict[str, Any],
                 plan_titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Add to a notice's facts what its letter or digest line prints besides: the plan's title,
    the task's number in its plan and its measures, an interview's arrangement, and for an
    interview the deadline and the warning letters (number, date) it follows.

    `plan_titles` (plan id -> title), read once for many notices, saves a query per notice."""
    if plan_titles is None:
        plan = session.get(m.Plan, notice.plan_id)
        title = plan.title if plan is not None else ""
    else:
        title = plan_titles.get(notice.plan_id, "")
    extra: dict[str, Any] = {
        "plan_id": notice.plan_id,
        "plan_title": title,
        "task_number": task.position + 1 if task is not None else None,
        "measure": task.measures if task is not None else "",
        "deadline_text": task.deadline_text if task is not None else "",  # printed when no date is known
        "arrangement": dict(notice.arrangement or {}),
    }
    if notice.level == "interview":
        due, prior = _warned(session, notice)
        extra["task_due"] = due
        extra["prior_letters"] = prior
    return {**facts, **extra}


def addressee(session: Session, unit: str) -> dict[str, str]:
    """Return a letter's addressee as build_letter reads it: name and directory kind."""
    row = session.get(m.Unit, unit)
    return {"name": unit, **({"kind": row.kind} if row is not None and row.kind else {})}
