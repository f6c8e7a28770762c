"""Reloading an edited ledger: tasks update in place, history stays, only stale notices go."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scheduler import store as repo
from scheduler.store import schema as m
from tests.store.builders import DIRECTORY, NOW, action, ledger, unit_name

MEASURES = "2019年11月底前完成设备安装"


def statuses(session) -> dict[str, str]:
    return dict(session.execute(select(m.Notice.key, m.Notice.status)).all())


def test_a_moved_date_and_a_removed_unit_cancel_only_the_notices_they_make_stale(store):
    luzhou, xiangyuan = unit_name("潞城区政府"), unit_name("襄垣县政府")
    with store.session() as session:
        repo.load_ledgers(session, [ledger(measures=MEASURES)], DIRECTORY, now=NOW)
        repo.insert_notices(session, [
            action("a", luzhou, level="reminder"),  # about 2019-12-31, the old date
            action("p", luzhou, level="reminder", due=None, kind="progress_request"),
            action("m", luzhou, level="reminder", due=date(2019, 11, 30), facts={"milestone": "完成设备安装"}),
            action("x", xiangyuan, level="reminder"),
        ], date(2019, 11, 20))
        session.commit()
    with store.session() as session:
        report = repo.load_ledgers(session, [ledger("2020年1月底前", ("潞城区政府",), measures=MEASURES)], DIRECTORY,
                                   now=NOW)
        session.commit()
        found = statuses(session)
        past = repo.history(session)
        update = session.scalar(select(m.AuditEntry.detail).where(m.AuditEntry.action == "task.update")
                                .order_by(m.AuditEntry.id.desc()).limit(1))
        cancels = set(session.scalars(select(m.AuditEntry.object_id).where(m.AuditEntry.action == "notice.cancel")))
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
    assert (report.tasks_updated, report.tasks_unchanged, report.notices_cancelled) == (1, 1, 2)
    assert found == {"a": "cancelled", "p": "queued", "m": "queued", "x": "cancelled"}
    assert sorted(n.key for n in past[("t-2019/1", luzhou)]) == ["a", "m", "p"]  # history is kept
    assert [n.status for n in past[("t-2019/1", xiangyuan)]] == ["cancelled"]
    assert update["changed"] == ["deadline_text", "responsible_units"]
    assert cancels == {"a", "x"}
    assert facts["t-2019/1"].deadline.due == (date(2020, 1, 31),)


def test_editing_only_the_title_keeps_every_notice(store):
    with store.session() as session:
        repo.insert_notices(session, [action("a", level="reminder")], date(2019, 12, 2))
        session.commit()
        report = repo.load_ledgers(session, [ledger(title="压减焦炭产能（修订）")], DIRECTORY, now=NOW)
        session.commit()
        assert (report.tasks_updated, report.notices_cancelled) == (1, 0)
        assert statuses(session) == {"a": "queued"}
        assert session.get(m.Task, "t-2019/1").title == "压减焦炭产能（修订）"


def test_a_coordinator_date_outranks_an_edited_deadline_cell(store):
    with store.session() as session:
        repo.set_deadline(session, "t-2019/1", date(2020, 6, 30), "王协调", "省厅通知", now=NOW)
        repo.insert_notices(session, [action("o", level="reminder", due=date(2020, 6, 30))], date(2019, 12, 2))
        session.commit()
        report = repo.load_ledgers(session, [ledger("2020年1月底前")], DIRECTORY, now=NOW)
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 12, 2))}
        assert report.notices_cancelled == 0
        assert statuses(session) == {"o": "queued"}
    assert facts["t-2019/1"].deadline.due == (date(2020, 6, 30),)


def test_a_task_that_returns_to_the_ledger_is_open_again(store):
    with store.session() as session:
        repo.load_ledgers(session, [ledger(extra_task=False)], DIRECTORY, now=NOW)
        session.commit()
        report = repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        session.commit()
        task = session.get(m.Task, "t-2019/2")
        actions = list(session.scalars(select(m.AuditEntry.action).where(m.AuditEntry.object_id == "t-2019/2")
                                       .order_by(m.AuditEntry.id)))
    assert report.tasks_updated == 1
    assert (task.status, task.removed) == ("open", False)
    assert actions == ["task.create", "task.remove", "task.update"]


def test_units_of_the_directory_are_stored_with_their_contacts(store):
    with store.session() as session:
        units = set(session.scalars(select(m.Unit.name)))
        contacts = session.execute(select(m.Contact.unit, m.Contact.channel, m.Contact.address)).all()
    assert units == {u.name for u in DIRECTORY.units()}
    expected = {(u.name, channel, address) for u in DIRECTORY.units()
                for channel, addresses in u.contacts.items() for address in addresses}
    assert set(contacts) == expected
