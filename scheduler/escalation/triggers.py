"""The task rules' triggers: a closed set of named, parameterised behaviours (no expression language).

Each trigger's parameters are a pydantic model, members of one union discriminated on `type`;
`TRIGGERS` says which rungs each may produce and whether an interview case folds its urges. What a
trigger does on a day is in scheduler.escalation.reminders (fire days before a date),
scheduler.escalation.escalations (states: late, unanswered, unresolved) and
scheduler.escalation.receipts (letters not signed for).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from scheduler import ladder
from scheduler.escalation.rulefile import RuleModel, TriggerSpec

ProgressKind = Literal["ongoing", "year_long", "from", "window"]
PROGRESS_KINDS: tuple[ProgressKind, ...] = ("ongoing", "year_long", "from", "window")  # asked for progress


class Offset(RuleModel):
    """How long before a date a reminder fires: calendar days or working days, exactly one."""

    days: int | None = Field(default=None, ge=0, le=366)
    workdays: int | None = Field(default=None, ge=0, le=250)

    @model_validator(mode="after")
    def _exactly_one(self) -> Offset:
        if (self.days is None) == (self.workdays is None):
            raise ValueError("提前量须且只能给出 days 或 workdays 之一")
        return self

    @property
    def tag(self) -> str:
        """Return the short form used in occurrence keys, e.g. 30d or 3wd."""
        return f"{self.days}d" if self.days is not None else f"{self.workdays}wd"

    @property
    def zh(self) -> str:
        """Return the Chinese reading, e.g. 30天 or 3个工作日."""
        return f"{self.days}天" if self.days is not None else f"{self.workdays}个工作日"


Offsets = Annotated[list[Offset], Field(min_length=1)]


def _signed_level(value: str) -> str:
    if value not in ladder.ACK_LEVELS:
        known = "、".join(level for level in ladder.LEVELS if level in ladder.ACK_LEVELS)
        raise ValueError(f"{value!r} 不是须签收的函件级别；可用：{known}")
    return value


SignedLevel = Annotated[str, AfterValidator(_signed_level)]  # a rung whose letters are signed for


def _signed_levels() -> list[str]:
    return [level for level in ladder.LEVELS if level in ladder.ACK_LEVELS]


def _progress_kinds() -> list[ProgressKind]:
    return list(PROGRESS_KINDS)


class BeforeDue(RuleModel):
    """Remind before each due date and each milestone found in the measure text."""

    type: Literal["before_due"]
    offsets: Offsets
    milestones: bool = True


class ProgressRequest(RuleModel):
    """Ask for progress periodically on open-ended tasks, and before each recurring occurrence."""

    type: Literal["progress_request"]
    every: Literal["week", "month", "quarter"] = "month"
    nth_workday: int = Field(default=1, ge=1, le=20)
    kinds: list[ProgressKind] = Field(default_factory=_progress_kinds)
    recurring: bool = True
    recurring_offsets: Offsets = Field(default_factory=lambda: [Offset(workdays=3)])


class ProgressMissing(RuleModel):
    """Urge when a progress request got no report within N working days."""

    type: Literal["progress_missing"]
    after_workdays: int = Field(ge=1, le=60)


class WindowStart(RuleModel):
    """Notify on the first working day of a window task."""

    type: Literal["window_start"]


class WindowEnd(RuleModel):
    """Notify N working days before a window task ends."""

    type: Literal["window_end"]
    before_workdays: int = Field(ge=0, le=60)


class Overdue(RuleModel):
    """Escalate N working days after a due date when the task is not done."""

    type: Literal["overdue"]
    after_workdays: int = Field(ge=0, le=250)
    include_milestones: bool = False


class WarningUnresolved(RuleModel):
    """Propose an interview M working days after an approved/sent warning, M+P if acknowledged."""

    type: Literal["warning_unresolved"]
    after_workdays: int = Field(ge=1, le=250)
    ack_grace_workdays: int = Field(default=0, ge=0, le=250)


class AckMissing(RuleModel):
    """Urge a unit that has not signed for (签收) a letter N working days after it was sent."""

    type: Literal["ack_missing"]
    after_workdays: int = Field(ge=1, le=60)
    levels: list[SignedLevel] = Field(default_factory=_signed_levels, min_length=1)


class SeriousDelay(RuleModel):
    """Propose an interview when a task is K or more working days overdue."""

    type: Literal["serious_delay"]
    after_workdays: int = Field(ge=1, le=500)


Trigger = Annotated[
    BeforeDue | ProgressRequest | ProgressMissing | WindowStart | WindowEnd | Overdue | WarningUnresolved
    | SeriousDelay | AckMissing,
    Field(discriminator="type"),
]

# The clauses climb from an unresolved warning or a serious delay to an interview "and
# accountability": those triggers reach every rung above their lowest, so a rung added on top of
# the ladder (问责) is one they may produce. An urge that follows up an unsigned letter is about the
# letter itself, so an interview case does not fold it.
TRIGGERS: dict[str, TriggerSpec] = {
    "before_due": TriggerSpec("reminder", "reminder"),
    "progress_request": TriggerSpec("reminder", "reminder"),
    "window_start": TriggerSpec("reminder", "reminder"),
    "window_end": TriggerSpec("reminder", "reminder"),
    "progress_missing": TriggerSpec("urge", "urge"),
    "overdue": TriggerSpec("urge", "warning"),
    "warning_unresolved": TriggerSpec("interview"),
    "serious_delay": TriggerSpec("warning"),
    "ack_missing": TriggerSpec("urge", "urge", folds=False),
}
