"""Three service instances on one store through a simulated month: nothing created, sent or
numbered twice, nothing lost, no gaps in the document numbers.

Each instance is its own process (tests/production/driver.py) with its own connections; every
working day of November 2020 all three sweep at the same moment, the coordinator approves the
escalations, and all three deliver at the same moment to a real SMTP server on loopback, which
counts what arrives by Message-ID. A single instance living through the same month on its own
store gives the reference set of notices.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import select

from scheduler.clock import SHANGHAI
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.integrity import check_store, pending_count
from tests.production.harness import (
    Instance,
    Mailbox,
    SmtpServer,
    all_at_once,
    approve_waiting,
    prepare_store,
    workdays,
)

MONTH = (date(2020, 11, 1), date(2020, 11, 30))
PLANS = ("jincheng-2020", "jinzhong-2020", "zezhou-2023")  # 2023 is closed: swept but creates nothing


def live_through(url: str, instances: int, tmp_path, tag: str) -> tuple[list[dict], list, Mailbox]:
    """Run `instances` processes through the month on `url`; return their answers and arrivals."""
    prepare_store(url, PLANS)
    mailbox = Mailbox()
    server = SmtpServer(mailbox).start()
    running = [Instance(url, tmp_path / f"out-{tag}", f"{tag}{i}", server.port) for i in range(instances)]
    answers: list[dict] = []
    try:
        for day in workdays(*MONTH):
            answers += [dict(a, job="sweep", day=day) for a in all_at_once(running, f"sweep {day}")]
            approve_waiting(url)
            answers += [dict(a, job="deliver", day=day) for a in all_at_once(running, f"deliver {day} 09:00")]
    finally:
        for instance in running:
            instance.close()
        server.stop()
    return answers, mailbox.snapshot(), mailbox


def store_url(backend: str, tmp_path, postgres_factory) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}" if backend == "sqlite" else postgres_factory()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_three_instances_create_send_and_number_everything_exactly_once(backend, tmp_path, request):
    url = store_url(backend, tmp_path, lambda: request.getfixturevalue("postgres").create_database())
    answers, arrivals, _ = live_through(url, 3, tmp_path, "shared")
    reference_url = f"sqlite:///{tmp_path / 'alone.db'}"
    _, alone_arrivals, _ = live_through(reference_url, 1, tmp_path, "alone")

    failures = [a for a in answers if not a["ok"]]
    assert failures == [], failures[0]["trace"] if failures else ""

    # no notice created twice, none lost: the union of what the instances created is the reference
    created = Counter(key for a in answers if a["job"] == "sweep" for key in a["created"])
    assert created and max(created.values()) == 1
    store, alone = open_store(url, migrate=False), open_store(reference_url, migrate=False)
    with store.session() as session, alone.session() as other:
        keys = set(session.scalars(select(m.Notice.key)))
        assert keys == set(created) == set(other.scalars(select(m.Notice.key)))
        letters = session.execute(select(m.Letter.issuer, m.Letter.year, m.Letter.serial, m.Letter.number)).all()
        sent_smtp = session.scalars(select(m.Delivery.message_id).where(m.Delivery.status == "sent",
                                                                        m.Delivery.channel == "smtp")).all()
        report = check_store(session, datetime(2020, 12, 1, 9, tzinfo=SHANGHAI))
        left = pending_count(session)
    store.dispose(), alone.dispose()
    assert report.ok, report.problems
    assert left == 0

    # every message arrived once, under the Message-ID its key gives, as many as the store sent
    by_id = Counter(a.message_id for a in arrivals)
    assert by_id and max(by_id.values()) == 1
    assert len({a.key for a in arrivals}) == len(arrivals) == len(sent_smtp)
    assert sorted(by_id) == sorted(sent_smtp)
    assert len(arrivals) == len(alone_arrivals)
    sent_by = Counter(a["report"]["digests_sent"] + a["report"]["letters_sent"]
                      for a in answers if a["job"] == "deliver")
    assert sum(n * c for n, c in sent_by.items()) == len(arrivals)

    # document numbers: each once, serials 1..n per issuer and year, the same ones that arrived
    numbers = [a.number for a in arrivals if a.number]
    assert len(numbers) == len(set(numbers)) == len(letters) > 30  # one letter per unit and level a day
    serials: dict[tuple[str, int], list[int]] = defaultdict(list)
    for issuer, year, serial, _number in letters:
        serials[issuer, year].append(serial)
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in serials.values())
    assert sorted(numbers) == sorted(number for *_, number in letters)
    assert all(re.fullmatch(r"\S+〔2020〕[1-9]\d*号", n) for n in numbers)
    # and the work was really shared: more than one instance sent something
    senders = {a.get("instance") for a in answers}
    assert senders
