"""Rule files take their levels from the ladder: a rung added there (问责 above the interview, as the
plans' "约谈……问责" clauses climb) is a level task and metric rule files accept, evaluation emits
it, and whether it goes to review is the rung's to say. Without the rung the same file is refused
with its line."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler import glossary, ladder
from scheduler.errors import InputError
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, TaskFacts
from scheduler.escalation.metrics.ruleset import parse_metric_rules
from scheduler.escalation.ruleset import load_rulebook, parse_ruleset
from scheduler.ladder import Rung
from scheduler.plans.deadlines import Deadline
from tests.escalation.metrics.builders import RULES_YAML

CAL = WorkCalendar()
LEAD, COUNTY = "市能源局", "潞州区人民政府"
# Due 2019-12-31; 元旦 is off, so 2020-01-02, 03, 06, 07, 08 are the five working days after it.
FIFTH_WORKDAY_LATE = date(2020, 1, 8)

RULES = """\
id: default
version: "1"
title: 问责测试
applies_to: "*"
clause: {source: "001_5d70b785daafd91c.txt:114", text: 约谈政府主要负责人并问责}
rules:
  - id: serious-delay-accountability
    level: accountability
    trigger: {type: serious_delay, after_workdays: 5}
    clause: 001 五（五）“……问责”
    label: 严重滞后问责
"""


def task() -> TaskFacts:
    return TaskFacts(task_id="changzhi-2019/1", plan_id="changzhi-2019", title="洗煤行业整治",
                     deadline=Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),)),
                     assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")))


def with_rung(monkeypatch: pytest.MonkeyPatch, top: Rung) -> None:
    """Put `top` on the ladder above the interview, and every table the ladder derives from its rungs."""
    rungs = (*ladder.LADDER, top)
    monkeypatch.setitem(glossary.TERMS, top.level, "问责")
    monkeypatch.setattr(ladder, "LADDER", rungs)
    monkeypatch.setattr(ladder, "LEVELS", tuple(r.level for r in rungs))
    monkeypatch.setattr(ladder, "_BY_LEVEL", {r.level: r for r in rungs})
    monkeypatch.setattr(ladder, "LETTER_LEVELS", frozenset(r.level for r in rungs if r.is_letter))
    monkeypatch.setattr(ladder, "ACK_LEVELS", frozenset(r.level for r in rungs if r.needs_ack))
    monkeypatch.setattr(ladder, "REVIEW_LEVELS", frozenset(r.level for r in rungs if r.needs_review))
    monkeypatch.setattr(ladder, "ESCALATION_LEVELS", frozenset(r.level for r in rungs[1:]))


def accountability(needs_review: bool = True) -> Rung:
    return Rung("accountability", "问责通知", needs_review=needs_review, is_letter=True, needs_ack=True,
                reply_days=20, template="accountability", verb="启动问责")


@pytest.fixture
def ladder_with_accountability(monkeypatch: pytest.MonkeyPatch) -> Rung:
    top = accountability()
    with_rung(monkeypatch, top)
    return top


@pytest.mark.parametrize("needs_review", [True, False])
def test_a_rung_added_to_the_ladder_is_a_level_rules_use_and_evaluate_emits(tmp_path, monkeypatch, needs_review):
    with_rung(monkeypatch, accountability(needs_review))
    (tmp_path / "default.yaml").write_text(RULES, encoding="utf-8")
    book = load_rulebook(tmp_path)
    assert evaluate([task()], book, CAL, {}, FIFTH_WORKDAY_LATE - date.resolution) == []
    actions = evaluate([task()], book, CAL, {}, FIFTH_WORKDAY_LATE)
    assert sorted((a.unit, a.level, a.kind, a.needs_review) for a in actions) == sorted([
        (COUNTY, "accountability", "serious_delay", needs_review),
        (LEAD, "accountability", "serious_delay", needs_review),
    ])
    assert all(a.explanation.startswith("【问责】依据规则「严重滞后问责」") for a in actions)
    assert all("规定逾期5个工作日启动问责" in a.explanation for a in actions)


def test_without_the_rung_the_same_file_is_refused_at_the_level_line():
    with pytest.raises(InputError) as caught:
        parse_ruleset(RULES, "rules/default.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.where) == (8, "rules.0.level")
    assert "未知的级别 'accountability'；可用：reminder、urge、warning、interview" in problem.message


def test_a_trigger_that_stops_below_the_new_rung_still_refuses_it(ladder_with_accountability):
    overdue = RULES.replace("type: serious_delay, after_workdays: 5", "type: overdue, after_workdays: 5")
    with pytest.raises(InputError) as caught:
        parse_ruleset(overdue, "rules/default.yaml")
    [problem] = caught.value.problems
    assert problem.message == "触发条件 overdue 只能产生 urge、warning 级别，不能是 accountability"


def test_unsigned_letters_of_the_new_rung_are_followed_up_by_default(ladder_with_accountability):
    ack = RULES.replace("level: accountability\n    trigger: {type: serious_delay, after_workdays: 5}",
                        "level: urge\n    trigger: {type: ack_missing, after_workdays: 3}")
    rule = parse_ruleset(ack, "rules/default.yaml").model.rules[0]
    assert rule.trigger.levels == ["warning", "interview", "accountability"]  # type: ignore[union-attr]


def test_metric_rules_accept_the_new_rung_where_their_trigger_reaches_it(ladder_with_accountability):
    text = RULES_YAML.replace("level: interview\n    trigger: {type: target_missed",
                              "level: accountability\n    trigger: {type: target_missed")
    loaded = parse_metric_rules(text, "rules/metrics/test.yaml")
    assert [r.level for r in loaded.model.rules if r.trigger.type == "target_missed"] == ["accountability"]
