"""deliver() streams: a batch is claimed, sent and recorded before the next is claimed, oldest first,
each message once, however the day is cut into batches."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery import run as delivery
from scheduler.delivery.channels.fileoutbox import FileOutbox
from scheduler.delivery.run import deliver
from scheduler.letters.digest import digest_key
from scheduler.store import open_store
from scheduler.store import schema as m
from tests.delivery.test_run import CALENDAR, DAY, DIRECTORY, NOW, ROOT, action, add, ledger

UNITS = [DIRECTORY.resolve(name, "长治市").units[0].name
         for name in ("潞城区政府", "襄垣县政府", "屯留区政府", "平顺县政府", "黎城县政府", "壶关县政府")]


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        session.commit()
    yield store
    store.dispose()


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


class Watching:
    """A file outbox that notes, at each send, the key and how many rows are claimed ("sending")."""

    def __init__(self, root, store) -> None:
        self.outbox, self.store, self.lock = FileOutbox(root), store, threading.Lock()
        self.sent: list[str] = []
        self.claimed: list[int] = []

    def send(self, message):
        with self.store.session() as session:
            claimed = session.scalar(select(func.count()).select_from(m.Delivery)
                                     .where(m.Delivery.status == "sending"))
        with self.lock:
            self.sent.append(message.key)
            self.claimed.append(claimed)
        return self.outbox.send(message)


def day_of_six_units(store) -> None:
    add(store, *(action(f"r-{u}", u) for u in UNITS), *(action(f"w-{u}", u, level="warning") for u in UNITS),
        approve=tuple(f"w-{u}" for u in UNITS))


def delivery_order(store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(m.Delivery.message_key).order_by(m.Delivery.id)))


def test_a_batch_is_sent_and_recorded_before_the_next_is_claimed_oldest_first(store, config, monkeypatch):
    monkeypatch.setattr(delivery, "CLAIM_BATCH", 3)
    day_of_six_units(store)
    channel = Watching(config.outbox, store)
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    assert (report.digests_sent, report.letters_sent, report.errors) == (6, 6, [])
    assert channel.sent == delivery_order(store)  # oldest first, as the rows arose
    assert max(channel.claimed) <= 3  # never more than one batch claimed at a time
    with store.session() as session:
        statuses = Counter(session.scalars(select(m.Delivery.status)))
    assert statuses == {"sent": 12}


def test_the_notice_budget_cuts_batches_of_big_digests(store, config, monkeypatch):
    monkeypatch.setattr(delivery, "NOTICE_BUDGET", 1)  # every digest is a batch of its own
    add(store, *(action(f"r-{u}", u) for u in UNITS), *(action(f"s-{u}", u, task="t-2019/2") for u in UNITS[:1]))
    channel = Watching(config.outbox, store)
    report = deliver(store, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)
    assert report.digests_sent == 6 and set(channel.claimed) == {1}
    assert channel.sent == [digest_key(u, DAY) for u in UNITS]


@pytest.mark.parametrize("batch", [1, 4])
def test_two_streaming_runs_at_once_send_each_message_once(store, store_url, config, monkeypatch, batch):
    monkeypatch.setattr(delivery, "CLAIM_BATCH", batch)
    day_of_six_units(store)
    channel = Watching(config.outbox, store)
    other = open_store(store_url, migrate=False)

    def run(s):
        return deliver(s, config, CALENDAR, DAY, now=NOW, pdf=False, channel_factory=lambda c, a: channel)

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(run, [store, other]))
    other.dispose()
    assert sum(r.digests_sent for r in reports) == 6 and sum(r.letters_sent for r in reports) == 6
    assert sorted(channel.sent) == sorted(delivery_order(store)) and len(set(channel.sent)) == 12
    numbers = sorted(n for r in reports for n in r.numbers)
    assert numbers == sorted(f"长大气办函〔2019〕{i}号" for i in range(1, 7))
