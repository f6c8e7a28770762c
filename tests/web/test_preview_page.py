"""The console's 未来将发出 page: the preview for the user's offices, writing nothing (SQLite and
PostgreSQL, on the 长治 ledger swept on 2019-12-02)."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from scheduler.clock import SHANGHAI
from scheduler.issuers import SHIPPED
from scheduler.store.offices import office_names, set_account_offices
from scheduler.web import create_app
from scheduler.web.accounts import create_user
from tests.test_preview import every_row, runtime  # noqa: F401 - the fixture
from tests.web.builders import PASSWORD, login

pytestmark = pytest.mark.slow  # loads and sweeps the 长治 ledger, then sweeps each previewed day
NOW = datetime(2019, 12, 6, 16, 0, tzinfo=SHANGHAI)


def client_for(runtime, name: str, offices: list[str] | None) -> TestClient:  # noqa: F811
    with runtime.store.session() as session:
        account = create_user(session, name, PASSWORD, "coordinator", now=NOW)
        set_account_offices(session, account.id, office_names(SHIPPED, offices) if offices else None)
        session.commit()
    client = TestClient(create_app(runtime.config, runtime.store, now=lambda: NOW))
    login(client, name)
    return client


def test_the_page_lists_next_weeks_letters_and_writes_nothing(runtime):  # noqa: F811
    client = client_for(runtime, "cz", ["长治"])
    before = every_row(runtime)
    html = client.get("/preview", params={"start": "2019-12-09", "end": "2019-12-10"}).text
    assert every_row(runtime) == before
    assert "2019年12月9日" in html and "2019年12月10日" in html and "潞州区人民政府" in html
    assert "预警通知函</span> 长大气办函〔2019〕" in html and "待审核" in html


def test_the_page_shows_another_office_nothing_of_changzhi(runtime):  # noqa: F811
    client = client_for(runtime, "jc", ["晋城"])
    html = client.get("/preview", params={"start": "2019-12-09", "end": "2019-12-10"}).text
    assert "潞州区人民政府" not in html and "当日无发出事项" in html


def test_the_page_refuses_a_window_longer_than_a_month(runtime):  # noqa: F811
    client = client_for(runtime, "cz", None)
    response = client.get("/preview", params={"start": "2019-12-01", "end": "2020-02-01"})
    assert response.status_code == 400 and "duban preview" in response.text
