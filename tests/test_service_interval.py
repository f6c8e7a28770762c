"""The interval delivery of `duban serve`: retries and late messages go out the same day, never
before the daily run, never in quiet hours, never twice."""

from __future__ import annotations

import email
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time
from sqlalchemy import select

from scheduler import clock
from scheduler import store as repo
from scheduler.config import Config, QuietHours, ServiceConfig, SmtpConfig, load_config
from scheduler.delivery.run import deliver, digest_key
from scheduler.service import build_scheduler, interval_skip_reason
from scheduler.store import open_store
from scheduler.store import schema as m
from tests.delivery.test_run import (
    CALENDAR,
    DAY,
    DIRECTORY,
    LUCHENG,
    SHANGHAI,
    XIANGYUAN,
    action,
    add,
    free_port,
    ledger,
)

ROOT = Path(__file__).resolve().parents[1]


def at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def jobs_of(scheduler) -> dict:
    return {job.id: job for job in scheduler.get_jobs()}


def test_the_interval_delivery_job_runs_every_15_minutes_from_the_daily_delivery():
    config = load_config(ROOT / "config.yaml")
    assert config.service.deliver_every_minutes == 15
    job = jobs_of(build_scheduler(config, sweep=lambda day: None, deliver=lambda day: None))["interval-deliver"]
    assert job.trigger.interval.total_seconds() == 15 * 60 and str(job.trigger.timezone) == "Asia/Shanghai"
    after = job.trigger.get_next_fire_time(None, at(9, 7))
    assert after == at(9, 15)  # aligned on deliver_at, not on the service's start
    assert job.coalesce is True and job.max_instances == 1


def test_deliver_every_minutes_zero_turns_the_interval_job_off():
    config = Config(service=ServiceConfig(deliver_every_minutes=0))
    assert "interval-deliver" not in jobs_of(build_scheduler(config, sweep=lambda day: None, deliver=lambda day: None))


def test_the_interval_runs_only_after_the_daily_delivery_and_outside_quiet_hours():
    config = load_config(ROOT / "config.yaml")  # deliver_at 09:00, quiet hours 20:00-08:00
    runs = {f"{h:02d}:{m:02d}": interval_skip_reason(config, at(h, m))
            for h, m in ((7, 45), (8, 45), (9, 0), (9, 15), (19, 45), (20, 0), (23, 30), (0, 15))}
    assert [t for t, why in runs.items() if not why] == ["09:15", "19:45"]
    assert runs["09:00"].startswith("before the daily delivery") and runs["20:00"].startswith("quiet hours")


class RefusesFirst:
    """A real SMTP server that answers the first message with 451 (try later), then accepts."""

    def __init__(self) -> None:
        self.refused, self.accepted = 0, []

    async def handle_DATA(self, server, session, envelope):
        if not self.refused:
            self.refused += 1
            return "451 4.3.0 Temporary local problem, try later"
        self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    handler = RefusesFirst()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=at(9, 0))
        session.add(m.Contact(unit=LUCHENG, channel="email", address="lc@example.cn"))
        session.commit()
    yield store
    store.dispose()


def service_config(tmp_path: Path, port: int) -> Config:
    config = Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)
    delivery = config.delivery.model_copy(update={
        "smtp": SmtpConfig(host="127.0.0.1", port=port, security="none", sender="duban@changzhi.gov.cn", timeout=5),
        "quiet_hours": QuietHours(start="20:00", end="08:00")})
    return config.model_copy(update={"delivery": delivery})


def service_jobs(config: Config, store) -> dict:
    """The service's jobs, delivering as `duban serve` does: today, at the clock's now."""
    def send(day):
        return deliver(store, config, CALENDAR, day, now=clock.now(), pdf=False).to_json()

    return jobs_of(build_scheduler(config, sweep=lambda day: None, deliver=send, bulletin=lambda day: None))


