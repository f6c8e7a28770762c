"""The console says when a plan's letters cannot be numbered because config.yaml names no issuing
office for its region: on the queue, on a letter's item page, and in the answer to an approval."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from scheduler.config import IssuerSetting
from scheduler.web import create_app
from tests.web.builders import NOW, UNIT_A, csrf_of, first_review, login

pytestmark = pytest.mark.slow  # a login and a page each: over a second on this machine
HINT = "方案 changzhi-2019（地区“长治市”）没有配置发文机关"


@pytest.fixture
def jinzhong_only(world, store):
    """The console of an office whose config.yaml names only 晋中's office: 长治's plans have none."""
    issuers = {"晋中": IssuerSetting(name="晋中市大气污染防治工作领导组办公室", prefix="晋中大气办函")}
    config = world.config.model_copy(update={"issuers": issuers})
    with TestClient(create_app(config, store, now=lambda: NOW)) as client:
        login(client, "wang")
        yield client


def test_the_queue_names_the_plans_whose_letters_cannot_be_numbered(jinzhong_only, client):
    page = jinzhong_only.get("/queue").text
    assert HINT in page and "config.yaml 的 issuers" in page
    login(client, "wang")
    assert "没有配置发文机关" not in client.get("/queue").text  # the shipped table covers every seed region


def test_approving_through_the_api_answers_with_what_is_missing(jinzhong_only, store):
    with store.session() as session:
        notice_id = first_review(session, UNIT_A).id
    assert HINT in jinzhong_only.get(f"/queue/{notice_id}").text
    answer = jinzhong_only.post("/api/queue/decide", headers={"X-CSRF-Token": csrf_of(jinzhong_only)},
                                json={"ids": [notice_id], "decision": "approve", "reason": ""}).json()
    assert answer["decided"] == 1
    [warning] = answer["warnings"]
    assert "已批准的 1 项" in warning and HINT in warning
