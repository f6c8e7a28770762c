"""The queue item of an interview: the coordinator enters time, place, attendees and contact, or
the approval is refused with a message that names what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler import store as repo
from scheduler.escalation.facts import Action
from scheduler.store import schema as m
from tests.web.builders import UNIT_A, csrf_of, login

ARRANGEMENT = {"time": "2019年12月27日上午9时", "place": "市生态环境局三楼会议室",
               "attendees": "分管负责同志、相关部门主要负责同志", "contact": "市大气办 王明，0355-2021234"}

pytestmark = pytest.mark.slow  # a login and a page each: over a second on this machine



def interview(store) -> int:
    with store.session() as session:
        task = session.query(m.Assignment.task_id).filter(m.Assignment.unit == UNIT_A).first()[0]
        plan = session.get(m.Task, task).plan_id
        repo.insert_notices(session, [Action(
            key=f"test-interview|{task}|{UNIT_A}", level="interview", rule_id="r", ruleset_id="default",
            ruleset_version="1", plan_id=plan, task_id=task, unit=UNIT_A, due=None, kind="overdue",
            needs_review=True, clause="", explanation="测试", facts={})], date(2019, 12, 19))
        session.commit()
        return session.query(m.Notice.id).filter(m.Notice.key == f"test-interview|{task}|{UNIT_A}").scalar()


def approve(client, notice_id: int, **fields: str):
    data = {"csrf_token": csrf_of(client), "ids": str(notice_id), "back": f"/queue/{notice_id}",
            "decision": "approve", "reason": "", **fields}
    return client.post("/queue/decide", data=data, follow_redirects=False)


def test_the_interview_item_page_asks_for_time_place_attendees_and_contact(client, store):
    notice_id = interview(store)
    login(client, "wang")
    page = client.get(f"/queue/{notice_id}").text
    assert 'id="arrangement"' in page
    for name in ARRANGEMENT:
        assert f'name="{name}"' in page


def test_approving_an_interview_without_its_arrangement_is_refused_and_changes_nothing(client, store):
    notice_id = interview(store)
    login(client, "wang")
    response = approve(client, notice_id, **{**ARRANGEMENT, "place": ""})
    assert response.status_code == 400 and "批准约谈须填写约谈地点" in response.text
    with store.session() as session:
        notice = session.get(m.Notice, notice_id)
        assert notice.status == "pending_review" and notice.arrangement is None


def test_an_approved_interview_keeps_its_arrangement_for_the_letter(client, store):
    notice_id = interview(store)
    login(client, "wang")
    assert approve(client, notice_id, **ARRANGEMENT).status_code == 303
    with store.session() as session:
        notice = session.get(m.Notice, notice_id)
        assert notice.status == "approved" and notice.arrangement == ARRANGEMENT
    assert "约谈安排" in client.get(f"/queue/{notice_id}").text


def test_the_json_api_approves_an_interview_with_its_arrangement_only(client, store):
    notice_id = interview(store)
    login(client, "wang")
    headers = {"X-CSRF-Token": csrf_of(client)}
    refused = client.post("/api/queue/decide", json={"decision": "approve", "ids": [notice_id]}, headers=headers)
    assert refused.status_code == 400 and "批准约谈须填写" in refused.json()["detail"]
    done = client.post("/api/queue/decide", json={"decision": "approve", "ids": [notice_id],
                                                  "arrangement": ARRANGEMENT}, headers=headers)
    assert done.status_code == 200
    with store.session() as session:
        assert session.get(m.Notice, notice_id).arrangement == ARRANGEMENT
