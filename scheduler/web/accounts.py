"""Console accounts and server-side sessions: argon2 password hashes, hashed session tokens.

Functions take an SQLAlchemy session and an explicit `now`; the caller commits. A session token
is shown to the browser once (cookie) and stored only as its SHA-256, next to the session's CSRF
token. Sessions end `session_minutes` after login or at logout.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit
from scheduler.store.schema import ROLES, User, UserUnit, WebSession

ROLE_NAMES = {"coordinator": "协调人", "unit": "责任单位用户", "viewer": "只读用户"}
MIN_PASSWORD = 8
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
) -> User:
    """Add an account; a unit user needs at least one unit known to the store."""
    name = name.strip()
    if not name:
        raise StoreError("用户名不能为空")
    if role not in ROLES:
        raise StoreError(f"角色应为 coordinator、unit 或 viewer：{role}")
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"密码至少 {MIN_PASSWORD} 个字符")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise StoreError(f"用户名已存在：{name}")
    units = tuple(dict.fromkeys(u.strip() for u in units if u.strip()))
    if role == "unit" and not units:
        raise StoreError("责任单位用户须用 --unit 指定至少一个单位")
    if role != "unit" and units:
        raise StoreError("只有责任单位用户（--role unit）才限定单位")
    known = set(session.scalars(select(m.Unit.name).where(m.Unit.name.in_(units)))) if units else set()
    unknown = [u for u in units if u not in known]
    if unknown:
        raise StoreError(f"单位目录中没有：{'、'.join(unknown)}（请先 duban load，并使用规范名称）")
    user = User(name=name, display_name=display_name.strip(), password_hash=hash_password(password), role=role,
                active=True, created_at=utc(now))
    session.add(user)
    session.flush()
    for unit in units:
        session.add(UserUnit(user_id=user.id, unit=unit))
    audit(session, by, "user.create", "user", name, {"role": role, "units": list(units)}, now)
    return user


def set_password(session: Session, name: str, password: str, *, by: str, now: datetime) -> None:
    """Replace a password and end the user's sessions."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise StoreError(f"没有此用户：{name}")
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"密码至少 {MIN_PASSWORD} 个字符")
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit(session, by, "user.password", "user", name, {}, now)


def set_active(session: Session, name: str, active: bool, *, by: str, now: datetime) -> bool:
    """Disable or re-enable an account; disabling ends its sessions at once. Return whether it changed."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise StoreError(f"没有此用户：{name}")
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))  # also if already disabled
    if user.active == active:
        return False
    user.active = active
    audit(session, by, "user.enable" if active else "user.disable", "user", user.name, {}, now)
    return True


def user_units(session: Session, user_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(UserUnit.unit).where(UserUnit.user_id == user_id).order_by(UserUnit.id)))


def list_users(session: Session) -> list[dict]:
    """Return every account (without hashes) for `duban user list`."""
    units: dict[int, list[str]] = {}
    for user_id, unit in session.execute(select(UserUnit.user_id, UserUnit.unit).order_by(UserUnit.id)):
        units.setdefault(user_id, []).append(unit)
    return [
        {"name": u.name, "display_name": u.display_name, "role": u.role, "active": u.active,
         "units": units.get(u.id, []), "created_at": utc(u.created_at).isoformat()}
        for u in session.scalars(select(User).order_by(User.id))
    ]


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the active user whose password matches, else None (same work either way)."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def open_session(session: Session, user: User, minutes: int, now: datetime) -> tuple[str, str]:
    """Start a session; return (cookie token, CSRF token). Expired sessions are swept here too."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= utc(now)))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=token_hash(token), user_id=user.id, csrf_token=csrf,
                           created_at=utc(now), expires_at=utc(now) + timedelta(minutes=minutes)))
    return token, csrf


def session_user(session: Session, token: str, now: datetime) -> WebUser | None:
    """Return the user of a live session token, or None (unknown, expired or deactivated)."""
    if not token:
        return None
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    if utc(web_session.expires_at) <= utc(now) or not user.active:
        return None
    return WebUser(user.id, user.name, user.display_name, user.role, user_units(session, user.id),
                   web_session.csrf_token)


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
