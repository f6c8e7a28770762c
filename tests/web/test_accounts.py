"""Accounts and sessions on SQLite and PostgreSQL: argon2 hashes, unit scopes, expiry, logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.store import schema as m
from scheduler.store.repo import StoreError
from scheduler.store.schema import User, WebSession
from scheduler.web import accounts
from tests.store.builders import DIRECTORY, NOW, ledger, unit_name


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)


def test_a_password_is_stored_only_as_an_argon2_hash_and_checked(store):
    with store.session() as session:
        accounts.create_user(session, "wang", "s3cret-pass", "coordinator", display_name="王协调", now=NOW)
        session.commit()
        stored = session.scalar(select(User.password_hash).where(User.name == "wang"))
        assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
        assert accounts.authenticate(session, "wang", "s3cret-pass").name == "wang"
        assert accounts.authenticate(session, "wang", "wrong-pass") is None
        assert accounts.authenticate(session, "nobody", "s3cret-pass") is None
        audit = session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.object_id == "wang")).all()
        assert audit == ["user.create"]


def test_accounts_are_checked_before_they_are_created(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        accounts.create_user(session, "lc", "plum-blossom-1", "unit", units=[luzhou], now=NOW)
        cases = [
            (("lc", "plum-blossom-2", "unit"), {"units": [luzhou]}, "用户名已存在"),
            (("x", "short", "viewer"), {}, "至少 10 个字符"),
            (("x", "plum-blossom-1", "admin"), {}, "角色应为"),
            (("x", "plum-blossom-1", "unit"), {}, "至少一个单位"),
            (("x", "plum-blossom-1", "unit"), {"units": ["潞城区政府"]}, "单位目录中没有：潞城区政府"),
            (("x", "plum-blossom-1", "viewer"), {"units": [luzhou]}, "只有责任单位用户"),
        ]
        for args, options, message in cases:
            with pytest.raises(StoreError, match=message):
                accounts.create_user(session, *args, now=NOW, **options)
        session.commit()
        assert accounts.list_users(session) == [
            {"name": "lc", "display_name": "", "role": "unit", "active": True, "units": [luzhou],
             "created_at": accounts.utc(NOW).isoformat()}]


def test_a_session_lives_for_session_minutes_and_ends_at_logout(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        user = accounts.create_user(session, "lc", "plum-blossom-1", "unit", units=[luzhou], now=NOW)
        token, csrf = accounts.open_session(session, user, 30, NOW)
        session.commit()
        stored = session.scalar(select(WebSession.token_hash))
        assert stored == accounts.token_hash(token) != token  # only the hash is kept
        alive = accounts.session_user(session, token, NOW + timedelta(minutes=29, seconds=59))
        assert (alive.name, alive.role, alive.units, alive.csrf) == ("lc", "unit", (luzhou,), csrf)
        assert accounts.session_user(session, token, NOW + timedelta(minutes=30)) is None
        assert accounts.session_user(session, "forged", NOW) is None
        accounts.close_session(session, token)
        session.commit()
        assert accounts.session_user(session, token, NOW) is None


def test_a_new_password_ends_the_users_sessions(store):
    with store.session() as session:
        user = accounts.create_user(session, "li", "plum-blossom-1", "viewer", now=NOW)
        token, _ = accounts.open_session(session, user, 30, NOW)
        accounts.set_password(session, "li", "plum-blossom-2", by="wang", now=NOW)
        session.commit()
        assert accounts.session_user(session, token, NOW) is None
        assert accounts.authenticate(session, "li", "plum-blossom-2") is not None
        assert accounts.authenticate(session, "li", "plum-blossom-1") is None


def test_expired_sessions_are_swept_at_the_next_login(store):
    with store.session() as session:
        user = accounts.create_user(session, "li", "plum-blossom-1", "viewer", now=NOW)
        accounts.open_session(session, user, 30, NOW)
        accounts.open_session(session, user, 30, NOW + timedelta(hours=1))
        session.commit()
        assert len(session.scalars(select(WebSession)).all()) == 1


def test_disabling_a_user_ends_its_sessions_and_refuses_its_password(store):
    with store.session() as session:
        user = accounts.create_user(session, "li", "plum-blossom-1", "viewer", now=NOW)
        token, _ = accounts.open_session(session, user, 30, NOW)
        assert accounts.set_active(session, "li", False, by="wang", now=NOW) is True
        session.commit()
        assert session.scalars(select(WebSession)).all() == []
        assert accounts.session_user(session, token, NOW) is None
        assert accounts.authenticate(session, "li", "plum-blossom-1") is None
        assert accounts.set_active(session, "li", False, by="wang", now=NOW) is False
        assert accounts.set_active(session, "li", True, by="wang", now=NOW) is True
        session.commit()
        assert accounts.authenticate(session, "li", "plum-blossom-1") is not None
        with pytest.raises(StoreError, match="没有此用户"):
            accounts.set_active(session, "nobody", False, by="wang", now=NOW)


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "1qaz2wsx3edc", "Password2024!", "woaini1314520",
                                      "aaaaaaaaaaaa", "abcabcabcabc", "admin@123456", "wang-20240101"])
def test_common_or_patterned_passwords_are_refused_for_new_accounts_and_new_passwords(store, password):
    with store.session() as session:
        with pytest.raises(StoreError, match="常见|有规律|用户名"):
            accounts.create_user(session, "wang", password, "coordinator", now=NOW)
        accounts.create_user(session, "wang", "plum-blossom-1", "coordinator", now=NOW)
        with pytest.raises(StoreError, match="常见|有规律|用户名"):
            accounts.set_password(session, "wang", password, by="wang", now=NOW)
        with pytest.raises(StoreError, match="至少 10 个字符"):
            accounts.set_password(session, "wang", "short-pw1", by="wang", now=NOW)
