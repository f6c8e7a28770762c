"""Migrations: one transaction per upgrade on SQLite and PostgreSQL, and stores that an older
version left half-migrated open cleanly (tests/production/test_migration_kill.py kills real
processes; here failures are injected at a chosen statement)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text

from scheduler.errors import InputError
from scheduler.store import open_store
from scheduler.store.migrate import alembic_config


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Injected(Exception):
    pass


def _fail_at(engine, needle: str) -> None:
    """Raise before the first statement containing `needle`, as a crash there would."""
    def before(_conn, _cursor, statement, *_args):
        if needle in statement:
            raise Injected(needle)
    event.listen(engine, "before_cursor_execute", before)


def _state(url: str) -> tuple[list[str], set[str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        version = (connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
                   if "alembic_version" in tables else [])
    engine.dispose()
    return version, tables - {"alembic_version"}


def _upgrade_to(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    engine.dispose()


def _open_failing_at(url: str, needle: str) -> None:
    engine = create_engine(url)
    _fail_at(engine, needle)
    from scheduler.store.migrate import upgrade

    with pytest.raises(Injected):
        upgrade(engine)
    engine.dispose()


def test_a_first_open_that_fails_half_way_leaves_no_table_behind(store_url):
    _open_failing_at(store_url, "CREATE TABLE tasks")
    assert _state(store_url)[1] == set()
    open_store(store_url).dispose()
    assert _state(store_url)[0] == [head()]


def test_an_upgrade_from_0006_that_fails_in_its_last_step_stays_at_0006_whole(store_url):
    _upgrade_to(store_url, "0006")
    before = _state(store_url)
    _open_failing_at(store_url, "DROP TABLE metrics")  # 0008, after 0007 made unit_overrides
    assert _state(store_url) == before
    assert "unit_overrides" not in before[1]
    open_store(store_url).dispose()
    version, tables = _state(store_url)
    assert version == [head()] and "unit_overrides" in tables and "metrics" not in tables


def test_a_store_an_older_version_left_with_tables_but_no_revision_opens(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade_to(url, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:  # what a kill after the last CREATE TABLE of 0001 left
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("DROP TABLE signoffs"))
    engine.dispose()
    open_store(url).dispose()
    version, tables = _state(url)
    assert version == [head()] and {"signoffs", "unit_overrides"} <= tables


def test_a_store_left_mid_upgrade_with_new_empty_tables_opens_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade_to(url, "0005")
    engine = create_engine(url)
    with engine.begin() as connection:  # 0006 had made ack_links and begun copying deliveries
        connection.execute(text("INSERT INTO users (name, display_name, password_hash, role, active, created_at) "
                                "VALUES ('王', '王', 'x', 'admin', 1, CURRENT_TIMESTAMP)"))
        connection.execute(text("CREATE TABLE ack_links (id INTEGER PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE _alembic_tmp_deliveries (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    open_store(url).dispose()
    version, tables = _state(url)
    assert version == [head()] and "_alembic_tmp_deliveries" not in tables
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM users")).scalars().all() == ["王"]
        assert "notice_key" in {c["name"] for c in inspect(connection).get_columns("ack_links")}
    engine.dispose()


def test_a_store_whose_unrecorded_tables_hold_rows_is_refused_untouched(tmp_path):
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE audit_log (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO audit_log VALUES (1)"))
    engine.dispose()
    with pytest.raises(InputError) as refused:
        open_store(url)
    assert "audit_log" in str(refused.value) and "备份" in str(refused.value)
    assert _state(url) == ([], {"audit_log"})


def test_foreign_keys_stay_enforced_after_a_migration(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'fk.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        connection.exec_driver_sql("INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
                                   "VALUES (CURRENT_TIMESTAMP, 'a', 'b', 'c', 'd', '{}')")
        connection.commit()  # the driver's own transaction handling is back for normal work
    store.dispose()


def test_opening_a_current_store_does_not_wait_for_a_writer(tmp_path):
    import sqlite3
    import time

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    open_store(url).dispose()
    writer = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a sweep in the middle of its write transaction
    try:
        started = time.perf_counter()
        open_store(url).dispose()
        assert time.perf_counter() - started < 2  # busy_timeout would have made it wait 30 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.slow
def test_three_processes_opening_a_new_store_at_once_all_succeed(store_url):
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys; from scheduler.store import open_store; open_store(sys.argv[1]).dispose()"
    root = Path(__file__).resolve().parents[2]
    children = [subprocess.Popen([sys.executable, "-c", code, store_url], cwd=root, stderr=subprocess.PIPE, text=True)
                for _ in range(3)]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], errors
    assert _state(store_url)[0] == [head()]
