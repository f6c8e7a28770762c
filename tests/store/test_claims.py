"""Claiming a batch of deliveries: each row to one sender, what it carries read for the whole batch."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event, select, update

from scheduler import store as repo
from scheduler.letters.digest import digest_key
from scheduler.store import claims, deliveries
from scheduler.store import schema as m
from tests.store.builders import NOW, action, unit_name

DAY = date(2019, 12, 2)
LEASE = NOW + timedelta(minutes=15)
COUNTIES = [unit_name(u) for u in ("潞城区政府", "襄垣县政府", "屯留区政府", "平顺县政府", "黎城县政府", "壶关县政府")]


def queue_reminders(store, units) -> list[int]:
    """Queue a reminder for each unit, prepare the day's rows (file outbox) and return their ids."""
    with store.session() as session:
        repo.insert_notices(session, [action(f"r-{u}", u, level="reminder") for u in units], DAY, NOW)
        session.commit()
    deliveries.prepare_day(store, DAY, NOW, lambda unit, contacts: [("file", "out")])
    return list(deliveries.due_ids(store, files_only=False))


def statements_while(store, work):
    """Return work()'s result and the number of SQL statements it ran."""
    ran = []

    def count(*_args):
        ran.append(1)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        return work(), len(ran)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_a_batch_of_digests_costs_the_same_statements_for_four_units_as_for_two(store):
    counts, seen = [], []
    for units in (COUNTIES[:2], COUNTIES[2:]):
        ids = [i for i in queue_reminders(store, units) if i not in seen]
        seen += ids
        batch, ran = statements_while(store, lambda ids=ids: claims.claim_batch(store, ids, DAY, NOW, LEASE, 5000))
        assert [c.key for c in batch.claimed] == [digest_key(u, DAY) for u in units]
        counts.append(ran)
    assert counts[0] == counts[1]


def test_a_claimed_digest_carries_its_notices_with_the_plan_title(store):
    ids = queue_reminders(store, COUNTIES[:2])
    batch = claims.claim_batch(store, ids, DAY, NOW, LEASE, 5000)
    first = batch.claimed[0]
    assert (first.unit, first.channel, first.attempts) == (COUNTIES[0], "file", 1)
    assert [(n["key"], n["plan_title"], n["task_title"]) for n in first.notices] == [
        (f"r-{COUNTIES[0]}", "测试方案", "压减焦炭产能")]


def test_a_row_is_claimed_by_one_batch_only_until_its_lease_ends(store):
    ids = queue_reminders(store, COUNTIES[:3])
    assert len(claims.claim_batch(store, ids, DAY, NOW, LEASE, 5000).claimed) == 3
    assert claims.claim_batch(store, ids, DAY, NOW + timedelta(minutes=5), LEASE, 5000).claimed == []
    again = claims.claim_batch(store, ids, DAY, LEASE + timedelta(seconds=1), LEASE + timedelta(minutes=15), 5000)
    assert [c.attempts for c in again.claimed] == [2, 2, 2]  # a dead sender's rows, taken over


def test_a_digest_lists_the_units_unsigned_letters_with_their_latest_link(store):
    lucheng = COUNTIES[0]
    with store.session() as session:
        repo.insert_notices(session, [action("w-1", lucheng)], DAY - timedelta(days=3), NOW)
        session.execute(update(m.Notice).where(m.Notice.key == "w-1")
                        .values(status="sent", sent_on=DAY - timedelta(days=3)))
        session.add_all([m.AckLink(token_hash=f"h{i}", notice_key="w-1", expires_on=DAY + timedelta(days=i),
                                   issued_at=NOW) for i in (3, 9)])
        session.commit()
    ids = queue_reminders(store, [lucheng])
    [digest] = claims.claim_batch(store, ids, DAY, NOW, LEASE, 5000).claimed
    assert [(a.facts["key"], a.link_expires) for a in digest.awaiting] == [("w-1", DAY + timedelta(days=9))]
    assert digest.weight == 2


def test_a_digest_whose_notices_were_all_withdrawn_is_withheld_not_claimed(store):
    ids = queue_reminders(store, COUNTIES[:2])
    with store.session() as session:
        session.execute(update(m.Notice).where(m.Notice.unit == COUNTIES[0]).values(status="cancelled"))
        session.commit()
    batch = claims.claim_batch(store, ids, DAY, NOW, LEASE, 5000)
    assert ([c.unit for c in batch.claimed], batch.withheld) == ([COUNTIES[1]], 1)
    with store.session() as session:
        assert session.scalar(select(m.Delivery.status).where(m.Delivery.id == ids[0])) == "withheld"
        assert session.scalar(select(m.AuditEntry.action).where(m.AuditEntry.object_id == digest_key(
            COUNTIES[0], DAY))) == "delivery.withhold"
