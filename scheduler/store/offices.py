"""Issuing offices (发文机关): which office a plan belongs to, and which offices an account serves.

A plan belongs to the office that issues its letters, named by its region through the configured
issuer table (config.yaml's `issuers:`, an `Issuers` value from scheduler.issuers that callers pass
in), so the office that numbers a plan's letters and the office whose dashboard, queue, letters,
通报 and exports show it can never disagree. A coordinator or viewer
account serves the offices listed for it in `user_offices`; an account with none is provincial and
sees every office (accounts made before offices existed keep seeing what they saw).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.issuers import Issuers, missing_issuer
from scheduler.ladder import LETTER_LEVELS
from scheduler.store import schema as m
from scheduler.store.repo import chunks

EVERY_OFFICE = ("全省", "省", "all", "*")  # what `--office` takes for a provincial account


def office_names(issuers: Issuers, written: Iterable[str]) -> list[str] | None:
    """Read offices as a coordinator writes them (长治, 长治市大气办, 晋城市大气污染防治工作领导组办公室);
    None when one of them means the whole province. An unknown name is an InputError listing the
    known offices."""
    found: list[str] = []
    for text in written:
        name = text.strip()
        if name in EVERY_OFFICE:
            return None
        matches = issuers.matching(name)
        if not matches:
            known = "、".join(issuers.names()) or "（config.yaml 的 issuers 中尚未配置任何发文机关）"
            raise InputError.single("--office", None, f"没有发文机关“{name}”；可用：{known}，或“全省”")
        found.extend(match for match in matches if match not in found)
    return found


def plan_offices(session: Session, issuers: Issuers) -> dict[str, str | None]:
    """Return plan id -> its issuing office (None when its region has none)."""
    return {pid: issuers.office_of(region or "")
            for pid, region in session.execute(select(m.Plan.id, m.Plan.region))}


def plans_without_issuer(session: Session, issuers: Issuers) -> list[tuple[str, str]]:
    """Return (plan id, region) of every stored plan whose region no configured office issues for."""
    return [(pid, region or "") for pid, region in session.execute(select(m.Plan.id, m.Plan.region)
                                                                   .order_by(m.Plan.id))
            if not issuers.covers(region or "")]


@dataclass(frozen=True)
class Unnumbered:
    """A letter-level notice whose plan's region has no issuing office: it cannot be numbered."""

    notice_id: int
    level: str
    plan_id: str
    region: str


def letters_without_issuer(session: Session, notice_ids: Iterable[int], issuers: Issuers) -> list[Unnumbered]:
    """Return the letter-level notices among `notice_ids` whose plan no configured office issues for."""
    found: list[Unnumbered] = []
    for part in chunks(sorted(set(notice_ids)), 500):
        rows = session.execute(select(m.Notice.id, m.Notice.level, m.Notice.plan_id, m.Plan.region)
                               .join(m.Plan, m.Plan.id == m.Notice.plan_id, isouter=True)
                               .where(m.Notice.id.in_(list(part)), m.Notice.level.in_(sorted(LETTER_LEVELS)))
                               .order_by(m.Notice.id))
        found += [Unnumbered(nid, level, pid, region or "") for nid, level, pid, region in rows
                  if not issuers.covers(region or "")]
    return found


def approval_warnings(session: Session, notice_ids: Iterable[int], issuers: Issuers) -> list[str]:
    """Say, per plan, which of these approved letters cannot be numbered until config.yaml names an
    office for the plan's region (approval stands: the office may be added before delivery)."""
    by_plan: dict[tuple[str, str], list[Unnumbered]] = {}
    for row in letters_without_issuer(session, notice_ids, issuers):
        by_plan.setdefault((row.plan_id, row.region), []).append(row)
    return [f"已批准的 {len(rows)} 项（编号 {'、'.join(str(r.notice_id) for r in rows[:10])}"
            f"{'…' if len(rows) > 10 else ''}）暂时无法编发文号：{missing_issuer(pid, region)}"
            for (pid, region), rows in by_plan.items()]


def unconfigured_plan_notes(session: Session, issuers: Issuers, plan_ids: Sequence[str] | None = None) -> list[str]:
    """Say, for each stored plan (of `plan_ids`, None: every plan) whose region has no issuing office,
    that its warnings and interviews cannot be numbered and what config.yaml needs."""
    shown = None if plan_ids is None else set(plan_ids)
    return [missing_issuer(pid, region) for pid, region in plans_without_issuer(session, issuers)
            if shown is None or pid in shown]


def plans_of(session: Session, issuers: Issuers, offices: Sequence[str] | None) -> list[str] | None:
    """Return the ids of the plans the offices issue; None (every plan) for a provincial account."""
    if offices is None:
        return None
    wanted = set(offices)
    return sorted(pid for pid, office in plan_offices(session, issuers).items() if office in wanted)


def account_offices(session: Session, user_id: int) -> tuple[str, ...] | None:
    """Return the offices an account serves; None when it serves every office."""
    offices = tuple(session.scalars(select(m.UserOffice.office).where(m.UserOffice.user_id == user_id)
                                    .order_by(m.UserOffice.id)))
    return offices or None


def set_account_offices(session: Session, user_id: int, offices: Sequence[str] | None) -> None:
    """Make the account serve exactly `offices` (None: every office), in the caller's transaction."""
    session.execute(delete(m.UserOffice).where(m.UserOffice.user_id == user_id))
    for office in offices or ():
        session.add(m.UserOffice(user_id=user_id, office=office))
