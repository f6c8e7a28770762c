"""The notice object of the sweep contract (docs/design.md): its keys are what outside checks read."""

from __future__ import annotations

from datetime import date

from scheduler.escalation.facts import Action, Assignment, TaskFacts
from scheduler.plans.deadlines import Deadline


def action(**changes) -> Action:
    fields = dict(key="overdue-warning|p/t1|潞州区人民政府|2019-10-31", level="warning", rule_id="overdue-warning",
                  ruleset_id="p", ruleset_version="1", plan_id="p", task_id="p/t1", unit="潞州区人民政府",
                  due=date(2019, 10, 31), kind="overdue", needs_review=True, clause="第五条",
                  explanation="逾期10个工作日", facts={"workdays_overdue": 10})
    fields.update(changes)
    return Action(**fields)


def test_an_action_gives_the_contracts_notice_object_exactly():
    assert action().to_json() == {
        "key": "overdue-warning|p/t1|潞州区人民政府|2019-10-31",
        "level": "warning",
        "task": "p/t1",
        "unit": "潞州区人民政府",
        "due": "2019-10-31",
        "rule": "overdue-warning",
        "plan": "p",
        "kind": "overdue",
        "needs_review": True,
        "explanation": "逾期10个工作日",
        "facts": {"workdays_overdue": 10},
    }


def test_a_metric_notice_has_no_task_and_no_due_date_in_the_contract():
    found = action(task_id=None, due=None).to_json()
    assert found["task"] == "" and found["due"] is None


def test_a_tasks_units_by_role_keep_their_order_without_repeats():
    facts = TaskFacts(task_id="t", plan_id="p", title="t", deadline=Deadline("", "due", due=(date(2019, 12, 31),)),
                      assignments=(Assignment("市能源局", "lead"), Assignment("潞州区人民政府", "responsible"),
                                   Assignment("市能源局", "responsible"), Assignment("市住建局", "cooperating"),
                                   Assignment("上党区人民政府", "responsible")))
    assert facts.units("lead") == ("市能源局",)
    assert facts.units("responsible") == ("潞州区人民政府", "市能源局", "上党区人民政府")
    assert facts.units("lead", "responsible") == ("市能源局", "潞州区人民政府", "上党区人民政府")
    assert facts.units("cooperating") == ("市住建局",)
    assert facts.units() == ()
