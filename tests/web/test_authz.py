"""Walk EVERY route of the app (enumerated from the app itself, so a new route cannot escape) with
every role and check the answer: anonymous users are sent to the login page (401 on the API), a
wrong role gets 403, a state-changing call without the CSRF token gets 403, the right role gets
its page, and a unit user's answers never contain another unit's data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scheduler.delivery.acklinks import ack_secret, short_code, sign_ack
from scheduler.escalation.metrics import regions_from
from scheduler.escalation.metrics.values import RawRow, check_rows
from scheduler.plans.units import UnitDirectory
from scheduler.store import schema as m
from scheduler.store.extensions import request_extension
from scheduler.store.metrics import save_import
from scheduler.store.schema import MetricImport
from scheduler.web import create_app
from scheduler.web.acks import has_module
from scheduler.web.app import route_table
from tests.web.builders import DAY, NOW, UNIT_A, UNIT_B, csrf_of, login

PUBLIC, STAFF, COORD, UNIT, USER = "public", "staff", "coordinator", "unit", "user"
ROLES = {None: "anonymous", "wang": COORD, "li": "viewer", "luzhou": UNIT}
ALLOWED = {STAFF: {COORD, "viewer"}, COORD: {COORD}, UNIT: {UNIT}, USER: {COORD, "viewer", UNIT}}
LAST = {("POST", "/logout"), ("DELETE", "/api/session")}  # they end the session: walk them last

# (method, path) -> who may call it. A route missing here fails the test.
EXPECT = {
    ("GET", "/openapi.json"): PUBLIC, ("GET", "/"): PUBLIC, ("GET", "/login"): PUBLIC, ("POST", "/login"): PUBLIC,
    ("POST", "/api/session"): PUBLIC, ("GET", "/ack/{token}"): PUBLIC, ("POST", "/ack/{token}"): PUBLIC,
    ("GET", "/q/{code}"): PUBLIC,
    ("GET", "/feeds/{unit}.ics"): PUBLIC,
    ("POST", "/logout"): USER, ("GET", "/api/session"): USER, ("DELETE", "/api/session"): USER,
    **{("GET", p): STAFF for p in (
        "/dashboard", "/queue", "/queue/{notice_id:int}", "/queue/{notice_id:int}/letter", "/ledger",
        "/tasks/{task_id:path}", "/open-points", "/letters", "/letters/{notice_id:int}/html",
        "/letters/{notice_id:int}/{kind}", "/deliveries", "/audit", "/api/dashboard", "/api/queue",
        "/api/queue/{notice_id:int}", "/api/queue/{notice_id:int}/letter", "/api/tasks", "/api/tasks/{task_id:path}",
        "/api/open-points", "/api/letters", "/api/deliveries", "/api/audit", "/metrics",
        "/metrics/imports/{import_id:int}", "/api/metrics/status", "/api/metrics/imports/{import_id:int}",
        "/extensions", "/preview", "/ledger/export", "/bulletins", "/bulletins/{month}/{index:int}/{kind}")},
    **{("POST", p): COORD for p in (
        "/queue/decide", "/signoff/{task_id:path}", "/deadline/{task_id:path}", "/deliveries/retry",
        "/api/queue/decide", "/api/deadline/{task_id:path}", "/api/deliveries/retry", "/metrics/import",
        "/api/metrics/import", "/assign/{task_id:path}", "/api/assign/{task_id:path}",
        "/extensions/{request_id:int}/decide", "/units/{action}")},
    **{("GET", p): UNIT for p in (
        "/portal", "/portal/tasks/{task_id:path}", "/portal/letters/{notice_id:int}/html",
        "/portal/letters/{notice_id:int}/{kind}", "/api/portal/tasks", "/api/portal/tasks/{task_id:path}",
        "/api/portal/letters", "/portal/extensions")},
    **{("POST", p): UNIT for p in (
        "/portal/progress/{task_id:path}", "/portal/ack/{notice_id:int}", "/api/portal/progress/{task_id:path}",
        "/api/portal/ack/{notice_id:int}", "/portal/extensions")},
}


def walk(app) -> list[tuple[str, str]]:
    calls = [(method, path) for path, methods in route_table(app) for method in sorted(methods - {"HEAD"})]
    return sorted(calls, key=lambda call: call in LAST)


def fixtures(store, config) -> dict:
    """Concrete values: unit A's sent letter and its task, a pending escalation, a dead delivery."""
    with store.session() as session:
        letter = session.scalars(select(m.Notice).where(m.Notice.unit == UNIT_A, m.Notice.status == "sent",
                                                        m.Notice.level == "warning")).first()
        pending = session.scalars(select(m.Notice.id).where(m.Notice.status == "pending_review")).first()
        dead = session.scalars(select(m.Delivery.id).where(m.Delivery.status == "dead")).first()
        report = check_rows("seed.csv", [(["date", "region", "metric", "value"],
                                          [RawRow(2, ("2019-12-01", "潞城区", "PM2.5", "70"))], None)],
                            regions_from(UnitDirectory.load(config.path(config.data_dir) / "units.yaml")))
        save_import(session, report, "wang", now=NOW)
        import_id = session.scalars(select(MetricImport.id)).one()
        request_id = request_extension(session, letter.task_id, UNIT_A, date(2020, 6, 30), "设备到货延迟", "luzhou",
                                       now=NOW).id
        other_task = session.scalars(select(m.Assignment.task_id).where(
            m.Assignment.unit == UNIT_A, m.Assignment.task_id != letter.task_id)).first()
        provisional = "长治市测试临时单位"
        session.add(m.Unit(name=provisional, id="provisional-authz", kind="provisional", region="长治市"))
        session.commit()
    token = sign_ack(letter.key, DAY + timedelta(days=30), ack_secret(config))
    code = short_code(sign_ack(letter.key, DAY + timedelta(days=60), ack_secret(config)))  # the letter's own
    draft = config.path(config.outbox) / "bulletins" / "2019-11" / "通报-长治市-2019-11（送审稿）"
    draft.parent.mkdir(parents=True, exist_ok=True)
    draft.with_suffix(".json").write_text('{"region": "长治市"}', encoding="utf-8")
    draft.with_suffix(".docx").write_bytes(b"PK")
    values = {"month": "2019-11", "index": 0,
              "notice_id": str(letter.id), "task_id": letter.task_id, "kind": "docx", "token": token, "code": code,
              "unit": UNIT_A,
              "pending": pending, "dead": dead, "feed": "", "import_id": import_id,
              "request_id": request_id, "other_task": other_task,
              "action": "confirm", "provisional": provisional}
    if has_module("scheduler.exports.ics"):
        from scheduler.exports.ics import feed_token

        values["feed"] = feed_token(UNIT_A, ack_secret(config))
    return values


