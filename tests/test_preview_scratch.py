"""The preview's scratch store on a two-task plan (fast tier): the real sweep runs and numbers
letters inside it, and the store file is byte for byte what it was (PostgreSQL: tests/test_preview.py)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.runtime import Runtime
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.scratch import scratch_store
from tests.store.builders import DIRECTORY, NOW, ledger

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_done_in_a_scratch_store_reaches_the_file(tmp_path):
    path = tmp_path / "duban.db"
    store = open_store(f"sqlite:///{path}")
    with store.session() as session:
        repo.load_ledgers(session, [ledger(deadline="2019年11月底前")], DIRECTORY, now=NOW)
        session.commit()
    runtime = Runtime(load_config(ROOT / "config.yaml"))
    store.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with scratch_store(store) as scratch:
        from scheduler.sweep import run_sweep

        created = run_sweep(scratch, runtime.rulebook, runtime.calendar, date(2019, 12, 20)).created
        with scratch.session() as session:
            assert session.scalar(select(func.count()).select_from(m.Notice)) == len(created) > 0
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(m.Notice)) == 0
    store.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
