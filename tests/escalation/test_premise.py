"""The ladder's premises, table-tested on the shipped rules and the 2019-20 calendar (国庆, 元旦)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.escalation import premise
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, TaskFacts
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset
from scheduler.plans.deadlines import Deadline

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rulebook(ROOT / "rules")
CAL = WorkCalendar()
UNIT = "潞州区人民政府"
TASK = "changzhi-2019/1"
DEFAULT = RULES.rules_for("changzhi-2019")


def urge(created: date, status: str = "sent", sent: date | None = None) -> PastNotice:
    return PastNotice(f"overdue-urge|{TASK}|{UNIT}|x{created}", "urge", "overdue-urge", TASK, UNIT, created, status,
                      sent_on=sent)


def warning(created: date, status: str = "approved") -> PastNotice:
    return PastNotice(f"overdue-warning|{TASK}|{UNIT}|x{created}", "warning", "overdue-warning", TASK, UNIT, created,
                      status, number="长大气办函〔2019〕2号")


def task(**changes) -> TaskFacts:
    fields = dict(task_id=TASK, plan_id="changzhi-2019", title="洗煤行业整治",
                  deadline=Deadline("10月底前", "due", due=(date(2019, 10, 31),)),
                  assignments=(Assignment(UNIT, "responsible"),))
    fields.update(changes)
    return TaskFacts(**fields)


@pytest.mark.parametrize("level, lower", [
    ("reminder", None), ("urge", None), ("warning", "urge"), ("interview", "warning"),
])
def test_only_the_letters_rest_on_the_rung_below(level, lower):
    assert premise.below(level) == lower


def test_the_interval_between_warning_and_interview_is_the_rule_sets():
    assert premise.interval(DEFAULT) == 15
    assert premise.wait("warning", DEFAULT) == 5  # the urge's reply period (scheduler.ladder)
    assert premise.wait("interview", DEFAULT) == 15


@pytest.mark.parametrize("status, counts", [
    ("queued", True), ("sent", True), ("folded", True), ("cancelled", False),
])
def test_an_urge_counts_once_it_left_the_house(status, counts):
    found = premise.find([urge(date(2019, 11, 1), status)], "warning", DEFAULT, CAL, date(2019, 11, 15))
    assert (found is not None) == counts


@pytest.mark.parametrize("status, counts", [
    ("approved", True), ("sent", True), ("pending_review", False), ("held", False), ("rejected", False),
])
def test_only_a_warning_of_record_leads_to_an_interview(status, counts):
    found = premise.find([warning(date(2019, 11, 1), status)], "interview", DEFAULT, CAL, date(2019, 12, 20))
    assert (found is not None) == counts


def test_the_urge_must_have_stood_its_reply_period_across_national_day():
    # urge sent 2019-09-27 (Fri); 国庆 10-01..07 off, Saturday 10-12 worked: 5 working days after
    # it are 09-29 (Sunday, worked), 09-30, 10-08, 10-09, 10-10.
    notices = [urge(date(2019, 9, 27))]
    assert premise.find(notices, "warning", DEFAULT, CAL, date(2019, 10, 9)) is None
    found = premise.find(notices, "warning", DEFAULT, CAL, date(2019, 10, 10))
    assert found is not None and found.workdays == 5


def test_a_premise_proposed_on_the_same_day_does_not_count():
    assert premise.find([urge(date(2019, 11, 15))], "warning", DEFAULT, CAL, date(2019, 11, 15)) is None


def test_a_premise_from_before_the_deadline_moved_does_not_count():
    notices = [urge(date(2019, 11, 1))]
    assert premise.find(notices, "warning", DEFAULT, CAL, date(2019, 12, 20), since=date(2019, 11, 20)) is None


def test_a_late_start_gets_the_urge_only_then_the_warning_on_its_record():
    late = task()
    as_of = date(2019, 12, 20)  # 35 working days after 10-31
    assert {a.level for a in evaluate([late], RULES, CAL, {}, as_of)} == {"urge"}
    urged = PastNotice(f"overdue-urge|{TASK}|{UNIT}|2019-10-31", "urge", "overdue-urge", TASK, UNIT,
                       date(2019, 12, 13), "sent")
    history = {(TASK, UNIT): [urged]}
    assert {a.level for a in evaluate([late], RULES, CAL, history, as_of)} == {"warning"}


def test_a_rule_set_without_the_lower_rung_needs_no_premise():
    text = """
id: bare
version: "1"
title: 只有预警
applies_to: "*"
clause: [{source: x.txt, text: 试验}]
rules:
  - {id: w, level: warning, trigger: {type: overdue, after_workdays: 10}, clause: 试验, label: 预警}
"""
    book = RuleBook([parse_ruleset(text, "bare.yaml")])
    assert not premise.needed("warning", book.rules_for("any"))
    assert {a.level for a in evaluate([task()], book, CAL, {}, date(2019, 11, 15))} == {"warning"}
