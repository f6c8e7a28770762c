"""Backup and restore of the store: SQLite through its online backup API, PostgreSQL through
pg_dump/pg_restore in the custom format.

The SQLite backup copies a consistent snapshot page by page while the service keeps running (WAL
lets the writer go on), writes it beside the target and renames it into place, so a half-written
backup never looks like a good one; the copy is checked with PRAGMA integrity_check before it is
kept. A restore writes the backup into the live file through the same API (one transaction, other
connections see either the old or the new database) and then migrates it to the current schema.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore that could not be done; the message (Chinese) says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    size: int


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份，请在配置中使用文件数据库")
    return Path(database)


def _check_sqlite_file(path: Path) -> None:
    """Fail unless `path` is an intact SQLite file holding a Duban store."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是可用的 SQLite 数据库：{exc}") from None
    finally:
        connection.close()
    if verdict != [("ok",)]:
        raise BackupError(f"{path} 校验未通过：{verdict[:3]}")
    if not {"alembic_version", "notices"} <= tables:
        raise BackupError(f"{path} 不是督办数据库（缺少 alembic_version 或 notices 表）")


def backup(url: str, target: Path) -> BackupResult:
    """Write a backup of the store at `url` to `target` (replaced atomically if it exists)."""
    target = Path(target)
    dialect = make_url(url).get_backend_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    if dialect == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"数据库文件不存在：{source_path}")
        source = sqlite3.connect(source_path, timeout=30)
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)  # one step: a consistent snapshot even while the service writes
            destination.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            destination.close()
            source.close()
        _check_sqlite_file(partial)
    elif dialect == "postgresql":
        _run_pg("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}"], url)
    else:
        raise BackupError(f"不支持备份此类数据库：{dialect}")
    os.replace(partial, target)
    return BackupResult(target, dialect, target.stat().st_size)


def restore(url: str, source: Path) -> BackupResult:
    """Replace the store at `url` with the backup in `source`, then migrate it to the current schema.

    Stop the service first: a restore takes the store back to the backup's moment, and an instance
    running meanwhile would resend what it had sent after that moment.
    """
    source = Path(source)
    if not source.exists():
        raise BackupError(f"备份文件不存在：{source}")
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        _check_sqlite_file(source)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(target_path, timeout=30)
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif dialect == "postgresql":
        _run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)], url)
    else:
        raise BackupError(f"不支持恢复此类数据库：{dialect}")
    from scheduler.store import open_store

    open_store(url).dispose()  # migrations run on open: an older backup comes up to date
    return BackupResult(source, dialect, source.stat().st_size)


def _run_pg(tool: str, arguments: list[str], url: str) -> None:
    """Run pg_dump or pg_restore on the database of `url`; the password goes by environment only."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端（postgresql-client）")
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([executable, f"--dbname={libpq}", *arguments], env=env, capture_output=True,
                            text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{tool} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")
