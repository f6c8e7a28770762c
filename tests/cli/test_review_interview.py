"""`duban queue approve` of an interview: --time, --place, --attendees and --contact, or a refusal."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler import store as repo
from scheduler.cli.main import main
from scheduler.escalation.facts import Action
from scheduler.plans.ledger import load_ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store import schema as m

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["--time", "2019年12月27日上午9时", "--place", "市生态环境局三楼会议室",
           "--attendees", "分管负责同志、相关部门主要负责同志", "--contact", "王明，0355-2021234"]

pytestmark = pytest.mark.slow  # loads a ledger per test: over a second on this machine



@pytest.fixture
def store(store_with, store_url, monkeypatch):
    monkeypatch.setenv("DUBAN_DB", store_url)
    monkeypatch.delenv("DUBAN_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    store = store_with([load_ledger(ROOT / "data" / "zezhou-2023.yaml")],
                       UnitDirectory.load(ROOT / "data" / "units.yaml"),
                       now=datetime(2023, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    with store.session() as session:
        task, unit = session.query(m.Assignment.task_id, m.Assignment.unit).order_by(m.Assignment.id).first()
        repo.insert_notices(session, [Action(
            key="cli-interview", level="interview", rule_id="r", ruleset_id="default", ruleset_version="1",
            plan_id="zezhou-2023", task_id=task, unit=unit, due=None, kind="overdue", needs_review=True,
            clause="", explanation="测试", facts={})], date(2023, 7, 3))
        session.commit()
    return store


def notice(store) -> m.Notice:
    with store.session() as session:
        found = session.query(m.Notice).filter(m.Notice.key == "cli-interview").one()
        session.expunge(found)
        return found


def test_queue_approve_refuses_an_interview_without_time_and_place(store, capsys):
    assert main(["queue", "approve", "--all", "--by", "王协调", "--time", "2019年12月27日上午9时"]) == 1
    assert "未执行：批准约谈须填写约谈地点、参加人员、联系人及电话" in capsys.readouterr().err
    assert notice(store).status == "pending_review"


def test_queue_approve_stores_the_interview_arrangement(store, capsys):
    assert main(["queue", "approve", str(notice(store).id), "--by", "王协调", *OPTIONS]) == 0
    assert "已批准 1 项" in capsys.readouterr().out
    approved = notice(store)
    assert approved.status == "approved" and approved.arrangement == {
        "time": "2019年12月27日上午9时", "place": "市生态环境局三楼会议室",
        "attendees": "分管负责同志、相关部门主要负责同志", "contact": "王明，0355-2021234"}
