"""A task as one unit holds it: its own approved extension moves its date and no other unit's."""

from __future__ import annotations

from datetime import date

from scheduler.escalation.facts import Assignment, TaskFacts, UnitDeadline
from scheduler.escalation.status import as_seen_by, due_dates, overdue_on
from scheduler.plans.deadlines import Deadline

DUE = date(2019, 12, 31)
EXTENDED = date(2020, 3, 31)


def shared(*extensions: UnitDeadline) -> TaskFacts:
    return TaskFacts(task_id="t", plan_id="p", title="t", deadline=Deadline("", "due", due=(DUE,)),
                     assignments=(Assignment("市工信局", "lead"), Assignment("潞州区人民政府", "responsible")),
                     unit_deadlines=extensions)


def test_a_unit_with_its_own_extension_sees_its_own_date_and_the_others_the_tasks():
    task = shared(UnitDeadline("潞州区人民政府", EXTENDED, date(2019, 12, 1)))
    assert due_dates(as_seen_by(task, ["潞州区人民政府"])) == (EXTENDED,)
    assert due_dates(as_seen_by(task, ["市工信局"])) == (DUE,)


def test_a_task_seen_by_units_of_several_views_or_of_none_is_the_task_itself():
    task = shared(UnitDeadline("潞州区人民政府", EXTENDED, date(2019, 12, 1)))
    assert as_seen_by(task, ["市工信局", "潞州区人民政府"]) is task
    assert as_seen_by(task, ["市生态环境局"]) is task
    plain = shared()
    assert as_seen_by(plain, ["市工信局"]) is plain


def test_a_task_is_not_overdue_on_a_day_after_it_was_closed():
    task = shared()
    assert overdue_on(task, date(2020, 1, 10), None)
    assert not overdue_on(task, date(2020, 1, 10), date(2019, 12, 20))
