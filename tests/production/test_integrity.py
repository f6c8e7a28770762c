"""The integrity check passes on a store that swept and delivered a day, and names each broken
invariant when one is broken by hand (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from scheduler.clock import SHANGHAI
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.integrity import check_store
from tests.production.harness import swept_store

AFTER = datetime(2020, 11, 2, 10, tzinfo=SHANGHAI)


@pytest.fixture
def store(store_url, tmp_path):
    swept_store(store_url, tmp_path)
    store = open_store(store_url, migrate=False)
    yield store
    store.dispose()


def problems(store, now=AFTER) -> list[str]:
    with store.session() as session:
        return check_store(session, now).problems


def test_a_swept_and_delivered_day_passes(store):
    with store.session() as session:
        report = check_store(session, AFTER)
    assert report.ok, report.problems
    counts = report.counts
    # one warning letter per unit (the urges went out a week before): 晋城's 8 units behind
    assert counts["letters"] >= 5 and counts["deliveries_sent"] == counts["deliveries"] > 10
    assert counts["notices_sent"] > 100 and counts["deliveries_sending"] == 0


def test_a_gap_and_a_repeat_in_the_document_numbers_are_found(store):
    with store.session() as session:
        letters = session.scalars(select(m.Letter).order_by(m.Letter.serial)).all()
        letters[2].serial = 99  # serial 3 goes missing
        letters[2].number = letters[2].number.replace("〔2020〕3号", "〔2020〕99号")
        letters[4].number = letters[3].number  # and 5 carries 4's number
        session.commit()
    found = problems(store)
    assert any(p.startswith("发文顺序号不连续") and "缺 [3" in p for p in found), found
    assert any(p.startswith("发文字号重复") for p in found)
    assert any(p.startswith("发文字号与年份、顺序号不一致") for p in found)


def test_a_sent_notice_without_a_sent_delivery_is_found(store):
    with store.session() as session:
        delivery = session.scalars(select(m.Delivery).where(m.Delivery.message_key.like("digest|%"))).first()
        delivery.status = "pending"
        session.commit()
        unit = delivery.message_key.split("|")[1]
    found = problems(store)
    assert any(p.startswith("通知标记为已发送，但没有已发送的投递记录") and unit in p for p in found), found


def test_a_sending_row_past_its_lease_is_found_only_after_the_lease(store):
    with store.session() as session:
        delivery = session.scalars(select(m.Delivery)).first()
        delivery.status = "sending"  # as delivery stores it: in UTC (SQLite keeps no zone)
        delivery.next_attempt_at = (AFTER + timedelta(minutes=15)).astimezone(UTC)
        session.commit()
    def lease(found: list[str]) -> list[str]:
        return [p for p in found if "租约" in p]

    assert lease(problems(store, AFTER)) == []  # a live sender holds its lease
    late = lease(problems(store, AFTER + timedelta(minutes=16)))
    assert len(late) == 1 and late[0].startswith("“发送中”的投递租约已过期")


def test_a_notice_in_two_messages_and_a_dangling_letter_are_found(store):
    with store.session() as session:
        entry = session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "delivery.sent",
                                                           m.AuditEntry.object_id.like("digest|%|2020-11-02"))).first()
        copy = m.AuditEntry(at=entry.at, actor=entry.actor, action=entry.action, object_type=entry.object_type,
                            object_id=entry.object_id.replace("2020-11-02", "2020-11-03"), detail=entry.detail)
        session.add(copy)
        session.commit()
    found = problems(store)
    assert any(p.startswith("同一通知被不同消息重复发送") for p in found), found


def test_a_sent_message_without_message_id_and_an_unknown_status_are_found(store):
    with store.session() as session:
        first, second = session.scalars(select(m.Delivery).order_by(m.Delivery.id).limit(2)).all()
        session.execute(update(m.Delivery).where(m.Delivery.id == first.id).values(message_id=""))
        session.execute(update(m.Delivery).where(m.Delivery.id == second.id).values(status="lost"))
        session.commit()
    found = problems(store)
    assert any(p.startswith("已发送的投递没有 Message-ID") for p in found)
    assert any(p.startswith("投递状态无效") and "lost" in p for p in found)