def body(method: str, path: str, values: dict) -> dict:
    """A valid request body for each state-changing route."""
    api = path.startswith("/api/")
    data = {
        "/queue/decide": {"ids": str(values["pending"]), "decision": "hold", "reason": "核实"},
        "/signoff/{task_id:path}": {"note": "核验完成"},
        "/deadline/{task_id:path}": {"due": "2020-06-30", "reason": "省文件"},
        "/deliveries/retry": {"ids": str(values["dead"])},
        "/assign/{task_id:path}": {"written": "相关县区政府", "units": UNIT_A, "reason": "会议纪要"},
        "/api/assign/{task_id:path}": {"written": "相关县区政府", "units": [UNIT_A], "reason": "会议纪要"},
        "/portal/progress/{task_id:path}": {"status": "in_progress", "note": "推进中"},
        "/api/queue/decide": {"ids": [values["pending"]], "decision": "hold", "reason": "核实"},
        "/api/deadline/{task_id:path}": {"due": "2020-06-30", "reason": "省文件"},
        "/api/deliveries/retry": {"ids": [values["dead"]]},
        "/api/portal/progress/{task_id:path}": {"status": "in_progress", "note": "推进中"},
        "/portal/extensions": {"task": values["other_task"], "due": "2020-06-30", "reason": "资金未到位"},
        "/extensions/{request_id:int}/decide": {"decision": "reject", "reason": "理由不充分"},
        "/units/{action}": {"name": values["provisional"], "kind": "", "reason": "核实为本市单位"},
    }.get(path, {})
    if path.endswith("/metrics/import"):  # a multipart upload, the same for page and API
        return {"data": {}, "files": {"file": ("pm25.csv", "date,region,metric,value\n2019-12-02,潞城区,PM2.5,71\n"
                                                .encode(), "text/csv")}}
    return {"json": data} if api else {"data": data}


