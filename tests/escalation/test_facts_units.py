"""A task's facts as each unit holds them, and who is still to be reminded after their reports."""

from __future__ import annotations

from datetime import date

from scheduler.escalation.facts import Assignment, ProgressReport, TaskFacts, UnitDeadline
from scheduler.plans.deadlines import Deadline

DUE = date(2019, 12, 31)
LEAD, COUNTY, OTHER = "市工信局", "潞州区人民政府", "襄垣县人民政府"


def task(*extensions: UnitDeadline, reports: tuple[ProgressReport, ...] = ()) -> TaskFacts:
    return TaskFacts(task_id="t", plan_id="p", title="t",
                     deadline=Deadline("2019年12月底前", "due", due=(DUE,), notes=("按计划年度计",)),
                     assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible"),
                                  Assignment(OTHER, "responsible")),
                     deadline_changed_on=date(2019, 9, 1), unit_deadlines=extensions, reports=reports)


def test_each_unit_with_an_extension_gets_a_view_of_its_own_date_and_roles():
    gone = UnitDeadline("已撤并单位", date(2020, 2, 29), date(2019, 11, 1))  # no longer on the task
    county = UnitDeadline(COUNTY, date(2020, 3, 31), date(2019, 12, 1))
    rest, own = task(gone, county).by_unit()
    assert [a.unit for a in rest.assignments] == [LEAD, OTHER]
    assert (rest.deadline.due, rest.unit_deadlines, rest.deadline_changed_on) == ((DUE,), (), date(2019, 9, 1))
    assert [a.unit for a in own.assignments] == [COUNTY]
    assert own.unit_deadlines == ()
    assert own.deadline == Deadline("2019年12月底前", "due", due=(date(2020, 3, 31),),
                                    notes=("按计划年度计", "潞州区人民政府批准延期：2020-03-31"))
    assert own.deadline_changed_on == date(2019, 12, 1)


def test_a_unit_whose_latest_report_says_done_is_not_reminded():
    reports = (ProgressReport(COUNTY, date(2019, 12, 10), status="done"),
               ProgressReport(COUNTY, date(2019, 12, 1), status="in_progress"),  # older, filed later
               ProgressReport(OTHER, date(2019, 12, 5), status="done"),
               ProgressReport(OTHER, date(2019, 12, 5), status="in_progress"))  # same day: the later entry
    got = task(reports=reports).recipients(("lead", "responsible"))
    assert got == [(LEAD, "lead"), (OTHER, "responsible")]
