"""The next day a task's rules can fire: a lower bound that lets a sweep skip the task until then.

Asked once a task was evaluated for `as_of`: with the same facts, the same notices and the same
rules, no sweep of a day after `as_of` and before `next_day(...)` proposes anything for the task. A
bound is never later than the true next firing; it may be earlier (the task is then evaluated and
proposes nothing). None means nothing can fire until the facts, the notices or the rules change.

Each trigger answers from what decides it in scheduler.escalation.reminders, escalations and
receipts: a reminder from its fire days, a state escalation from the working day its wait is over
(and the premise's, scheduler.escalation.premise), an occurrence already stored never again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr

from scheduler import ladder
from scheduler.escalation import premise
from scheduler.escalation.actions import occurrence_key
from scheduler.escalation.escalations import unanswered_request
from scheduler.escalation.evaluate import STOPPED
from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.reminders import request_span
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules
from scheduler.escalation.run import TaskRun, _next_period, period_start, task_dates
from scheduler.escalation.triggers import (
    AckMissing,
    BeforeDue,
    Overdue,
    ProgressMissing,
    ProgressRequest,
    SeriousDelay,
    WarningUnresolved,
    WindowEnd,
)

ONE_DAY = timedelta(days=1)
HORIZON = timedelta(days=370)  # a recurring task is looked at again after this at the latest
MAX_PERIODS = 60  # periodic requests looked ahead before giving up (five years of months)


class Wake:
    """Collects the earliest candidate day after `as_of` (a candidate on or before it counts as the next day)."""

    def __init__(self, as_of: date) -> None:
        self.first = as_of + ONE_DAY
        self.day: date | None = None
        self.premises: dict[tuple[str, str, date | None], date | None] = {}  # (unit, level, since): one task's
        self._recipients: dict[tuple[int, tuple[str, ...]], list[tuple[str, str]]] = {}
        self._dates: dict[tuple[int, bool], list[tuple[date, str]]] = {}

    def recipients(self, task: TaskFacts, roles: tuple[str, ...]) -> list[tuple[str, str]]:
        """task.recipients(roles), asked once per view of the task and roles."""
        key = (id(task), roles)
        found = self._recipients.get(key)
        if found is None:
            found = self._recipients[key] = task.recipients(roles)
        return found

    def dates(self, task: TaskFacts, milestones: bool) -> list[tuple[date, str]]:
        """task_dates(task, milestones), asked once per view of the task."""
        key = (id(task), milestones)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = task_dates(task, milestones)
        return found

    def at(self, day: date | None) -> None:
        if day is None:
            return
        day = max(day, self.first)
        if self.day is None or day < self.day:
            self.day = day


def next_day(ev: TaskRun, task: TaskFacts, eff: EffectiveRules) -> date | None:
    """Return the earliest day after ev.as_of on which a rule of `eff` may propose a notice for `task`."""
    if task.status in STOPPED:
        return None
    wake = Wake(ev.as_of)
    for view in task.by_unit():
        for rule in eff.rules:
            WAKES[rule.trigger_type](ev, view, rule, eff, wake)
            if wake.day == wake.first:
                return wake.day
    return wake.day


def _after(ev: TaskRun, day: date, workdays: int) -> date:
    """Return the first day on which at least `workdays` working days lie in (day, that day]."""
    if workdays <= 0:
        return day + ONE_DAY
    key = ("after", day, workdays)
    found = ev.wake_cache.get(key)
    if found is None:
        found = ev.wake_cache[key] = ev.cal.add_workdays(day, workdays)
    return found


def _rests_on(ev: TaskRun, level: str, eff: EffectiveRules) -> int | None:
    """Return the working days the rung below `level` must stand under `eff`, None when it needs none."""
    key = ("premise", eff.ruleset_id, level)
    if key not in ev.wake_cache:
        ev.wake_cache[key] = premise.wait(level, eff) if premise.needed(level, eff) else None
    need: int | None = ev.wake_cache[key]
    return need


def _premise_day(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, unit: str,
                 wake: Wake) -> date | None:
    """Return the first day the rung below stands long enough for `rule`'s rung (the sweep day when none is
    needed); None when no issued notice could ever be its premise without the notices changing."""
    need = _rests_on(ev, rule.level, eff)
    if need is None:
        return ev.as_of
    memo = (unit, rule.level, task.deadline_changed_on)
    if memo in wake.premises:
        return wake.premises[memo]
    lower = premise.below(rule.level)
    best: date | None = None
    for notice in ev.history.get((task.task_id, unit), ()):
        if notice.level != lower or not premise.issued(notice):
            continue
        if task.deadline_changed_on is not None and notice.created_on < task.deadline_changed_on:
            continue
        day = max(notice.created_on + ONE_DAY, _after(ev, notice.sent_on or notice.created_on, need)
                  if need > 0 else notice.sent_on or notice.created_on)
        best = day if best is None or day < best else best
    wake.premises[memo] = best
    return best


def _state(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, unit: str, key: str,
           ready: date, wake: Wake) -> None:
    """A state escalation of `unit` under `key`, its condition true from `ready` on."""
    if wake.day is not None and ready >= wake.day:  # cannot come sooner than what was found already
        return
    if ev.known(task.task_id, unit, key):
        return
    found = _premise_day(ev, task, rule, eff, unit, wake)
    if found is not None:
        wake.at(max(ready, found))


def _reminder(ev: TaskRun, rule: CompiledRule, day: date, floor: date | None, wake: Wake) -> None:
    """The first fire day of `rule` for `day` after the sweep day (and not before `floor`)."""
    for fire, _nominal, _offset in ev.fire_days(rule, day):
        if fire > ev.as_of and (floor is None or fire >= floor):
            wake.at(fire)
            return


def _before_due(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, BeforeDue)
    for day, _phrase in wake.dates(task, trigger.milestones):
        if day > ev.as_of:
            _reminder(ev, rule, day, task.deadline_changed_on, wake)


def _progress_request(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, ProgressRequest)
    deadline = task.deadline
    if deadline.kind == "recurring":
        if trigger.recurring:
            _recurring(ev, task, rule, wake)
        return
    if deadline.kind not in trigger.kinds:
        return
    start, end = request_span(task)
    wake.at(_next_request(ev, trigger.every, trigger.nth_workday, rule.send_on_non_workdays, start, end))


def _next_request(ev: TaskRun, every: str, nth: int, any_day: bool, start: date | None,
                  end: date | None) -> date | None:
    """Return the first periodic request day after the sweep day, not before `start` nor after `end`."""
    key = ("request", every, nth, any_day, start, end)
    cache = ev.wake_cache
    if key in cache:
        cached: date | None = cache[key]
        return cached
    found: date | None = None
    first = ev.as_of + ONE_DAY if start is None or start <= ev.as_of else start
    period = period_start(first, every)
    for _ in range(MAX_PERIODS):
        fire = period + timedelta(days=nth - 1) if any_day else ev.cal.add_workdays(period - ONE_DAY, nth)
        following = _next_period(period, every)
        if end is not None and fire > end:
            break
        if fire < following and fire > ev.as_of and (start is None or fire >= start):
            found = fire
            break
        period = following
    else:
        found = period  # nothing in five years of periods: look again then
    cache[key] = found
    return found


def _recurring(ev: TaskRun, task: TaskFacts, rule: CompiledRule, wake: Wake) -> None:
    deadline = task.deadline
    dtstart = deadline.start or task.plan_period_start
    if not deadline.rrule or dtstart is None:
        return
    key = ("rrule", deadline.rrule, dtstart)
    cache = ev.wake_cache
    days = cache.get(key)
    if days is None:
        try:
            parsed = rrulestr(deadline.rrule, dtstart=datetime.combine(dtstart, datetime.min.time()))
            low = datetime.combine(ev.as_of + ONE_DAY, datetime.min.time())
            high = datetime.combine(ev.as_of + HORIZON, datetime.min.time())
            days = tuple(d.date() for d in parsed.between(low, high, inc=True))
        except (ValueError, TypeError):
            days = ()
        cache[key] = days
    for day in days:
        if task.plan_period_end is not None and day > task.plan_period_end:
            return
        _reminder(ev, rule, day, task.deadline_changed_on, wake)
    wake.at(ev.as_of + HORIZON - timedelta(days=rule.max_lead_days))  # occurrences further out


def _window(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    deadline = task.deadline
    if deadline.kind != "window" or deadline.start is None or deadline.end is None:
        return
    cal, trigger = ev.cal, rule.rule.trigger
    if isinstance(trigger, WindowEnd):
        before = trigger.before_workdays
        anchor = deadline.end
        fire = (cal.add_workdays(anchor, -before) if before else
                anchor if rule.send_on_non_workdays or cal.is_workday(anchor) else cal.add_workdays(anchor, -1))
    else:
        fire = deadline.start if rule.send_on_non_workdays else cal.add_workdays(deadline.start, 0)
    if fire <= ev.as_of or deadline.end < fire:
        return
    if task.deadline_changed_on is not None and fire < task.deadline_changed_on:
        return
    wake.at(fire)


def _overdue(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, (Overdue, SeriousDelay))
    milestones = isinstance(trigger, Overdue) and trigger.include_milestones
    interview = rule.level == "interview"
    for day, _phrase in wake.dates(task, milestones):
        ready = _after(ev, day, trigger.after_workdays)
        if wake.day is not None and ready >= wake.day:
            continue
        for unit, _role in wake.recipients(task, rule.roles):
            if interview and ev.has_interview(task.task_id, unit):
                continue
            _state(ev, task, rule, eff, unit, occurrence_key(rule.id, task.task_id, unit, day.isoformat()), ready,
                   wake)


def _progress_missing(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, ProgressMissing)
    if not ev.has_history(task.task_id):
        return
    for unit, _role in wake.recipients(task, rule.roles):
        request = unanswered_request(ev, task, eff, unit)
        if request is None:
            continue
        asked = request.sent_on or request.created_on
        _state(ev, task, rule, eff, unit, occurrence_key(rule.id, task.task_id, unit, f"R{asked.isoformat()}"),
               _after(ev, asked, trigger.after_workdays), wake)


def _warning_unresolved(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, WarningUnresolved)
    if not ev.has_history(task.task_id):
        return
    for unit, _role in wake.recipients(task, rule.roles):
        if ev.has_interview(task.task_id, unit):
            continue
        for notice in ev.history.get((task.task_id, unit), ()):
            if notice.level != "warning" or notice.status not in ladder.ISSUED_STATUSES:
                continue
            if task.deadline_changed_on is not None and notice.created_on < task.deadline_changed_on:
                continue
            need = trigger.after_workdays + (trigger.ack_grace_workdays if notice.acknowledged_on is not None else 0)
            _state(ev, task, rule, eff, unit, occurrence_key(rule.id, task.task_id, unit, f"W{notice.key}"),
                   _after(ev, notice.sent_on or notice.created_on, need), wake)


def _ack_missing(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, wake: Wake) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, AckMissing)
    if not ev.has_history(task.task_id):
        return
    for unit, _role in wake.recipients(task, rule.roles):
        for letter in ev.history.get((task.task_id, unit), ()):
            if (letter.level not in trigger.levels or letter.status != "sent" or letter.sent_on is None
                    or letter.acknowledged_on is not None):
                continue
            _state(ev, task, rule, eff, unit, occurrence_key(rule.id, task.task_id, unit, f"A{letter.key}"),
                   _after(ev, letter.sent_on, trigger.after_workdays), wake)


WakeFn = Callable[[TaskRun, TaskFacts, CompiledRule, EffectiveRules, Wake], None]
WAKES: dict[str, WakeFn] = {
    "before_due": _before_due,
    "progress_request": _progress_request,
    "progress_missing": _progress_missing,
    "window_start": _window,
    "window_end": _window,
    "overdue": _overdue,
    "serious_delay": _overdue,
    "warning_unresolved": _warning_unresolved,
    "ack_missing": _ack_missing,
}
