"""A task two units share: a unit user reports progress for its own unit only. Reporting "done"
for the co-holding unit would take that unit (and the task) out of escalation, so the portal and
the JSON API answer 404 and record nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.store import schema as m
from tests.web.builders import DAY, UNIT_A, UNIT_B, csrf_of, login


def shared_task(store) -> str:
    """Return an open task that both the unit user's county and 襄垣 hold."""
    with store.session() as session:
        mine = select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_A)
        theirs = select(m.Assignment.task_id).where(m.Assignment.unit == UNIT_B)
        return session.scalars(select(m.Task.id).where(m.Task.id.in_(mine), m.Task.id.in_(theirs),
                                                       m.Task.status == "open", m.Task.removed.is_(False))
                               .order_by(m.Task.id)).first()


def reports(store, task_id: str, unit: str) -> list[tuple[str, int | None, str]]:
    with store.session() as session:
        return session.execute(select(m.ProgressReport.status, m.ProgressReport.percent, m.ProgressReport.by)
                               .where(m.ProgressReport.task_id == task_id, m.ProgressReport.unit == unit)
                               .order_by(m.ProgressReport.id)).all()


def task_status(store, task_id: str) -> str:
    with store.session() as session:
        return session.get(m.Task, task_id).status


def report_count(store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(m.ProgressReport))


def test_the_world_has_a_task_both_counties_hold(store):
    assert shared_task(store) is not None


def test_a_unit_user_cannot_report_a_co_holding_units_share_done(client, store):
    task = shared_task(store)
    before = report_count(store)
    login(client, "luzhou")
    response = client.post(f"/portal/progress/{task}", data={
        "csrf_token": csrf_of(client), "unit": UNIT_B, "status": "done", "percent": "100", "note": "已完成"})
    assert response.status_code == 404 and UNIT_B not in response.text
    assert reports(store, task, UNIT_B) == []
    assert report_count(store) == before
    assert task_status(store, task) == "open"  # still escalated


def test_the_json_api_refuses_a_report_for_a_co_holding_unit_too(client, store):
    task = shared_task(store)
    login(client, "luzhou")
    response = client.post(f"/api/portal/progress/{task}", json={"unit": UNIT_B, "status": "done", "percent": 100},
                           headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 404
    assert reports(store, task, UNIT_B) == []
    assert task_status(store, task) == "open"


def test_a_unit_user_reports_its_own_units_share_of_a_shared_task(client, store):
    task = shared_task(store)
    login(client, "luzhou")
    response = client.post(f"/portal/progress/{task}", data={
        "csrf_token": csrf_of(client), "unit": UNIT_A, "status": "in_progress", "percent": "50"},
        follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/portal/tasks/{task}?done=progress"
    assert reports(store, task, UNIT_A)[-1] == ("in_progress", 50, "luzhou")
    assert reports(store, task, UNIT_B) == []


def test_the_json_api_records_a_report_for_the_users_own_unit_by_default(client, store):
    task = shared_task(store)
    login(client, "luzhou")
    response = client.post(f"/api/portal/progress/{task}", json={"status": "blocked", "note": "资金未到位"},
                           headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 200
    assert response.json() == {"task": task, "unit": UNIT_A, "status": "blocked", "percent": None}
    assert reports(store, task, UNIT_A)[-1] == ("blocked", None, "luzhou")
    with store.session() as session:
        on = session.scalars(select(m.ProgressReport.on).where(m.ProgressReport.task_id == task)
                             .order_by(m.ProgressReport.id.desc())).first()
    assert on == DAY
