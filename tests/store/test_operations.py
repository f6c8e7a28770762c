"""Task facts without a query per task, batched notice inserts, people's changes and their audit."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import event, select, text

from scheduler import store as repo
from scheduler.plans.ledger import Ledger
from scheduler.store import bulkwrite, notices, open_store
from scheduler.store import schema as m
from scheduler.store.migrate import MIGRATIONS, alembic_config
from tests.store.builders import DIRECTORY, NOW, action, unit_name


def many_tasks(count: int) -> Ledger:
    tasks = [dict(id=f"n-2019/{i}", title=f"任务{i}", deadline_text="2019年12月底前", lead_units=["市工信局"],
                  responsible_units=["潞城区政府", "襄垣县政府"], source=f"seed.txt:{i + 1}") for i in range(count)]
    return Ledger.model_validate(dict(
        plan=dict(id="n-2019", title="大方案", issuer="长治市", region="长治市", period_start="2019-10-01",
                  period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=tasks))


def count_statements(store, call) -> int:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return len(seen)


def test_task_facts_use_the_same_number_of_queries_for_3_or_60_tasks(store):
    with store.session() as session:
        repo.load_ledgers(session, [many_tasks(3)], DIRECTORY, now=NOW)
        session.commit()
        few = count_statements(store, lambda: repo.task_facts(session, date(2019, 12, 2), ["n-2019"]))
        repo.load_ledgers(session, [many_tasks(60)], DIRECTORY, now=NOW)
        session.commit()
        many = count_statements(store, lambda: repo.task_facts(session, date(2019, 12, 2), ["n-2019"]))
        facts = repo.task_facts(session, date(2019, 12, 2), ["n-2019"])
    assert few == many
    assert len(facts) == 60
    assert facts[59].units("responsible") == (unit_name("潞城区政府"), unit_name("襄垣县政府"))


def test_task_facts_only_see_reports_up_to_the_day_and_the_latest_override(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        repo.report_progress(session, "t-2019/1", luzhou, "in_progress", 30, "", "潞城", date(2019, 11, 1), now=NOW)
        repo.report_progress(session, "t-2019/1", luzhou, "in_progress", 60, "", "潞城", date(2019, 12, 10), now=NOW)
        repo.set_deadline(session, "t-2019/1", date(2020, 5, 31), "王协调", "第一次", now=NOW)
        repo.set_deadline(session, "t-2019/1", date(2020, 6, 30), "王协调", "第二次",
                          now=NOW.replace(hour=10))
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
    task = facts["t-2019/1"]
    assert [r.percent for r in task.reports] == [30]
    assert task.deadline.due == (date(2020, 6, 30),)
    assert task.deadline.notes[-1] == "协调人补录时限：2020-06-30"
    assert task.deadline_changed_on == date(2019, 12, 2)


def test_notices_are_inserted_in_batches_and_only_new_keys_come_back(store, monkeypatch):
    monkeypatch.setattr(bulkwrite, "SQLITE_VARIABLES", 7 * len(notices.NOTICE_COLUMNS))  # 7 rows a statement
    with store.session() as session:
        first = repo.insert_notices(session, [action(f"k{i}", level="reminder") for i in range(10)], date(2019, 12, 2))
        second = repo.insert_notices(session, [action(f"k{i}", level="reminder") for i in range(5, 20)],
                                     date(2019, 12, 3))
        session.commit()
        total = session.scalar(select(m.Notice.id).order_by(m.Notice.id.desc()).limit(1))
        days = dict(session.execute(select(m.Notice.key, m.Notice.created_on)).all())
    assert len(first) == 10
    assert [a.key for a in second] == [f"k{i}" for i in range(10, 20)]
    assert total is not None and len(days) == 20
    assert days["k5"] == date(2019, 12, 2) and days["k15"] == date(2019, 12, 3)


def test_a_done_report_pauses_the_task_and_is_audited(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        repo.report_progress(session, "t-2019/1", luzhou, "done", 100, "已完成", "潞城", date(2019, 12, 1), now=NOW)
        session.commit()
        task = session.get(m.Task, "t-2019/1")
        entry = session.execute(select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.detail)
                                .where(m.AuditEntry.action == "task.progress")).one()
    assert (task.status, task.percent) == ("reported_done", 100)
    assert entry.actor == "潞城" and entry.detail["status"] == "done" and entry.detail["on"] == "2019-12-01"


def test_a_bad_progress_report_is_refused_in_chinese(store):
    with store.session() as session:
        with pytest.raises(repo.StoreError, match="百分比"):
            repo.report_progress(session, "t-2019/1", "潞城区人民政府", "in_progress", 120, "", "潞城",
                                 date(2019, 12, 1))
        with pytest.raises(repo.StoreError, match="没有此任务"):
            repo.sign_off(session, "t-2019/99", "王协调", date(2019, 12, 1))


def test_waiving_needs_a_reason_and_cancels_pending_notices(store):
    with store.session() as session:
        repo.insert_notices(session, [action("w", level="reminder")], date(2019, 12, 2))
        with pytest.raises(repo.StoreError, match="理由"):
            repo.waive(session, "t-2019/1", "王协调", "  ")
        repo.waive(session, "t-2019/1", "王协调", "市政府决定不再实施", now=NOW)
        session.commit()
        status = session.get(m.Task, "t-2019/1").status
        notice = session.scalar(select(m.Notice.status).where(m.Notice.key == "w"))
        actions = set(session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.actor == "王协调")))
    assert (status, notice) == ("waived", "cancelled")
    assert actions == {"task.waive", "notice.cancel"}


def test_a_rejected_extension_moves_nothing_and_needs_a_reason(store):
    luzhou = unit_name("潞城区政府")
    with store.session() as session:
        request = repo.request_extension(session, "t-2019/1", luzhou, date(2020, 2, 28), "资金未到位", "潞城", now=NOW)
        with pytest.raises(repo.StoreError, match="理由"):
            repo.decide_extension(session, request.id, False, "王协调", "")
        repo.decide_extension(session, request.id, False, "王协调", "理由不充分", now=NOW)
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        assert session.get(m.ExtensionRequest, request.id).status == "rejected"
    assert facts["t-2019/1"].deadline.due == (date(2019, 12, 31),)


def test_acknowledging_a_letter_records_the_day_once(store):
    with store.session() as session:
        repo.insert_notices(session, [action("w")], date(2019, 12, 2))
        repo.acknowledge(session, "w", "潞城", date(2019, 12, 3), now=NOW)
        repo.acknowledge(session, "w", "潞城", date(2019, 12, 5), now=NOW)
        session.commit()
        notice = repo.notice_by_key(session, "w")
    assert notice.acknowledged_on == date(2019, 12, 3) and notice.acknowledged_at is not None


def test_decide_all_approves_the_whole_queue(store):
    with store.session() as session:
        repo.insert_notices(session, [action("w1"), action("w2"), action("r", level="reminder")], date(2019, 12, 2))
        decided = repo.decide(session, None, "approve", "王协调", now=NOW)
        session.commit()
        left = repo.list_review_queue(session)
    assert sorted(n.key for n in decided) == ["w1", "w2"] and left == []


def test_a_fresh_database_is_migrated_to_head_from_any_folder(store_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no alembic.ini here
    store = open_store(store_url)
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    store.dispose()
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [version]  # one head, and the fresh database is at it
    assert version == sorted(p.stem.split("_")[0] for p in MIGRATIONS.joinpath("versions").glob("0*.py"))[-1]
