"""Schema migrations with Alembic, driven from code so no alembic.ini is needed in the CWD.

An upgrade is one database transaction: a crash or an error part-way leaves the store at the
revision it had. PostgreSQL has transactional DDL. On SQLite the pysqlite driver starts its own
transactions only before INSERT/UPDATE/DELETE, so CREATE TABLE ran in autocommit and a rollback
undid nothing; for the migrating connection the driver's handling is switched off and BEGIN is
emitted by hand, as SQLAlchemy documents for pysqlite ("Serializable isolation / Savepoints /
Transactional DDL"). Older versions did leave stores half-migrated (tables made, revision not
recorded); such a store is repaired inside the same transaction before the migrations run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from scheduler.errors import InputError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Concurrent first opens on PostgreSQL queue on this advisory lock instead of racing to CREATE.
PG_LOCK = 0x6475_6261_6E  # "duban"
BATCH_PREFIX = "_alembic_tmp_"  # Alembic's batch copies on SQLite; never present outside a migration


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision (the scripts do not change while a process runs)."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (creating it when empty), in one transaction."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        connection.rollback()
        if current == head():  # the usual open: a plain read, no write lock to wait for
            return
        with one_transaction(connection):  # decides again under the lock: another process may have won
            repair(connection)
            command.upgrade(alembic_config(connection), "head")


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)


@contextmanager
def one_transaction(connection: Connection) -> Iterator[None]:
    """Run the block in one real transaction that also covers DDL; commit at the end."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
            yield
        return
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    isolation, foreign_keys = raw.isolation_level, raw.execute("PRAGMA foreign_keys").fetchone()[0]
    raw.isolation_level = None  # the driver neither BEGINs nor COMMITs on its own now
    # Batch migrations copy and drop tables; with foreign keys on, dropping a referenced table
    # deletes or refuses its children's rows (Alembic's advice: off, then check before commit).
    # The pragma is ignored inside a transaction, hence here.
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():  # commits through the driver, which sends COMMIT (or ROLLBACK)
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # write lock now: concurrent openers queue
            yield
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise InputError.single(str(connection.engine.url), None,
                                        f"迁移后有 {len(broken)} 行外键无对应记录（首个在表 {broken[0][0]}），已回滚")
    finally:
        raw.execute(f"PRAGMA foreign_keys={int(foreign_keys)}")
        raw.isolation_level = isolation


def repair(connection: Connection) -> list[str]:
    """Drop what an interrupted migration of an older version left behind; return the tables.

    Those versions committed each CREATE TABLE on its own but recorded the revision only after
    the migration's first row write, so a crash could leave new tables that the recorded revision
    (none, on a first open) does not have. Such tables were just made and are empty; a table
    holding rows is never dropped: the store is refused with a message instead."""
    recorded = MigrationContext.configure(connection).get_current_revision()
    if recorded == head():
        return []
    present = set(inspect(connection).get_table_names()) - {"alembic_version"}
    if not present:
        return []
    known = _tables_at(recorded)
    leftovers = sorted(name for name in present if name not in known or name.startswith(BATCH_PREFIX))
    if not leftovers:
        return []
    metadata = MetaData()
    metadata.reflect(connection, only=leftovers)
    for table in metadata.sorted_tables:
        if connection.execute(select(text("1")).select_from(table).limit(1)).first() is not None:
            at = f"版本 {recorded}" if recorded else "没有迁移版本记录"
            raise InputError.single(
                str(connection.engine.url), None,
                f"数据库{at}，却含有该版本没有的表 {table.name}，且表中已有数据；"
                "无法判断它处于哪个版本，请先备份，再核对后用 alembic stamp 标记版本")
    metadata.drop_all(connection)
    return leftovers


@cache
def _tables_at(revision: str | None) -> frozenset[str]:
    """The tables a store has at `revision`: the migrations replayed on a scratch memory database."""
    if revision is None:
        return frozenset()
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
            return frozenset(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        scratch.dispose()
