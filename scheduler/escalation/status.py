"""红黄绿灯: how a task stands on a day — the one rule the console, the 台账, the dashboard and the
通报 all ask, so they cannot colour the same task differently.

For a task and an explicit day, in order:
- waived (免于督办) or signed off (已销号): closed — green, and not counted as open work;
- reported done, awaiting sign-off (已报完成待销号): on track (green);
- a due date already passed: overdue (red), counted from the earliest one missed;
- a milestone in the measure text passed (the task is not yet due): at risk (yellow);
- a window (实施时段) that is over: overdue (red); one in progress: at risk (yellow);
- an external deadline nobody has dated yet (时限待定): at risk (yellow), a coordinator must act;
- a due date within the next AT_RISK_DAYS days, or the unit was urged, warned or summoned on the
  task within the last URGED_DAYS days: at risk (yellow);
- otherwise on track (green).
A unit's own approved extension moves its dates only: `as_seen_by` gives the task as that unit holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from scheduler.escalation.facts import Role, TaskFacts

COUNTED_ROLES: tuple[Role, ...] = ("lead", "responsible")
"""A task's lamp counts for these units; cooperating ones are not accountable."""

AT_RISK_DAYS = 14  # a due date this close turns a task yellow
URGED_DAYS = 30  # an urge, warning or interview this recent keeps a task yellow
# Kinds whose due dates are the task's own; an external deadline once dated counts (a coordinator's
# date normally arrives as kind "due"). Rule evaluation and the status read the dates from here.
DATED_KINDS = frozenset({"due", "season", "year_long", "external"})

State = Literal["overdue", "at_risk", "on_track", "closed"]
Lamp = Literal["red", "yellow", "green"]
STATES: tuple[State, ...] = ("overdue", "at_risk", "on_track")  # open states, worst first
LAMP: dict[State, Lamp] = {"overdue": "red", "at_risk": "yellow", "on_track": "green", "closed": "green"}
LAMP_NAMES: dict[Lamp, str] = {"red": "红", "yellow": "黄", "green": "绿"}
STATE_NAMES: dict[State, str] = {
    "overdue": "逾期", "at_risk": "有风险", "on_track": "正常推进", "closed": "已办结",
}


@dataclass(frozen=True)
class Standing:
    """Where a task stands on a day, with the reason in the words a coordinator uses."""

    state: State
    reason: str

    @property
    def lamp(self) -> Lamp:
        return LAMP[self.state]

    @property
    def is_open(self) -> bool:
        """Closed tasks are shown but not counted among open work."""
        return self.state != "closed"


def due_dates(task: TaskFacts) -> tuple[date, ...]:
    """Return the task's own due dates (year-long tasks fall due at their end)."""
    deadline = task.deadline
    if deadline.due:
        return deadline.due if deadline.kind in DATED_KINDS else ()
    if deadline.kind == "year_long" and deadline.end is not None:
        return (deadline.end,)
    return ()


def as_seen_by(task: TaskFacts, units: Iterable[str]) -> TaskFacts:
    """Return the task as `units` hold it: with their own approved extension when they share one
    (a unit's extension moves its date and lamp only), else as the task stands for everyone."""
    wanted = set(units)
    views = [view for view in task.by_unit() if wanted & {a.unit for a in view.assignments}]
    return views[0] if len(views) == 1 else task


def standing(task: TaskFacts, as_of: date, urged: bool = False) -> Standing:
    """Return how `task` stands on `as_of`; `urged`: the unit had an urge or a letter on it lately."""
    if task.status == "waived":
        return Standing("closed", "免于督办")
    if task.status == "signed_off":
        return Standing("closed", "已销号")
    if task.status == "reported_done":
        return Standing("on_track", "已报完成待销号")
    deadline = task.deadline
    dates = sorted(due_dates(task))
    passed = [day for day in dates if day < as_of]
    if passed:
        return Standing("overdue", f"逾期{(as_of - passed[0]).days}天")
    if any(m.due < as_of for m in task.milestones):
        return Standing("at_risk", "阶段节点已过")
    if deadline.kind == "window" and deadline.end is not None:
        if deadline.end < as_of:
            return Standing("overdue", "实施时段已过")
        if deadline.start is not None and deadline.start <= as_of:
            return Standing("at_risk", "实施时段内")
        return Standing("at_risk" if urged else "on_track", "督办中" if urged else "时段未开始")
    if deadline.kind in ("external", "unknown") and not dates:
        return Standing("at_risk", "时限待定")
    coming = [day for day in dates if day <= as_of + timedelta(days=AT_RISK_DAYS)]
    if coming:
        return Standing("at_risk", f"临近到期（{(coming[0] - as_of).days}天）")
    if urged:
        return Standing("at_risk", "近期受督办")
    if not dates:
        return Standing("on_track", "持续推进")
    return Standing("on_track", "正常推进")


def closed_on(task: TaskFacts, signed_off: date | None) -> date | None:
    """Return the first day the task no longer counts as late: sign-off or a 'done' report
    (已报完成待销号 is on track, as standing() says)."""
    done = [r.on for r in task.reports if r.status == "done"]
    days = [d for d in (signed_off, min(done) if done else None) if d is not None]
    return min(days) if days else None


def past_due(dues: Iterable[date], day: date, closed: date | None) -> bool:
    """Late on `day`: a due date before it, and not done (signed off or reported done) by then."""
    if closed is not None and closed <= day:
        return False
    return any(due < day for due in dues)


def overdue_on(task: TaskFacts, day: date, closed: date | None) -> bool:
    """Was the task late on `day`: a due date before it, and not yet done or signed off by then?"""
    return task.status != "waived" and past_due(due_dates(task), day, closed)
