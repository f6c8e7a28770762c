"""A first bulk load on PostgreSQL sets the foreign keys of `assignments` aside and checks them in
one pass at the end: what is committed always has its keys, checked, whatever happens meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from sqlalchemy import select

from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.bulkload import bulk_load_ledgers
from tests.store.builders import DIRECTORY, NOW, ROOT
from tests.store.test_bulkload import synthetic

KEYS = ("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
        " WHERE conrelid = 'assignments'::regclass AND contype = 'f' ORDER BY conname")


@pytest.fixture
def pg_url(postgres):
    url = postgres.create_database()
    open_store(url).dispose()  # the schema, as `duban load` creates it
    yield url
    postgres.drop_database(url.rsplit("/", 1)[1])


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def keys_and_counts(url: str) -> tuple[list[tuple], int, int]:
    with psycopg.connect(_plain(url)) as connection:
        keys = connection.execute(KEYS).fetchall()
        tasks = connection.execute("SELECT count(*) FROM tasks").fetchone()[0]
        assignments = connection.execute("SELECT count(*) FROM assignments").fetchone()[0]
    return keys, tasks, assignments


def test_a_first_load_ends_with_the_same_foreign_keys_all_checked(pg_url):
    before = keys_and_counts(pg_url)[0]
    assert len(before) == 2 and all(valid for _, _, valid in before)
    store = open_store(pg_url)
    with store.session() as session:
        report = bulk_load_ledgers(session, [synthetic(200)], DIRECTORY, now=NOW)
        session.commit()
    store.dispose()
    keys, tasks, assignments = keys_and_counts(pg_url)
    assert keys == before and (report.tasks_created, tasks) == (200, 200) and assignments > 1000


def test_a_load_that_fails_midway_leaves_the_keys_even_if_the_caller_then_commits(pg_url):
    before = keys_and_counts(pg_url)[0]

    def fail(tasks: int) -> None:
        raise RuntimeError("磁盘已满")

    store = open_store(pg_url)
    with store.session() as session:
        with pytest.raises(RuntimeError):
            bulk_load_ledgers(session, [synthetic(50)], DIRECTORY, now=NOW, progress=fail)
        session.commit()
    store.dispose()
    assert keys_and_counts(pg_url) == (before, 0, 0)


def test_two_first_loads_at_once_load_the_tasks_once_and_keep_the_keys(pg_url):
    before = keys_and_counts(pg_url)[0]
    start = threading.Barrier(2)
    reports = []

    def load() -> None:
        store = open_store(pg_url)
        with store.session() as session:
            start.wait()
            reports.append(bulk_load_ledgers(session, [synthetic(300)], DIRECTORY, now=NOW))
            session.commit()
        store.dispose()

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted((r.tasks_created, r.tasks_unchanged) for r in reports) == [(0, 300), (300, 0)]
    assert keys_and_counts(pg_url)[:2] == (before, 300)


def test_a_loader_that_does_not_own_the_tables_keeps_the_keys_and_still_loads(pg_url):
    before = keys_and_counts(pg_url)[0]
    with psycopg.connect(_plain(pg_url), autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS loader")
        connection.execute("CREATE ROLE loader LOGIN")
        connection.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO loader")
        connection.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO loader")
    url = pg_url.replace("postgres@", "loader@")
    store = open_store(url, migrate=False)
    with store.session() as session:
        report = bulk_load_ledgers(session, [synthetic(100)], DIRECTORY, now=NOW)
        session.commit()
        stored = len(session.scalars(select(m.Task.id)).all())
    store.dispose()
    assert (report.tasks_created, stored) == (100, 100) and keys_and_counts(pg_url)[0] == before
    with psycopg.connect(_plain(pg_url), autocommit=True) as connection:
        connection.execute("DROP OWNED BY loader")
        connection.execute("DROP ROLE loader")


KILLED_MIDWAY = """
import os, signal, sys
sys.path.insert(0, {root!r})
from scheduler.store import open_store
from scheduler.store.bulkload import bulk_load_ledgers
from tests.store.builders import DIRECTORY, NOW
from tests.store.test_bulkload import synthetic

def die(tasks):
    print("keys aside", flush=True)
    signal.pause()  # the test kills us here, keys dropped and rows written but nothing committed

store = open_store({url!r})
with store.session() as session:
    bulk_load_ledgers(session, [synthetic(50)], DIRECTORY, now=NOW, progress=die)
"""


@pytest.mark.crash
def test_a_load_killed_with_its_keys_aside_leaves_them_in_place(pg_url):
    before = keys_and_counts(pg_url)[0]
    child = subprocess.Popen([sys.executable, "-c", KILLED_MIDWAY.format(root=str(ROOT), url=pg_url)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None and child.stdout.readline().strip() == "keys aside"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    deadline = time.monotonic() + 30
    while keys_and_counts(pg_url)[0] != before and time.monotonic() < deadline:
        time.sleep(0.1)  # the server notices the dead connection and rolls its transaction back
    assert keys_and_counts(pg_url) == (before, 0, 0)
