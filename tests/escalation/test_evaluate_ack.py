"""Golden days for the 签收 follow-up (ack_missing): a letter not signed for 3 working days after it
was sent gets one 催办 to its unit.

Worked out by hand from the 2019 holiday arrangements: 国庆 2019-10-01..07 off, 2019-09-29 (Sun)
and 2019-10-12 (Sat) worked.
- sent Mon 2019-09-30: working days after it are 10-08 (1), 10-09 (2), 10-10 (3) -> urge on 10-10;
- sent Thu 2019-10-10: 10-11 (1), Sat 10-12 (2, a working Saturday), Mon 10-14 (3) -> urge on 10-14.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, TaskFacts
from scheduler.escalation.ruleset import load_rulebook, parse_ruleset
from scheduler.plans.deadlines import Deadline

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
COUNTY = "潞州区人民政府"
LEAD = "长治市能源局"
TASK = "changzhi-2019/7"
RULE = "letter-unacknowledged-urge"


def task(**changes) -> TaskFacts:
    fields = dict(
        task_id=TASK, plan_id="changzhi-2019", title="洗煤行业整治",
        deadline=Deadline("2019年8月底前", "due", due=(date(2019, 8, 31),)),
        assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")),
        plan_period_start=date(2019, 1, 1), plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def letter(sent: date | None, level: str = "warning", unit: str = COUNTY, status: str = "sent",
           ack: date | None = None) -> PastNotice:
    return PastNotice(key=f"overdue-{level}|{TASK}|{unit}|2019-08-31", level=level, rule_id=f"overdue-{level}",
                      task_id=TASK, unit=unit, created_on=date(2019, 9, 27), status=status, sent_on=sent,
                      acknowledged_on=ack)


def followups(as_of: date, *history: PastNotice, tasks=None):
    grouped: dict = {}
    for past in history:
        grouped.setdefault((past.task_id, past.unit), []).append(past)
    actions = evaluate(tasks or [task()], RULES, CAL, grouped, as_of)
    return [a for a in actions if a.rule_id == RULE]


def test_a_letter_sent_before_the_national_day_is_followed_up_on_the_third_working_day_after():
    sent = letter(date(2019, 9, 30))
    assert followups(date(2019, 10, 9), sent) == []
    [urge] = followups(date(2019, 10, 10), sent)
    assert (urge.level, urge.unit, urge.kind, urge.needs_review) == ("urge", COUNTY, "ack_missing", False)
    assert urge.key == f"{RULE}|{TASK}|{COUNTY}|Aoverdue-warning|{TASK}|{COUNTY}|2019-08-31"
    assert urge.facts["letter_key"] == sent.key and urge.facts["workdays_waited"] == 3
    assert urge.facts["letter_level"] == "warning"
    assert urge.facts["sent_on"] == "2019-09-30" and urge.facts["threshold_workdays"] == 3
    assert "2019年9月30日已向责任单位潞州区人民政府发出预警通知函" in urge.explanation
    assert "3个工作日仍未签收" in urge.explanation and "函件逾期未签收催办" in urge.explanation


def test_the_working_saturday_counts():
    sent = letter(date(2019, 10, 10))
    assert followups(date(2019, 10, 11), sent) == []
    assert followups(date(2019, 10, 12), sent) == []  # a working Saturday: the 2nd working day
    assert [a.facts["workdays_waited"] for a in followups(date(2019, 10, 14), sent)] == [3]


def test_a_catch_up_after_the_day_still_follows_up_once():
    sent = letter(date(2019, 9, 30))
    [urge] = followups(date(2019, 10, 21), sent)
    assert urge.facts["workdays_waited"] == 11  # 10-08..10-12 (Sat worked), 10-14..10-18, 10-21
    done = PastNotice(key=urge.key, level="urge", rule_id=RULE, task_id=TASK, unit=COUNTY,
                      created_on=date(2019, 10, 21), status="sent", sent_on=date(2019, 10, 21))
    assert followups(date(2019, 10, 22), sent, done) == []  # its key is in the store: once only


@pytest.mark.parametrize("past", [
    letter(date(2019, 9, 30), ack=date(2019, 10, 8)),  # signed for
    letter(None, status="approved"),  # approved, not yet delivered
    letter(None, status="held"),
    letter(date(2019, 9, 30), level="urge"),  # urges are not letters to sign for
])
def test_signed_unsent_and_non_letter_notices_get_no_follow_up(past):
    assert followups(date(2019, 10, 10), past) == []


def test_an_interview_letter_is_followed_up_even_while_its_case_folds_other_urges():
    interview = letter(date(2019, 9, 30), level="interview")
    [urge] = followups(date(2019, 10, 10), interview)
    assert urge.kind == "ack_missing" and "发出约谈" in urge.explanation


def test_a_unit_that_reported_done_or_a_signed_off_task_gets_none():
    from scheduler.escalation.facts import ProgressReport

    sent = letter(date(2019, 9, 30))
    assert followups(date(2019, 10, 10), sent, tasks=[task(status="signed_off")]) == []
    done = task(reports=(ProgressReport(COUNTY, date(2019, 10, 8), 100, "done"),))
    assert followups(date(2019, 10, 10), sent, tasks=[done]) == []


def test_the_lead_units_letter_is_followed_up_for_the_lead():
    [urge] = followups(date(2019, 10, 10), letter(date(2019, 9, 30), unit=LEAD))
    assert urge.unit == LEAD and "牵头单位长治市能源局" in urge.explanation


def test_the_trigger_is_validated_with_its_line():
    text = """id: t
