"""The state triggers through `evaluate`: the whole notice of progress_missing, warning_unresolved and
ack_missing, and which stored notice each one rests on when there are several — the latest request
made, the earliest warning left standing, every unsigned letter — with the notices that do not count
placed first, so a search that stopped at them would be caught.

Days from the 2019 calendar: 2019-12-02 is a Monday; five working days after it is 12-09; fifteen
working days after Tuesday 12-03 is 12-24, twenty is 12-31.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, ProgressReport, TaskFacts
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset
from scheduler.plans.deadlines import Deadline, Milestone

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
LEAD = "市能源局"
COUNTY = "潞州区人民政府"
TASK = "changzhi-2019/1"
ONGOING = Deadline("长期坚持", "ongoing")
LATE = Deadline("2019年11月底前", "due", due=(date(2019, 11, 29),))


def task(deadline: Deadline = LATE, **changes) -> TaskFacts:
    fields = dict(
        task_id=TASK,
        plan_id="changzhi-2019",
        title="洗煤行业整治",
        deadline=deadline,
        assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")),
        plan_period_start=date(2019, 10, 1),
        plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def history(*notices: PastNotice) -> dict:
    found: dict = {}
    for n in notices:
        found.setdefault((n.task_id, n.unit), []).append(n)
    return found


def whole(action) -> dict:
    found = asdict(action)
    found.pop("rule_snapshot")
    return found


def of_kind(actions, kind: str) -> list:
    return [a for a in actions if a.kind == kind]


# -- progress_missing ---------------------------------------------------------------------------------


def request(key: str, created: date, sent: date | None, unit: str = COUNTY, status: str = "sent") -> PastNotice:
    return PastNotice(key=key, level="reminder", rule_id="progress-monthly", task_id=TASK, unit=unit,
                      created_on=created, status=status, sent_on=sent)


def test_an_unanswered_request_is_urged_with_the_whole_notice():
    asked = request("req-dec", date(2019, 11, 29), date(2019, 12, 2))  # proposed on Friday, delivered Monday
    [urge] = evaluate([task(ONGOING)], RULES, CAL, history(asked), date(2019, 12, 9))
    assert whole(urge) == {
        "key": f"progress-missing|{TASK}|{COUNTY}|R2019-12-02", "level": "urge", "rule_id": "progress-missing",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": COUNTY,
        "due": None, "kind": "progress_missing", "needs_review": False, "clause": "督办通用做法：未按时报送进展即催办",
        "explanation": "【催办】依据规则「进展未报催办」（default/progress-missing 第2版，"
                       "督办通用做法：未按时报送进展即催办）："
                       "2019年12月2日已请责任单位潞州区人民政府报送任务「洗煤行业整治」进展，"
                       "5个工作日未收到报送（规定5个工作日内报送）。",
        "facts": {"requested_on": "2019-12-02", "request_key": "req-dec", "workdays_waited": 5, "task": TASK,
                  "plan": "changzhi-2019", "unit": COUNTY, "role": "responsible", "due": None, "as_of": "2019-12-09"},
    }
    assert evaluate([task(ONGOING)], RULES, CAL, history(asked), date(2019, 12, 6)) == []  # 4 working days


@pytest.mark.parametrize("order", ["sent-late-first", "sent-late-last"])
def test_the_request_delivered_last_counts_whatever_day_it_was_proposed(order):
    # proposed first but delivered last vs. proposed later and delivered at once
    delivered_late = request("late", date(2019, 11, 27), date(2019, 12, 2))
    delivered_at_once = request("at-once", date(2019, 11, 28), date(2019, 11, 28))
    notices = (delivered_late, delivered_at_once) if order == "sent-late-first" else (delivered_at_once, delivered_late)
    [urge] = evaluate([task(ONGOING)], RULES, CAL, history(*notices), date(2019, 12, 9))
    assert (urge.facts["request_key"], urge.facts["requested_on"]) == ("late", "2019-12-02")


def test_of_two_requests_delivered_the_same_day_the_first_recorded_is_named():
    first, second = request("first", date(2019, 12, 2), date(2019, 12, 2)), request("second", date(2019, 12, 2),
                                                                                     date(2019, 12, 2))
    [urge] = evaluate([task(ONGOING)], RULES, CAL, history(first, second), date(2019, 12, 9))
    assert urge.facts["request_key"] == "first"


def test_a_unit_not_yet_due_or_already_answered_does_not_stop_the_next_unit_being_urged():
    lead_asked_later = request("lead", date(2019, 12, 3), date(2019, 12, 3), unit=LEAD)
    county_asked = request("county", date(2019, 12, 2), date(2019, 12, 2))
    actions = evaluate([task(ONGOING)], RULES, CAL, history(lead_asked_later, county_asked), date(2019, 12, 9))
    assert [a.unit for a in actions] == [COUNTY]
    lead_answered = task(ONGOING, reports=(ProgressReport(LEAD, date(2019, 12, 4), 50),))
    lead_asked = request("lead", date(2019, 12, 2), date(2019, 12, 2), unit=LEAD)
    actions = evaluate([lead_answered], RULES, CAL, history(lead_asked, county_asked), date(2019, 12, 9))
    assert [a.unit for a in actions] == [COUNTY]
    unasked_lead = evaluate([task(ONGOING)], RULES, CAL, history(county_asked), date(2019, 12, 9))
    assert [a.unit for a in unasked_lead] == [COUNTY]


# -- warning_unresolved -------------------------------------------------------------------------------


def warning(key: str, sent: date, *, created: date | None = None, acked: date | None = None,
            status: str = "sent", number: str = "") -> PastNotice:
    return PastNotice(key=key, level="warning", rule_id="overdue-warning", task_id=TASK, unit=COUNTY,
                      created_on=created or sent, status=status, sent_on=sent, acknowledged_on=acked, number=number)


def interviews(actions) -> list[tuple[str, str]]:
    return [(a.unit, a.facts["warning_key"]) for a in of_kind(actions, "warning_unresolved")]


def test_an_unsigned_warning_left_fifteen_working_days_proposes_an_interview_with_the_whole_notice():
    sent = warning("W1", date(2019, 12, 3), created=date(2019, 12, 2), number="长督〔2019〕5号")
    [interview] = of_kind(evaluate([task()], RULES, CAL, history(sent), date(2019, 12, 24)), "warning_unresolved")
    assert whole(interview) == {
        "key": f"warning-unresolved-interview|{TASK}|{COUNTY}|WW1", "level": "interview",
        "rule_id": "warning-unresolved-interview", "ruleset_id": "default", "ruleset_version": "2",
        "plan_id": "changzhi-2019", "task_id": TASK, "unit": COUNTY, "due": None, "kind": "warning_unresolved",
        "needs_review": True, "clause": "督办通用做法：预警通知函下发十五个工作日后仍未完成的，约谈主要负责同志",
        "explanation": "【约谈】依据规则「预警后仍未完成拟约谈」（default/warning-unresolved-interview 第2版，"
                       "督办通用做法：预警通知函下发十五个工作日后仍未完成的，约谈主要负责同志）："
                       "2019年12月3日已向潞州区人民政府发出预警通知函，未签收，至今15个工作日任务「洗煤行业整治」"
                       "仍未完成（规定15个工作日），拟约谈主要负责人；此前已于2019年12月3日下发预警通知函（长督〔2019〕5号），"
                       "已过15个工作日。",
        "facts": {"warning_key": "W1", "warning_rule": "overdue-warning", "warning_on": "2019-12-03",
                  "acknowledged_on": None, "workdays_since_warning": 15, "threshold_workdays": 15,
                  "premise_key": "W1", "premise_level": "warning", "premise_on": "2019-12-03", "premise_workdays": 15,
                  "task": TASK, "plan": "changzhi-2019", "unit": COUNTY, "role": "responsible", "due": None,
                  "as_of": "2019-12-24"},
    }
    assert interviews(evaluate([task()], RULES, CAL, history(sent), date(2019, 12, 23))) == []


def test_a_signed_warning_gets_five_more_working_days_and_says_when_it_was_signed():
    signed = warning("W1", date(2019, 12, 3), acked=date(2019, 12, 5))
    assert interviews(evaluate([task()], RULES, CAL, history(signed), date(2019, 12, 30))) == []
    [interview] = of_kind(evaluate([task()], RULES, CAL, history(signed), date(2019, 12, 31)), "warning_unresolved")
    assert "，已于2019年12月5日签收（签收后另给5个工作日），至今20个工作日" in interview.explanation
    assert "（规定20个工作日）" in interview.explanation
    assert (interview.facts["acknowledged_on"], interview.facts["threshold_workdays"]) == ("2019-12-05", 20)


def test_notices_that_are_no_standing_warning_do_not_hide_the_one_that_is():
    urge = PastNotice(key="U1", level="urge", rule_id="overdue-urge", task_id=TASK, unit=COUNTY,
                      created_on=date(2019, 12, 2), status="sent", sent_on=date(2019, 12, 2))
    held = warning("held", date(2019, 12, 2), status="held")
    sent = warning("W1", date(2019, 12, 3))
    assert interviews(evaluate([task()], RULES, CAL, history(urge, held, sent), date(2019, 12, 24))) == \
        [(COUNTY, "W1")]


def test_a_warning_about_the_old_date_does_not_hide_one_about_the_new_date():
    old = warning("old", date(2019, 11, 20))
    new = warning("new", date(2019, 12, 3))
    moved = task(deadline_changed_on=date(2019, 12, 1))
    assert interviews(evaluate([moved], RULES, CAL, history(old, new), date(2019, 12, 24))) == [(COUNTY, "new")]
    assert interviews(evaluate([moved], RULES, CAL, history(old), date(2019, 12, 24))) == []


def test_the_earliest_of_several_standing_warnings_is_the_one_followed_up():
    sent_second, sent_first = warning("sent-second", date(2019, 12, 3)), warning("sent-first", date(2019, 12, 2))
    assert interviews(evaluate([task()], RULES, CAL, history(sent_second, sent_first), date(2019, 12, 24))) == \
        [(COUNTY, "sent-first")]
    first, second = warning("first", date(2019, 12, 3)), warning("second", date(2019, 12, 3))
    assert interviews(evaluate([task()], RULES, CAL, history(first, second), date(2019, 12, 24))) == \
        [(COUNTY, "first")]


# -- ack_missing --------------------------------------------------------------------------------------


def test_an_unsigned_warning_is_urged_after_three_working_days_with_the_whole_notice():
    sent = warning("W1", date(2019, 12, 3), number="长督〔2019〕5号")
    [urge] = of_kind(evaluate([task()], RULES, CAL, history(sent), date(2019, 12, 6)), "ack_missing")
    assert whole(urge) == {
        "key": f"letter-unacknowledged-urge|{TASK}|{COUNTY}|AW1", "level": "urge",
        "rule_id": "letter-unacknowledged-urge", "ruleset_id": "default", "ruleset_version": "2",
        "plan_id": "changzhi-2019", "task_id": TASK, "unit": COUNTY, "due": None, "kind": "ack_missing",
        "needs_review": False, "clause": "督办通用做法：责任单位须签收函件；函件发出3个工作日仍未签收即催办",
        "explanation": "【催办】依据规则「函件逾期未签收催办」（default/letter-unacknowledged-urge 第2版，"
                       "督办通用做法：责任单位须签收函件；函件发出3个工作日仍未签收即催办）："
                       "2019年12月3日已向责任单位潞州区人民政府发出预警通知函（任务「洗煤行业整治」，长督〔2019〕5号），"
                       "3个工作日仍未签收（规定3个工作日内签收），请即签收并按函件要求办理。",
        "facts": {"letter_key": "W1", "letter_level": "warning", "letter_number": "长督〔2019〕5号",
                  "sent_on": "2019-12-03", "workdays_waited": 3, "threshold_workdays": 3, "task": TASK,
                  "plan": "changzhi-2019", "unit": COUNTY, "role": "responsible", "due": None, "as_of": "2019-12-06"},
    }
    assert of_kind(evaluate([task()], RULES, CAL, history(sent), date(2019, 12, 5)), "ack_missing") == []


def test_a_letter_without_a_number_yet_is_named_by_its_task_alone():
    [urge] = of_kind(evaluate([task()], RULES, CAL, history(warning("W1", date(2019, 12, 3))), date(2019, 12, 6)),
                     "ack_missing")
    assert "发出预警通知函（任务「洗煤行业整治」），3个工作日仍未签收" in urge.explanation
    assert urge.facts["letter_number"] is None


def test_a_signed_or_recent_letter_does_not_hide_an_older_unsigned_one():
    signed = warning("signed", date(2019, 12, 2), acked=date(2019, 12, 3))
    recent = warning("recent", date(2019, 12, 5))
    old = warning("old", date(2019, 12, 3))
    actions = of_kind(evaluate([task()], RULES, CAL, history(signed, recent, old), date(2019, 12, 6)), "ack_missing")
    assert [a.facts["letter_key"] for a in actions] == ["old"]


# -- overdue and serious_delay ------------------------------------------------------------------------


def overdue_rule(trigger: str) -> RuleBook:
    text = ("id: one\nversion: 1\ntitle: 测试\napplies_to: \"*\"\nclause: {source: s, text: t}\nrules:\n"
            f"  - id: o\n    level: urge\n    trigger: {trigger}\n    to: [lead, responsible]\n"
            "    clause: c\n    label: 逾期\n")
    return RuleBook([parse_ruleset(text, "one.yaml")])


def test_an_overdue_urge_is_the_whole_notice():
    [lead, county] = evaluate([task()], RULES, CAL, {}, date(2019, 12, 2))
    assert whole(county) == {
        "key": f"overdue-urge|{TASK}|{COUNTY}|2019-11-29", "level": "urge", "rule_id": "overdue-urge",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": COUNTY,
        "due": date(2019, 11, 29), "kind": "overdue", "needs_review": False, "clause": "督办通用做法：逾期即催办",
        "explanation": "【催办】依据规则「逾期催办」（default/overdue-urge 第2版，督办通用做法：逾期即催办）："
                       "任务「洗煤行业整治」的完成时限2019年11月29日已过1个工作日仍未完成（规定逾期1个工作日催办），"
                       "责任单位：潞州区人民政府。",
        "facts": {"workdays_overdue": 1, "threshold_workdays": 1, "milestone": None, "task": TASK,
                  "plan": "changzhi-2019", "unit": COUNTY, "role": "responsible", "due": "2019-11-29",
                  "as_of": "2019-12-02"},
    }
    assert lead.unit == LEAD and lead.explanation.endswith("牵头单位：市能源局。")


def test_a_passed_milestone_counts_only_under_a_rule_that_includes_milestones():
    half = Milestone(due=date(2019, 11, 29), text="11月底前完成一半", phrase="完成一半")
    later = task(Deadline("2020年3月底前", "due", due=(date(2020, 3, 31),)), milestones=(half,))
    with_milestones = overdue_rule("{type: overdue, after_workdays: 1, include_milestones: true}")
    [lead, _county] = evaluate([later], with_milestones, CAL, {}, date(2019, 12, 2))
    assert lead.facts["milestone"] == "完成一半" and lead.due == date(2019, 11, 29)
    assert "任务「洗煤行业整治」的节点「完成一半」2019年11月29日已过1个工作日仍未完成" in lead.explanation
    assert evaluate([later], overdue_rule("{type: overdue, after_workdays: 1}"), CAL, {}, date(2019, 12, 2)) == []


def test_a_date_not_yet_late_enough_does_not_hide_an_older_one():
    old = Milestone(due=date(2019, 11, 29), text="11月底前", phrase="第一阶段")
    recent = task(Deadline("12月20日前", "due", due=(date(2019, 12, 20),)), milestones=(old,))
    rule = overdue_rule("{type: overdue, after_workdays: 3, include_milestones: true}")
    assert [a.facts["milestone"] for a in evaluate([recent], rule, CAL, {}, date(2019, 12, 24))] == ["第一阶段"] * 2


def test_with_no_grace_a_date_is_overdue_the_next_working_day_not_on_the_day():
    rule = overdue_rule("{type: overdue, after_workdays: 0}")
    assert evaluate([task()], rule, CAL, {}, date(2019, 11, 29)) == []
    assert [a.facts["workdays_overdue"] for a in evaluate([task()], rule, CAL, {}, date(2019, 12, 2))] == [1, 1]


def test_a_unit_already_urged_does_not_stop_the_next_unit_being_urged():
    urged = PastNotice(key=f"overdue-urge|{TASK}|{LEAD}|2019-11-29", level="urge", rule_id="overdue-urge",
                       task_id=TASK, unit=LEAD, created_on=date(2019, 12, 2), status="sent", sent_on=date(2019, 12, 2))
    assert [a.unit for a in evaluate([task()], RULES, CAL, history(urged), date(2019, 12, 2))] == [COUNTY]


def lead_interview() -> PastNotice:
    return PastNotice(key="lead-interview", level="interview", rule_id="serious-delay-interview", task_id=TASK,
                      unit=LEAD, created_on=date(2019, 12, 2), status="pending_review")


def test_a_unit_with_an_open_interview_does_not_stop_the_next_units_serious_delay_interview():
    # 30 working days after 10-31 is 12-12; the county's signed warning of 11-15 has stood 19 working days.
    signed = warning("W1", date(2019, 11, 15), acked=date(2019, 11, 15))
    late = task(Deadline("10月底前", "due", due=(date(2019, 10, 31),)))
    actions = evaluate([late], RULES, CAL, history(lead_interview(), signed), date(2019, 12, 12))
    assert [(a.unit, a.kind) for a in actions if a.level == "interview"] == [(COUNTY, "serious_delay")]


def test_a_unit_with_an_open_interview_does_not_stop_the_next_units_warning_follow_up():
    sent = warning("W1", date(2019, 12, 3))
    actions = evaluate([task()], RULES, CAL, history(lead_interview(), sent), date(2019, 12, 24))
    assert interviews(actions) == [(COUNTY, "W1")]


def test_a_warning_issued_on_the_day_the_deadline_moved_is_about_the_new_date():
    sent = warning("W1", date(2019, 12, 3))
    moved = task(deadline_changed_on=date(2019, 12, 3))
    assert interviews(evaluate([moved], RULES, CAL, history(sent), date(2019, 12, 24))) == [(COUNTY, "W1")]
