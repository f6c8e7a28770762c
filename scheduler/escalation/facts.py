"""Plain values passed between the store and the pure rule evaluation.

The store turns rows into these; `scheduler.escalation.evaluate.evaluate` turns them into Actions; the sweep
stores Actions as notices. Nothing here touches a session, the clock or the network. A level is a rung
of scheduler.ladder (rule files are checked against it when they load).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from scheduler.plans.deadlines import Deadline, Milestone

Role = Literal["lead", "cooperating", "responsible"]
TaskStatus = Literal["open", "reported_done", "signed_off", "waived"]
NoticeStatus = Literal[
    "pending_review",  # an escalation waiting for a coordinator
    "approved",  # approved, waiting for delivery
    "held",  # a coordinator put it on hold
    "rejected",  # a coordinator rejected it (with a reason)
    "queued",  # a reminder/urge ready for delivery (no review needed)
    "sent",  # delivered
    "cancelled",  # no longer applies (date or unit changed, task signed off)
    "folded",  # folded into a pending interview case of the same unit (inhibition)
]


@dataclass(frozen=True)
class Assignment:
    """A unit's part in a task, resolved to the unit's canonical name."""

    unit: str
    role: Role


@dataclass(frozen=True)
class ProgressReport:
    """A progress report (进展报送) a unit made on a task."""

    unit: str
    on: date
    percent: int | None = None
    status: Literal["in_progress", "done", "blocked"] = "in_progress"
    note: str = ""


@dataclass(frozen=True)
class UnitDeadline:
    """An approved extension (申请延期) that moves the deadline of one unit of a task, not the others'."""

    unit: str
    due: date
    changed_on: date  # the day it was approved: reminders of the old date are not sent after it


@dataclass(frozen=True)
class TaskFacts:
    """Everything rule evaluation may know about one task on one day."""

    task_id: str
    plan_id: str
    title: str
    deadline: Deadline  # effective: a coordinator-set date or an approved extension already applied
    milestones: tuple[Milestone, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    status: TaskStatus = "open"
    reports: tuple[ProgressReport, ...] = ()
    region: str = ""  # the plan's region, e.g. 长治市
    plan_period_start: date | None = None
    plan_period_end: date | None = None
    deadline_changed_on: date | None = None  # when the effective date last changed (re-plan)
    unit_deadlines: tuple[UnitDeadline, ...] = ()  # units whose own approved extension moved their date

    def by_unit(self) -> tuple[TaskFacts, ...]:
        """Return the task as its units see it: one view for the units on the task's deadline and one
        per unit with an extension of its own (its date, its role(s) only), so an extension moves the
        ladder of the unit that asked and of no other."""
        if not self.unit_deadlines:
            return (self,)
        moved = {u.unit for u in self.unit_deadlines}
        views = [replace(self, assignments=tuple(a for a in self.assignments if a.unit not in moved),
                         unit_deadlines=())]
        for own in self.unit_deadlines:
            assignments = tuple(a for a in self.assignments if a.unit == own.unit)
            if not assignments:
                continue
            deadline = Deadline(text=self.deadline.text, kind="due", due=(own.due,),
                                notes=(*self.deadline.notes, f"{own.unit}批准延期：{own.due.isoformat()}"))
            views.append(replace(self, deadline=deadline, assignments=assignments, unit_deadlines=(),
                                 deadline_changed_on=own.changed_on))
        return tuple(views)

    def units(self, *roles: Role) -> tuple[str, ...]:
        """Return the units holding any of `roles`, in order, without repeats."""
        seen: dict[str, None] = {}
        for a in self.assignments:
            if a.role in roles:
                seen.setdefault(a.unit, None)
        return tuple(seen)

    def recipients(self, roles: tuple[str, ...]) -> list[tuple[str, str]]:
        """Return (unit, role) for `roles`, the first role of a unit winning, without the units whose
        latest progress report says done."""
        done: set[str] = set()
        if self.reports:
            latest: dict[str, tuple[date, str]] = {}
            for report in self.reports:
                seen = latest.get(report.unit)
                if seen is None or report.on >= seen[0]:
                    latest[report.unit] = (report.on, report.status)
            done = {unit for unit, (_on, status) in latest.items() if status == "done"}
        found: dict[str, str] = {}
        for assignment in self.assignments:
            if assignment.role in roles and assignment.unit not in done:
                found.setdefault(assignment.unit, assignment.role)
        return list(found.items())


@dataclass(frozen=True)
class PastNotice:
    """A notice already in the store, as escalation history."""

    key: str
    level: str
    rule_id: str
    task_id: str | None
    unit: str
    created_on: date
    status: NoticeStatus
    acknowledged_on: date | None = None
    sent_on: date | None = None
    plan_id: str = ""  # a metric letter has no task; its plan picks the rules that follow it up
    number: str = ""  # the document number (文号) of a warning or interview letter, once it has one


@dataclass(frozen=True)
class Action:
    """A notice the rules want to exist. `key` is its unique occurrence key: the same event on any
    later sweep produces the same key, which is what makes sweeps idempotent."""

    key: str
    level: str
    rule_id: str
    ruleset_id: str
    ruleset_version: str
    plan_id: str
    task_id: str | None  # None for a metric-based notice
    unit: str  # canonical unit name of the recipient
    due: date | None
    kind: str  # e.g. before_due, progress_request, overdue, warning, interview, window_start
    needs_review: bool  # warnings and interviews go to the review queue
    clause: str  # the plan clause the rule rests on
    explanation: str  # Chinese, one or two sentences: why this notice exists
    facts: dict[str, Any] = field(default_factory=dict)  # JSON-safe facts that fired it
    rule_snapshot: dict[str, Any] = field(default_factory=dict)  # the rule as it was

    def to_json(self) -> dict[str, Any]:
        """Return the notice object of the sweep contract (DESIGN.md) plus detail fields."""
        return {
            "key": self.key,
            "level": self.level,
            "task": self.task_id or "",
            "unit": self.unit,
            "due": self.due.isoformat() if self.due else None,
            "rule": self.rule_id,
            "plan": self.plan_id,
            "kind": self.kind,
            "needs_review": self.needs_review,
            "explanation": self.explanation,
            "facts": self.facts,
        }
