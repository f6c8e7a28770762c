"""Shared fixtures, and the tiers: `make check` runs the fast tier, `make test` everything.

A test is in a slow tier when it needs a PostgreSQL server (`postgres`, applied here to every test
that takes the server or a PostgreSQL `store_url`), LibreOffice (`office`), Chromium (`browser`),
kills processes (`crash`), or is otherwise slow (`slow`: fuzzing, whole-season runs).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

SLOW_TIERS = ("postgres", "office", "browser", "crash", "slow")


# Whole modules that belong to a slow tier.
MODULE_TIERS = {
    "tests/web/test_e2e.py": "browser",
    "tests/web/test_e2e_pages.py": "browser",
    "tests/production/test_crash.py": "crash",
    "tests/production/test_instances.py": "crash",
    "tests/production/test_outage.py": "crash",
    "tests/fuzz/": "slow",
    # Over a second each on this machine (subprocess commands, a season's sweep, a built .docx):
    # they run in `make test`, not in the fast loop of `make check`.
    "tests/delivery/test_acklinks.py::test_duban_ack_honours_a_link_from_a_delivered_letter": "slow",
    "tests/cli/test_calendar.py::": "slow",
    "tests/cli/test_main.py::test_load_sweep_review_and_explain_as_a_coordinator_would": "slow",
    "tests/cli/test_main.py::test_progress_and_sign_off_from_the_command_line": "slow",
    "tests/escalation/metrics/test_synthetic.py::test_the_demo_season_brings": "slow",
    "tests/plans/importers/test_docx_table.py::": "slow",
    "tests/production/test_backup.py::test_the_commands_back_up_restore_and_check": "slow",
    "tests/web/test_assign_units.py::": "slow",
    "tests/web/test_commands.py::": "slow",
    "tests/web/test_authz.py::test_walk_every_route_as": "slow",
    "tests/web/test_openpoints_cache.py::": "slow",
    "tests/test_service.py::": "slow",
    "tests/production/": "slow",
    "tests/web/test_bulletins_page.py::": "slow",
    "tests/web/test_authz.py::test_every_route_is_in_the_table": "slow",
    "tests/cli/test_main.py::test_an_unparseable_cell_is_unknown_not_a_crash": "slow",
    "tests/cli/test_main.py::test_a_coordinator_imports_a_plan_document": "slow",
    "tests/cli/test_main.py::test_deadline_parse_": "slow",
    "tests/letters/bulletin/test_storage.py::test_golden_december_bulletin": "slow",
    "tests/web/test_paging.py::test_settling_a_point_on_a_later_page": "slow",
    "tests/web/test_hardening.py::test_a_report_lists_two_hundred_problems": "slow",
    "tests/web/test_pages.py::test_openapi_describes_the_api": "slow",
    "tests/web/test_databases.py::": "slow",
    "tests/store/test_migrate_ack_short.py::": "slow",
    "tests/test_yamlsource_libyaml.py::test_every_shipped_yaml_file_reads_through_libyaml": "slow",
    "tests/plans/importers/test_metadata.py::test_a_plan_id_is_the_regions_pinyin_and_the_year": "slow",
    "tests/test_yamlsource_limits.py::test_nesting_deeper_than_python_can_recurse": "slow",
    "tests/web/test_hardening.py::test_an_upload_past_the_row_limit": "slow",
    "tests/delivery/test_run.py::test_a_mail_server_down_for_three_days": "slow",
    "tests/web/test_metrics.py::test_the_status_page_shows_the_pro_rata_standing": "slow",
    "tests/escalation/metrics/test_commands.py::test_check_and_serve_refuse_a_broken_metric_rule_file": "slow",
    "tests/cli/test_main.py::test_check_fails_on_a_broken_rule_file_naming_file_and_line": "slow",
    "tests/plans/test_views.py::test_clause_parse_from_the_command_line": "slow",
    "tests/plans/test_views.py::test_ledger_export_json_from_the_command_line": "slow",
}


def _tiers(item) -> set[str]:
    tiers = {tier for prefix, tier in MODULE_TIERS.items() if item.nodeid.startswith(prefix)}
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "postgres" in item.fixturenames or "postgresql" in params.values():
        tiers.add("postgres")
    # a test that skips without LibreOffice needs it
    reasons = " ".join(str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skipif"))
    if "libreoffice" in reasons.lower():
        tiers.add("office")
    return tiers


def pytest_collection_modifyitems(config, items) -> None:
    """Put each test in its tiers, so `make check` can run the fast one alone."""
    for item in items:
        for tier in _tiers(item):
            item.add_marker(getattr(pytest.mark, tier))


# ---- store: a real PostgreSQL server ---------------------------------------------------------
# `postgres` starts one throwaway cluster per test session; `store_url` gives every store test a
# fresh database on SQLite and on PostgreSQL. Without the server binaries the PostgreSQL half
# skips locally and FAILS when CI is set, so CI can never pass on SQLite alone.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throwaway PostgreSQL cluster on a loopback port (initdb refuses root: run as postgres)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="duban-pg-"))
        self.port = _free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -h 127.0.0.1 -F", "start")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run must install it (scripts/os-deps.sh)")
        pytest.skip("PostgreSQL server binaries not installed (run scripts/os-deps.sh as root)")
    server = PostgresServer(bindir)
    time.sleep(0.1)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL: every store test runs on SQLite and on PostgreSQL. The
    PostgreSQL database is dropped afterwards: hundreds of them (~8 MB each) made the session's
    last teardown spend ~45 s deleting the cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'duban.db'}"
        return
    server = request.getfixturevalue("postgres")
    url = server.create_database()
    yield url
    server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def store_with(store_url) -> Iterator[Callable[..., Any]]:
    """Open the `store_url` database with ledgers loaded: `store_with([ledger()], DIRECTORY, now=NOW)`.

    The keywords go to `load_ledgers`; every store opened is disposed of at teardown.
    """
    from scheduler import store as repo
    from scheduler.store import open_store

    opened = []

    def load(ledgers, directory, *args, **kwargs):
        store = open_store(store_url)
        opened.append(store)
        with store.session() as session:
            repo.load_ledgers(session, list(ledgers), directory, *args, **kwargs)
            session.commit()
        return store

    yield load
    for store in opened:
        store.dispose()


# ---- end of store block ---------------------------------------------------------------------
