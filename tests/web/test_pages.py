"""The console through HTTP (FastAPI's TestClient on the built world): login, queue decisions,
letters, deliveries, open points, the portal, the JSON API and the 签收 link."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scheduler.clock import SHANGHAI
from scheduler.delivery.acklinks import ack_secret, sign_ack
from scheduler.store import schema as m
from scheduler.web import create_app
from tests.web.builders import DAY, NOW, UNIT_A, UNIT_B, UNIT_C, csrf_of, login


def notice(store, **where) -> m.Notice:
    with store.session() as session:
        query = select(m.Notice).order_by(m.Notice.id)
        for name, value in where.items():
            query = query.where(getattr(m.Notice, name) == value)
        return session.scalars(query).first()


def audit_actions(store, object_id: str) -> list[tuple[str, str]]:
    with store.session() as session:
        return session.execute(select(m.AuditEntry.actor, m.AuditEntry.action)
                               .where(m.AuditEntry.object_id == object_id).order_by(m.AuditEntry.id)).all()


def test_login_sets_an_httponly_lax_cookie_and_follows_next(client, store):
    first = client.get("/queue?level=warning", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/queue%3Flevel%3Dwarning"
    page = client.get(first.headers["location"])
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"name": "wang", "password": "correct-horse-1", "csrf_token": token,
                                           "next": "/queue?level=warning"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue?level=warning"
    cookie = response.headers["set-cookie"].lower()
    assert "duban_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "预警通知函" in client.get("/queue?level=warning").text
    assert audit_actions(store, "wang")[-1] == ("wang", "web.login")


def test_a_wrong_password_or_a_missing_form_token_does_not_log_in(client, store):
    response = login(client, "wang", "wrong-password")
    assert response.status_code == 401 and "用户名或密码不正确" in response.text
    assert audit_actions(store, "wang")[-1] == ("wang", "web.login_failed")
    response = client.post("/login", data={"name": "wang", "password": "correct-horse-1"}, follow_redirects=False)
    assert response.status_code == 403 and "登录表单已过期" in response.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_never_redirect_off_site_after_login(client):
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"name": "wang", "password": "correct-horse-1", "csrf_token": token,
                                           "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/dashboard"


def test_a_session_expires_after_session_minutes(world, store):
    clock = [NOW]
    app = create_app(world.config, store, now=lambda: clock[0])
    with TestClient(app) as client:
        login(client, "wang")
        clock[0] = NOW + timedelta(minutes=world.config.web.session_minutes - 1)
        assert client.get("/dashboard").status_code == 200
        clock[0] = NOW + timedelta(minutes=world.config.web.session_minutes)
        assert client.get("/dashboard", follow_redirects=False).status_code == 303
        assert client.get("/api/dashboard").status_code == 401


def test_logout_ends_the_session(client):
    login(client, "li")
    token = csrf_of(client)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/session").status_code == 401


def test_approving_one_warning_is_audited_and_the_letter_awaits_delivery(client, store):
    login(client, "wang")
    item = notice(store, unit=UNIT_A, level="warning", status="pending_review")
    page = client.get(f"/queue/{item.id}")
    assert UNIT_A in page.text and "公文预览" in page.text
    preview = client.get(f"/queue/{item.id}/letter")
    assert "（待编号）" in preview.text and "预警通知函" in preview.text and UNIT_A in preview.text
    response = client.post("/queue/decide", data={"csrf_token": csrf_of(client), "ids": str(item.id),
                                                  "decision": "approve", "back": f"/queue/{item.id}"})
    assert response.status_code == 200 and "已批准" in response.text
    decided = notice(store, id=item.id)
    assert (decided.status, decided.reviewed_by, decided.reviewed_at is not None) == ("approved", "wang", True)
    assert audit_actions(store, item.key)[-1] == ("wang", "notice.approve")
    letters = client.get("/letters").text
    assert "已批准、待发出" in letters and f"/letters/{item.id}/html" in letters


def test_reject_needs_a_reason(client, store):
    login(client, "wang")
    item = notice(store, status="pending_review")
    response = client.post("/queue/decide", data={"csrf_token": csrf_of(client), "ids": str(item.id),
                                                  "decision": "reject", "reason": " "})
    assert response.status_code == 400 and "驳回必须写明理由" in response.text
    assert notice(store, id=item.id).status == "pending_review"


def test_a_batch_decision_covers_everything_the_filter_matches(client, store):
    login(client, "wang")
    with store.session() as session:
        expected = session.scalar(select(func.count()).select_from(m.Notice).where(
            m.Notice.unit == UNIT_B, m.Notice.status == "pending_review"))
    assert expected > 1
    response = client.post("/queue/decide", data={
        "csrf_token": csrf_of(client), "scope": "filtered", "county": "襄垣县", "decision": "hold",
        "reason": "待县里补报材料"}, follow_redirects=False)
    assert response.status_code == 303 and f"n={expected}" in response.headers["location"]
    with store.session() as session:
        held = session.execute(select(m.Notice.unit, m.Notice.review_reason).where(m.Notice.status == "held")).all()
    assert held == [(UNIT_B, "待县里补报材料")] * expected
    page = client.get("/queue?status=held").text
    assert page.count('name="ids"') == expected


def test_queue_filters_by_level_plan_and_county(client):
    login(client, "li")
    everything = client.get("/api/queue").json()
    warnings = client.get("/api/queue?level=warning").json()
    interviews = client.get("/api/queue?level=interview").json()
    assert warnings["total"] and all(i["level"] == "warning" for i in warnings["items"])
    assert all(i["level"] == "interview" for i in interviews["items"])
    # the world's two sweeps climb to warnings; an interview waits for a warning left standing
    assert everything["total"] == warnings["total"] + interviews["total"]
    county = client.get("/api/queue?county=潞州区").json()
    assert county["total"] and {i["unit"] for i in county["items"]} == {UNIT_A}
    assert client.get("/api/queue?plan=zezhou-2023").json()["total"] == 0
    assert everything["total"] > county["total"] > 0


def test_numbered_letters_can_be_viewed_and_downloaded(client, store):
    login(client, "li")
    sent = notice(store, unit=UNIT_A, level="warning", status="sent")
    page = client.get("/letters").text
    assert "长大气办函〔2019〕2号" in page
    html = client.get(f"/letters/{sent.id}/html")
    assert "长大气办函〔2019〕2号" in html.text and UNIT_A in html.text
    docx = client.get(f"/letters/{sent.id}/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "attachment" in docx.headers["content-disposition"]
    pdf = client.get(f"/letters/{sent.id}/pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert client.get(f"/letters/{sent.id}/exe").status_code == 404


def test_dead_letters_are_listed_and_a_retry_is_audited(client, store):
    login(client, "wang")
    page = client.get("/deliveries").text
    assert "收件地址不存在" in page and UNIT_C in page
    with store.session() as session:
        dead = session.scalars(select(m.Delivery).where(m.Delivery.status == "dead").order_by(m.Delivery.id)).all()
    assert len(dead) == 2  # the unit's digest and its letter
    response = client.post("/deliveries/retry", data={"csrf_token": csrf_of(client), "ids": [str(dead[1].id)]})
    assert "已将 1 条记录重新排入发送" in response.text
    with store.session() as session:
        again = session.get(m.Delivery, dead[1].id)
        assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, None)
    assert audit_actions(store, dead[1].message_key)[-1] == ("wang", "delivery.retry_request")


def test_an_external_deadline_is_dated_from_the_open_points(client, store):
    login(client, "wang")
    page = client.get("/open-points").text
    assert "时限待定" in page and "按国家、省规定" in page
    points = client.get("/api/open-points").json()
    external = next(p for p in points if p["kind"] == "external_deadline" and p["datable"])
    response = client.post(f"/deadline/{external['task']}", data={
        "csrf_token": csrf_of(client), "due": "2020-06-30", "reason": "省大气办晋气防办〔2019〕5号"})
    assert response.status_code == 200 and "已补录完成时限" in response.text and "2020-06-30" in response.text
    with store.session() as session:
        override = session.scalars(select(m.DeadlineOverride)).one()
    assert (override.task_id, override.due, override.by) == (external["task"], date(2020, 6, 30), "wang")
    assert audit_actions(store, external["task"])[-1] == ("wang", "task.external_date")
    missing = client.post(f"/deadline/{external['task']}", data={"csrf_token": csrf_of(client), "due": "2020-06-30",
                                                                 "reason": ""})
    assert missing.status_code == 400 and "请写明时限依据" in missing.text


def test_a_deadline_set_before_eight_in_the_morning_shows_on_its_shanghai_day(world, store):
    early = datetime(2019, 12, 21, 7, 0, tzinfo=SHANGHAI)  # still 2019-12-20 in UTC, as the store keeps it
    with TestClient(create_app(world.config, store, now=lambda: early)) as client:
        login(client, "wang")
        external = next(p for p in client.get("/api/open-points").json()
                        if p["kind"] == "external_deadline" and p["datable"])
        client.post(f"/deadline/{external['task']}", data={
            "csrf_token": csrf_of(client), "due": "2020-06-30", "reason": "省大气办晋气防办〔2019〕5号"})
        timeline = client.get(f"/api/tasks/{external['task']}").json()["timeline"]
    assert [e["day"] for e in timeline if e["kind"] == "时限变更"] == ["2019-12-21"]


def test_dashboard_lights_add_up_and_the_chart_is_inline_svg(client):
    login(client, "li")
    data = client.get("/api/dashboard?plan=changzhi-2019").json()
    assert data["plans"] == ["changzhi-2019"]
    for tallies in (data["by_county"], data["by_unit"]):
        assert {s: sum(t[s] for t in tallies) for s in ("overdue", "at_risk", "on_track")} == data["totals"]
    luzhou = next(t for t in data["by_county"] if t["name"] == "潞州区")
    assert luzhou["lamp"] == "overdue" and luzhou["overdue"] > 0
    assert data["overdue_series"][-1]["day"] == DAY.isoformat() and data["overdue_series"][-1]["overdue"] > 0
    page = client.get("/dashboard?plan=changzhi-2019").text
    assert '<svg id="overdue-chart"' in page and "<polyline" in page and "潞州区" in page


def test_a_task_page_shows_its_timeline(client, store):
    login(client, "li")
    sent = notice(store, unit=UNIT_A, level="warning", status="sent")
    page = client.get(f"/tasks/{sent.task_id}").text
    assert "时间线" in page and "长大气办函〔2019〕2号" in page and "预警通知函" in page
    detail = client.get(f"/api/tasks/{sent.task_id}").json()
    kinds = {e["kind"] for e in detail["timeline"]}
    assert {"预警通知函", "公文"} <= kinds
    assert any(d["message_key"] == sent.key and d["status"] == "sent" for d in detail["deliveries"])


def test_a_unit_user_reports_progress_and_acknowledges_a_letter(client, store):
    login(client, "luzhou")
    portal = client.get("/portal").text
    assert "长大气办函〔2019〕2号" in portal and "签收" in portal
    assert UNIT_B not in portal and "长大气办函〔2019〕1号" not in portal  # 襄垣's letter
    sent = notice(store, unit=UNIT_A, level="warning", status="sent")
    token = csrf_of(client)
    response = client.post(f"/portal/progress/{sent.task_id}", data={
        "csrf_token": token, "status": "in_progress", "percent": "60", "note": "已完成改造设备招标"})
    assert response.status_code == 200 and "进展已报送" in response.text and "已完成改造设备招标" in response.text
    with store.session() as session:
        report = session.scalars(select(m.ProgressReport).order_by(m.ProgressReport.id.desc())).first()
    assert (report.task_id, report.unit, report.percent, report.by, report.on) == (
        sent.task_id, UNIT_A, 60, "luzhou", DAY)
    response = client.post(f"/portal/ack/{sent.id}", data={"csrf_token": token})
    assert "已签收" in response.text
    assert notice(store, id=sent.id).acknowledged_on == DAY
    assert audit_actions(store, sent.key)[-1] == ("luzhou", "notice.acknowledge")


def test_a_unit_user_gets_404_for_another_units_task_and_letter(client, store):
    login(client, "luzhou")
    foreign = notice(store, unit=UNIT_B, level="warning", status="sent")
    with store.session() as session:
        theirs = set(session.scalars(select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_B)))
        mine = set(session.scalars(select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_A)))
    only_theirs = sorted(theirs - mine)[0]
    token = csrf_of(client)
    for path in (f"/portal/letters/{foreign.id}/html", f"/portal/letters/{foreign.id}/docx",
                 f"/portal/tasks/{only_theirs}", f"/api/portal/tasks/{only_theirs}"):
        response = client.get(path)
        assert response.status_code == 404 and UNIT_B not in response.text, path
    assert client.post(f"/portal/ack/{foreign.id}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/portal/progress/{only_theirs}", data={"csrf_token": token, "status": "done"}
                       ).status_code == 404
    assert notice(store, id=foreign.id).acknowledged_on is None
    tasks = client.get("/api/portal/tasks").json()
    assert {t["id"] for t in tasks} == mine and all(t["units"] == [UNIT_A] for t in tasks)


def test_the_json_api_needs_a_session_and_the_csrf_header(client, store):
    assert client.get("/api/queue").status_code == 401
    bad = client.post("/api/session", json={"name": "wang", "password": "nope"})
    assert bad.status_code == 401
    info = client.post("/api/session", json={"name": "wang", "password": "correct-horse-1"}).json()
    assert info["role"] == "coordinator" and info["csrf_token"]
    item = notice(store, status="pending_review")
    body = {"decision": "hold", "ids": [item.id], "reason": "核实中"}
    assert client.post("/api/queue/decide", json=body).status_code == 403
    assert client.post("/api/queue/decide", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    done = client.post("/api/queue/decide", json=body, headers={"X-CSRF-Token": info["csrf_token"]})
    assert done.json() == {"decided": 1, "decision": "hold", "by": "wang", "warnings": []}
    assert notice(store, id=item.id).status == "held"


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/queue", "/api/queue/decide", "/api/portal/ack/{notice_id}", "/api/session",
            "/api/dashboard"} <= set(spec["paths"])
    assert "/dashboard" not in spec["paths"]  # pages are not part of the API


def test_a_signed_link_shows_the_letter_and_acknowledges_without_login(client, store, world):
    sent = notice(store, unit=UNIT_A, level="warning", status="sent")
    token = sign_ack(sent.key, DAY + timedelta(days=30), ack_secret(world.config))
    page = client.get(f"/ack/{token}")
    assert page.status_code == 200 and "长大气办函〔2019〕2号" in page.text and "签收人" in page.text
    form_token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(f"/ack/{token}", data={"csrf_token": form_token, "by": "张科长"})
    assert done.status_code == 200 and "已于 2019-12-20 签收" in done.text
    assert notice(store, id=sent.id).acknowledged_on == DAY
    assert audit_actions(store, sent.key)[-1] == ("张科长", "notice.acknowledge")
    expired = sign_ack(sent.key, DAY - timedelta(days=1), ack_secret(world.config))
    assert client.get(f"/ack/{expired}").status_code == 400
    assert client.post(f"/ack/{token}", data={"by": "x"}).status_code == 403  # no form token


def test_the_ledger_filters_by_unit_status_and_deadline_class(client, store):
    login(client, "li")
    with store.session() as session:
        theirs = set(session.scalars(select(m.Assignment.task_id).join(m.Task, m.Task.id == m.Assignment.task_id)
                                     .where(m.Assignment.unit == UNIT_B, m.Task.removed.is_(False))))
    rows = client.get("/api/tasks", params={"unit": UNIT_B}).json()
    assert {r["id"] for r in rows} == theirs and all(UNIT_B in r["units"] for r in rows)
    external = client.get("/api/tasks", params={"kind": "external"}).json()
    assert external and all(r["deadline_kind"] == "external" for r in external)
    assert all(r["status"] == "open" for r in client.get("/api/tasks", params={"status": "open"}).json())
    page = client.get("/ledger", params={"unit": UNIT_B, "plan": "changzhi-2019"}).text
    assert UNIT_B in page and "changzhi-2019/" in page