def test_a_retry_refused_at_nine_goes_out_with_the_interval_run_the_same_day(store, smtp, tmp_path):
    handler, port = smtp
    config = service_config(tmp_path, port)
    add(store, action("r1"))
    jobs = service_jobs(config, store)
    with freeze_time(at(9, 0)):
        jobs["daily-deliver"].func()
    assert handler.refused == 1 and handler.accepted == []
    with freeze_time(at(9, 15)):  # the retry was due at 09:05
        jobs["interval-deliver"].func()
    [mail] = handler.accepted
    assert mail["X-Duban-Key"] == digest_key(LUCHENG, DAY)
    with store.session() as session:
        notice = session.scalar(select(m.Notice).where(m.Notice.key == "r1"))
        delivery = session.scalar(select(m.Delivery).where(m.Delivery.channel == "smtp"))
    assert (notice.status, notice.sent_on) == ("sent", DAY)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_in_quiet_hours_and_before_the_daily_run_the_interval_sends_nothing(store, smtp, tmp_path):
    handler, port = smtp
    handler.refused = 1  # this server would accept at once
    config = service_config(tmp_path, port)
    add(store, action("r1"), action("r3", XIANGYUAN))  # 襄垣 has no contact: the file outbox
    jobs = service_jobs(config, store)
    for moment in (at(20, 15), at(23, 45), at(8, 15), at(9, 0)):
        with freeze_time(moment):
            jobs["interval-deliver"].func()
    assert handler.accepted == [] and not (tmp_path / "out").exists()
    with store.session() as session:
        assert session.scalars(select(m.Delivery)).all() == []  # delivery was not even prepared
    with freeze_time(at(9, 30)):
        jobs["interval-deliver"].func()  # the service started late: today goes out now
    assert [mail["X-Duban-Key"] for mail in handler.accepted] == [digest_key(LUCHENG, DAY)]


def test_on_a_non_working_day_the_interval_sends_nothing(store, smtp, tmp_path):
    handler, port = smtp
    handler.refused = 1
    saturday = date(2019, 12, 7)
    add(store, action("r1"), on=saturday)
    jobs = service_jobs(service_config(tmp_path, port), store)
    with freeze_time(at(10, 0, saturday)):
        jobs["interval-deliver"].func()
    assert handler.accepted == []


def test_an_interval_run_while_the_daily_delivery_runs_in_this_process_waits_its_turn(tmp_path):
    started, release, calls = threading.Event(), threading.Event(), []

    def slow(day):
        calls.append(day)
        started.set()
        release.wait(10)

    jobs = jobs_of(build_scheduler(Config(), sweep=lambda day: None, deliver=slow))
    with freeze_time(at(9, 15)):
        daily = threading.Thread(target=jobs["daily-deliver"].func)
        daily.start()
        assert started.wait(10)
        jobs["interval-deliver"].func()  # skipped: the daily delivery holds the lock
        release.set()
        daily.join(10)
        assert len(calls) == 1
        jobs["interval-deliver"].func()
    assert len(calls) == 2


def test_a_daily_and_an_interval_delivery_of_two_instances_at_once_send_each_message_once(
        store, store_url, smtp, tmp_path):
    handler, port = smtp
    handler.refused = 1
    config = service_config(tmp_path, port)
    for unit in (XIANGYUAN,):
        with store.session() as session:
            session.add(m.Contact(unit=unit, channel="email", address="xy@example.cn"))
            session.commit()
    add(store, action("r1"), action("r3", XIANGYUAN), action("w1", level="warning"),
        action("w3", XIANGYUAN, level="warning"), approve=("w1", "w3"))
    other = open_store(store_url, migrate=False)  # the second instance: its own engine
    jobs = [service_jobs(config, store)["daily-deliver"], service_jobs(config, other)["interval-deliver"]]
    with freeze_time(at(9, 1)), ThreadPoolExecutor(2) as pool:  # 09:01: both run
        list(pool.map(lambda job: job.func(), jobs))
    other.dispose()
    keys = sorted(mail["X-Duban-Key"] for mail in handler.accepted)
    assert keys == sorted([digest_key(LUCHENG, DAY), digest_key(XIANGYUAN, DAY), "w1", "w3"])
    assert len({mail["Message-ID"] for mail in handler.accepted}) == 4
