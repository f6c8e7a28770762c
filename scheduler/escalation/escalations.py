"""The state triggers: progress_missing, overdue, serious_delay and warning_unresolved.

They fire whenever their condition holds on the day; their occurrence key makes each happen once.
Overdue is counted in working days after the due date (workdays_between(due, as_of)); milestones
count only with `include_milestones`. warning_unresolved follows the warning as stored (status
approved or sent), not the current rule file: the interview is proposed `after_workdays` working
days after the warning (its send day, else its creation day), `ack_grace_workdays` more once it was
signed for; a warning from before the unit's date last moved (an extension, a set date) is about
the old date and leads to no interview. A unit gets at most one open interview per task:
serious_delay and warning_unresolved share it.
"""

from __future__ import annotations

from datetime import date

from scheduler import ladder
from scheduler.escalation.actions import occurrence_key, zh_date
from scheduler.escalation.facts import PastNotice, TaskFacts
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules
from scheduler.escalation.run import TaskRun, task_dates
from scheduler.escalation.triggers import Overdue, ProgressMissing, SeriousDelay, WarningUnresolved
from scheduler.glossary import term


def unanswered_request(ev: TaskRun, task: TaskFacts, eff: EffectiveRules, unit: str) -> PastNotice | None:
    """Return the unit's latest delivered progress request on the task if no report came on or after
    it; only a delivered request was "made": a queued one has not reached the unit yet."""
    request: PastNotice | None = None
    for notice in ev.history.get((task.task_id, unit), ()):
        if notice.rule_id in eff.progress_rule_ids and notice.status == "sent":
            if request is None or (notice.sent_on or notice.created_on) > (request.sent_on or request.created_on):
                request = notice
    if request is None:
        return None
    asked = request.sent_on or request.created_on
    if any(report.unit == unit and report.on >= asked for report in task.reports):
        return None
    return request


def progress_missing(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, ProgressMissing)
    need = trigger.after_workdays
    if not ev.has_history(task.task_id):
        return
    for unit, role in task.recipients(rule.roles):
        request = unanswered_request(ev, task, eff, unit)
        if request is None:
            continue
        asked = request.sent_on or request.created_on
        waited = ev.cal.workdays_between(asked, ev.as_of)
        if waited < need:
            continue
        why = (
            f"{zh_date(asked)}已请{term(role)}{unit}报送任务「{task.title}」进展，"
            f"{waited}个工作日未收到报送（规定{need}个工作日内报送）"
        )
        ev.emit(task, rule, eff, unit, role, None, "progress_missing",
                occurrence_key(rule.id, task.task_id, unit, f"R{asked.isoformat()}"), why,
                {"requested_on": asked.isoformat(), "request_key": request.key, "workdays_waited": waited})


def overdue(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    """overdue and serious_delay: N working days past a due date (or a milestone) and not done."""
    trigger = rule.rule.trigger
    assert isinstance(trigger, (Overdue, SeriousDelay))
    need = trigger.after_workdays
    milestones = isinstance(trigger, Overdue) and trigger.include_milestones
    interview = rule.level == "interview"
    recipients = None
    for day, phrase in task_dates(task, milestones):
        if day >= ev.as_of:
            continue
        late = ev.late(day)
        if late < need:
            continue
        recipients = task.recipients(rule.roles) if recipients is None else recipients
        what = f"节点「{phrase}」" if phrase else "完成时限"
        for unit, role in recipients:
            if interview and ev.has_interview(task.task_id, unit):
                continue
            key = occurrence_key(rule.id, task.task_id, unit, day.isoformat())
            if ev.known(task.task_id, unit, key):
                continue
            why = (
                f"任务「{task.title}」的{what}{zh_date(day)}已过{late}个工作日仍未完成"
                f"（规定逾期{need}个工作日{ladder.rung(rule.level).action}），{term(role)}：{unit}"
            )
            ev.emit(task, rule, eff, unit, role, day, trigger.type, key, why,
                    {"workdays_overdue": late, "threshold_workdays": need, "milestone": phrase or None})


def warning_unresolved(ev: TaskRun, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    assert isinstance(trigger, WarningUnresolved)
    base, grace = trigger.after_workdays, trigger.ack_grace_workdays
    if not ev.has_history(task.task_id):
        return
    for unit, role in task.recipients(rule.roles):
        if ev.has_interview(task.task_id, unit):
            continue
        chosen: tuple[PastNotice, date, int, int] | None = None
        for notice in ev.history.get((task.task_id, unit), ()):
            if notice.level != "warning" or notice.status not in ladder.ISSUED_STATUSES:
                continue
            if task.deadline_changed_on is not None and notice.created_on < task.deadline_changed_on:
                continue  # a warning about a date since moved (extension, new date) leads to no interview
            start = notice.sent_on or notice.created_on
            need = base + (grace if notice.acknowledged_on is not None else 0)
            waited = ev.cal.workdays_between(start, ev.as_of)
            if waited >= need and (chosen is None or start < chosen[1]):
                chosen = (notice, start, waited, need)
        if chosen is None:
            continue
        warning, start, waited, need = chosen
        ack = (
            f"已于{zh_date(warning.acknowledged_on)}签收（签收后另给{grace}个工作日）"
            if warning.acknowledged_on
            else "未签收"
        )
        why = (
            f"{zh_date(start)}已向{unit}发出预警通知函，{ack}，至今{waited}个工作日任务「{task.title}」"
            f"仍未完成（规定{need}个工作日），拟{ladder.rung(rule.level).action}主要负责人"
        )
        ev.emit(task, rule, eff, unit, role, None, "warning_unresolved",
                occurrence_key(rule.id, task.task_id, unit, f"W{warning.key}"), why,
                {
                    "warning_key": warning.key,
                    "warning_rule": warning.rule_id,
                    "warning_on": start.isoformat(),
                    "acknowledged_on": warning.acknowledged_on.isoformat() if warning.acknowledged_on else None,
                    "workdays_since_warning": waited,
                    "threshold_workdays": need,
                })
