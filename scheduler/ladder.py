"""The escalation ladder: one record per level, which every other module asks.

The plans' assessment clauses climb from a reminder to an urging notice (催办), a warning notice
letter (预警通知函) and an interview of the main officials (约谈). What a level *is* — whether a
coordinator reviews it, whether it goes out as a numbered letter of record, whether the unit must
sign for it (签收), how long the unit has to reply, which template writes it and who is copied —
lives here and nowhere else. Adding a level (say 问责) is one `Rung` in `LADDER` plus its template
and its term in the glossary; rule files may then name it (scheduler.escalation.rulefile).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.glossary import term


@dataclass(frozen=True)
class Rung:
    """One level of the ladder and everything that follows from it."""

    level: str  # the identifier stored on notices and named in rule files
    letter_title: str  # the document's kind as its title says it (催办通知, 预警通知函, 约谈通知)
    needs_review: bool  # proposed to a coordinator before anything goes out
    is_letter: bool  # delivered as a numbered letter of record, not as a digest line
    needs_ack: bool  # the unit must sign for it (签收); an unsigned one is followed up
    reply_days: int | None  # working days the unit has to reply; None: no reply asked
    template: str | None  # letters/<template>.txt writes its body; None: a digest line only
    cc: tuple[str, ...] = ()  # copied to (抄送) unless the plan names others
    verb: str = ""  # how an explanation says the step is taken, when not by the label (下发预警通知函)

    @property
    def label(self) -> str:
        """The level's name as coordinators read it."""
        return term(self.level)

    @property
    def action(self) -> str:
        """The step as an explanation words it: "规定逾期10个工作日下发预警通知函"."""
        return self.verb or self.label

    @property
    def rank(self) -> int:
        """Position on the ladder: higher is more severe."""
        return LEVELS.index(self.level)


# Lowest first. The ministry gives an interviewed government 20 working days for its
# rectification plan (LETTERS.md); the other reply periods follow the seeds' practice.
LADDER: tuple[Rung, ...] = (
    Rung("reminder", "提醒", needs_review=False, is_letter=False, needs_ack=False, reply_days=None,
         template=None),
    Rung("urge", "催办通知", needs_review=False, is_letter=False, needs_ack=False, reply_days=5,
         template="urge", cc=("市生态环境局",)),
    Rung("warning", "预警通知函", needs_review=True, is_letter=True, needs_ack=True, reply_days=10,
         template="warning", cc=("市生态环境局", "市政府督查室"), verb="下发预警通知函"),
    Rung("interview", "约谈通知", needs_review=True, is_letter=True, needs_ack=True, reply_days=20,
         template="interview", cc=("市生态环境局", "市政府督查室", "市纪委监委")),
)

LEVELS: tuple[str, ...] = tuple(r.level for r in LADDER)
_BY_LEVEL = {r.level: r for r in LADDER}
LETTER_LEVELS: frozenset[str] = frozenset(r.level for r in LADDER if r.is_letter)
ACK_LEVELS: frozenset[str] = frozenset(r.level for r in LADDER if r.needs_ack)
REVIEW_LEVELS: frozenset[str] = frozenset(r.level for r in LADDER if r.needs_review)
ESCALATION_LEVELS: frozenset[str] = frozenset(LEVELS[1:])  # everything above a plain reminder

# Notice statuses a proposed letter passes through. It "stands" (an interview case folds the unit's
# routine urges into itself) while it waits to go out: pending review or approved. Held means not
# yet decided, so urges continue; once sent, the days after sending decide (escalation.inhibit).
PENDING_STATUSES: frozenset[str] = frozenset({"pending_review", "approved"})
# A letter still in play, decided or not: a unit gets at most one open interview per task.
OPEN_STATUSES: frozenset[str] = frozenset({"pending_review", "approved", "held", "queued", "sent"})
REVIEWABLE_STATUSES: tuple[str, ...] = ("pending_review", "held")
# A letter a coordinator let go (approved, or already delivered): only such a warning leads on to an
# interview or counts towards repeated warnings; a held or rejected one does not.
ISSUED_STATUSES: frozenset[str] = frozenset({"approved", "sent"})


def rung(level: str) -> Rung:
    """Return the rung of `level`; an unknown level is a programming or rule-file error."""
    try:
        return _BY_LEVEL[level]
    except KeyError:
        raise KeyError(f"no such escalation level: {level!r} (known: {', '.join(LEVELS)})") from None


def is_known(level: str) -> bool:
    """Say whether `level` is on the ladder (rule files are checked against this)."""
    return level in _BY_LEVEL


def highest(levels: Iterable[str]) -> str | None:
    """Return the most severe of `levels`, or None when there are none."""
    ranked = [rung(level) for level in levels]
    return max(ranked, key=lambda r: r.rank).level if ranked else None
