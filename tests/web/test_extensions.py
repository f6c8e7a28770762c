"""Extensions through the browser: 潞州区 asks in the portal, the coordinator decides on the console's
延期申请 screen, and only 潞州区's date and notices move (the web world: 长治 swept to 2019-12-20)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scheduler import store as repo
from scheduler.store import schema as m
from scheduler.store.extensions import list_extensions
from tests.web.builders import CSRF, DAY, NOW, UNIT_A, login

TASK = "changzhi-2019/r017"  # due 2019-10-31; 潞州区 and the 11 other counties responsible


def form_token(client, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)


def ask(client, task: str = TASK, due: str = "2020-01-31") -> object:
    login(client, "luzhou")
    token = form_token(client, "/portal/extensions")
    return client.post("/portal/extensions", data={"task": task, "due": due, "reason": "散煤替代设备到货延迟",
                                                   "csrf_token": token}, follow_redirects=False)


def others_pending(store) -> dict[str, str]:
    with store.session() as session:
        return {unit: status for unit, status in session.execute(
            select(m.Notice.unit, m.Notice.status).where(m.Notice.task_id == TASK, m.Notice.unit != UNIT_A,
                                                         m.Notice.level == "warning"))}


def test_a_unit_asks_for_an_extension_in_the_portal(client, store):
    page = (login(client, "luzhou"), client.get("/portal/extensions"))[1]
    assert page.status_code == 200 and 'id="extension-form"' in page.text and TASK in page.text
    response = ask(client)
    assert response.status_code == 303 and response.headers["location"] == "/portal/extensions?done=request"
    listed = client.get("/portal/extensions").text
    assert "散煤替代设备到货延迟" in listed and "待审批" in listed
    with store.session() as session:
        [request] = list_extensions(session)
    assert (request.unit, request.requested_due, request.by, request.status) == (
        UNIT_A, date(2020, 1, 31), "luzhou", "pending")


def test_a_unit_cannot_ask_for_a_task_it_does_not_hold(client, store):
    with store.session() as session:
        held = set(session.scalars(select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_A)))
        foreign = session.scalars(select(m.Task.id).where(m.Task.id.not_in(held))).first()
    assert ask(client, task=foreign).status_code == 404


def test_the_coordinator_approves_and_only_the_unit_that_asked_moves(client, store):
    ask(client)
    before = others_pending(store)
    client.post("/logout", data={"csrf_token": form_token(client, "/portal")})
    login(client, "wang")
    screen = client.get("/extensions")
    assert screen.status_code == 200 and "散煤替代设备到货延迟" in screen.text and "一并延期的其他单位" in screen.text
    with store.session() as session:
        [request] = list_extensions(session)
    response = client.post(f"/extensions/{request.id}/decide", data={
        "decision": "approve", "reason": "同意", "csrf_token": form_token(client, "/extensions")},
        follow_redirects=False)
    assert response.status_code == 303
    assert "已批准延期" in client.get("/extensions?status=approved&done=approve").text
    with store.session() as session:
        facts = {f.task_id: f for f in repo.task_facts(session, DAY)}[TASK]
        [decided] = list_extensions(session)
    assert decided.status == "approved" and decided.decided_by == "wang"
    assert [(u.unit, u.due) for u in facts.unit_deadlines] == [(UNIT_A, date(2020, 1, 31))]
    assert facts.deadline.due == (date(2019, 10, 31),)
    assert others_pending(store) == before  # no other county's warning was touched


def test_a_viewer_sees_the_requests_but_cannot_decide(client, store):
    ask(client)
    client.post("/logout", data={"csrf_token": form_token(client, "/portal")})
    login(client, "li")
    screen = client.get("/extensions")
    assert screen.status_code == 200 and "散煤替代设备到货延迟" in screen.text and "批准</button>" not in screen.text
    token = CSRF.search(screen.text).group(1)
    with store.session() as session:
        [request] = list_extensions(session)
    refused = client.post(f"/extensions/{request.id}/decide", data={"decision": "approve", "csrf_token": token},
                          follow_redirects=False)
    assert refused.status_code == 403


def test_a_unit_user_cannot_open_the_console_screen(client):
    login(client, "luzhou")
    assert client.get("/extensions", follow_redirects=False).status_code == 403


def test_after_approval_the_portal_shows_the_unit_its_own_date_and_lamp(client, store):
    before = (login(client, "luzhou"), client.get("/api/portal/tasks").json())[1]
    assert {r["id"]: r for r in before}[TASK]["state"] == "overdue"  # 10-31 passed long ago on 12-20
    ask(client)
    with store.session() as session:
        [request] = list_extensions(session)
        repo.decide_extension(session, request.id, True, "王协调", "同意", now=NOW)
        session.commit()
    row = {r["id"]: r for r in client.get("/api/portal/tasks").json()}[TASK]
    assert row["due"] == ["2020-01-31"] and row["state"] != "overdue"
