"""Rows written through the driver (COPY, multi-row statements) read back exactly as rows the ORM
writes, keep their order, and skip or update stored keys like INSERT … ON CONFLICT — on both stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import cast

from sqlalchemy import Table, select, text

from scheduler import store as repo
from scheduler.store import bulkwrite
from scheduler.store import schema as m
from scheduler.store.bulkwrite import insert_new, upsert_rows
from scheduler.store.notices import NOTICE_COLUMNS, _notice_row
from scheduler.store.schema import SweepCursor
from tests.store.builders import action

SHANGHAI = timezone(timedelta(hours=8))
SNAPSHOT = {"id": "overdue-warning", "trigger": {"type": "overdue", "after_workdays": 10}, "roles": ["lead"],
            "note": "逾期预警", "cc": None}
RAW = ("SELECT key, plan_id, task_id, unit, level, kind, due, rule_id, ruleset_id, ruleset_version, rule_snapshot,"
       " facts, clause, explanation, needs_review, status, created_on, created_at, review_reason, version_id"
       " FROM notices WHERE key = :key")


def _orm_notice(key: str, values: dict) -> m.Notice:
    return m.Notice(**{**values, "key": key})


def test_a_notice_written_in_bulk_is_stored_as_the_orm_stores_it(store):
    at = datetime(2019, 12, 2, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    bulk = replace(action("bulk", facts={"workdays_overdue": 12, "milestone": None, "单位": ["潞城区人民政府", 3.5]}),
                   rule_snapshot=SNAPSHOT)
    with store.session() as session:
        created = repo.insert_notices(session, [bulk], date(2019, 12, 2), now=at)
        row = dict(zip(NOTICE_COLUMNS, _notice_row(bulk, date(2019, 12, 2), at), strict=True))
        session.add(_orm_notice("orm", row))
        session.commit()
        stored = {key: session.execute(text(RAW), {"key": key}).one()[1:] for key in ("bulk", "orm")}
        read = {n.key: n for n in session.scalars(select(m.Notice))}
    assert [a.key for a in created] == ["bulk"]
    assert stored["bulk"] == stored["orm"]  # the same stored values, column by column, as the driver returns them
    assert read["bulk"].created_at == at.astimezone(UTC) and read["bulk"].facts == bulk.facts
    assert read["bulk"].rule_snapshot == SNAPSHOT and read["bulk"].needs_review is True


def test_only_new_keys_are_inserted_in_the_order_given_and_a_key_twice_is_stored_once(store):
    with store.session() as session:
        repo.insert_notices(session, [action("k2", level="reminder")], date(2019, 12, 2))
        keys = ["k5", "k1", "k2", "k4", "k1", "k3"]
        created = repo.insert_notices(session, [action(k, level="reminder") for k in keys], date(2019, 12, 3))
        session.commit()
        ids = dict(session.execute(select(m.Notice.key, m.Notice.id)).all())
        days = dict(session.execute(select(m.Notice.key, m.Notice.created_on)).all())
    assert {a.key for a in created} == {"k5", "k1", "k4", "k3"}
    assert ids["k2"] < ids["k5"] < ids["k1"] < ids["k4"] < ids["k3"]
    assert days["k2"] == date(2019, 12, 2) and len(days) == 5


def test_many_rows_across_statement_limits_all_arrive(store, monkeypatch):
    monkeypatch.setattr(bulkwrite, "SQLITE_VARIABLES", 3 * len(NOTICE_COLUMNS) + 1)  # 3 rows a statement
    actions = [action(f"n{i:03d}", level="reminder", facts={"i": i}) for i in range(50)]
    with store.session() as session:
        first = repo.insert_notices(session, actions[:20], date(2019, 12, 2))
        second = repo.insert_notices(session, actions, date(2019, 12, 3))
        session.commit()
        facts = dict(session.execute(select(m.Notice.key, m.Notice.facts)).all())
    assert len(first) == 20 and [a.key for a in second] == [f"n{i:03d}" for i in range(20, 50)]
    assert all(facts[f"n{i:03d}"] == {"i": i} for i in range(50))


def test_a_shared_json_value_is_written_for_every_row_that_holds_it(store):
    # one object, as every notice of a rule shares its snapshot
    actions = [replace(action(f"s{i}", level="reminder"), rule_snapshot=SNAPSHOT) for i in range(3)]
    actions[1] = replace(actions[1], facts=SNAPSHOT)
    with store.session() as session:
        repo.insert_notices(session, actions, date(2019, 12, 2))
        session.commit()
        rows = session.execute(select(m.Notice.rule_snapshot, m.Notice.facts).order_by(m.Notice.id)).all()
    assert [tuple(r) for r in rows] == [(SNAPSHOT, {}), (SNAPSHOT, SNAPSHOT), (SNAPSHOT, {})]


def test_an_upsert_updates_stored_keys_and_inserts_the_others(store):
    columns = ("task_id", "day", "next_on", "version", "notices", "notice_versions")
    table = cast(Table, SweepCursor.__table__)
    with store.session() as session:
        upsert_rows(session, table, columns, [("t-2019/1", date(2019, 12, 2), None, 1, 0, 0)], key="task_id")
        upsert_rows(session, table, columns, [("t-2019/1", date(2019, 12, 3), date(2019, 12, 9), 2, 1, 1),
                                              ("t-2019/2", date(2019, 12, 3), None, 1, 0, 0)], key="task_id")
        session.commit()
        rows = session.execute(select(*(SweepCursor.__table__.c[c] for c in columns))
                               .order_by(SweepCursor.task_id)).all()
    assert [tuple(r) for r in rows] == [("t-2019/1", date(2019, 12, 3), date(2019, 12, 9), 2, 1, 1),
                                        ("t-2019/2", date(2019, 12, 3), None, 1, 0, 0)]


def test_nothing_to_write_writes_nothing(store):
    with store.session() as session:
        assert insert_new(session, cast(Table, m.Notice.__table__), NOTICE_COLUMNS, [], key="key") == set()
        upsert_rows(session, cast(Table, SweepCursor.__table__), ("task_id",), [], key="task_id")
        assert session.scalar(select(m.Notice.id)) is None
