"""The ack_missing trigger: a delivered letter nobody signed for (签收) is followed up.

A letter (a rung that goes out as a letter) sent on its send day and not acknowledged
`after_workdays` working days later gets one urge per letter, keyed `rule|task|unit|A<letter key>`,
to the unit it was addressed to. It is about the letter itself, so an open interview case does not
fold it. A letter without task (a metric rule's warning or interview, stored with its plan) is
followed up the same way by its plan's ack_missing rules, under `rule|plan|unit|A<letter key>`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from scheduler import ladder
from scheduler.escalation.actions import occurrence_key, zh_date
from scheduler.escalation.facts import PastNotice, TaskFacts
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules, RuleBook
from scheduler.escalation.run import TaskRun
from scheduler.escalation.triggers import AckMissing
from scheduler.glossary import term


def _letter_name(letter: PastNotice) -> str:
    """Name a letter as its recipient knows it (预警通知函, 约谈通知), with its number once it has one."""
    name = ladder.rung(letter.level).letter_title
    return f"{name}（{letter.number}）" if letter.number else name


def _unsigned(letter: PastNotice, levels: Iterable[str]) -> bool:
    """Return whether a stored notice is a delivered letter of `levels` nobody has signed for."""
    return (letter.level in levels and letter.status == "sent" and letter.sent_on is not None
            and letter.acknowledged_on is None)


def _ack_facts(letter: PastNotice, waited: int, need: int) -> dict[str, Any]:
    return {
        "letter_key": letter.key,
        "letter_level": letter.level,
        "letter_number": letter.number or None,
        "sent_on": letter.sent_on.isoformat() if letter.sent_on else None,
        "workdays_waited": waited,
        "threshold_workdays": need,
    }


def ack_missing(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, AckMissing)
    need, levels = trigger.after_workdays, trigger.levels
    if not ev.has_history(task.task_id):
        return
    for unit, role in task.recipients(rule.roles):
        for letter in ev.history.get((task.task_id, unit), ()):
            if letter.sent_on is None or not _unsigned(letter, levels):
                continue
            waited = ev.cal.workdays_between(letter.sent_on, ev.as_of)
            if waited < need:
                continue
            number = f"，{letter.number}" if letter.number else ""
            why = (
                f"{zh_date(letter.sent_on)}已向{term(role)}{unit}发出{term(letter.level)}"
                f"（任务「{task.title}」{number}），{waited}个工作日仍未签收（规定{need}个工作日内签收），"
                f"请即签收并按函件要求办理"
            )
            ev.emit(task, rule, eff, unit, role, None, "ack_missing",
                    occurrence_key(rule.id, task.task_id, unit, f"A{letter.key}"), why,
                    _ack_facts(letter, waited, need))


def letters_without_task(ev: TaskRun, rulesets: RuleBook, plans: Collection[str]) -> None:
    """Follow up the unsigned letters that have no task (the metric rules' warnings and interviews).

    Such a letter is stored with its plan and the unit it was addressed to (a county government);
    its plan's ack_missing rules apply to that unit, whatever roles they name for task letters. The key
    `rule|plan|unit|A<letter key>` mirrors the task letters' `rule|task|unit|A<letter key>`."""
    for (task_id, unit), notices in ev.history.items():
        if task_id is not None:
            continue
        for letter in notices:
            if letter.plan_id not in plans or letter.sent_on is None or not _unsigned(letter, ladder.LETTER_LEVELS):
                continue
            eff = rulesets.rules_for(letter.plan_id)
            for rule in eff.rules:
                trigger = rule.rule.trigger
                if not isinstance(trigger, AckMissing) or not (ev.workday or rule.send_on_non_workdays):
                    continue
                need = trigger.after_workdays
                if letter.level not in trigger.levels:
                    continue
                waited = ev.cal.workdays_between(letter.sent_on, ev.as_of)
                if waited < need:
                    continue
                name = _letter_name(letter)
                why = (
                    f"{zh_date(letter.sent_on)}已向{unit}发出{name}（空气质量指标类，不对应具体任务），"
                    f"{waited}个工作日仍未签收（规定{need}个工作日内签收），请即签收并按函件要求办理"
                )
                facts = _ack_facts(letter, waited, need)
                facts["task_title"] = f"{name}未签收"  # digests list a notice without task by this title
                ev.record(letter.plan_id, None, rule, eff, unit, None, None, "ack_missing",
                          occurrence_key(rule.id, letter.plan_id, unit, f"A{letter.key}"), why, facts)
