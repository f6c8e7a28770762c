"""The mail server is down for three working days, then back: the service keeps running, every
failure is recorded as a retry, nothing is dead-lettered, and when the server returns everything
arrives once, letters in the order of their numbers, each keeping the number and date it got
on the day it first failed.

The service's delivery job (scheduler.service._run_for_today around delivery.deliver, as in
`duban serve`) runs every working day of 2-19 November 2020 at 09:00 against a real aiosmtpd
server on loopback, stopped on 12, 13 and 16 November (13 November has 62 escalation letters).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from scheduler.clock import SHANGHAI
from scheduler.config import load_config
from scheduler.delivery.run import deliver
from scheduler.escalation.calendar import WorkCalendar
from scheduler.service import _run_for_today
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.integrity import check_store, pending_count
from scheduler.sweep import run_sweep
from tests.production.harness import ROOT, Mailbox, SmtpServer, approve_waiting, prepare_store, workdays

DAYS = (date(2020, 11, 2), date(2020, 11, 19))
DOWN = (date(2020, 11, 12), date(2020, 11, 13), date(2020, 11, 16))
PLANS = ("jincheng-2020", "jinzhong-2020")


def test_three_days_without_the_mail_server_then_everything_arrives_once_and_in_order(store_url, tmp_path,
                                                                                       monkeypatch):
    prepare_store(store_url, PLANS)
    config = load_config(ROOT / "config.yaml").model_copy(update={"database": store_url, "outbox": tmp_path / "out"})
    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    from scheduler.escalation.ruleset import load_rulebook

    rulebook = load_rulebook(ROOT / "rules")
    store = open_store(store_url, migrate=False)
    mailbox = Mailbox()
    server = SmtpServer(mailbox)
    smtp = {"smtp": {"host": "127.0.0.1", "port": server.port, "security": "none", "sender": "dqb@example.gov.cn",
                     "timeout": 5}}
    reports: dict[date, dict] = {}
    arrived_by_day: dict[date, int] = {}
    try:
        for day in workdays(*DAYS):
            if day in DOWN:
                server.stop()
            elif server.controller is None:
                server.start()
            run_sweep(store, rulebook, calendar, day, heating=config.heating_season_start)
            approve_waiting(store_url)
            now = datetime.combine(day, time(9), tzinfo=SHANGHAI)
            # the service's job wrapper, with the clock at 09:00 of the simulated day
            monkeypatch.setattr("scheduler.service.clock.today", lambda day=day: day)
            _run_for_today("daily-deliver", lambda d, now=now: reports.setdefault(
                d, deliver(store, config, calendar, d, now=now, pdf=False, settings=smtp).to_json()))()
            arrived_by_day[day] = len(mailbox.snapshot())
    finally:
        server.stop()
    arrivals = mailbox.snapshot()

    # the job ran and returned a report every day: the service never stopped
    assert set(reports) == set(workdays(*DAYS))
    for day in DOWN:
        assert reports[day]["retried"] > 0 and reports[day]["dead"] == 0, reports[day]
        assert all("无法连接" in e or "本轮不再尝试" in e for e in reports[day]["errors"])
    assert sum(r["dead"] for r in reports.values()) == 0
    before, after = date(2020, 11, 11), date(2020, 11, 17)
    assert arrived_by_day[date(2020, 11, 16)] == arrived_by_day[before]  # nothing arrived while down

    with store.session() as session:
        retries = session.scalars(select(m.AuditEntry.detail).where(m.AuditEntry.action == "delivery.retry")).all()
        letters = {n: (serial, key) for key, serial, n in
                   session.execute(select(m.Letter.notice_key, m.Letter.serial, m.Letter.number))}
        numbered_on = {d["number"]: d["day"] for d in session.scalars(
            select(m.AuditEntry.detail).where(m.AuditEntry.action == "letter.number"))}
        open_notices = session.scalars(select(m.Notice.key).where(m.Notice.status.in_(("queued", "approved")))).all()
        report = check_store(session, datetime.combine(DAYS[1], time(10), tzinfo=SHANGHAI))
        left = pending_count(session)
    store.dispose()

    # retries recorded: one per failed delivery per day down, each saying how long it has failed
    failed = sum(r["retried"] for r in reports.values())
    assert len(retries) == failed > 60 and all(d.get("failing_since") for d in retries)
    # everything delivered once
    assert report.ok, report.problems
    assert left == 0 and open_notices == []
    assert max(Counter(a.message_id for a in arrivals).values()) == 1
    # letters of 13 November went out on the 17th, in number order, numbered and dated the 13th
    late = [a.number for a in arrivals[arrived_by_day[date(2020, 11, 16)]:arrived_by_day[after]] if a.number]
    assert len(late) == 20 and {numbered_on[n] for n in late} == {"2020-11-13"}  # one letter per unit and level
    # every issuer's letters of the period arrived in number order, 1..n without a gap
    for issuer in {n.split("〔")[0] for n in letters}:
        serials = [letters[a.number][0] for a in arrivals if a.number.startswith(issuer + "〔")]
        assert serials == list(range(1, len(serials) + 1)), issuer
        assert [letters[n][0] for n in late if n.startswith(issuer + "〔")] == sorted(
            letters[n][0] for n in late if n.startswith(issuer + "〔"))


@pytest.fixture
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'outage.db'}"
    return request.getfixturevalue("postgres").create_database()


def pytest_generate_tests(metafunc):
    if "store_url" in metafunc.fixturenames:
        metafunc.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
