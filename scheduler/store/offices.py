"""Issuing offices (发文机关): which office a plan belongs to, and which offices an account serves.

A plan belongs to the office that issues its letters, named by its region through the issuer table
(scheduler.letters.numbers), so the office that numbers a plan's letters and the office whose
dashboard, queue, letters, 通报 and exports show it can never disagree. A coordinator or viewer
account serves the offices listed for it in `user_offices`; an account with none is provincial and
sees every office (accounts made before offices existed keep seeing what they saw).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.errors import InputError
from scheduler.letters.numbers import ISSUERS, issuer_for_region
from scheduler.store import schema as m

EVERY_OFFICE = ("全省", "省", "all", "*")  # what `--office` takes for a provincial account


def known_offices() -> list[str]:
    """Return every issuing office, in the issuer table's order."""
    return list(dict.fromkeys(issuer.name for _, issuer in ISSUERS))


def office_of(region: str) -> str | None:
    """Return the office that issues a plan of `region`, or None when no office is configured."""
    try:
        return issuer_for_region(region).name
    except LookupError:
        return None


def office_names(written: Iterable[str]) -> list[str] | None:
    """Read offices as a coordinator writes them (长治, 长治市大气办, 晋城市大气污染防治工作领导组办公室);
    None when one of them means the whole province. An unknown name is an InputError listing the
    known offices."""
    found: list[str] = []
    for text in written:
        name = text.strip()
        if name in EVERY_OFFICE:
            return None
        matches = [issuer.name for needle, issuer in ISSUERS if needle in name or name in issuer.name]
        if not name or not matches:
            raise InputError.single("--office", None,
                                    f"没有发文机关“{name}”；可用：{'、'.join(known_offices())}，或“全省”")
        found.extend(match for match in dict.fromkeys(matches) if match not in found)
    return found


def plan_offices(session: Session) -> dict[str, str | None]:
    """Return plan id -> its issuing office (None when its region has none)."""
    return {pid: office_of(region or "") for pid, region in session.execute(select(m.Plan.id, m.Plan.region))}


def plans_of(session: Session, offices: Sequence[str] | None) -> list[str] | None:
    """Return the ids of the plans the offices issue; None (every plan) for a provincial account."""
    if offices is None:
        return None
    wanted = set(offices)
    return sorted(pid for pid, office in plan_offices(session).items() if office in wanted)


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
