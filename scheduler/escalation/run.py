"""One evaluation of the task rules: the day and its window of fire days, the calendar and history
questions every trigger asks (cached for all tasks of the call), and the proposals so far."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from scheduler import ladder
from scheduler.escalation import premise
from scheduler.escalation.actions import History, Proposals, zh_date
from scheduler.escalation.calendar import Calendar
from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules
from scheduler.escalation.status import due_dates
from scheduler.escalation.triggers import Offset

ONE_DAY = timedelta(days=1)


def period_start(day: date, every: str) -> date:
    """Return the first day of the week, month or quarter that holds `day`."""
    if every == "week":
        return day - timedelta(days=day.weekday())
    if every == "month":
        return day.replace(day=1)
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_period(start: date, every: str) -> date:
    if every == "week":
        return start + timedelta(days=7)
    months = 1 if every == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def task_dates(task: TaskFacts, milestones: bool) -> list[tuple[date, str]]:
    """Return the task's due dates, then (with `milestones`) the milestones of its measure text, with their phrase."""
    dates = [(day, "") for day in due_dates(task)]
    if milestones:
        own = {day for day, _ in dates}
        for milestone in task.milestones:
            if milestone.due not in own:
                own.add(milestone.due)
                dates.append((milestone.due, milestone.phrase or milestone.text))
    return dates


