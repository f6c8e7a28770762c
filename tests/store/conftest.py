"""Store fixtures: a migrated database (SQLite and PostgreSQL, via `store_url`) with the test plan."""

from __future__ import annotations

import pytest

from scheduler import store as repo
from scheduler.store import open_store
from tests.store.builders import DIRECTORY, NOW, ledger


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        session.commit()
    yield store
    store.dispose()
