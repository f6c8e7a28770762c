"""Urges folded into an interview case are stored as `folded`, never `queued`, so delivery never
sends them; an urge that is not folded is stored queued and goes out."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery.run import deliver, digest_key
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.ruleset import load_rulebook
from scheduler.store import schema as m
from scheduler.sweep import run_sweep
from tests.store.builders import NOW, action, unit_name

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rulebook(ROOT / "rules")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
TODAY = date(2019, 12, 20)  # a Friday
URGE_DAY = date(2020, 1, 2)  # first working day after t-2019/1's 2019-12-31 due date (元旦 off)
LUCHENG = unit_name("潞城区政府")
XIANGYUAN = unit_name("襄垣县政府")


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


def stored(store) -> dict[str, tuple[str, str, date | None]]:
    with store.session() as session:
        rows = session.execute(select(m.Notice.key, m.Notice.status, m.Notice.kind, m.Notice.sent_on))
        return {key: (status, kind, sent) for key, status, kind, sent in rows}


def test_a_folded_urge_is_stored_folded_with_its_plain_kind(store):
    urges = [action("folded", LUCHENG, level="urge", kind="overdue|folded"),
             action("plain", XIANGYUAN, level="urge", kind="overdue")]
    with store.session() as session:
        created = repo.insert_notices(session, urges, TODAY)
        session.commit()
    assert [a.key for a in created] == ["folded", "plain"]
    assert stored(store) == {"folded": ("folded", "overdue", None), "plain": ("queued", "overdue", None)}


def test_a_folded_urge_is_not_in_the_review_queue(store):
    with store.session() as session:
        repo.insert_notices(session, [action("folded", LUCHENG, level="urge", kind="overdue|folded")], TODAY)
        session.commit()
        assert repo.review_queue(session) == []


def test_delivery_sends_the_plain_urge_and_never_the_folded_one(store, config):
    with store.session() as session:
        repo.insert_notices(session, [action("folded", LUCHENG, level="urge", kind="overdue|folded"),
                                      action("plain", XIANGYUAN, level="urge", kind="overdue")], TODAY)
        session.commit()
    report = deliver(store, config, CALENDAR, TODAY, now=NOW, pdf=False)
    assert report.digests_sent == 1  # 襄垣 only: 潞城 has nothing to receive
    after = stored(store)
    assert after["folded"] == ("folded", "overdue", None)
    assert after["plain"][0] == "sent"
    with store.session() as session:
        messages = set(session.scalars(select(m.Delivery.message_key)))
    assert messages == {digest_key(XIANGYUAN, TODAY)}


def test_an_urge_folded_by_an_approved_interview_is_swept_folded_and_never_delivered(store, config):
    # 潞城 has an approved interview on another task: its overdue urge on t-2019/1 is folded, while
    # 襄垣's urge on the same task is queued and delivered.
    interview = action("interview-lucheng", LUCHENG, level="interview", task="t-2019/2", due=None, kind="serious_delay")
    with store.session() as session:
        repo.insert_notices(session, [interview], date(2019, 12, 30))
        [queued] = repo.review_queue(session)
        repo.decide_notices(session, [queued.id], "approve", "王协调", now=NOW,
                            arrangement={"time": "2020年1月6日上午9时", "place": "市政府第一会议室",
                                         "attendees": "分管负责同志", "contact": "王明，0355-2021234"})
        session.commit()
    run_sweep(store, RULES, CALENDAR, URGE_DAY)
    key = "overdue-urge|t-2019/1|{}|2019-12-31"
    assert stored(store)[key.format(LUCHENG)] == ("folded", "overdue", None)
    assert stored(store)[key.format(XIANGYUAN)][0] == "queued"
    deliver(store, config, CALENDAR, URGE_DAY, now=datetime(2020, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
            pdf=False)
    after = stored(store)
    assert after[key.format(LUCHENG)] == ("folded", "overdue", None)
    assert after[key.format(XIANGYUAN)][0] == "sent"