class TaskRun(Proposals):
    """One call of `evaluate`: the day, the window, and caches shared by all tasks of the call."""

    def __init__(self, calendar: Calendar, history: History, as_of: date, since: date | None) -> None:
        super().__init__(history, as_of)
        self.cal = calendar
        self.workday = calendar.is_workday(as_of)
        lo = as_of - ONE_DAY
        self.lo = since if since is not None and since < lo else lo  # fire days in (lo, as_of]
        self._fires: dict[tuple[int, date], tuple[tuple[date, date, Offset], ...]] = {}
        self._late: dict[date, int] = {}
        self._periods: dict[tuple[str, int, bool], tuple[date, date] | None] = {}
        self._occurrences: dict[tuple[str, date, int], tuple[date, ...]] = {}
        self._interviewed: set[tuple[str, str]] = set()
        self._with_history: set[str | None] | None = None
        self.wake_cache: dict[tuple[object, ...], Any] = {}  # scheduler.escalation.wake's, per call

    # -- calendar questions, cached per call ---------------------------------------------------

    def late(self, due: date) -> int:
        """Return the working days in (due, as_of]."""
        value = self._late.get(due)
        if value is None:
            value = self._late[due] = self.cal.workdays_between(due, self.as_of)
        return value

    def fire_days(self, rule: CompiledRule, day: date) -> tuple[tuple[date, date, Offset], ...]:
        """Return (fire day, nominal day, offset) of `rule` for a date, earliest fire first."""
        key = (rule.index, day)
        fires = self._fires.get(key)
        if fires is None:
            cal, items = self.cal, []
            for offset in rule.offsets:
                if offset.days is not None:
                    nominal = day - timedelta(days=offset.days)
                    fire = nominal
                    if not rule.send_on_non_workdays and not cal.is_workday(fire):
                        fire = cal.add_workdays(fire, -1)
                elif offset.workdays:
                    nominal = fire = cal.add_workdays(day, -offset.workdays)
                else:
                    nominal = fire = (
                        day
                        if rule.send_on_non_workdays or cal.is_workday(day)
                        else cal.add_workdays(day, -1)
                    )
                items.append((fire, nominal, offset))
            items.sort(key=lambda item: (item[0], item[1]))  # ties: the offset nearest the date wins
            fires = self._fires[key] = tuple(items)
        return fires

    def pick(self, rule: CompiledRule, day: date, floor: date | None) -> tuple[date, Offset] | None:
        """Return the latest (fire day, offset) of `rule` for `day` inside the window."""
        lo, as_of = self.lo, self.as_of
        for fire, _nominal, offset in reversed(self.fire_days(rule, day)):
            if fire <= as_of:
                if fire > lo and (floor is None or fire >= floor):
                    return fire, offset
                return None
        return None

    def period_fire(self, every: str, nth: int, any_day: bool) -> tuple[date, date] | None:
        """Return (period start, request day) of the latest periodic request on or before as_of."""
        key = (every, nth, any_day)
        if key in self._periods:
            return self._periods[key]
        result = None
        start = period_start(self.as_of, every)
        for _ in range(2):  # this period, else the previous one
            if any_day:
                fire = start + timedelta(days=nth - 1)
            else:
                fire = self.cal.add_workdays(start - ONE_DAY, nth)
            if fire <= self.as_of and fire < _next_period(start, every):
                result = (start, fire)
                break
            start = period_start(start - ONE_DAY, every)
        self._periods[key] = result
        return result

    def occurrences(self, text: str, dtstart: date, lead: int) -> tuple[date, ...]:
        """Return the RRULE's occurrences in (lo, as_of + lead]; an invalid RRULE has none."""
        key = (text, dtstart, lead)
        found = self._occurrences.get(key)
        if found is None:
            try:
                rule = rrulestr(text, dtstart=datetime.combine(dtstart, datetime.min.time()))
                low = datetime.combine(self.lo + ONE_DAY, datetime.min.time())
                high = datetime.combine(self.as_of + timedelta(days=lead), datetime.min.time())
                found = tuple(d.date() for d in rule.between(low, high, inc=True))
            except (ValueError, TypeError):
                found = ()  # deadlines reports bad RRULEs; `duban check` surfaces them
            self._occurrences[key] = found
        return found

    # -- history questions ----------------------------------------------------------------------

    def has_history(self, task_id: str) -> bool:
        """Return whether any unit of the task has notices (most tasks have none on most days)."""
        if self._with_history is None:
            self._with_history = {task for task, _unit in self.history}
        return task_id in self._with_history

    def has_interview(self, task_id: str, unit: str) -> bool:
        """Return whether the unit already has an open interview for the task (at most one per task)."""
        if (task_id, unit) in self._interviewed:
            return True
        for notice in self.history.get((task_id, unit), ()):
            if notice.level == "interview" and notice.status in ladder.OPEN_STATUSES:
                return True
        return False

    # -- output ---------------------------------------------------------------------------------

    def emit(self, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, unit: str, role: str, due: date | None,
             kind: str, key: str, why: str, facts: dict[str, Any]) -> None:
        """Propose a notice on a task unless the store has it, or its rung lacks the premise the record must hold."""
        if premise.needed(rule.level, eff):
            if self.known(task.task_id, unit, key):
                return
            found = premise.find(self.history.get((task.task_id, unit), ()), rule.level, eff, self.cal, self.as_of,
                                 task.deadline_changed_on)
            if found is None:
                return
            lower = found.notice
            number = f"（{lower.number}）" if lower.number else ""
            step = ladder.rung(lower.level).action
            why += f"；此前已于{zh_date(found.on)}{step}{number}，已过{found.workdays}个工作日"
            facts.update(premise_key=lower.key, premise_level=lower.level, premise_on=found.on.isoformat(),
                         premise_workdays=found.workdays)
        self.record(task.plan_id, task.task_id, rule, eff, unit, role, due, kind, key, why, facts)

    def record(self, plan_id: str, task_id: str | None, rule: CompiledRule, eff: EffectiveRules, unit: str,
               role: str | None, due: date | None, kind: str, key: str, why: str, facts: dict[str, Any]) -> None:
        """`emit` for a task or, with task_id None, for a plan's letter without task."""
        if self.known(task_id, unit, key):
            return
        if rule.level == "interview" and task_id is not None:
            self._interviewed.add((task_id, unit))
        facts.update(task=task_id, plan=plan_id, unit=unit, role=role, due=due.isoformat() if due else None,
                     as_of=self.as_of.isoformat())
        self.propose(rule, key=key, plan_id=plan_id, task_id=task_id, unit=unit, due=due, kind=kind, finding=why,
                     facts=facts, inhibit_days=eff.inhibit_urges_days)
