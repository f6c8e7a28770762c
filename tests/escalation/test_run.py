"""One evaluation's shared questions at their edges: fire days on the date itself, two offsets on
one fire day, periodic requests whose day spills out of their period, caches shared by several
tasks and rules of one call, RRULE occurrences on the sweep day, the one interview per unit and
task, and premises from before a deadline moved.

Days from the 2019 calendar: February 2019 has 17 working days (春节 02-04..10 off, 02-02 and
02-03 worked), so its 20th working day is 2019-03-05; 2019-12-01 is a Sunday.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, TaskFacts
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset
from scheduler.plans.deadlines import Deadline, Milestone

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
COUNTY = "潞州区人民政府"
TASK = "changzhi-2019/1"
ONGOING = Deadline("长期坚持", "ongoing")


def task(deadline: Deadline, task_id: str = TASK, **changes) -> TaskFacts:
    fields = dict(
        task_id=task_id,
        plan_id="changzhi-2019",
        title="洗煤行业整治",
        deadline=deadline,
        assignments=(Assignment(COUNTY, "responsible"),),
        plan_period_start=date(2019, 1, 1),
        plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def due(day: date) -> Deadline:
    return Deadline(f"{day.isoformat()}前", "due", due=(day,))


def rules(*triggers: str, non_workdays: bool = False) -> RuleBook:
    """A rule book of reminder rules r0, r1, … with these triggers, for every plan."""
    text = "id: one\nversion: 1\ntitle: 测试\napplies_to: \"*\"\nclause: {source: s, text: t}\nrules:\n"
    for n, trigger in enumerate(triggers):
        text += (f"  - id: r{n}\n    level: reminder\n    trigger: {trigger}\n    to: [responsible]\n"
                 f"    clause: c\n    label: 提醒\n    send_on_non_workdays: {'true' if non_workdays else 'false'}\n")
    return RuleBook([parse_ruleset(text, "one.yaml")])


def history(*notices: PastNotice) -> dict:
    found: dict = {}
    for n in notices:
        found.setdefault((n.task_id, n.unit), []).append(n)
    return found


# -- fire days of before_due ----------------------------------------------------------------------------


def test_a_reminder_on_the_date_itself_moves_back_from_a_sunday_unless_sent_on_non_workdays():
    on_the_day = rules("{type: before_due, offsets: [{workdays: 0}]}")
    any_day = rules("{type: before_due, offsets: [{workdays: 0}]}", non_workdays=True)
    [friday] = evaluate([task(due(date(2019, 12, 1)))], on_the_day, CAL, {}, date(2019, 11, 29))
    assert (friday.facts["fire_day"], friday.facts["offset"]) == ("2019-11-29", "0wd")
    [sunday] = evaluate([task(due(date(2019, 12, 1)))], any_day, CAL, {}, date(2019, 12, 1))
    assert sunday.facts["fire_day"] == "2019-12-01"
    [monday] = evaluate([task(due(date(2019, 12, 2)))], on_the_day, CAL, {}, date(2019, 12, 2))
    assert monday.facts["fire_day"] == "2019-12-02"
    assert evaluate([task(due(date(2019, 12, 2)))], on_the_day, CAL, {}, date(2019, 11, 29)) == []


def test_of_two_offsets_on_one_fire_day_the_one_nearer_the_date_is_sent_once():
    # Monday 12-09: 1 day before is Sunday 12-08, moved back to Friday 12-06, where 3 days before lands.
    both = rules("{type: before_due, offsets: [{days: 3}, {days: 1}]}")
    [sent] = evaluate([task(due(date(2019, 12, 9)))], both, CAL, {}, date(2019, 12, 6))
    assert sent.key.endswith("|1d") and "按规定提前1天提醒" in sent.explanation
    same_day = rules("{type: before_due, offsets: [{days: 7}, {workdays: 5}]}")  # both land on Monday 12-02
    assert len(evaluate([task(due(date(2019, 12, 9)))], same_day, CAL, {}, date(2019, 12, 2))) == 1


def test_a_reminder_fired_on_the_day_the_deadline_changed_is_sent_and_one_before_it_is_not():
    # 7 days before 12-31 is 12-24; a catch-up on 12-25 still sends it unless the date moved after 12-24.
    def sent(changed_on):
        t = task(due(date(2019, 12, 31)), deadline_changed_on=changed_on)
        return [a.facts["fire_day"] for a in evaluate([t], RULES, CAL, {}, date(2019, 12, 25), since=date(2019, 12, 23))
                if a.kind == "before_due"]

    assert sent(date(2019, 12, 24)) == ["2019-12-24"]
    assert sent(date(2019, 12, 25)) == []


# -- periodic requests --------------------------------------------------------------------------------


def test_a_request_day_past_a_short_month_asks_for_no_month_not_even_an_earlier_one():
    twentieth = rules("{type: progress_request, every: month, nth_workday: 20}")
    # February's 20th working day falls in March: no February request, and a catch-up reaching back
    # to January does not send January's (that period is two behind).
    assert evaluate([task(ONGOING)], twentieth, CAL, {}, date(2019, 3, 5), since=date(2019, 1, 1)) == []
    [march] = evaluate([task(ONGOING)], twentieth, CAL, {}, date(2019, 3, 28))
    assert (march.facts["period"], march.facts["fire_day"]) == ("2019-03-01", "2019-03-28")


def test_every_task_and_every_period_rule_of_one_call_gets_its_own_request():
    both = rules("{type: progress_request, every: week}", "{type: progress_request, every: month}")
    tasks = [task(ONGOING), task(ONGOING, task_id="changzhi-2019/2")]
    actions = evaluate(tasks, both, CAL, {}, date(2019, 12, 2))
    assert sorted((a.task_id, a.rule_id, a.facts["every"], a.facts["period"]) for a in actions) == [
        (TASK, "r0", "week", "2019-12-02"), (TASK, "r1", "month", "2019-12-01"),
        ("changzhi-2019/2", "r0", "week", "2019-12-02"), ("changzhi-2019/2", "r1", "month", "2019-12-01"),
    ]


# -- occurrences of recurring tasks -------------------------------------------------------------------


def recurring(rrule: str) -> Deadline:
    return Deadline("每月", "recurring", rrule=rrule)


def test_an_occurrence_on_the_sweep_day_is_reminded_on_the_day_by_a_same_day_offset():
    same_day = rules("{type: progress_request, recurring_offsets: [{days: 0}]}")
    [sent] = evaluate([task(recurring("FREQ=MONTHLY;BYMONTHDAY=5"))], same_day, CAL, {}, date(2019, 12, 5))
    assert (sent.due, sent.facts["fire_day"]) == (date(2019, 12, 5), "2019-12-05")


def test_two_recurring_tasks_of_one_call_keep_their_own_occurrences():
    fifth = task(recurring("FREQ=MONTHLY;BYMONTHDAY=5"))
    sixth = task(recurring("FREQ=MONTHLY;BYMONTHDAY=6"), task_id="changzhi-2019/2")
    actions = evaluate([fifth, sixth], RULES, CAL, {}, date(2019, 12, 3))
    assert [(a.task_id, a.due) for a in actions] == [("changzhi-2019/2", date(2019, 12, 6))]
    actions = evaluate([fifth, sixth], RULES, CAL, {}, date(2019, 12, 2))
    assert [(a.task_id, a.due) for a in actions] == [(TASK, date(2019, 12, 5))]


def test_an_invalid_rrule_has_no_occurrences_and_breaks_nothing():
    broken = task(recurring("FREQ=SOMETIMES"))
    fine = task(recurring("FREQ=MONTHLY;BYMONTHDAY=5"), task_id="changzhi-2019/2")
    assert [a.task_id for a in evaluate([broken, fine], RULES, CAL, {}, date(2019, 12, 2))] == ["changzhi-2019/2"]


# -- one interview per unit and task ------------------------------------------------------------------


def test_a_unit_gets_one_interview_when_two_rules_want_one_the_same_day():
    # Due 10-31: 30 working days late on 12-12 (serious_delay); the signed warning of 11-15 has stood
    # its 15 + 5 working days on 12-13 (warning_unresolved). An urge goes out the same day.
    signed = PastNotice(key="W1", level="warning", rule_id="overdue-warning", task_id=TASK, unit=COUNTY,
                        created_on=date(2019, 11, 15), status="sent", sent_on=date(2019, 11, 15),
                        acknowledged_on=date(2019, 11, 15))
    actions = evaluate([task(due(date(2019, 10, 31)))], RULES, CAL, history(signed), date(2019, 12, 13))
    assert [(a.kind, a.level) for a in actions] == [("overdue", "urge"), ("warning_unresolved", "interview")]
    serious_only = evaluate([task(due(date(2019, 10, 31)))], RULES, CAL, history(signed), date(2019, 12, 12))
    assert [(a.kind, a.level) for a in serious_only] == [("overdue", "urge"), ("serious_delay", "interview")]


# -- premises from before a deadline moved -------------------------------------------------------------


def test_an_urge_about_the_old_date_is_no_premise_for_a_warning_about_the_new_one():
    # Due 11-15, moved on 11-20; ten working days late on 11-29.
    def levels(urged_on):
        urge = PastNotice(key="U1", level="urge", rule_id="overdue-urge", task_id=TASK, unit=COUNTY,
                          created_on=urged_on, status="sent", sent_on=urged_on)
        moved = task(due(date(2019, 11, 15)), deadline_changed_on=date(2019, 11, 20))
        return [a.level for a in evaluate([moved], RULES, CAL, history(urge), date(2019, 11, 29))]

    assert levels(date(2019, 11, 18)) == ["urge"]
    assert levels(date(2019, 11, 20)) == ["urge", "warning"]


def test_a_warning_names_the_urge_it_rests_on_without_a_number_an_urge_never_has():
    urge = PastNotice(key="U1", level="urge", rule_id="overdue-urge", task_id=TASK, unit=COUNTY,
                      created_on=date(2019, 11, 20), status="sent", sent_on=date(2019, 11, 20))
    actions = evaluate([task(due(date(2019, 11, 15)))], RULES, CAL, history(urge), date(2019, 11, 29))
    [warning] = [a for a in actions if a.level == "warning"]
    assert warning.explanation.endswith("；此前已于2019年11月20日催办，已过7个工作日。")


# -- dates of one task -------------------------------------------------------------------------------


def test_two_milestones_on_one_day_are_one_date_to_remind_of():
    halves = (Milestone(due=date(2019, 12, 31), text="年底前完成一半", phrase="完成一半"),
              Milestone(due=date(2019, 12, 31), text="年底前完成验收", phrase="完成验收"))
    t = task(due(date(2020, 3, 31)), milestones=halves)
    actions = evaluate([t], RULES, CAL, {}, date(2019, 12, 24))
    assert [(a.key, a.facts["milestone"]) for a in actions] == [
        (f"remind-before-due|{TASK}|{COUNTY}|2019-12-31|7d", "完成一半")]
