"""The small store of plan b-2019 (tests/bulletin/builders.py has the hand count)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler import store as repo
from tests.letters.bulletin.builders import LUCHENG, MIIT, XIANGYUAN, add_letter, small_ledger
from tests.store.builders import DIRECTORY, NOW


@pytest.fixture
def small_store(store_with):
    store = store_with([small_ledger()], DIRECTORY, now=NOW)
    with store.session() as session:
        repo.sign_off(session, "b-2019/1", "协调人", date(2019, 12, 10), now=NOW)
        repo.sign_off(session, "b-2019/2", "协调人", date(2019, 12, 14), now=NOW)
        repo.report_progress(session, "b-2019/3", XIANGYUAN, "in_progress", 60, "", XIANGYUAN, date(2019, 12, 20))
        repo.sign_off(session, "b-2019/3", "协调人", date(2020, 1, 5), now=NOW)
        repo.waive(session, "b-2019/6", "协调人", "并入其他任务", now=NOW)
        add_letter(session, "w1", XIANGYUAN, "warning", date(2019, 12, 2), date(2019, 12, 4))
        add_letter(session, "i1", XIANGYUAN, "interview", date(2019, 12, 20))
        add_letter(session, "w2", LUCHENG, "warning", date(2019, 12, 9), date(2019, 12, 16))
        add_letter(session, "w3", MIIT, "warning", date(2019, 12, 30), date(2020, 1, 3), task="b-2019/3")
        add_letter(session, "w0", LUCHENG, "warning", date(2019, 11, 25), date(2019, 12, 1))
        add_letter(session, "r1", LUCHENG, "reminder", date(2019, 12, 5))
        session.commit()
    return store
