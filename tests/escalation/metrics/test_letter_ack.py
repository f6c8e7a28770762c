"""The 签收 follow-up of a metric letter, through the real sweep and delivery on SQLite and PostgreSQL.

A metric warning has no task: it is stored with its plan and the county it was addressed to. October's
checkpoint warns 潞城区 on Tuesday 2019-11-05 (see test_storage); approved, it goes out as a numbered letter
on Wednesday 11-06 (D). Working days after D: Thu 11-07 (1), Fri 11-08 (2), Mon 11-11 (3): the rule
letter-unacknowledged-urge (3 working days, rules/default.yaml) urges the county once, on 11-11.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.clock import SHANGHAI
from scheduler.config import Config
from scheduler.delivery.run import deliver
from scheduler.escalation.metrics.values import import_file
from scheduler.plans.ledger import load_ledger
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.metrics import save_import
from scheduler.sweep import run_sweep
from tests.escalation.metrics.builders import CALENDAR, DIRECTORY, LUCHENG, REGIONS, ROOT, days
from tests.escalation.metrics.test_storage import KEY, NOW, RULES, SETUP

RULE = "letter-unacknowledged-urge"
PLAN = "changzhi-2019"
SENT = date(2019, 11, 6)


@pytest.fixture
def store(store_url, tmp_path):
    """A store whose 潞城区 PM2.5 warning for October went out as a numbered letter on SENT."""
    store = open_store(store_url)
    path = tmp_path / "autumn.csv"
    path.write_text("date,region,metric,value\n" + "".join(
        f"{d.isoformat()},潞城区,PM2.5,70\n" for d in days(date(2019, 10, 1), date(2019, 12, 31))), encoding="utf-8")
    with store.session() as session:
        repo.load_ledgers(session, [load_ledger(ROOT / "data" / f"{PLAN}.yaml")], DIRECTORY)
        save_import(session, import_file(path, REGIONS), "测试员", now=NOW)
        session.commit()
    _sweep(store, date(2019, 11, 5))
    with store.session() as session:
        repo.decide_notices(session, [repo.notice_by_key(session, KEY).id], "approve", "协调人", "", now=NOW)
        session.commit()
    assert _deliver(store, tmp_path, SENT).letters_sent == 1
    yield store
    store.dispose()


def _sweep(store, day: date):
    return run_sweep(store, RULES, CALENDAR, day, metrics=SETUP)


def _deliver(store, tmp_path, day: date):
    config = Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)
    return deliver(store, config, CALENDAR, day, now=datetime.combine(day, time(9), tzinfo=SHANGHAI), pdf=False)


def _urges(store, *sweep_days: date) -> list[list]:
    return [[a for a in _sweep(store, day).created if a.rule_id == RULE] for day in sweep_days]


def test_an_unsigned_metric_warning_is_urged_once_on_the_third_working_day(store, tmp_path):
    with store.session() as session:
        warning = repo.notice_by_key(session, KEY)
        assert (warning.status, warning.sent_on, warning.task_id) == ("sent", SENT, None)
        number = session.scalar(select(m.Letter.number).where(m.Letter.notice_key == KEY))
    assert number
    before = _urges(store, date(2019, 11, 7), date(2019, 11, 8))
    assert before == [[], []]
    [[urge], again, next_day] = _urges(store, date(2019, 11, 11), date(2019, 11, 11), date(2019, 11, 12))
    assert (again, next_day) == ([], [])
    assert (urge.unit, urge.level, urge.task_id, urge.plan_id) == (LUCHENG, "urge", None, PLAN)
    assert urge.key == f"{RULE}|{PLAN}|{LUCHENG}|A{KEY}"
    assert f"2019年11月6日已向{LUCHENG}发出预警通知函（{number}）" in urge.explanation
    assert "3个工作日仍未签收" in urge.explanation
    with store.session() as session:
        stored = session.scalars(select(m.Notice).where(m.Notice.rule_id == RULE)).all()
        assert [(n.key, n.status, n.created_on) for n in stored] == [(urge.key, "queued", date(2019, 11, 11))]
    # the urge goes out in the county's daily digest like any other urge
    _deliver(store, tmp_path, date(2019, 11, 11))
    with store.session() as session:
        assert repo.notice_by_key(session, urge.key).status == "sent"


def test_a_metric_warning_signed_in_time_is_not_urged(store):
    with store.session() as session:
        repo.acknowledge(session, KEY, "潞城区收文员", date(2019, 11, 8), now=NOW)
        session.commit()
    assert _urges(store, date(2019, 11, 8), date(2019, 11, 11), date(2019, 11, 12)) == [[], [], []]
