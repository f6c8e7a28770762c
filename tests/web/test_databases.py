"""The console's queries on SQLite and PostgreSQL: every read page and one decision per area, on
the small test plan of tests/store with hand-made escalations."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.web import create_app
from scheduler.web.accounts import create_user
from tests.store.builders import DIRECTORY, NOW, action, ledger, unit_name
from tests.web.builders import ROOT, csrf_of, login


def test_pages_and_decisions_on_both_databases(store_url, tmp_path):
    store = open_store(store_url)
    lucheng, xiangyuan = unit_name("潞城区政府"), unit_name("襄垣县政府")
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        repo.insert_notices(session, [action("w1", lucheng), action("w2", xiangyuan),
                                      action("i1", lucheng, level="interview")], date(2019, 12, 2), now=NOW)
        create_user(session, "wang", "correct-horse-1", "coordinator", now=NOW)
        create_user(session, "lc", "correct-horse-1", "unit", units=[lucheng], now=NOW)
        session.commit()
    config = Config(database=store_url, outbox=tmp_path / "out", base_dir=tmp_path, data_dir=ROOT / "data",
                    rules_dir=ROOT / "rules", templates_dir=ROOT / "templates", calendar_dir=ROOT / "data" / "calendar")
    app = create_app(config, store, now=lambda: NOW)
    with TestClient(app) as client:
        login(client, "wang")
        for path in ("/dashboard?plan=all", "/queue", "/queue?county=潞城区", "/ledger", "/ledger?unit=" + lucheng,
                     "/tasks/t-2019/1", "/letters", "/deliveries", "/audit"):
            assert client.get(path).status_code == 200, path
        data = client.get("/api/dashboard?plan=all").json()
        # 2019-12-02: t-2019/1 is due 2019-12-31, 29 days ahead: on track for its lead (市工信局) but at risk
        # for the two responsible counties, warned that day; t-2019/2 is standing work: on track for its lead
        # and the 12 county governments. 1 + 13 on track, 2 at risk.
        assert data["totals"] == {"overdue": 0, "at_risk": 2, "on_track": 14}
        queue = client.get("/api/queue?county=潞城区").json()
        assert sorted(i["key"] for i in queue["items"]) == ["i1", "w1"]
        token = {"X-CSRF-Token": csrf_of(client)}
        refused = client.post("/api/queue/decide", json={"decision": "approve", "filter": {"county": "潞城区"}},
                              headers=token)
        assert refused.status_code == 400 and "约谈" in refused.text  # an interview needs its time and place
        arrangement = {"time": "2019年12月5日9:00", "place": "市政府3楼会议室", "attendees": "县政府主要负责同志",
                       "contact": "王协调 0355-1234567"}
        decided = client.post("/api/queue/decide", json={"decision": "approve", "filter": {"county": "潞城区"},
                                                         "arrangement": arrangement}, headers=token)
        assert decided.json()["decided"] == 2
        client.post("/api/session", json={"name": "lc", "password": "correct-horse-1"})
        tasks = client.get("/api/portal/tasks").json()
        assert [t["id"] for t in tasks] == ["t-2019/1", "t-2019/2"]
        assert client.post("/api/portal/progress/t-2019/1", json={"status": "done", "note": "已完成"},
                           headers={"X-CSRF-Token": csrf_of(client)}).status_code == 200
    with store.session() as session:
        statuses = dict(session.execute(select(m.Notice.key, m.Notice.status)).all())
        assert statuses == {"w1": "approved", "i1": "approved", "w2": "pending_review"}
        assert session.get(m.Task, "t-2019/1").status == "reported_done"
    store.dispose()
