"""The dashboard's tallies of the 红黄绿 rule and the overdue series, worked out by hand on small tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scheduler.escalation.facts import Assignment, ProgressReport, TaskFacts, UnitDeadline
from scheduler.plans.deadlines import Deadline
from scheduler.web import status

AS_OF = date(2019, 12, 20)


def task(task_id: str, due: tuple[date, ...] = (), kind: str = "due", state: str = "open",
         units: tuple[tuple[str, str], ...] = (("A县人民政府", "responsible"),), reports=()) -> TaskFacts:
    return TaskFacts(task_id=task_id, plan_id="p", title=task_id, deadline=Deadline("", kind, due=due),
                     assignments=tuple(Assignment(u, r) for u, r in units), status=state, reports=tuple(reports))


def test_counties_group_county_governments_town_units_and_city_bureaus():
    assert status.county_of("潞州区人民政府", "county_government", "长治市") == "潞州区"
    assert status.county_of("长治高新区管委会", "zone_committee", "长治市") == "长治高新区管委会"
    assert status.county_of("巴公镇人民政府", "town_government", "泽州县") == "泽州县"
    assert status.county_of("泽州县生态环境局", "city_department", "泽州县") == "泽州县"
    assert status.county_of("长治市生态环境局", "city_department", "长治市") == "长治市市直部门"


def test_lights_count_lead_and_responsible_units_and_show_the_worst_state():
    # the rule itself is tested in tests/escalation/test_status.py; here only the counting
    a, b, bureau = "A县人民政府", "B县人民政府", "市工信局"
    tasks = [
        task("late", (date(2019, 11, 30),), units=((bureau, "lead"), (a, "responsible"), (b, "cooperating"))),
        task("soon", (date(2019, 12, 31),), units=((a, "responsible"), (b, "responsible"))),
        task("calm", (date(2020, 3, 31),), units=((b, "responsible"),)),
        task("done", (date(2019, 11, 30),), state="signed_off", units=((b, "responsible"),)),
    ]
    counties = {a: "A县", b: "B县", bureau: "市直部门"}
    by_county, by_unit = status.lights(tasks, AS_OF, counties, urged={("calm", b)})
    got = {t.name: (t.counts["overdue"], t.counts["at_risk"], t.counts["on_track"], t.lamp) for t in by_county}
    # B cooperates on "late" (not counted); "soon" and the urged "calm" are at risk; "done" is closed
    assert got == {"A县": (1, 1, 0, "overdue"), "B县": (0, 2, 0, "at_risk"), "市直部门": (1, 0, 0, "overdue")}
    assert [t.name for t in by_county] == ["A县", "市直部门", "B县"]  # most overdue first, then at risk, then name
    assert {t.name for t in by_unit} == {a, b, bureau}


def test_overdue_series_counts_a_task_until_it_is_reported_done_or_signed_off():
    tasks = [
        task("t1", (date(2019, 11, 30),), reports=[ProgressReport("A", date(2019, 12, 10), 100, "done")],
             state="reported_done"),
        task("t2", (date(2019, 11, 15),), state="signed_off"),
        task("t3", (date(2019, 12, 5),)),
        task("t4", (date(2019, 11, 30),), state="waived"),
    ]
    days = [date(2019, 11, 20), date(2019, 12, 1), date(2019, 12, 6), date(2019, 12, 12), date(2019, 12, 20)]
    signoffs = {"t2": date(2019, 12, 12)}
    # 11-20: t2 late. 12-01: t1, t2. 12-06: t1, t2, t3. 12-12: t1 done on 12-10, t2 signed off that day -> t3.
    assert status.overdue_series(tasks, signoffs, days) == [1, 2, 3, 1, 1]


def test_a_units_own_extension_moves_its_lamp_and_the_series_only():
    a, b = "A县人民政府", "B县人民政府"
    held = task("held", (date(2019, 11, 30),), units=((a, "responsible"), (b, "responsible")))
    both = replace(held, unit_deadlines=(UnitDeadline(b, date(2020, 3, 31), date(2019, 11, 25)),))
    by_county, _ = status.lights([both], AS_OF, {a: "A县", b: "B县"})
    got = {t.name: (t.counts["overdue"], t.counts["on_track"]) for t in by_county}
    assert got == {"A县": (1, 0), "B县": (0, 1)}  # B's date moved to March: on track; A still late
    # the task stays overdue while A is late, and stops being overdue once only B, extended, holds it
    only_b = replace(both, assignments=(Assignment(b, "responsible"),))
    days = [date(2019, 12, 1)]
    assert status.overdue_series([both], {}, days) == [1]
    assert status.overdue_series([only_b], {}, days) == [0]


def test_sample_days_spreads_points_evenly_and_ends_today():
    days = status.sample_days(date(2019, 10, 1), AS_OF)  # 80 days: every 4th day, then the end
    assert days[0] == date(2019, 10, 1) and days[1] == date(2019, 10, 5) and days[-1] == AS_OF
    assert len(days) == 21
    assert status.sample_days(AS_OF, AS_OF) == [AS_OF]


def test_chart_geometry():
    chart = status.chart([date(2019, 12, d) for d in (1, 2, 3)], [0, 3, 6])
    # plot area: x 48..704 (656 wide), y 16..188 (172 high); the scale tops at 6 with ticks every 2
    assert chart.points == "48.0,188.0 376.0,102.0 704.0,16.0"
    assert [label for _, label in chart.ticks] == ["0", "2", "4", "6"]
    assert [(label, anchor) for _, label, anchor in chart.labels] == [
        ("2019-12-01", "start"), ("2019-12-02", "middle"), ("2019-12-03", "end")]
