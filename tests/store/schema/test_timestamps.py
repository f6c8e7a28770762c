"""Stored moments mean the same instant on SQLite and PostgreSQL, whatever zone the writer used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.repo import audit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_shanghai_and_a_utc_writer_agree_on_order_and_instant(store_url):
    store = open_store(store_url)
    shanghai_nine = datetime(2019, 12, 2, 9, 0, tzinfo=SHANGHAI)  # 01:00 UTC
    utc_two = datetime(2019, 12, 2, 2, 0, tzinfo=UTC)  # an hour later, written in UTC
    with store.session() as session:
        audit(session, "王协调", "queue.approve", "notice", "later", now=utc_two)
        audit(session, "王协调", "queue.approve", "notice", "earlier", now=shanghai_nine)
        session.commit()
        rows = session.execute(select(m.AuditEntry.object_id, m.AuditEntry.at).order_by(m.AuditEntry.at)).all()
        since = session.scalars(select(m.AuditEntry.object_id)
                                .where(m.AuditEntry.at > shanghai_nine + timedelta(minutes=30))).all()
    store.dispose()
    assert [object_id for object_id, _ in rows] == ["earlier", "later"]
    assert rows[0].at == shanghai_nine and rows[0].at.tzinfo is not None
    assert rows[0].at.astimezone(SHANGHAI).hour == 9
    assert since == ["later"]
