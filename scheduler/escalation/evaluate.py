"""Decide, for one business day, which reminders and escalations the rules want: a pure function.

`evaluate(tasks, rulebook, calendar, history, as_of, since)` returns Actions; it reads no clock,
store or network, so the service, `--as-of` previews and tests run the same code.

Semantics, in the order the brief and DESIGN.md fix them:
- Occurrence keys name the event, never the day it was noticed: `rule|task|unit|date|offset`
  (scheduler.escalation.actions). Actions whose key is already in `history` are not returned at all.
- Reminders (before_due, progress_request, window_start, window_end) have fire days; a catch-up
  after downtime (`since`) sends the latest one, not one per missed day. Without `since` the window
  is as_of alone (scheduler.escalation.reminders).
- State escalations (progress_missing, overdue, warning_unresolved, serious_delay) are returned
  whenever their condition holds on as_of; their key makes them happen once
  (scheduler.escalation.escalations).
- ack_missing follows the letters as stored, with or without task (scheduler.escalation.receipts);
  `plans` says whose letters without task count.
- On a non-working as_of nothing fires except rules with `send_on_non_workdays`.
- Tasks signed off (销号), waived, or reported done get nothing: reported_done pauses the whole
  ladder until a coordinator signs off or reopens the task. A unit whose latest progress report
  says "done" is likewise left out of that task's notices. A task without dates (external
  deadline not yet supplied, unparsed cell) gets nothing; it sits in the unresolved queue.
  Recurring tasks get reminders before each occurrence but no overdue escalation (a task status
  cannot say which occurrence is done).
- Inhibition (scheduler.escalation.inhibit): a unit whose interview stands, or was sent at most
  `inhibit_urges_days_after_interview` days ago, gets its routine urges folded: returned with kind
  suffix "|folded" and the same key, so the sweep stores them as status `folded` and they never
  fire later. Only interviews already in `history` inhibit, so `history` must hold every unit's
  interviews, not only those of the tasks passed in.
- Whether a notice needs review is its rung's to say (scheduler.ladder): warnings and interviews do.
- A letter rung rests on the rung below actually issued (scheduler.escalation.premise), so one
  sweep proposes one rung per task and unit however late it starts.
- An extension approved for a unit (TaskFacts.unit_deadlines) moves that unit's dates only: the
  task is evaluated once per deadline its units hold (TaskFacts.by_unit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from scheduler.escalation.actions import History
from scheduler.escalation.calendar import Calendar
from scheduler.escalation.escalations import overdue, progress_missing, warning_unresolved
from scheduler.escalation.facts import Action, TaskFacts
from scheduler.escalation.receipts import ack_missing, letters_without_task
from scheduler.escalation.reminders import before_due, progress_request, window
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules, RuleBook
from scheduler.escalation.run import TaskRun
from scheduler.escalation.status import due_dates

__all__ = ["HANDLERS", "evaluate", "due_dates"]  # due_dates: the console's pages read it from here

STOPPED = frozenset({"signed_off", "waived", "reported_done"})

Handler = Callable[[TaskRun, TaskFacts, CompiledRule, EffectiveRules], None]
HANDLERS: dict[str, Handler] = {
    "before_due": before_due,
    "progress_request": progress_request,
    "progress_missing": progress_missing,
    "window_start": window,
    "window_end": window,
    "overdue": overdue,
    "serious_delay": overdue,
    "warning_unresolved": warning_unresolved,
    "ack_missing": ack_missing,
}


def evaluate(
    tasks: Iterable[TaskFacts],
    rulesets: RuleBook,
    calendar: Calendar,
    history: History,
    as_of: date,
    since: date | None = None,
    plans: Iterable[str] | None = None,
) -> list[Action]:
    """Return the notices the rules want for `as_of` (and the missed days after `since`).

    `plans` are the plans whose letters without task (metric letters) are followed up; None: the
    plans of `tasks`."""
    ev = TaskRun(calendar, history, as_of, since)
    workday = ev.workday
    seen: set[str] = set()
    for task in tasks:
        seen.add(task.plan_id)
        if task.status in STOPPED:
            continue
        eff = rulesets.rules_for(task.plan_id)
        if not workday and not eff.any_non_workday_rule:
            continue
        for view in task.by_unit():  # a unit with its own extension climbs its own ladder
            for rule in eff.rules:
                if workday or rule.send_on_non_workdays:
                    HANDLERS[rule.trigger_type](ev, view, rule, eff)
    letters_without_task(ev, rulesets, seen if plans is None else frozenset(plans))
    return ev.out
