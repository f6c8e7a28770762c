"""kill -9 at random points of a store's first open and of an upgrade from revision 0006, then
open it again: every store must open and reach the newest revision with its rows intact.

A child process imports the store, says "go", and opens it; the parent kills it after a random
delay within the measured length of that open. DUBAN_KILL_TRIALS sets the trials per scenario
(bench/RESULTS.md records a larger run)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from scheduler.store import open_store
from scheduler.store.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("DUBAN_KILL_TRIALS", "8"))
CHILD = """
import sys, time
from scheduler.store import open_store
print("go", flush=True)
started = time.perf_counter()
open_store(sys.argv[1]).dispose()
print(time.perf_counter() - started, flush=True)
"""


@dataclass
class Tally:
    trials: int = 0
    killed_mid_open: int = 0
    unopenable: list[str] = field(default_factory=list)


def _child(url: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None and child.stdout.readline().strip() == "go"
    return child


def _open_seconds(url: str) -> float:
    child = _child(url)
    out, _ = child.communicate(timeout=60)
    return float(out.strip())


def _kill_during_open(url: str, window: float, rng: random.Random) -> bool:
    """Start an open and SIGKILL it after a random delay; return whether it was still running."""
    child = _child(url)
    time.sleep(rng.uniform(0, window))
    alive = child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    return alive


def _reopen(url: str) -> str | None:
    """Open the store again; return why it failed, or None when it is at the newest revision."""
    try:
        store = open_store(url)
    except Exception as exc:  # noqa: BLE001 - the failure is what the trial counts
        return f"{type(exc).__name__}: {exc}"[:300]
    try:
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = set(inspect(connection).get_table_names())
    finally:
        store.dispose()
    newest = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if version != [newest] or not {"unit_overrides", "ack_links", "notices"} <= tables:
        return f"opened at {version} with tables {sorted(tables)}"
    return None


def _store_at_0006(url: str) -> None:
    """A store at revision 0006 holding rows, as a year-old installation would."""
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        for n in range(50):
            connection.execute(text("INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
                                    "VALUES (CURRENT_TIMESTAMP, 'test', 'load', 'plan', :s, '{}')"), {"s": f"s{n}"})
    engine.dispose()


def _rows(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return count


class Databases:
    """Fresh databases of one kind: SQLite files, or databases on the test PostgreSQL server."""

    def __init__(self, tmp_path: Path, postgres=None) -> None:
        self.tmp_path, self.postgres, self.made = tmp_path, postgres, []
        self.kind = "postgresql" if postgres is not None else "sqlite"

    def fresh(self) -> str:
        url = (self.postgres.create_database() if self.postgres is not None
               else f"sqlite:///{self.tmp_path / f'store-{len(self.made)}.db'}")
        self.made.append(url)
        return url

    def drop(self) -> None:
        for url in self.made if self.postgres is not None else ():
            self.postgres.drop_database(url.rsplit("/", 1)[1])


def _trials(databases: Databases, scenario: str, rng: random.Random) -> Tally:
    """Kill a first open (or, for "upgrade-0006", an upgrade from a populated 0006 store)."""
    def prepared() -> str:
        url = databases.fresh()
        if scenario == "upgrade-0006":
            _store_at_0006(url)
        return url

    tally = Tally()
    window = _open_seconds(prepared())
    for trial in range(TRIALS):
        url = prepared()
        tally.trials += 1
        tally.killed_mid_open += _kill_during_open(url, window, rng)
        problem = _reopen(url)
        if problem is None and scenario == "upgrade-0006" and _rows(url, "audit_log") != 50:
            problem = "audit_log rows lost"
        if problem:
            tally.unopenable.append(f"trial {trial}: {problem}")
    print(f"{databases.kind} {scenario}: {tally.trials} trials, {tally.killed_mid_open} killed mid-open, "
          f"{len(tally.unopenable)} unopenable (open takes {window * 1000:.0f} ms)")
    return tally


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path) -> Iterator[Databases]:
    postgres = request.getfixturevalue("postgres") if request.param == "postgresql" else None
    made = Databases(tmp_path, postgres)
    yield made
    made.drop()


@pytest.mark.crash
def test_a_first_open_killed_at_any_point_leaves_a_store_that_opens(databases):
    tally = _trials(databases, "first-open", random.Random("first-open"))
    assert tally.killed_mid_open > 0  # the delays did land inside the migration
    assert tally.unopenable == []


@pytest.mark.crash
def test_an_upgrade_from_0006_killed_at_any_point_keeps_the_rows_and_opens(databases):
    tally = _trials(databases, "upgrade-0006", random.Random("upgrade"))
    assert tally.killed_mid_open > 0
    assert tally.unopenable == []
