"""Migration 0011 (the short codes of 签收 links): a store at 0010 with issued links upgrades and
keeps them; each old link gets its short code the first time one is looked up."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import create_engine, inspect, select, text

from scheduler.delivery.acklinks import resolve_short, short_code, signed_link
from scheduler.store import open_store
from scheduler.store.migrate import alembic_config
from scheduler.store.schema import AckLink

SECRET = b"0123456789abcdef-test-secret"
KEY = "overdue-warning|cz2019-12|潞州区人民政府|2019-11-30"
NOW = datetime(2019, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_store_at_0010_with_issued_links_upgrades_and_its_links_get_short_codes_on_first_use(store_url):
    engine = create_engine(store_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0010")
    token, link = signed_link(KEY, date(2020, 2, 18), SECRET)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO ack_links (token_hash, notice_key, expires_on, issued_at, uses) "
                                "VALUES (:h, :k, :e, :i, 0)"), {"h": link.token_hash, "k": KEY,
                                                                 "e": date(2020, 2, 18), "i": NOW})
    engine.dispose()
    store = open_store(store_url)  # upgrades to the head
    with store.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("ack_links")}
    assert "short_hash" in columns
    with store.session() as session:
        assert session.execute(select(AckLink.token_hash, AckLink.short_hash)).all() == [(link.token_hash, None)]
        assert resolve_short(session, short_code(token), secret=SECRET, today=date(2019, 12, 23)) == token
        session.commit()
    with store.session() as session:
        assert session.scalar(select(AckLink.short_hash)) == link.short_hash
    store.dispose()