def concrete(path: str, values: dict) -> str:
    if path == "/feeds/{unit}.ics":
        return f"/feeds/{values['unit']}.ics?token={values['feed']}"
    for name, value in values.items():
        path = path.replace(f"{{{name}:int}}", str(value)).replace(f"{{{name}:path}}", str(value))
        path = path.replace(f"{{{name}}}", str(value))
    return path


def test_every_route_is_in_the_table(app):
    optional = set() if has_module("scheduler.exports.ics") else {("GET", "/feeds/{unit}.ics")}
    assert set(walk(app)) == set(EXPECT) - optional


@pytest.mark.parametrize("login_name", list(ROLES), ids=list(ROLES.values()))
def test_walk_every_route_as(login_name, world, store):
    app = create_app(world.config, store, now=lambda: NOW)
    role = ROLES[login_name]
    values = fixtures(store, world.config)
    with TestClient(app) as client:
        if login_name:
            assert login(client, login_name).status_code == 303
            token = csrf_of(client)
        checked = 0
        for method, path in walk(app):
            audience = EXPECT[(method, path)]
            url = concrete(path, values)
            api = path.startswith("/api/")
            send = lambda headers=None, **kw: client.request(method, url, follow_redirects=False,  # noqa: B023, E731
                                                            headers=headers, **kw)
            if audience == PUBLIC:
                response = send(**({"json": {}} if path == "/api/session" else {}))
                expected = public_answer(method, path, role)
                assert response.status_code == expected, (role, method, path, response.text[:200])
            elif role == "anonymous":
                response = send(**body(method, path, values))
                if api:
                    assert response.status_code == 401, (method, path)
                else:
                    assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
            elif role not in ALLOWED[audience]:
                response = send(**body(method, path, values))
                assert response.status_code == 403, (role, method, path, response.status_code)
            elif method == "GET":
                response = send()
                assert response.status_code == 200, (role, path, response.text[:300])
            else:
                forged = send(**body(method, path, values))
                assert forged.status_code == 403, ("no CSRF token", role, method, path)
                kwargs = body(method, path, values)
                if api:
                    response = send(headers={"X-CSRF-Token": token}, **kwargs)
                else:
                    response = send(data={**kwargs["data"], "csrf_token": token}, files=kwargs.get("files"))
                assert response.status_code == (200 if api else 303), (role, method, path, response.text[:300])
            if login_name and (method, path) in LAST:  # logged out: log in again for the next one
                login(client, login_name)
                token = csrf_of(client)
            if role == UNIT:
                assert UNIT_B not in response.text and "长大气办函〔2019〕1号" not in response.text, (method, path)
            checked += 1
    assert checked == len(walk(app)) >= 50


def public_answer(method: str, path: str, role: str) -> int:
    logged_in = role != "anonymous"
    return {
        ("GET", "/openapi.json"): 200,
        ("GET", "/"): 303,
        ("GET", "/login"): 303 if logged_in else 200,
        ("POST", "/login"): 403,  # no login-form token
        ("POST", "/api/session"): 422,  # no credentials
        ("GET", "/ack/{token}"): 200,
        ("GET", "/q/{code}"): 303,  # a letter's short link: on to its /ack/ page
        ("POST", "/ack/{token}"): 403,  # no form token
        ("GET", "/feeds/{unit}.ics"): 200,
    }[(method, path)]