version: "1"
title: 测试
applies_to: [p]
clause: {source: s, text: t}
rules:
  - id: ack
    level: warning
    trigger: {type: ack_missing, after_workdays: 3}
    clause: c
    label: l
  - id: ack2
    level: urge
    trigger: {type: ack_missing, after_workdays: 0, levels: [reminder]}
    clause: c
    label: l
"""
    with pytest.raises(InputError) as caught:
        parse_ruleset(text, "rules/t.yaml")
    found = sorted((p.line, p.where) for p in caught.value.problems)
    assert found == [(14, "rules.1.trigger.after_workdays"), (14, "rules.1.trigger.levels.0")]
    first = text.replace("after_workdays: 0, levels: [reminder]", "after_workdays: 2")
    with pytest.raises(InputError) as caught:
        parse_ruleset(first, "rules/t.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.where) == (8, "rules.0.level") and "ack_missing 只能产生 urge" in problem.message


# -- letters without task: a metric rule's warning or interview, stored with its plan and county ------------

PLAN = "changzhi-2019"
METRIC_KEY = f"pm25-prorata-warning|{PLAN}|{COUNTY}|2019-08-31"


def metric_letter(sent: date | None, level: str = "warning", ack: date | None = None,
                  number: str = "长环督函〔2019〕3号", plan: str = PLAN) -> PastNotice:
    return PastNotice(key=METRIC_KEY if level == "warning" else METRIC_KEY.replace("pm25-prorata-warning", "aqi"),
                      level=level, rule_id="pm25-prorata-warning", task_id=None, unit=COUNTY,
                      created_on=date(2019, 9, 26), status="sent", sent_on=sent, acknowledged_on=ack,
                      plan_id=plan, number=number)


def test_a_metric_letter_is_followed_up_on_the_third_working_day_to_its_own_unit():
    sent = metric_letter(date(2019, 9, 30))
    assert followups(date(2019, 10, 9), sent) == []
    [urge] = followups(date(2019, 10, 10), sent)
    assert (urge.level, urge.unit, urge.kind, urge.task_id, urge.plan_id) == ("urge", COUNTY, "ack_missing", None, PLAN)
    assert urge.key == f"{RULE}|{PLAN}|{COUNTY}|A{METRIC_KEY}"
    assert "2019年9月30日已向潞州区人民政府发出预警通知函（长环督函〔2019〕3号）" in urge.explanation
    assert "3个工作日仍未签收" in urge.explanation and "函件逾期未签收催办" in urge.explanation
    assert urge.facts["letter_number"] == "长环督函〔2019〕3号" and urge.facts["task"] is None
    assert urge.facts["task_title"] == "预警通知函（长环督函〔2019〕3号）未签收"
    stored = PastNotice(key=urge.key, level="urge", rule_id=RULE, task_id=None, unit=COUNTY,
                        created_on=date(2019, 10, 10), status="queued", plan_id=PLAN)
    assert followups(date(2019, 10, 10), sent, stored) == []  # a repeated sweep: its key is stored
    assert followups(date(2019, 10, 11), sent, stored) == []


def test_a_metric_interview_without_number_is_named_by_its_level():
    [urge] = followups(date(2019, 10, 10), metric_letter(date(2019, 9, 30), level="interview", number=""))
    assert "已向潞州区人民政府发出约谈通知（空气质量指标类" in urge.explanation


@pytest.mark.parametrize("past", [
    metric_letter(date(2019, 9, 30), ack=date(2019, 10, 9)),  # signed for in time
    metric_letter(None),  # no delivery day
    metric_letter(date(2019, 9, 30), plan="jincheng-2020"),  # a plan not swept
])
def test_signed_unsent_and_unswept_metric_letters_get_none(past):
    assert followups(date(2019, 10, 10), past) == []


def test_the_plans_argument_picks_the_followed_up_plans_and_a_day_off_gets_none():
    grouped = {(None, COUNTY): [metric_letter(date(2019, 9, 30), plan="jincheng-2020")]}
    actions = evaluate([task()], RULES, CAL, grouped, date(2019, 10, 10), plans=["jincheng-2020"])
    assert [a.key.split("|")[1] for a in actions if a.rule_id == RULE] == ["jincheng-2020"]
    assert evaluate([], RULES, CAL, grouped, date(2019, 10, 10)) == []  # default: the plans of the tasks
    assert evaluate([], RULES, CAL, grouped, date(2019, 10, 13), plans=["jincheng-2020"]) == []  # Sunday
