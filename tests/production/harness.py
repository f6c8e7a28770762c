"""What the production tests and bench/bench_crash.py share: a loopback SMTP server that records
every message it accepts, a store loaded with the real ledgers and an e-mail address per unit, and
instance processes (tests/production/driver.py) driven day by day."""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from email import policy
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI_NINE = time(9)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Arrival:
    """One message as the SMTP server accepted it."""

    message_id: str
    key: str
    subject: str
    recipients: tuple[str, ...]
    number: str  # the letter's document number (from the subject), empty for a digest


class Mailbox:
    """An aiosmtpd handler keeping every accepted message, in arrival order, thread-safe."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        self.on_arrival = None  # called with the count after each accepted message (crash tests kill here)

    async def handle_DATA(self, server, session, envelope):
        mail = email.message_from_bytes(envelope.content, policy=policy.default)
        subject = str(mail["Subject"])
        number = subject.rsplit("（", 1)[1].rstrip("）") if "号）" in subject else ""
        with self.lock:
            self.arrivals.append(Arrival(str(mail["Message-ID"]), str(mail["X-Duban-Key"]), subject,
                                         tuple(envelope.rcpt_tos), number))
            count = len(self.arrivals)
        if self.on_arrival is not None:
            self.on_arrival(count)
        return "250 Message accepted"

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.arrivals)


class SmtpServer:
    """A real aiosmtpd server on a fixed loopback port that can go down and come back."""

    def __init__(self, mailbox: Mailbox, port: int | None = None) -> None:
        self.mailbox, self.port, self.controller = mailbox, port or free_port(), None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def prepare_store(url: str, plans: tuple[str, ...] | None = None) -> None:
    """Migrate `url`, load data/ (optionally only some plans) and give every unit an address."""
    from scheduler import store as repo
    from scheduler.config import load_config
    from scheduler.plans.ledger import load_ledgers
    from scheduler.plans.units import UnitDirectory
    from scheduler.store import open_store
    from scheduler.store import schema as m

    config = load_config(ROOT / "config.yaml")
    store = open_store(url)
    ledgers = [ledger for ledger in load_ledgers(ROOT / "data") if plans is None or ledger.plan.id in plans]
    with store.session() as session:
        repo.load_ledgers(session, ledgers, UnitDirectory.load(ROOT / "data" / "units.yaml"),
                          config.heating_season_start, actor="test")
        session.commit()
        for name, unit_id in session.execute(select(m.Unit.name, m.Unit.id)).all():
            session.add(m.Contact(unit=name, channel="email", address=f"{unit_id}@example.cn"))
        session.commit()
    store.dispose()


# what an approving coordinator enters for an interview (约谈), which its notice must state
ARRANGEMENT = {"time": "2020年11月20日9:00", "place": "市政府三楼会议室", "attendees": "主要负责同志",
               "contact": "王协调 0356-1234567"}


def approve_waiting(url: str, by: str = "王协调") -> int:
    """The coordinator approves every escalation waiting for review; returns how many."""
    from scheduler import store as repo
    from scheduler.store import open_store

    store = open_store(url, migrate=False)
    try:
        with store.session() as session:
            waiting = [n.id for n in repo.review_queue(session, statuses=("pending_review",))]
            if waiting:
                repo.decide_notices(session, waiting, "approve", by, "", now=datetime(2020, 1, 1, 9),
                                    arrangement=ARRANGEMENT)
            session.commit()
        return len(waiting)
    finally:
        store.dispose()


class Instance:
    """One driver process: a service instance whose clock the test holds."""

    def __init__(self, url: str, outbox: Path, name: str, smtp_port: int = 0) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "tests.production.driver", "--config", str(ROOT / "config.yaml"),
                   "--db", url, "--outbox", str(outbox), "--instance", name, "--smtp-port", str(smtp_port)]
        self.name = name
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = self._read()
        if not ready.get("ready"):
            raise RuntimeError(f"{name} did not start: {ready}")

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited: {self.process.stderr.read()[-3000:]}")
        return json.loads(line)

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def result(self) -> dict:
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.send("quit")
                self.process.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


def all_at_once(instances: list[Instance], command: str) -> list[dict]:
    """Give every instance the same command at the same moment and wait for all of them."""
    for instance in instances:
        instance.send(command)
    return [instance.result() for instance in instances]


def workdays(first: date, last: date) -> list[date]:
    from datetime import timedelta

    from scheduler.escalation.calendar import WorkCalendar

    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    days, day = [], first
    while day <= last:
        if calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def sweep_and_send(url: str, day: date, outbox: Path) -> None:
    """Sweep `day`, approve what waits for review, deliver to the file outbox: a day of history."""
    from scheduler.clock import SHANGHAI
    from scheduler.config import load_config
    from scheduler.delivery.run import deliver
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.escalation.ruleset import load_rulebook
    from scheduler.store import open_store
    from scheduler.sweep import run_sweep

    config = load_config(ROOT / "config.yaml").model_copy(update={"database": url, "outbox": outbox})
    calendar = WorkCalendar.load(ROOT / "data" / "calendar")
    store = open_store(url, migrate=False)
    try:
        run_sweep(store, load_rulebook(ROOT / "rules"), calendar, day, heating=config.heating_season_start)
        approve_waiting(url)
        deliver(store, config, calendar, day, now=datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI),
                pdf=False)
    finally:
        store.dispose()


# A week of urges first: a warning letter rests on an urge issued at least 5 working days before.
URGES_SENT = date(2020, 10, 26)


def swept_store(url: str, tmp_path: Path, plans: tuple[str, ...] = ("jincheng-2020",)) -> None:
    """A store with notices, deliveries, letters and audit entries: 26 October and 2 November 2020 swept and sent."""
    prepare_store(url, plans)
    for day in (URGES_SENT, date(2020, 11, 2)):
        sweep_and_send(url, day, tmp_path / "out")
