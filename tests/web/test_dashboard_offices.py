"""Offices: each coordinator sees the plans of the offices their account serves, and the dashboard
shows a finished season as of its last swept day, not today."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scheduler import store as repo
from scheduler.clock import SHANGHAI
from scheduler.issuers import SHIPPED
from scheduler.plans.ledger import load_ledgers
from scheduler.runtime import Runtime
from scheduler.store import schema as m
from scheduler.store.letters import allocate_letter
from scheduler.store.offices import office_names, set_account_offices
from scheduler.web import create_app
from scheduler.web.accounts import create_user
from tests.web.builders import PASSWORD, ROOT, csrf_of, login, world_config

SWEPT = (date(2019, 12, 2), date(2019, 12, 20))
LATER = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)  # long after every plan ended
DURING = datetime(2019, 12, 20, 15, 0, tzinfo=SHANGHAI)
pytestmark = pytest.mark.slow  # loads all five ledgers and sweeps twice (about 6 s)
ACCOUNTS = {"changzhi": ["长治市大气办"], "jincheng": ["晋城"], "province": None}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    config = world_config(tmp_path_factory.mktemp("offices"))
    runtime = Runtime(config)
    with runtime.store.session() as session:
        repo.load_ledgers(session, load_ledgers(ROOT / "data"), runtime.directory, config.heating_season_start,
                          now=DURING)
        for name, offices in ACCOUNTS.items():
            account = create_user(session, name, PASSWORD, "coordinator", now=DURING)
            set_account_offices(session, account.id, office_names(SHIPPED, offices) if offices else None)
        session.commit()
    for day in SWEPT:
        runtime.sweep(day)
    with runtime.store.session() as session:
        first = session.scalars(select(m.Notice.key).where(m.Notice.level == "urge")).first()
    allocate_letter(runtime.store, first, SHIPPED.for_region("长治市"), SWEPT[1], DURING)
    yield runtime
    runtime.store.dispose()


def client_at(runtime: Runtime, now: datetime, name: str) -> TestClient:
    client = TestClient(create_app(runtime.config, runtime.store, now=lambda: now))
    login(client, name)
    return client


def counties(client: TestClient, **params) -> set[str]:
    html = client.get("/dashboard", params=params).text
    return {name for name in ("潞州区", "襄垣县", "泽州县", "榆次区", "阳城县") if f"<td>{name}</td>" in html}


def test_a_city_office_sees_only_its_own_counties_even_when_no_plan_runs(runtime):
    with client_at(runtime, LATER, "changzhi") as client:
        seen = counties(client, plan="all")
    assert {"潞州区", "襄垣县"} <= seen and not seen & {"泽州县", "榆次区", "阳城县"}


def test_a_provincial_account_sees_every_office(runtime):
    with client_at(runtime, LATER, "province") as client:
        seen = counties(client, plan="all")
    assert {"潞州区", "泽州县"} <= seen


def test_a_finished_season_is_shown_as_of_its_last_swept_day(runtime):
    with client_at(runtime, LATER, "changzhi") as client:
        html = client.get("/dashboard").text
        chosen = client.get("/dashboard", params={"as_of": "2019-12-02"}).text
        bad = client.get("/dashboard", params={"as_of": "12/02"})
    assert "截至 2019年12月20日" in html and "2026年12月7日" not in html.split("</h1>")[0]
    assert "2026" not in html.split('id="overdue-chart"')[1].split("</svg>")[0]  # no 2019→2026 trend line
    assert "截至 2019年12月2日" in chosen
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_a_running_season_is_shown_as_of_today(runtime):
    with client_at(runtime, DURING, "changzhi") as client:
        assert "截至 2019年12月20日" in client.get("/dashboard").text


def test_letters_of_another_office_are_neither_listed_nor_shown(runtime):
    with runtime.store.session() as session:
        letter = session.scalars(select(m.Letter)).one()
        notice = session.scalar(select(m.Notice).where(m.Notice.key == letter.notice_key))
    with client_at(runtime, DURING, "jincheng") as client:
        assert letter.number not in client.get("/letters").text
        assert client.get(f"/letters/{notice.id}/html").status_code == 404
    with client_at(runtime, DURING, "changzhi") as client:
        assert letter.number in client.get("/letters").text


def test_the_json_api_is_scoped_the_same_way(runtime):
    with runtime.store.session() as session:
        letter = session.scalars(select(m.Letter)).one()
        notice = session.scalar(select(m.Notice).where(m.Notice.key == letter.notice_key))
    with client_at(runtime, LATER, "jincheng") as client:
        assert client.get("/api/letters").json()["total"] == 0
        assert client.get(f"/api/queue/{notice.id}").status_code == 404
        shown = {t["name"] for t in client.get("/api/dashboard", params={"plan": "all"}).json()["by_county"]}
        assert "泽州县" in shown and not shown & {"潞州区", "襄垣县"}
    with client_at(runtime, LATER, "changzhi") as client:
        assert client.get("/api/letters").json()["total"] == 1
        assert client.get("/api/dashboard").json()["as_of"] == "2019-12-20"
        assert client.get("/api/dashboard", params={"as_of": "2019-12-02"}).json()["as_of"] == "2019-12-02"


def pending_by_plan(runtime: Runtime) -> dict[str, list[int]]:
    with runtime.store.session() as session:
        rows = session.execute(select(m.Notice.plan_id, m.Notice.id).where(
            m.Notice.needs_review.is_(True), m.Notice.status == "pending_review")).all()
    found: dict[str, list[int]] = {}
    for plan, notice_id in rows:
        found.setdefault(plan, []).append(notice_id)
    return found


def test_the_queue_lists_only_the_offices_own_plans(runtime):
    changzhi = pending_by_plan(runtime)["changzhi-2019"]  # in December 2019 only 长治 has escalations
    with client_at(runtime, DURING, "changzhi") as client:
        assert client.get("/api/queue").json()["total"] == len(changzhi)
    with client_at(runtime, DURING, "jincheng") as client:
        assert client.get("/api/queue").json()["total"] == 0
        assert client.get(f"/queue/{changzhi[0]}").status_code == 404
        page = client.get("/queue").text
    assert "长治" not in page.split("</form>")[0]  # no other office's plan to pick


def test_one_offices_batch_approval_cannot_reach_another_offices_queue(runtime):
    before = pending_by_plan(runtime)
    changzhi = before["changzhi-2019"]
    with client_at(runtime, DURING, "jincheng") as client:
        token = csrf_of(client)
        refused = client.post("/api/queue/decide", headers={"X-CSRF-Token": token},
                              json={"ids": changzhi[:1], "decision": "hold", "reason": "越权"})
        batch = client.post("/api/queue/decide", headers={"X-CSRF-Token": token},
                            json={"ids": None, "filter": {}, "decision": "hold", "reason": "统一暂缓"})
        form = client.post("/queue/decide", data={"csrf_token": token, "scope": "filtered", "decision": "approve"})
    assert refused.status_code == 400 and "不属于本办" in refused.json()["detail"]
    assert batch.status_code == 400 and form.status_code == 400 and "请至少选择" in form.text
    assert pending_by_plan(runtime) == before
