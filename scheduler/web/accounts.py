"""Console accounts and server-side sessions: argon2 password hashes, hashed session tokens.

Functions take a store session and an explicit `now`; the caller commits. A session token is
shown to the browser once (cookie) and stored only as its SHA-256, next to the session's CSRF
token. Sessions end `session_minutes` after login or at logout. The rows themselves are read and
written by scheduler.store.accounts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from scheduler.store import accounts as stored
from scheduler.store.accounts import Account
from scheduler.store.catalog import known_units
from scheduler.store.repo import StoreError, audit
from scheduler.store.schema import ROLES
from scheduler.store.session import Session
from scheduler.web.passwords import password_problem

ROLE_NAMES = {"coordinator": "协调人", "unit": "责任单位用户", "viewer": "只读用户"}
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("duban-no-such-user")  # verify against it so unknown names take as long


@dataclass(frozen=True)
class WebUser:
    """The logged-in person as the routes see them."""

    id: int
    name: str
    display_name: str
    role: str
    units: tuple[str, ...]
    csrf: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


def utc(moment: datetime) -> datetime:
    """Return an aware UTC time; a naive one is taken to be UTC, as the store's UtcDateTime does."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _existing(session: Session, name: str) -> Account:
    account = stored.account_named(session, name)
    if account is None:
        raise StoreError(f"没有此用户：{name}")
    return account


def create_user(
    session: Session,
    name: str,
    password: str,
    role: str,
    *,
    units: tuple[str, ...] | list[str] = (),
    display_name: str = "",
    by: str = "system",
    now: datetime,
) -> Account:
    """Add an account; a unit user needs at least one unit known to the store."""
    name = name.strip()
    if not name:
        raise StoreError("用户名不能为空")
    if role not in ROLES:
        raise StoreError(f"角色应为 coordinator、unit 或 viewer：{role}")
    problem = password_problem(password, name)
    if problem:
        raise StoreError(problem)
    if stored.account_named(session, name) is not None:
        raise StoreError(f"用户名已存在：{name}")
    units = tuple(dict.fromkeys(u.strip() for u in units if u.strip()))
    if role == "unit" and not units:
        raise StoreError("责任单位用户须用 --unit 指定至少一个单位")
    if role != "unit" and units:
        raise StoreError("只有责任单位用户（--role unit）才限定单位")
    known = known_units(session, units)
    unknown = [u for u in units if u not in known]
    if unknown:
        raise StoreError(f"单位目录中没有：{'、'.join(unknown)}（请先 duban load，并使用规范名称）")
    account = stored.add_account(session, name, display_name.strip(), hash_password(password), role, units, utc(now))
    audit(session, by, "user.create", "user", name, {"role": role, "units": list(units)}, now)
    return account


def set_password(session: Session, name: str, password: str, *, by: str, now: datetime) -> None:
    """Replace a password and end the user's sessions."""
    account = _existing(session, name)
    problem = password_problem(password, name)
    if problem:
        raise StoreError(problem)
    stored.set_password_hash(session, account.id, hash_password(password))
    stored.end_sessions(session, account.id)
    audit(session, by, "user.password", "user", name, {}, now)


def set_active(session: Session, name: str, active: bool, *, by: str, now: datetime) -> bool:
    """Disable or re-enable an account; disabling ends its sessions at once. Return whether it changed."""
    account = _existing(session, name.strip())
    if not active:
        stored.end_sessions(session, account.id)  # also if already disabled
    if account.active == active:
        return False
    stored.set_account_active(session, account.id, active)
    audit(session, by, "user.enable" if active else "user.disable", "user", account.name, {}, now)
    return True


def list_users(session: Session) -> list[dict]:
    """Return every account (without hashes) for `duban user list`."""
    return [
        {"name": a.name, "display_name": a.display_name, "role": a.role, "active": a.active, "units": units,
         "created_at": utc(a.created_at).isoformat()}
        for a, units in stored.accounts_with_units(session)
    ]


def authenticate(session: Session, name: str, password: str) -> Account | None:
    """Return the active account whose password matches, else None (same work either way)."""
    account = stored.account_named(session, name.strip())
    try:
        _hasher.verify(account.password_hash if account is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        stored.set_password_hash(session, account.id, hash_password(password))
    return account


def open_session(session: Session, account: Account, minutes: int, now: datetime) -> tuple[str, str]:
    """Start a session; return (cookie token, CSRF token). Expired sessions are swept here too."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    stored.start_session(session, token_hash(token), account.id, csrf, utc(now), utc(now) + timedelta(minutes=minutes))
    return token, csrf


def session_user(session: Session, token: str, now: datetime) -> WebUser | None:
    """Return the user of a live session token, or None (unknown, expired or deactivated)."""
    if not token:
        return None
    found = stored.session_account(session, token_hash(token))
    if found is None:
        return None
    account, csrf, expires_at = found
    if utc(expires_at) <= utc(now) or not account.active:
        return None
    return WebUser(account.id, account.name, account.display_name, account.role,
                   stored.account_units(session, account.id), csrf)


def close_session(session: Session, token: str) -> None:
    stored.end_session(session, token_hash(token))
