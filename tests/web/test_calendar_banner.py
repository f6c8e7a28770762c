"""The console's banner while the year's working days are provisional (no holiday notice yet)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scheduler.store import open_store
from scheduler.web import create_app
from scheduler.web.accounts import create_user
from tests.web.builders import PASSWORD, SHANGHAI, login, world_config

OFFICIAL_2027 = "year: 2027\nsource: 测试用虚构安排\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n"


@pytest.fixture
def console(tmp_path: Path):
    config = world_config(tmp_path).model_copy(update={"calendar_dir": tmp_path / "calendar"})
    (tmp_path / "calendar").mkdir()
    store = open_store(config.database)
    with store.session() as session:
        create_user(session, "wang", PASSWORD, "coordinator", display_name="王协调",
                    now=datetime(2026, 12, 1, tzinfo=SHANGHAI))
        session.commit()
    clock = [datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI)]
    with TestClient(create_app(config, store, now=lambda: clock[0])) as client:
        yield client, clock, config
    store.dispose()


def test_every_page_says_the_year_is_provisional_until_the_year_file_arrives(console):
    client, clock, config = console
    assert "尚未公布" not in client.get("/login").text  # no banner before signing in
    assert login(client, "wang").status_code == 303
    page = client.get("/dashboard").text
    assert "2027 年节假日安排尚未公布，工作日按法定节假日暂算" in page and 'class="error calendar-note"' in page
    assert "2027 年节假日安排尚未公布" in client.get("/audit").text

    (config.calendar_dir / "2027.yaml").write_text(OFFICIAL_2027, encoding="utf-8")
    assert "calendar-note" not in client.get("/dashboard").text  # no restart needed

    clock[0] = datetime(2027, 11, 3, 9, 0, tzinfo=SHANGHAI)  # next year's file missing: a reminder
    login(client, "wang")  # the session of January has expired
    assert "缺少 2028 年节假日数据" in client.get("/dashboard").text


def test_a_notice_decided_provisionally_says_so_on_its_page(console):
    from datetime import date

    from scheduler import store as repo
    from scheduler.escalation.facts import Action
    from scheduler.store import schema as m

    client, _clock, config = console
    store = open_store(config.database)
    action = Action(key="overdue-warning|t/1|长治市能源局|2027-01-31", level="warning", rule_id="overdue-warning",
                    ruleset_id="default", ruleset_version="1", plan_id="t", task_id=None, unit="长治市能源局",
                    due=date(2027, 1, 31), kind="overdue", needs_review=True, clause="条款", explanation="说明",
                    facts={"calendar": "provisional:statutory-rule", "calendar_years": [2027]})
    with store.session() as session:
        repo.insert_notices(session, [action], date(2027, 2, 18))
        session.commit()
        notice_id = session.query(m.Notice.id).scalar()
    store.dispose()
    login(client, "wang")
    assert "按暂算日历计算：2027 年节假日安排当时尚未公布" in client.get(f"/queue/{notice_id}").text
