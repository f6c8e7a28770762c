"""Store fixtures: a migrated database (SQLite and PostgreSQL, via `store_url`) with the test plan."""

from __future__ import annotations

import pytest

from tests.store.builders import DIRECTORY, NOW, ledger


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)
