"""Console accounts and their server-side sessions, as stored: plain rows in, plain rows out.

What a password or a token must look like, and hashing them, is the console's business
(scheduler.web.accounts); this module only reads and writes the rows. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.store.schema import User, UserUnit, WebSession


@dataclass(frozen=True)
class Account:
    """A stored account (with its password hash: only the console's login code reads it)."""

    id: int
    name: str
    display_name: str
    role: str
    active: bool
    password_hash: str
    created_at: datetime


def _account(user: User) -> Account:
    return Account(user.id, user.name, user.display_name, user.role, user.active, user.password_hash,
                   user.created_at)


def account_named(session: Session, name: str) -> Account | None:
    """Return the account with this login name, if any."""
    user = session.scalar(select(User).where(User.name == name))
    return _account(user) if user is not None else None


def add_account(session: Session, name: str, display_name: str, password_hash: str, role: str,
                units: tuple[str, ...], at: datetime) -> Account:
    """Insert an account and the units it answers for."""
    user = User(name=name, display_name=display_name, password_hash=password_hash, role=role, active=True,
                created_at=at)
    session.add(user)
    session.flush()
    for unit in units:
        session.add(UserUnit(user_id=user.id, unit=unit))
    return _account(user)


def set_password_hash(session: Session, account_id: int, password_hash: str) -> None:
    user = session.get(User, account_id)
    if user is not None:
        user.password_hash = password_hash


def set_account_active(session: Session, account_id: int, active: bool) -> None:
    user = session.get(User, account_id)
    if user is not None:
        user.active = active


def account_units(session: Session, account_id: int) -> tuple[str, ...]:
    """Return the units a unit user answers for, in the order they were given."""
    return tuple(session.scalars(select(UserUnit.unit).where(UserUnit.user_id == account_id).order_by(UserUnit.id)))


def accounts_with_units(session: Session) -> list[tuple[Account, list[str]]]:
    """Return every account with its units, oldest account first."""
    units: dict[int, list[str]] = {}
    for user_id, unit in session.execute(select(UserUnit.user_id, UserUnit.unit).order_by(UserUnit.id)):
        units.setdefault(user_id, []).append(unit)
    return [(_account(u), units.get(u.id, [])) for u in session.scalars(select(User).order_by(User.id))]


def start_session(session: Session, token_hash: str, account_id: int, csrf: str, at: datetime,
                  expires_at: datetime) -> None:
    """Store a new session; sessions that expired by `at` are swept here too."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= at))
    session.add(WebSession(token_hash=token_hash, user_id=account_id, csrf_token=csrf, created_at=at,
                           expires_at=expires_at))


def session_account(session: Session, token_hash: str) -> tuple[Account, str, datetime] | None:
    """Return (account, CSRF token, expiry) of a stored session, whether or not it is still live."""
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id).where(WebSession.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    web_session, user = row
    return _account(user), web_session.csrf_token, web_session.expires_at


def end_session(session: Session, token_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def end_sessions(session: Session, account_id: int) -> None:
    """End every session of an account (password changed, account disabled)."""
    session.execute(delete(WebSession).where(WebSession.user_id == account_id))
