"""Golden days on the real 长治 2019-20 ledger: an extension (申请延期) moves the date of the unit that
asked — and of the units the decision names — and of no other.

Task r017 (清洁能源替代散煤) is due 2019-10-31, led by 长治市发展和改革委员会 with the 12 county
governments responsible. From the 2019-20 calendar: the 1st working day after 10-31 is 11-01, the
10th is 11-14; after 12-31 (元旦 off) the 1st is 2020-01-02 and the 10th 2020-01-15. The 30-day
reminder before 12-31 falls on Sunday 12-01 and moves to Friday 11-29.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.store import schema as m
from scheduler.store.extensions import decide_extension, list_extensions, request_extension
from tests.shipped import changzhi_store, sweep

TASK = "changzhi-2019/r017"
LUZHOU, LUCHENG = "潞州区人民政府", "潞城区人民政府"
ASKED = datetime(2019, 11, 14, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
DECIDED = datetime(2019, 11, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url):
    store = changzhi_store(store_url)
    yield store
    store.dispose()


def r017(result, level: str) -> set[str]:
    return {a.unit for a in result.created if a.task_id == TASK and a.level == level}


def queued_units(store) -> dict[str, str]:
    with store.session() as session:
        return {n.unit: n.status for n in repo.review_queue(session) if n.task_id == TASK}


def warned_then_extended(store, *also: str) -> list[str]:
    """Sweep to the warnings of 11-14, then 潞州区 asks for 12-31 and a coordinator approves on 11-15."""
    sweep(store, date(2019, 11, 1))
    warned = sweep(store, date(2019, 11, 14))
    assert len(r017(warned, "warning")) == 13
    with store.session() as session:
        request = request_extension(session, TASK, LUZHOU, date(2019, 12, 31), "散煤替代设备到货延迟", "潞州区",
                                    now=ASKED)
        moved = decide_extension(session, request.id, True, "王协调", "同意", now=DECIDED, units=also)
        session.commit()
    return moved


def test_an_approved_extension_cancels_the_warning_of_the_unit_that_asked_only(store):
    assert warned_then_extended(store) == [LUZHOU]
    queue = queued_units(store)
    assert len(queue) == 12 and LUZHOU not in queue  # 13 warnings proposed, one withdrawn
    assert set(queue.values()) == {"pending_review"}
    with store.session() as session:
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 11, 15))}[TASK]
        luzhou_warning = session.scalar(select(m.Notice.status).where(
            m.Notice.task_id == TASK, m.Notice.unit == LUZHOU, m.Notice.level == "warning"))
    assert facts.deadline.due == (date(2019, 10, 31),)  # the task's own date is unchanged
    assert [(u.unit, u.due, u.changed_on) for u in facts.unit_deadlines] == [
        (LUZHOU, date(2019, 12, 31), date(2019, 11, 15))]
    assert luzhou_warning == "cancelled"


def test_the_extended_unit_is_reminded_of_its_new_date_and_climbs_its_own_ladder(store):
    warned_then_extended(store)
    reminded = sweep(store, date(2019, 11, 29))
    assert r017(reminded, "reminder") == {LUZHOU}
    [reminder] = [a for a in reminded.created if a.task_id == TASK]
    assert reminder.due == date(2019, 12, 31) and reminder.key.endswith("|30d")
    urged = sweep(store, date(2020, 1, 2))
    assert r017(urged, "urge") == {LUZHOU}
    # its urge of 11-01 was about the old date: the new warning rests on the urge of 01-02
    assert r017(sweep(store, date(2020, 1, 14)), "warning") == set()
    [warning] = [a for a in sweep(store, date(2020, 1, 15)).created if a.task_id == TASK]
    assert (warning.unit, warning.level, warning.due) == (LUZHOU, "warning", date(2019, 12, 31))
    assert warning.facts["premise_on"] == "2020-01-02"


def test_the_units_named_in_the_decision_move_with_the_one_that_asked(store):
    assert warned_then_extended(store, LUCHENG) == [LUZHOU, LUCHENG]
    queue = queued_units(store)
    assert len(queue) == 11 and not {LUZHOU, LUCHENG} & set(queue)
    with store.session() as session:
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 11, 15))}[TASK]
        listed = list_extensions(session, task_id=TASK)
    assert {u.unit for u in facts.unit_deadlines} == {LUZHOU, LUCHENG}
    assert [(e.unit, e.status, e.by) for e in listed] == [(LUCHENG, "approved", "王协调"),
                                                         (LUZHOU, "approved", "潞州区")]
    assert "随第" in listed[0].reason


def test_a_rejected_or_pending_request_moves_nothing(store):
    sweep(store, date(2019, 11, 1))
    with store.session() as session:
        first = request_extension(session, TASK, LUZHOU, date(2019, 12, 31), "资金未到位", "潞州区", now=ASKED)
        with pytest.raises(repo.StoreError, match="已有待审批的延期申请"):
            request_extension(session, TASK, LUZHOU, date(2020, 1, 31), "再申请", "潞州区", now=ASKED)
        session.commit()
    assert r017(sweep(store, date(2019, 11, 14)), "warning") >= {LUZHOU}  # pending: the ladder goes on
    with store.session() as session:
        decide_extension(session, first.id, False, "王协调", "理由不充分", now=DECIDED)
        session.commit()
        facts = {f.task_id: f for f in repo.task_facts(session, date(2019, 11, 15))}[TASK]
    assert facts.unit_deadlines == () and LUZHOU in queued_units(store)


def test_a_unit_without_a_part_in_the_task_is_refused_in_chinese(store):
    with store.session() as session, pytest.raises(repo.StoreError, match="不是任务 changzhi-2019/r017 的责任单位"):
        request_extension(session, TASK, "潞州区", date(2019, 12, 31), "简称", "潞州区", now=ASKED)


def test_an_extension_approved_after_the_sweep_day_does_not_count_yet(store):
    warned_then_extended(store)
    with store.session() as session:
        before = {f.task_id: f for f in repo.task_facts(session, date(2019, 11, 14))}[TASK]
    assert before.unit_deadlines == ()


def test_the_approval_and_the_cancellations_are_audited(store):
    warned_then_extended(store, LUCHENG)
    with store.session() as session:
        entries = [(e.action, e.object_id, e.detail)
                   for e in session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id))]
    actions = [action for action, _obj, _detail in entries]
    assert actions.count("extension.request") == 1 and actions.count("extension.approve") == 1
    approve = next(detail for action, _obj, detail in entries if action == "extension.approve")
    assert approve["units"] == [LUZHOU, LUCHENG] and approve["due"] == "2019-12-31"
    cancelled = [key for action, key, _detail in entries if action == "notice.cancel"]
    # their urges (not delivered in this test) and warnings of 10-31; nobody else's
    assert sorted(key.split("|")[0] for key in cancelled) == ["overdue-urge", "overdue-urge", "overdue-warning",
                                                              "overdue-warning"]
    assert {key.split("|")[2] for key in cancelled} == {LUZHOU, LUCHENG}



def test_a_warning_sent_before_the_extension_leads_to_no_interview(store):
    sweep(store, date(2019, 11, 1))
    sweep(store, date(2019, 11, 14))
    with store.session() as session:
        for notice in repo.review_queue(session):
            if notice.task_id == TASK:  # 13 warnings of record, delivered on 11-14
                notice.status, notice.sent_on = "sent", date(2019, 11, 14)
        request = request_extension(session, TASK, LUZHOU, date(2020, 3, 31), "设备到货延迟", "潞州区", now=ASKED)
        decide_extension(session, request.id, True, "王协调", "同意", now=DECIDED)
        session.commit()
    # 15 working days after the warnings of 11-14: the others are summoned, 潞州区 is not
    interviewed = sweep(store, date(2019, 12, 5))
    assert len(r017(interviewed, "interview")) == 12 and LUZHOU not in r017(interviewed, "interview")
