"""The ladder's premises: a letter rung is proposed only on the record of the rung below it.

The plans' clauses climb step by step — 催办, then 预警通知函 to a unit that still lags, then 约谈
of a unit that let its warning stand — so a rung that goes out as a letter needs the rung below it
actually issued to the same unit on the same task:

- a warning needs an urge that went out (queued or sent, or folded into an interview case) on an
  earlier day, and the urge's reply period (scheduler.ladder) over;
- an interview needs a warning letter of record (approved or sent) left unresolved for the rule
  set's interval: the working days of its warning_unresolved rule, else the warning's reply period.

What the record holds on the sweep day decides; what the same evaluation proposes does not, so a
first sweep after a gap (a store started mid-season, a service down for weeks) proposes one rung
per task and unit — the highest the record justifies — never an urge, a warning and an interview
at once. A premise from before the unit's deadline last moved (an extension, a set date) is about
the old date and does not count. A plan whose rule set has no rule producing the rung below needs
no premise for that rung: nothing could ever issue it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scheduler import ladder
from scheduler.escalation.calendar import Calendar
from scheduler.escalation.facts import PastNotice
from scheduler.escalation.ruleset import EffectiveRules
from scheduler.escalation.triggers import WarningUnresolved

# A non-letter rung counts once it left the house (or was folded into the unit's interview case).
_OUT_STATUSES = frozenset({"queued", "sent", "folded"})


@dataclass(frozen=True)
class Premise:
    """The notice a proposal rests on, and how long it has stood."""

    notice: PastNotice
    on: date  # its send day, else the day it was proposed
    workdays: int  # working days from `on` to the sweep day


def below(level: str) -> str | None:
    """Return the rung a letter rung rests on (warning → urge, interview → warning); None for the rest."""
    step = ladder.rung(level)
    if not step.is_letter or step.rank == 0:
        return None
    return ladder.LEVELS[step.rank - 1]


def issued(notice: PastNotice) -> bool:
    """Say whether a stored notice was actually issued: a letter let go by a coordinator, else one sent out."""
    if ladder.rung(notice.level).needs_review:
        return notice.status in ladder.ISSUED_STATUSES
    return notice.status in _OUT_STATUSES


def interval(eff: EffectiveRules) -> int:
    """Return the working days a warning must stand before an interview: the rule set's, else the ladder's."""
    days = [rule.rule.trigger.after_workdays for rule in eff.rules
            if isinstance(rule.rule.trigger, WarningUnresolved)]
    if days:
        return min(days)
    return ladder.rung("warning").reply_days or 0


def wait(level: str, eff: EffectiveRules) -> int:
    """Return the working days the rung below `level` must have stood before `level` may follow."""
    lower = below(level)
    if lower is None:
        return 0
    if level == "interview":
        return interval(eff)
    return ladder.rung(lower).reply_days or 0


def needed(level: str, eff: EffectiveRules) -> bool:
    """Say whether `level` needs a premise under these rules: it rests on a rung they can produce."""
    lower = below(level)
    return lower is not None and any(rule.level == lower for rule in eff.rules)


def find(notices: Sequence[PastNotice], level: str, eff: EffectiveRules, calendar: Calendar, as_of: date,
         since: date | None = None) -> Premise | None:
    """Return the earliest issued notice of the rung below `level` that has stood long enough, or None.

    `since`: the day the unit's deadline last moved; a premise from before it is about the old date."""
    lower = below(level)
    if lower is None:
        return None
    need = wait(level, eff)
    best: Premise | None = None
    for notice in notices:
        if notice.level != lower or not issued(notice) or notice.created_on >= as_of:
            continue
        if since is not None and notice.created_on < since:
            continue
        on = notice.sent_on or notice.created_on
        if best is not None and on >= best.on:
            continue
        waited = calendar.workdays_between(on, as_of)
        if waited >= need:
            best = Premise(notice, on, waited)
    return best
