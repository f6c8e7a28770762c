"""One crash trial: kill -9 an instance at a random moment of the sweep or of the delivery, run a
fresh instance to recover, and judge the result. Shared by tests/production/test_crash.py (a few
trials) and bench/bench_crash.py (50 and more, with figures).

The verdict of a trial:
- lost: notices the reference run created that the recovered store lacks, or deliveries still to do;
- duplicates: messages that reached the SMTP server twice; each must have been in the window
  between the server's acceptance and the store's commit at the moment of the kill (the server
  had it, the row still said "sending"), and must carry the same Message-ID both times;
- integrity: scheduler.store.integrity.check_store after recovery, lease expiry included.
"""

from __future__ import annotations

import random
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path

from sqlalchemy import func, select

from scheduler.clock import SHANGHAI
from tests.production.harness import (
    URGES_SENT,
    Instance,
    Mailbox,
    SmtpServer,
    approve_waiting,
    prepare_store,
    sweep_and_send,
)

DAY = date(2020, 11, 2)  # after a week of urges: 43 unit digests and 9 numbered warning letters once approved
PLANS = ("jincheng-2020", "jinzhong-2020")
RECOVERY_AT = "09:20"  # after the crashed sender's 15-minute lease from 09:00


@dataclass
class Trial:
    backend: str
    phase: str  # sweep or deliver
    delay: float  # seconds after the command when the kill landed
    mode: str = "timed"  # timed: after `delay`; arrival: right after the SMTP server accepted message `at`
    at: int = 0
    landed: str = ""  # where the process was: before-commit, after-commit, prepare, claimed, sending, finished
    arrived_before_kill: int = 0
    window: set[str] = field(default_factory=set)  # keys accepted by SMTP while their row said sending
    duplicates: dict[str, int] = field(default_factory=dict)
    duplicates_outside_window: list[str] = field(default_factory=list)
    message_id_mismatch: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.duplicates_outside_window or self.message_id_mismatch or self.lost or self.integrity
                    or self.errors)


