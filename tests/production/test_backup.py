"""Backup and restore: a backup taken while an instance writes restores to a store whose every
table equals the source at the moment of the backup; PostgreSQL goes through pg_dump/pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest
from sqlalchemy import create_engine, inspect, select, text

from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.backup import BackupError, backup, restore
from scheduler.store.integrity import check_store
from tests.production.harness import ROOT, swept_store


def tables(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, as plain tuples of strings (so SQLite and PostgreSQL compare)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {name: sorted(tuple(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{name}"')))
                    for name in names}
    finally:
        engine.dispose()


def test_a_sqlite_backup_taken_while_the_store_is_written_restores_equal(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    swept_store(url, tmp_path)
    before = tables(url)
    assert len(before["notices"]) > 100 and before["letters"] and before["deliveries"]

    stop = threading.Event()

    def writer() -> None:  # another connection keeps writing audit rows during the backup
        connection = sqlite3.connect(tmp_path / "live.db", timeout=30)
        while not stop.is_set():
            connection.execute("INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
                               "VALUES ('2020-11-02 10:00:00', 'w', 'busy', 'x', 'x', '{}')")
            connection.commit()
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = backup(url, tmp_path / "backups" / "duban-2020-11-02.db")
    finally:
        stop.set()
        thread.join()
    assert result.size > 0 and not (tmp_path / "backups" / "duban-2020-11-02.db.part").exists()
    snapshot = tables(f"sqlite:///{result.path}")
    busy = [row for row in snapshot["audit_log"] if row[3] == "busy"]
    assert {k: v for k, v in snapshot.items() if k != "audit_log"} == {k: v for k, v in before.items()
                                                                      if k != "audit_log"}
    assert [row for row in snapshot["audit_log"] if row[3] != "busy"] == before["audit_log"]

    # restore into a new place and over the live store (which has moved on since)
    for target in (tmp_path / "restored.db", tmp_path / "live.db"):
        restore(f"sqlite:///{target}", result.path)
        again = tables(f"sqlite:///{target}")
        assert again == snapshot and len([r for r in again["audit_log"] if r[3] == "busy"]) == len(busy)
        store = open_store(f"sqlite:///{target}", migrate=False)
        with store.session() as session:
            assert check_store(session).ok
        store.dispose()


def test_restore_refuses_a_file_that_is_not_a_duban_store(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="不是可用的 SQLite 数据库"):
        restore(f"sqlite:///{tmp_path / 'x.db'}", junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="不是督办数据库"):
        restore(f"sqlite:///{tmp_path / 'x.db'}", other)
    with pytest.raises(BackupError, match="不存在"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "b.db")


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not installed")
def test_a_postgresql_backup_restores_equal_through_pg_dump_and_pg_restore(postgres, tmp_path):
    url = postgres.create_database()
    swept_store(url, tmp_path)
    before = tables(url)
    result = backup(url, tmp_path / "duban.dump")
    assert result.dialect == "postgresql" and result.path.read_bytes()[:5] == b"PGDMP"  # the custom format

    target = postgres.create_database()
    restore(target, result.path)
    assert tables(target) == before
    # over a store that moved on: --clean drops and recreates, so what came later is gone
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM deliveries"))
    engine.dispose()
    restore(url, result.path)
    assert tables(url) == before


def test_the_commands_back_up_restore_and_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    swept_store(url, tmp_path)
    env = {"DUBAN_DB": url, "DUBAN_CONFIG": str(ROOT / "config.yaml"), "PYTHONPATH": str(ROOT)}

    def duban(*args: str) -> subprocess.CompletedProcess:
        import os

        return subprocess.run([sys.executable, "-m", "scheduler", *args], env={**os.environ, **env}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    done = duban("backup", str(tmp_path / "b.db"))
    assert done.returncode == 0 and "已备份" in done.stdout
    refused = duban("restore", str(tmp_path / "b.db"))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    env["DUBAN_DB"] = f"sqlite:///{tmp_path / 'copy.db'}"
    assert duban("restore", str(tmp_path / "b.db"), "--yes").returncode == 0
    checked = duban("integrity", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"ok": true' in checked.stdout
    assert tables(env["DUBAN_DB"]) == tables(url)
    with open_store(env["DUBAN_DB"], migrate=False).session() as session:
        assert session.scalar(select(m.Letter.number).order_by(m.Letter.serial).limit(1)).endswith("〔2020〕1号")
