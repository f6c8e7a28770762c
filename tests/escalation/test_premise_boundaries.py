"""The premise search at its edges: the day the deadline moved, two premises on one day, the
earliest of several in any order, a rule set whose interview rests on no warning_unresolved rule,
and rungs that rest on nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scheduler.escalation import premise
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.facts import PastNotice
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
UNIT = "潞州区人民政府"
TASK = "changzhi-2019/1"
DEFAULT = RULES.rules_for("changzhi-2019")
AS_OF = date(2019, 12, 20)


def urge(key: str, created: date, sent: date | None = None) -> PastNotice:
    return PastNotice(key, "urge", "overdue-urge", TASK, UNIT, created, "sent", sent_on=sent or created)


def key_of(found: premise.Premise | None) -> str | None:
    return found.notice.key if found else None


def test_a_premise_proposed_on_the_day_the_deadline_moved_counts():
    moved = date(2019, 11, 20)
    assert key_of(premise.find([urge("on", moved)], "warning", DEFAULT, CAL, AS_OF, since=moved)) == "on"
    assert premise.find([urge("before", date(2019, 11, 19))], "warning", DEFAULT, CAL, AS_OF, since=moved) is None


def test_a_premise_about_the_old_date_does_not_hide_one_about_the_new_date():
    notices = [urge("old", date(2019, 11, 1)), urge("new", date(2019, 11, 25))]
    found = premise.find(notices, "warning", DEFAULT, CAL, AS_OF, since=date(2019, 11, 20))
    assert key_of(found) == "new"


def test_the_earliest_premise_is_found_in_whatever_order_the_store_lists_them():
    early, later, earliest = urge("early", date(2019, 11, 5)), urge("later", date(2019, 11, 8)), \
        urge("earliest", date(2019, 11, 1))
    found = premise.find([early, later, earliest], "warning", DEFAULT, CAL, AS_OF)
    assert found is not None
    assert (found.notice.key, found.on, found.workdays) == ("earliest", date(2019, 11, 1), 35)


def test_a_premise_counts_from_its_send_day_and_the_first_of_two_the_same_day_is_named():
    proposed_earlier = urge("first", date(2019, 11, 28), sent=date(2019, 12, 2))
    same_day = urge("second", date(2019, 11, 29), sent=date(2019, 12, 2))
    found = premise.find([proposed_earlier, same_day], "warning", DEFAULT, CAL, AS_OF)
    assert found is not None and (found.notice.key, found.on, found.workdays) == ("first", date(2019, 12, 2), 14)


def test_without_a_warning_unresolved_rule_an_interview_waits_the_warnings_reply_period():
    text = """
id: steps
version: "1"
title: 逐级
applies_to: "*"
clause: [{source: x.txt, text: 试验}]
rules:
  - {id: u, level: urge, trigger: {type: overdue, after_workdays: 1}, clause: 试验, label: 催办}
  - {id: w, level: warning, trigger: {type: overdue, after_workdays: 10}, clause: 试验, label: 预警}
  - {id: i, level: interview, trigger: {type: serious_delay, after_workdays: 30}, clause: 试验, label: 约谈}
"""
    steps = RuleBook([parse_ruleset(text, "steps.yaml")]).rules_for("any")
    assert premise.interval(steps) == 10  # scheduler.ladder: a warning's reply period
    assert premise.wait("interview", steps) == 10


def test_a_rung_that_rests_on_nothing_waits_for_nothing():
    assert premise.wait("reminder", DEFAULT) == 0
    assert premise.wait("urge", DEFAULT) == 0
    assert premise.find([urge("u", date(2019, 11, 1))], "urge", DEFAULT, CAL, AS_OF) is None
