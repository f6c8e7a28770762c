"""The store on SQLite and PostgreSQL: schema, idempotent loading, notices, claims, review, audit."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from scheduler import store as repo
from scheduler.store import open_store
from scheduler.store import schema as m
from tests.store.builders import DIRECTORY, NOW, action, ledger, unit_name


def test_migrations_create_exactly_the_models_schema(store_url):
    store = open_store(store_url)
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), m.Base.metadata)
    assert diff == []
    store.dispose()


def test_loading_twice_changes_nothing(store):
    with store.session() as session:
        report = repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        session.commit()
        assert (report.tasks_created, report.tasks_updated, report.tasks_unchanged) == (0, 0, 2)
        roles = session.execute(select(m.Assignment.unit, m.Assignment.role)
                                .where(m.Assignment.task_id == "t-2019/2")).all()
    # 各县区政府 expands to the 12 county/district governments of 长治
    assert sum(1 for _, role in roles if role == "responsible") == 12
    assert (unit_name("市生态环境局"), "lead") in roles


def test_editing_a_ledger_keeps_progress_and_cancels_notices_that_no_longer_apply(store):
    luzhou, xiangyuan = unit_name("潞城区政府"), unit_name("襄垣县政府")
    with store.session() as session:
        repo.report_progress(session, "t-2019/1", luzhou, "in_progress", 40, "推进中", "潞城", date(2019, 11, 5),
                             now=NOW)
        repo.insert_notices(session, [action("a", luzhou), action("b", xiangyuan)], date(2019, 12, 2))
        session.commit()
    with store.session() as session:
        report = repo.load_ledgers(session, [ledger(responsible=("潞城区政府",))], DIRECTORY, now=NOW)
        session.commit()
        assert report.tasks_updated == 1 and report.notices_cancelled == 1
        statuses = dict(session.execute(select(m.Notice.unit, m.Notice.status)).all())
        assert statuses == {luzhou: "pending_review", xiangyuan: "cancelled"}
        assert session.get(m.Task, "t-2019/1").percent == 40
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        assert facts["t-2019/1"].units("responsible") == (luzhou,)
        assert facts["t-2019/1"].reports[0].percent == 40


def test_a_task_that_leaves_the_ledger_is_waived_not_deleted(store):
    with store.session() as session:
        report = repo.load_ledgers(session, [ledger(extra_task=False)], DIRECTORY, now=NOW)
        session.commit()
        task = session.get(m.Task, "t-2019/2")
    assert report.tasks_removed == 1
    assert task is not None and task.status == "waived" and task.removed


def test_inserting_the_same_notices_twice_creates_nothing_new(store):
    with store.session() as session:
        first = repo.insert_notices(session, [action("k1"), action("k2", level="reminder")], date(2019, 12, 2))
        second = repo.insert_notices(session, [action("k1"), action("k2", level="reminder")], date(2019, 12, 3))
        session.commit()
        statuses = dict(session.execute(select(m.Notice.key, m.Notice.status)).all())
    assert [a.key for a in first] == ["k1", "k2"] and second == []
    assert statuses == {"k1": "pending_review", "k2": "queued"}


def test_only_one_claimer_gets_a_business_day(store):
    with store.session() as one, store.session() as two:
        claims = [repo.claim_sweep_run(one, date(2019, 12, 2), "a", NOW),
                  repo.claim_sweep_run(two, date(2019, 12, 2), "b", NOW)]
    assert claims == [True, False]


def test_review_decisions_are_audited_and_a_rejection_needs_a_reason(store):
    with store.session() as session:
        repo.insert_notices(session, [action("w1"), action("w2"), action("w3")], date(2019, 12, 2))
        session.commit()
        ids = {n.key: n.id for n in repo.review_queue(session)}
        repo.decide_notices(session, [ids["w1"]], "approve", "王协调", now=NOW)
        repo.decide_notices(session, [ids["w2"]], "hold", "王协调", "等待县区说明", now=NOW)
        with pytest.raises(repo.StoreError, match="理由"):
            repo.decide_notices(session, [ids["w3"]], "reject", "王协调", "", now=NOW)
        session.commit()
        statuses = dict(session.execute(select(m.Notice.key, m.Notice.status)).all())
        audit = session.execute(select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.object_id)
                                .where(m.AuditEntry.action.like("notice.%"))).all()
    assert statuses == {"w1": "approved", "w2": "held", "w3": "pending_review"}
    assert sorted(audit) == [("王协调", "notice.approve", "w1"), ("王协调", "notice.hold", "w2")]


def test_a_coordinator_date_replaces_an_external_deadline(store):
    with store.session() as session:
        repo.load_ledgers(session, [ledger(deadline="按国家、省规定完成时限")], DIRECTORY, now=NOW)
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        assert facts["t-2019/1"].deadline.kind == "external"
        repo.set_deadline(session, "t-2019/1", date(2020, 6, 30), "王协调", "省厅通知", now=NOW)
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
    assert facts["t-2019/1"].deadline.kind == "due"
    assert facts["t-2019/1"].deadline.due == (date(2020, 6, 30),)


def test_sign_off_stops_pending_notices(store):
    with store.session() as session:
        repo.insert_notices(session, [action("r1", level="reminder")], date(2019, 12, 2))
        repo.sign_off(session, "t-2019/1", "王协调", date(2019, 12, 3), "核查属实", now=NOW)
        session.commit()
        assert session.get(m.Task, "t-2019/1").status == "signed_off"
        assert session.scalar(select(m.Notice.status).where(m.Notice.key == "r1")) == "cancelled"


def test_an_approved_extension_moves_the_due_date_of_the_unit_that_asked_and_is_audited(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        repo.insert_notices(session, [action("old", luzhou, level="reminder")], date(2019, 12, 2))
        request = repo.request_extension(session, "t-2019/1", luzhou, date(2020, 2, 28), "设备到货延迟", "潞城",
                                         now=NOW)
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        assert facts["t-2019/1"].deadline.due == (date(2019, 12, 31),)  # pending: nothing moves yet
        repo.decide_extension(session, request.id, True, "王协调", "同意", now=NOW)
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        actions = [a for (a,) in session.execute(select(m.AuditEntry.action)
                                                  .where(m.AuditEntry.object_id == "t-2019/1"))]
        old_status = session.scalar(select(m.Notice.status).where(m.Notice.key == "old"))
    task = facts["t-2019/1"]
    assert task.deadline.due == (date(2019, 12, 31),)  # the task's date stays for its other units
    assert [(u.unit, u.due) for u in task.unit_deadlines] == [(luzhou, date(2020, 2, 28))]
    assert old_status == "cancelled"  # the unit's reminder for 12-31 no longer applies
    assert {"extension.request", "extension.approve"} <= set(actions)


def test_an_extension_needs_a_reason(store):
    with store.session() as session, pytest.raises(repo.StoreError, match="理由"):
        repo.request_extension(session, "t-2019/1", unit_name("潞城区政府"), date(2020, 2, 28), " ", "潞城", now=NOW)
