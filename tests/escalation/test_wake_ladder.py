"""The next day of a task whose units climb the ladder: premises, open interviews, extensions and units
with and without notices. Each case compares wake's bound with the truth, evaluate() asked day by day
with the same notices: no day before the bound may propose anything (a later bound delays a notice).

Days from the 2019/2020 calendar: 2020-01-01 is a holiday, so the 10th working day after 2019-12-31 is
2020-01-15; 2019-11-30 is a Saturday.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.escalation.actions import occurrence_key
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Action, Assignment, PastNotice, ProgressReport, TaskFacts, UnitDeadline
from scheduler.escalation.ruleset import RuleBook, parse_ruleset
from scheduler.escalation.run import TaskRun
from scheduler.escalation.wake import next_day
from scheduler.plans.deadlines import Deadline, Milestone
from tests.escalation.test_wake import CAL, RULES

PLAN = "changzhi-2019"
TASK = f"{PLAN}/7"
LEAD, COUNTY = "市能源局", "潞州区人民政府"
UNITS = (Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible"))
DUE = date(2019, 12, 31)


def rule(rid: str, level: str, trigger: str, any_day: bool = False) -> str:
    """One rule of a test rule set, addressed to lead and responsible units."""
    return (f"  - id: {rid}\n    level: {level}\n    trigger: {trigger}\n    to: [lead, responsible]\n"
            f"    clause: c\n    label: 测试\n    send_on_non_workdays: {'true' if any_day else 'false'}\n")


def book(*rules: str) -> RuleBook:
    """A rule book for every plan holding just these rules, in this order."""
    text = "id: t\nversion: \"1\"\ntitle: 测试\napplies_to: \"*\"\nclause: {source: s, text: t}\nrules:\n"
    return RuleBook([parse_ruleset(text + "".join(rules), "t.yaml")])


URGE = rule("overdue-urge", "urge", "{type: overdue, after_workdays: 1}")
WARNING = rule("overdue-warning", "warning", "{type: overdue, after_workdays: 10}")
UNRESOLVED = rule("unresolved", "interview", "{type: warning_unresolved, after_workdays: 15, ack_grace_workdays: 5}")
UNSIGNED = rule("unsigned", "urge", "{type: ack_missing, after_workdays: 3}")
MISSING = rule("missing", "urge", "{type: progress_missing, after_workdays: 5}")
MONTHLY = rule("monthly", "reminder", "{type: progress_request, every: month}")


def task(deadline: Deadline | None = None, **changes) -> TaskFacts:
    fields = dict(task_id=TASK, plan_id=PLAN, title="洗煤行业整治",
                  deadline=deadline or Deadline("2019年12月底前", "due", due=(DUE,)), assignments=UNITS,
                  plan_period_start=date(2019, 10, 1), plan_period_end=date(2020, 12, 31))
    fields.update(changes)
    return TaskFacts(**fields)


def notice(rule_id: str, level: str, unit: str, created: date, status: str = "sent", sent: date | None = None,
           acknowledged: date | None = None, key: str = "") -> PastNotice:
    """A stored notice; sent ones are sent the day they were created unless `sent` says otherwise."""
    if status == "sent" and sent is None:
        sent = created
    return PastNotice(key or f"{rule_id}|{unit}|{created.isoformat()}", level, rule_id, TASK, unit, created,
                      status, acknowledged_on=acknowledged, sent_on=sent, plan_id=PLAN)


def history(*notices: PastNotice) -> dict:
    found: dict = {}
    for n in notices:
        found.setdefault((n.task_id, n.unit), []).append(n)
    return found


def first_firing(one: TaskFacts, rules: RuleBook, past: dict, after: date, horizon: int) -> date | None:
    """The truth: the first day after `after` on which evaluate() proposes anything for the task."""
    day = after + timedelta(days=1)
    for _ in range(horizon):
        if evaluate([one], rules, CAL, past, day):
            return day
        day += timedelta(days=1)
    return None


def bounds(tasks: list[TaskFacts], rules: RuleBook, past: dict, as_of: date,
           horizon: int = 120) -> list[tuple[date | None, date | None]]:
    """(wake's bound, the first firing) per task, one TaskRun asked for all tasks as the sweep asks it;
    fails when a task fires before its bound."""
    ev = TaskRun(CAL, past, as_of, None)
    found = []
    for one in tasks:
        bound = next_day(ev, one, rules.rules_for(one.plan_id))
        fires = first_firing(one, rules, past, as_of, horizon)
        assert fires is None or (bound is not None and bound <= fires), (one.task_id, as_of, bound, fires)
        found.append((bound, fires))
    return found


def sent_at_once(action: Action, day: date) -> PastNotice:
    return PastNotice(action.key, action.level, action.rule_id, action.task_id, action.unit, day, "sent",
                      sent_on=day, plan_id=action.plan_id)


def waiting_for_delivery(action: Action, day: date) -> PastNotice:
    """As the sweep stores a proposal: queued, or approved the same day; not sent yet."""
    status = "approved" if action.needs_review else "queued"
    return PastNotice(action.key, action.level, action.rule_id, action.task_id, action.unit, day, status,
                      plan_id=action.plan_id)


def live(one: TaskFacts, rules: RuleBook, past: dict, start: date, end: date, store=sent_at_once) -> list[str]:
    """Live the days from `start` to `end`, storing each day's proposals: none may come before the bound
    worked out the day before. Returns the keys proposed, in order."""
    known = {n.key for notices in past.values() for n in notices}
    fired: list[str] = []
    wake: date | None = start
    day = start
    while day <= end:
        new = [a for a in evaluate([one], rules, CAL, past, day) if a.key not in known]
        if new:
            assert wake is not None and day >= wake, (day, wake, [a.key for a in new])
        for action in new:
            known.add(action.key)
            fired.append(action.key)
            past.setdefault((action.task_id, action.unit), []).append(store(action, day))
        wake = next_day(TaskRun(CAL, past, day, None), one, rules.rules_for(one.plan_id))
        day += timedelta(days=1)
    return fired


def key(rule_id: str, unit: str, due: date = DUE) -> str:
    return occurrence_key(rule_id, TASK, unit, due.isoformat())


# -- units of one task with and without notices -----------------------------------------------------------


def test_a_unit_without_notices_beside_one_with_notices_is_looked_at_without_error():
    rules = book(WARNING, UNRESOLVED, UNSIGNED, MISSING)
    past = history(notice("overdue-urge", "urge", COUNTY, date(2020, 1, 2)),
                   notice("overdue-warning", "warning", COUNTY, date(2020, 1, 15), sent=date(2020, 1, 16),
                          acknowledged=date(2020, 1, 17), key=key("overdue-warning", COUNTY)))
    [(bound, fires)] = bounds([task()], rules, past, date(2020, 1, 20))
    assert fires == CAL.add_workdays(date(2020, 1, 16), 20)  # the county's interview, 15 + 5 after it signed
    assert bound == fires


def test_of_two_units_the_one_still_waiting_for_its_report_is_urged_after_one_that_reported():
    rules = book(MONTHLY, MISSING)
    past = history(notice("monthly", "reminder", LEAD, date(2020, 3, 2)),
                   notice("monthly", "reminder", COUNTY, date(2020, 3, 2)))
    one = task(Deadline("长期坚持", "ongoing"), reports=(ProgressReport(LEAD, date(2020, 3, 3)),))
    [(bound, fires)] = bounds([one], rules, past, date(2020, 3, 3))
    assert fires == bound == date(2020, 3, 9)  # 5 working days after the request, before April's


def test_a_report_made_before_the_request_was_delivered_does_not_answer_it():
    """Asked on 03-02 but delivered on 03-03: a report of 03-02 came before the unit was asked."""
    rules = book(MONTHLY, MISSING)
    past = history(notice("monthly", "reminder", COUNTY, date(2020, 3, 2), sent=date(2020, 3, 3)))
    one = task(Deadline("长期坚持", "ongoing"), assignments=(Assignment(COUNTY, "responsible"),),
               reports=(ProgressReport(COUNTY, date(2020, 3, 2)),))
    [(bound, fires)] = bounds([one], rules, past, date(2020, 3, 3))
    assert fires == bound == date(2020, 3, 10)  # 5 working days after the delivery


@pytest.mark.parametrize("trigger", [
    "{type: serious_delay, after_workdays: 30}",
    "{type: warning_unresolved, after_workdays: 15}",
], ids=["serious-delay", "warning-unresolved"])
def test_a_unit_after_one_with_an_open_interview_still_gets_its_own(trigger):
    rules = book(rule("interview", "interview", trigger))
    past = history(notice("earlier", "interview", LEAD, date(2020, 1, 20), status="pending_review"),
                   notice("overdue-warning", "warning", COUNTY, date(2020, 1, 15)))
    [(bound, fires)] = bounds([task()], rules, past, date(2020, 1, 20), horizon=150)
    assert fires is not None and bound == fires


def test_a_unit_with_an_open_interview_still_gets_its_urge_folded_into_the_case():
    two = Deadline("2019年12月和2020年3月底前", "due", due=(DUE, date(2020, 3, 31)))
    rules = book(URGE)
    past = history(notice("overdue-urge", "urge", COUNTY, date(2020, 1, 2), key=key("overdue-urge", COUNTY)),
                   notice("earlier", "interview", COUNTY, date(2020, 2, 20), status="approved"))
    one = task(two, assignments=(Assignment(COUNTY, "responsible"),))
    [(bound, fires)] = bounds([one], rules, past, date(2020, 3, 20))
    assert fires == bound == date(2020, 4, 1)
    assert evaluate([one], rules, CAL, past, fires)[0].kind.endswith("|folded")


# -- premises ---------------------------------------------------------------------------------------------


def test_a_premise_is_the_units_own_and_not_the_first_units():
    rules = book(WARNING, MISSING)  # an urge rule makes the warning rest on an urge
    past = history(notice("missing", "urge", COUNTY, date(2020, 1, 2)))
    [(bound, fires)] = bounds([task()], rules, past, date(2020, 1, 10))
    assert fires == bound == date(2020, 1, 15)


def test_a_warning_waits_for_its_urge_to_stand_and_a_reminder_is_no_urge():
    """The county's urge of 2020-01-10 stands 5 working days on 01-17, after the warning's 10 days
    overdue (01-15); the lead unit was only reminded, so it gets no warning at all."""
    rules = book(WARNING, MISSING)
    past = history(notice("missing", "urge", COUNTY, date(2020, 1, 10)),
                   notice("before", "reminder", LEAD, date(2019, 12, 24)))
    found = bounds([task()], rules, past, date(2020, 1, 10))
    assert found == [(date(2020, 1, 17), date(2020, 1, 17))]
    lead = task(assignments=(Assignment(LEAD, "lead"),))
    assert bounds([lead], rules, past, date(2020, 1, 10)) == [(None, None)]


def test_an_urge_due_but_not_stored_wakes_the_task_the_next_day():
    """A unit added to the task today is already overdue: its urge comes tomorrow, not before."""
    [(bound, fires)] = bounds([task()], book(URGE), {}, date(2020, 1, 2))
    assert fires == bound == date(2020, 1, 3)


def test_the_earliest_of_two_urges_is_the_premise_of_a_warning():
    rules = book(WARNING, MISSING)
    past = history(notice("missing", "urge", COUNTY, date(2020, 1, 2)),
                   notice("missing", "urge", COUNTY, date(2020, 1, 9)),
                   notice("missing", "urge", LEAD, date(2020, 1, 2)),
                   notice("missing", "urge", LEAD, date(2020, 1, 9)))
    [(bound, fires)] = bounds([task()], rules, past, date(2020, 1, 10))
    assert fires == bound == date(2020, 1, 15)  # the urge of 01-09 would stand long enough only on 01-16


def test_a_premise_and_a_warning_proposed_on_the_day_the_date_was_set_count():
    """A coordinator set an external task's date, already past, on 2020-01-06; the old urge and warning
    are about no date, the new ones of that very day count."""
    changed = date(2020, 1, 6)
    one = task(deadline_changed_on=changed, assignments=(Assignment(COUNTY, "responsible"),))
    urges = history(notice("missing", "urge", COUNTY, date(2019, 11, 4)), notice("missing", "urge", COUNTY, changed))
    [(bound, fires)] = bounds([one], book(WARNING, MISSING), urges, date(2020, 1, 10))
    assert fires == bound == date(2020, 1, 15)
    warnings = history(notice("overdue-warning", "warning", COUNTY, date(2019, 11, 4)),
                       notice("overdue-warning", "warning", COUNTY, changed))
    [(bound, fires)] = bounds([one], book(UNRESOLVED), warnings, date(2020, 1, 10), horizon=150)
    assert fires == bound == CAL.add_workdays(changed, 15)


def test_a_premise_asked_by_two_interview_rules_answers_both():
    """The serious-delay interview comes before the signed warning's own: the warning went out two
    working days after it was proposed, and the unit's signature gave it 5 more."""
    proposed, sent = date(2020, 1, 15), date(2020, 1, 17)
    serious = CAL.workdays_between(DUE, CAL.add_workdays(sent, 17))
    delay = rule("serious", "interview", f"{{type: serious_delay, after_workdays: {serious}}}")
    rules = book(WARNING, UNRESOLVED, delay)
    past = history(notice("overdue-warning", "warning", COUNTY, proposed, sent=sent, acknowledged=date(2020, 1, 20),
                          key=key("overdue-warning", COUNTY)))
    one = task(assignments=(Assignment(COUNTY, "responsible"),))
    [(bound, fires)] = bounds([one], rules, past, date(2020, 1, 20), horizon=150)
    assert fires == bound == CAL.add_workdays(sent, 17)


def test_letters_waiting_for_delivery_are_premises_from_the_day_they_were_proposed():
    """The sweep stores its proposals unsent (queued, or approved the same day): an urge or warning
    without a send day still counts, from the day it was proposed."""
    rules = book(URGE, WARNING, UNRESOLVED)
    one = task(assignments=(Assignment(COUNTY, "responsible"),))
    fired = live(one, rules, {}, date(2019, 12, 1), date(2020, 5, 31), store=waiting_for_delivery)
    assert [k.split("|")[0] for k in fired] == ["overdue-urge", "overdue-warning", "unresolved"]


def test_a_warning_nobody_signed_for_is_followed_up_then_leads_to_an_interview():
    rules = book(UNSIGNED, UNRESOLVED)
    past = history(notice("overdue-warning", "warning", COUNTY, date(2020, 3, 2)))
    one = task(assignments=(Assignment(COUNTY, "responsible"),))
    fired = live(one, rules, past, date(2020, 3, 2), date(2020, 6, 30))
    assert [k.split("|")[0] for k in fired] == ["unsigned", "unresolved", "unsigned"]  # the interview is unsigned too


# -- dates: milestones, extensions, a date the day after a Saturday ----------------------------------------


def test_an_overdue_milestone_listed_after_a_later_due_date_is_not_missed():
    """A reminder 30 days before the due date (2020-02-28) is found first; the milestone's urge comes sooner."""
    reminder = rule("before", "reminder", "{type: before_due, offsets: [{days: 30}], milestones: false}")
    milestone = rule("milestone-urge", "urge", "{type: overdue, after_workdays: 1, include_milestones: true}")
    one = task(Deadline("2020年3月底前", "due", due=(date(2020, 3, 31),)),
               milestones=(Milestone(date(2019, 12, 13), "12月13日前", "完成主体工程"),))
    [(bound, fires)] = bounds([one], book(reminder, milestone), {}, date(2019, 12, 10))
    assert fires == bound == date(2019, 12, 16)


def test_a_unit_with_its_own_extension_is_woken_for_its_own_date():
    """The lead unit reported done; the county's extension to 2020-01-15 (approved 01-06) makes it
    overdue on 01-16, whatever the task's old date says."""
    extended = date(2020, 1, 15)
    one = task(reports=(ProgressReport(LEAD, date(2019, 12, 20), status="done"),),
               unit_deadlines=(UnitDeadline(COUNTY, extended, date(2020, 1, 6)),))
    past = history(notice("overdue-urge", "urge", COUNTY, date(2020, 1, 2), key=key("overdue-urge", COUNTY)))
    [(bound, fires)] = bounds([one], RULES, past, extended)
    assert fires == bound == date(2020, 1, 16)


def test_an_overdue_rule_of_no_working_days_sent_on_any_day_wakes_the_day_after_a_saturday():
    rules = book(rule("urge-now", "urge", "{type: overdue, after_workdays: 0}", any_day=True))
    one = task(Deadline("2019年11月30日前", "due", due=(date(2019, 11, 30),)))
    [(bound, fires)] = bounds([one], rules, {}, date(2019, 11, 29))
    assert fires == bound == date(2019, 12, 1)


# -- what is stored already wakes nothing ------------------------------------------------------------------


def test_a_follow_up_already_stored_is_no_reason_to_look_again():
    """Each follow-up of the county is stored: the next day is the next thing still to come."""
    asked = date(2020, 3, 2)
    request = notice("monthly", "reminder", COUNTY, asked, sent=date(2020, 3, 3))
    urged = notice("missing", "urge", COUNTY, date(2020, 3, 10),
                   key=occurrence_key("missing", TASK, COUNTY, "R2020-03-03"))
    warning = notice("overdue-warning", "warning", COUNTY, asked)
    signed = notice("unsigned", "urge", COUNTY, date(2020, 3, 5), key=occurrence_key("unsigned", TASK, COUNTY,
                                                                                   f"A{warning.key}"))
    rejected = notice("unresolved", "interview", COUNTY, date(2020, 3, 23), status="rejected",
                      key=occurrence_key("unresolved", TASK, COUNTY, f"W{warning.key}"))
    one = task(Deadline("长期坚持", "ongoing"), assignments=(Assignment(COUNTY, "responsible"),))
    past = history(request, urged, warning, signed, rejected)
    [(bound, fires)] = bounds([one], book(MONTHLY, MISSING, UNSIGNED, UNRESOLVED), past, date(2020, 3, 25))
    assert fires == bound == date(2020, 4, 1)  # April's request
