"""Follow-up of unsigned letters that have no task (the metric rules' warnings and interviews): the
plan's own ack_missing rules apply, other notices listed first hide nothing, and a rule for other
letter levels or a longer wait does not stop the next rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import PastNotice
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
COUNTY = "潞州区人民政府"
PLAN = "changzhi-2019"


def letter(key: str = "MW1", level: str = "warning", plan: str = PLAN) -> PastNotice:
    return PastNotice(key=key, level=level, rule_id="metric-warning", task_id=None, unit=COUNTY,
                      created_on=date(2019, 12, 3), status="sent", sent_on=date(2019, 12, 3), plan_id=plan)


def followed(actions) -> list[tuple[str, str, int, int]]:
    return [(a.rule_id, a.facts["letter_key"], a.facts["workdays_waited"], a.facts["threshold_workdays"])
            for a in actions if a.kind == "ack_missing"]


def test_an_unsigned_metric_letter_is_urged_under_the_plans_rules_with_its_figures():
    actions = evaluate([], RULES, CAL, {(None, COUNTY): [letter()]}, date(2019, 12, 6), plans=[PLAN])
    assert followed(actions) == [("letter-unacknowledged-urge", "MW1", 3, 3)]
    assert actions[0].facts["task_title"] == "预警通知函未签收"


def test_other_notices_listed_first_do_not_hide_the_unsigned_letter():
    urge = PastNotice(key="MU1", level="urge", rule_id="metric-urge", task_id=None, unit=COUNTY,
                      created_on=date(2019, 12, 2), status="sent", sent_on=date(2019, 12, 2), plan_id=PLAN)
    actions = evaluate([], RULES, CAL, {(None, COUNTY): [urge, letter()]}, date(2019, 12, 6), plans=[PLAN])
    assert [key for _rule, key, _w, _t in followed(actions)] == ["MW1"]


def test_the_letters_own_plan_picks_the_rules_and_a_rule_that_does_not_apply_does_not_stop_the_next():
    base = ("id: {id}\nversion: 1\ntitle: 测试\napplies_to: {applies}\nclause: {{source: s, text: t}}\n"
            "rules:{rules}\n")
    own = ("\n  - {id: reminder, level: reminder, trigger: {type: before_due, offsets: [{days: 7}]}, clause: c,"
           " label: 提醒}"
           "\n  - {id: interviews, level: urge, trigger: {type: ack_missing, after_workdays: 1, levels: [interview]},"
           " clause: c, label: 约谈未签收}"
           "\n  - {id: slow, level: urge, trigger: {type: ack_missing, after_workdays: 5, levels: [warning]},"
           " clause: c, label: 预警久未签收}"
           "\n  - {id: warnings, level: urge, trigger: {type: ack_missing, after_workdays: 2, levels: [warning]},"
           " clause: c, label: 预警未签收}")
    book = RuleBook([parse_ruleset(base.format(id="default", applies='"*"', rules=" []"), "d.yaml"),
                     parse_ruleset(base.format(id="p1", applies="[p1]", rules=own), "p1.yaml")])
    actions = evaluate([], book, CAL, {(None, COUNTY): [letter(plan="p1")]}, date(2019, 12, 6), plans=["p1"])
    # on 12-06 the warning has waited 3 working days: too few for `slow` (5), enough for `warnings` (2)
    assert followed(actions) == [("warnings", "MW1", 3, 2)]