class Backend:
    """Fresh copies of one prepared store: a file copy on SQLite, a template database on PostgreSQL."""

    def __init__(self, kind: str, workdir: Path, postgres=None) -> None:
        self.kind, self.workdir, self.postgres, self.count = kind, workdir, postgres, 0
        workdir.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            self.base = workdir / "base.db"
            prepare_store(f"sqlite:///{self.base}", PLANS)
            sweep_and_send(f"sqlite:///{self.base}", URGES_SENT, workdir / "out-history")
        else:
            self.base_url = postgres.create_database()
            prepare_store(self.base_url, PLANS)  # disposes its engine: a template must have no sessions
            sweep_and_send(self.base_url, URGES_SENT, workdir / "out-history")

    def fresh(self) -> str:
        self.count += 1
        if self.kind == "sqlite":
            target = self.workdir / f"trial{self.count}.db"
            shutil.copyfile(self.base, target)
            return f"sqlite:///{target}"
        import psycopg

        name = f"{self.base_url.rsplit('/', 1)[1]}_{self.count}"
        template = self.base_url.rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port={self.postgres.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.postgres.url(name)


def reference_keys(backend: Backend, workdir: Path) -> tuple[set[str], int]:
    """Notice keys and SMTP messages of the day when nothing crashes."""
    url = backend.fresh()
    mailbox = Mailbox()
    server = SmtpServer(mailbox).start()
    instance = Instance(url, workdir / "out-reference", "reference", server.port)
    try:
        instance.send(f"sweep {DAY}")
        assert instance.result()["ok"]
        approve_waiting(url)
        instance.send(f"deliver {DAY} 09:00")
        assert instance.result()["ok"]
    finally:
        instance.close()
        server.stop()
    return _notice_keys(url), len(mailbox.snapshot())


def _notice_keys(url: str) -> set[str]:
    from scheduler.store import open_store
    from scheduler.store import schema as m

    store = open_store(url, migrate=False)
    try:
        with store.session() as session:
            return set(session.scalars(select(m.Notice.key)))
    finally:
        store.dispose()


def _rows(url: str) -> tuple[int, dict[str, str]]:
    """(notices stored, message key -> delivery status) right now."""
    from scheduler.store import open_store
    from scheduler.store import schema as m

    store = open_store(url, migrate=False)
    try:
        with store.session() as session:
            notices = session.scalar(select(func.count()).select_from(m.Notice))
            status = dict(session.execute(select(m.Delivery.message_key, m.Delivery.status)).all())
        return notices, status
    finally:
        store.dispose()


def run_trial(backend: Backend, phase: str, expected: set[str], durations: dict[str, float],
              rng: random.Random, workdir: Path, messages: int = 0, mode: str | None = None) -> Trial:
    """Kill one instance at a random moment of `phase`, recover with another, judge. With
    `messages` (the day's e-mail count), half the delivery kills happen right as the SMTP server
    accepts a random one of them: the acceptance-to-commit window a timer rarely hits."""
    url = backend.fresh()
    trial = Trial(backend.kind, phase, rng.uniform(0, durations[phase] * 1.2))
    if phase == "deliver" and messages and (mode == "arrival" if mode else rng.random() < 0.5):
        trial.mode, trial.at, trial.delay = "arrival", rng.randint(1, messages), rng.uniform(0, 0.02)
    mailbox = Mailbox()
    server = SmtpServer(mailbox).start()
    outbox = workdir / f"out-{backend.kind}-{backend.count}"
    try:
        victim = Instance(url, outbox, "victim", server.port)
        if phase == "deliver":
            victim.send(f"sweep {DAY}")
            if not victim.result()["ok"]:
                trial.errors.append("sweep before the crash failed")
            approve_waiting(url)
            if trial.mode == "arrival":  # kill while the server holds message `at`, or a moment after
                fired = threading.Event()

                def kill_at(count: int) -> None:
                    if count == trial.at and not fired.is_set():
                        fired.set()
                        time.sleep(trial.delay)
                        victim.process.send_signal(signal.SIGKILL)

                mailbox.on_arrival = kill_at
            victim.send(f"deliver {DAY} 09:00")
        else:
            victim.send(f"sweep {DAY}")
        if trial.mode == "arrival":
            while not fired.is_set() and not _has_line(victim):
                time.sleep(0.01)
            mailbox.on_arrival = None
            finished = not fired.is_set()  # the run ended before message `at`: kill it idle
            if finished:
                victim.process.send_signal(signal.SIGKILL)
        else:
            time.sleep(trial.delay)
            finished = _has_line(victim)
            victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        victim.close()
        arrived = mailbox.snapshot()
        trial.arrived_before_kill = len(arrived)
        notices, status = _rows(url)
        trial.window = {a.key for a in arrived if status.get(a.key) == "sending"}
        trial.landed = _landed(phase, finished, notices, status, arrived)

        rescuer = Instance(url, outbox, "rescuer", server.port)
        try:
            for command in (f"sweep {DAY}", None, f"deliver {DAY} {RECOVERY_AT}"):
                if command is None:
                    approve_waiting(url)
                    continue
                rescuer.send(command)
                answer = rescuer.result()
                if not answer["ok"]:
                    trial.errors.append(f"recovery {command}: {answer['error']}")
        finally:
            rescuer.close()
    finally:
        server.stop()
    _judge(trial, url, mailbox, expected)
    return trial


def _has_line(instance: Instance) -> bool:
    """True when the instance already answered (the job finished before the kill)."""
    import select as selectmodule

    ready, _, _ = selectmodule.select([instance.process.stdout], [], [], 0)
    return bool(ready)


def _landed(phase: str, finished: bool, notices: int, status: dict[str, str], arrived: list) -> str:
    if finished:
        return "finished"
    if phase == "sweep":
        return "after-commit" if notices else "before-commit"
    if not status:
        return "prepare"
    if not arrived:
        return "claimed"
    return "sending"


def _judge(trial: Trial, url: str, mailbox: Mailbox, expected: set[str]) -> None:
    from scheduler.store import open_store
    from scheduler.store import schema as m
    from scheduler.store.integrity import check_store, pending_count

    arrivals = mailbox.snapshot()
    store = open_store(url, migrate=False)
    try:
        with store.session() as session:
            keys = set(session.scalars(select(m.Notice.key)))
            report = check_store(session, datetime.combine(DAY, time_of_day(9, 21), tzinfo=SHANGHAI))
            left = pending_count(session)
            sent = set(session.scalars(select(m.Delivery.message_id).where(m.Delivery.status == "sent",
                                                                            m.Delivery.channel == "smtp")))
    finally:
        store.dispose()
    trial.integrity = report.problems
    trial.lost = sorted(expected - keys)
    if left:
        trial.lost.append(f"{left} deliveries still pending")
    arrived_ids = {a.message_id for a in arrivals}
    trial.lost += sorted(f"sent but never arrived: {mid}" for mid in sent - arrived_ids)
    by_key = Counter(a.key for a in arrivals)
    trial.duplicates = {k: n for k, n in by_key.items() if n > 1}
    trial.duplicates_outside_window = sorted(set(trial.duplicates) - trial.window)
    ids: dict[str, set[str]] = {}
    for arrival in arrivals:
        ids.setdefault(arrival.key, set()).add(arrival.message_id)
    trial.message_id_mismatch = sorted(k for k, v in ids.items() if len(v) > 1)


def measure(backend: Backend, workdir: Path) -> dict[str, float]:
    """How long each phase takes on this backend without a crash (seconds, command to answer)."""
    url = backend.fresh()
    mailbox = Mailbox()
    server = SmtpServer(mailbox).start()
    instance = Instance(url, workdir / "out-measure", "measure", server.port)
    try:
        started = time.perf_counter()
        instance.send(f"sweep {DAY}")
        instance.result()
        sweep = time.perf_counter() - started
        approve_waiting(url)
        started = time.perf_counter()
        instance.send(f"deliver {DAY} 09:00")
        instance.result()
        deliver = time.perf_counter() - started
    finally:
        instance.close()
        server.stop()
    return {"sweep": sweep, "deliver": deliver}
