"""Actions as both rule engines propose them: occurrence keys, the explanation's wording, and the one
place an Action is built — whether it needs review is the ladder's to say, the rule's snapshot and
clause go with it, and the inhibitor folds what an interview case absorbs.

Occurrence keys name the event, never the day it was noticed (`rule|task-or-plan|unit|...`, hashed
when long): the same event gives the same key on every sweep, so the store's insert-or-nothing makes
sweeps idempotent, and an occurrence already in the history is not proposed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from scheduler import ladder
from scheduler.escalation.facts import Action, PastNotice
from scheduler.escalation.inhibit import FOLD_NOTE, FOLDED, Inhibitor
from scheduler.glossary import term

KEY_LIMIT = 160

History = Mapping[tuple[str | None, str], Sequence[PastNotice]]  # (task id or None, unit) -> notices


def occurrence_key(*parts: str) -> str:
    """Join the parts of an event into its key; hash the tail when the key would be long."""
    key = "|".join(parts)
    if len(key) > KEY_LIMIT:
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]
        key = f"{parts[0]}|{parts[1][:80]}|{digest}"
    return key


def zh_date(day: date) -> str:
    """Return a date as 2019年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def rule_explanation(level: str, label: str, ruleset: str, rule: str, version: str, clause: str, finding: str) -> str:
    """Word why a notice exists the same way for task and metric rules: level, rule, clause, finding."""
    return f"【{term(level)}】依据规则「{label}」（{ruleset}/{rule} 第{version}版，{clause}）：{finding}。"


class RuleCard(Protocol):
    """What an Action records of the rule that proposed it, task rule or metric rule."""

    @property
    def id(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def clause(self) -> str: ...

    @property
    def ruleset_id(self) -> str: ...

    @property
    def ruleset_version(self) -> str: ...

    @property
    def snapshot(self) -> dict[str, Any]: ...

    @property
    def folds(self) -> bool: ...


class Proposals:
    """What one evaluation day proposes, in order; each engine's run adds its own questions."""

    def __init__(self, history: History, as_of: date) -> None:
        self.history = history
        self.as_of = as_of
        self.out: list[Action] = []
        self.inhibitor = Inhibitor(history, as_of)

    def known(self, task_id: str | None, unit: str, key: str) -> bool:
        """Return whether the store already holds this occurrence."""
        for notice in self.history.get((task_id, unit), ()):
            if notice.key == key:
                return True
        return False

    def propose(self, rule: RuleCard, *, key: str, plan_id: str, task_id: str | None, unit: str, due: date | None,
                kind: str, finding: str, facts: dict[str, Any], inhibit_days: int) -> Action:
        """Append the Action of an occurrence the store does not hold yet; fold it when the inhibitor says so."""
        if rule.folds and self.inhibitor.mutes(rule.level, unit, inhibit_days):
            kind += FOLDED
            finding += FOLD_NOTE
        action = Action(
            key=key,
            level=rule.level,
            rule_id=rule.id,
            ruleset_id=rule.ruleset_id,
            ruleset_version=rule.ruleset_version,
            plan_id=plan_id,
            task_id=task_id,
            unit=unit,
            due=due,
            kind=kind,
            needs_review=ladder.rung(rule.level).needs_review,
            clause=rule.clause,
            explanation=rule_explanation(rule.level, rule.label, rule.ruleset_id, rule.id, rule.ruleset_version,
                                         rule.clause, finding),
            facts=facts,
            rule_snapshot=rule.snapshot,
        )
        self.out.append(action)
        return action
