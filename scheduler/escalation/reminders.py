"""The reminder triggers: before_due, progress_request (periodic, or before each recurring
occurrence), window_start and window_end.

A reminder has fire days. One that falls on a non-working day moves to the previous working day
unless the rule says `send_on_non_workdays`; a reminder is due when its fire day lies in the run's
window (since, as_of], and for each (rule, task, unit, date) only the latest such fire day counts,
so a catch-up after downtime sends one reminder, not one per missed day. A fire day from before the
task's deadline last changed is not sent, and a reminder ahead of a date (or of a window's end) is
never sent once that date has passed: a catch-up leaves a past date to the overdue rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from scheduler.escalation.actions import occurrence_key, zh_date
from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules
from scheduler.escalation.run import TaskRun, task_dates
from scheduler.escalation.triggers import BeforeDue, Offset, ProgressRequest, WindowEnd
from scheduler.glossary import term

Describe = Callable[[str, str, Offset, str], str]  # (unit, role, offset, late) -> the finding


def period_label(start: date, every: str) -> str:
    """Name a period as a request says it: 2019年12月, 2019年第4季度, 2019年12月2日当周."""
    if every == "week":
        return f"{zh_date(start)}当周"
    if every == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def _remind_ahead(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, day: date,
                  kind: str, describe: Describe, extra: dict[str, Any]) -> bool:
    """Emit the reminders of `rule` for one due day, if one of its offsets fires in this sweep.

    `describe(unit, role, offset, late)` words the explanation; returns False when nothing fired."""
    hit = ev.pick(rule, day, task.deadline_changed_on)
    if hit is None:
        return False
    fire, offset = hit
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in task.recipients(rule.roles):
        ev.emit(task, rule, eff, unit, role, day, kind,
                occurrence_key(rule.id, task.task_id, unit, day.isoformat(), offset.tag),
                describe(unit, role, offset, late),
                {"offset": offset.tag, "fire_day": fire.isoformat(), **extra})
    return True


def before_due(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, BeforeDue)
    for day, phrase in task_dates(task, trigger.milestones):
        # A date already past is the overdue rules' business: a missed reminder is not sent after it.
        if day < ev.as_of or (day - ev.as_of).days > rule.max_lead_days:
            continue
        what = f"节点「{phrase}」" if phrase else "完成时限"
        _remind_ahead(ev, task, rule, eff, day, "before_due", lambda unit, role, offset, late: (
            f"任务「{task.title}」的{what}为{zh_date(day)}，距今{(day - ev.as_of).days}天，"  # noqa: B023
            f"按规定提前{offset.zh}提醒{term(role)}{unit}按期完成{late}"
        ), {"milestone": phrase or None})


def request_span(task: TaskFacts) -> tuple[date | None, date | None]:
    """Return the days between which progress is asked for: the deadline's own window, else the plan's
    period, ending at the last due date when there is one."""
    deadline = task.deadline
    start = deadline.start or task.plan_period_start
    end = deadline.end or (deadline.due[-1] if deadline.due else None) or task.plan_period_end
    return start, end


def progress_request(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, ProgressRequest)
    deadline = task.deadline
    if deadline.kind == "recurring":
        if trigger.recurring:
            _recurring(ev, task, rule, eff)
        return
    if deadline.kind not in trigger.kinds:
        return
    start, end = request_span(task)
    every, nth = trigger.every, trigger.nth_workday
    found = ev.period_fire(every, nth, rule.send_on_non_workdays)
    if found is None:
        return
    period, fire = found
    if fire <= ev.lo or (start is not None and fire < start) or (end is not None and fire > end):
        return
    label = period_label(period, every)
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in task.recipients(rule.roles):
        why = (
            f"任务「{task.title}」（时限：{deadline.text}）正在实施，请{term(role)}{unit}报送{label}进展情况"
            f"（每{term(every)}第{nth}个工作日提醒）{late}"
        )
        ev.emit(task, rule, eff, unit, role, None, "progress_request",
                occurrence_key(rule.id, task.task_id, unit, f"P{period.isoformat()}"), why,
                {"period": period.isoformat(), "every": every, "fire_day": fire.isoformat()})


def _recurring(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    deadline = task.deadline
    dtstart = deadline.start or task.plan_period_start
    if not deadline.rrule or dtstart is None:
        return
    for day in ev.occurrences(deadline.rrule, dtstart, rule.max_lead_days):
        if task.plan_period_end is not None and day > task.plan_period_end:
            break
        if day < ev.as_of:  # this occurrence is past: nothing left to remind of
            continue
        _remind_ahead(ev, task, rule, eff, day, "progress_request", lambda unit, role, offset, late: (
            f"周期性任务「{task.title}」（{deadline.text}）本期时限为{zh_date(day)}，"  # noqa: B023
            f"按规定提前{offset.zh}提醒{term(role)}{unit}完成并报送进展{late}"
        ), {"rrule": deadline.rrule})


def window(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    """window_start and window_end: the first working day of a window, N working days before its end."""
    deadline = task.deadline
    if deadline.kind != "window" or deadline.start is None or deadline.end is None:
        return
    cal, trigger = ev.cal, rule.rule.trigger
    if isinstance(trigger, WindowEnd):
        anchor = deadline.end
        before = trigger.before_workdays
        fire = (
            cal.add_workdays(anchor, -before)
            if before
            else (
                anchor
                if rule.send_on_non_workdays or cal.is_workday(anchor)
                else cal.add_workdays(anchor, -1)
            )
        )
        what = f"实施时段将于{zh_date(deadline.end)}结束（提前{before}个工作日提醒）"
    else:
        anchor = deadline.start
        fire = anchor if rule.send_on_non_workdays else cal.add_workdays(anchor, 0)
        what = f"实施时段（{zh_date(deadline.start)}至{zh_date(deadline.end)}）开始"
    if not ev.lo < fire <= ev.as_of or deadline.end < ev.as_of:  # a window already over needs no reminder
        return
    if task.deadline_changed_on is not None and fire < task.deadline_changed_on:
        return
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in task.recipients(rule.roles):
        why = f"任务「{task.title}」的{what}，请{term(role)}{unit}按要求落实{late}"
        ev.emit(task, rule, eff, unit, role, deadline.end, trigger.type,
                occurrence_key(rule.id, task.task_id, unit, anchor.isoformat()), why,
                {"window_start": deadline.start.isoformat(), "window_end": deadline.end.isoformat(),
                 "fire_day": fire.isoformat()})
