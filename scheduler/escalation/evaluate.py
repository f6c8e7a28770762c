"""Decide, for one business day, which reminders and escalations the rules want: a pure function.

`evaluate(tasks, rulebook, calendar, history, as_of, since)` returns Actions; it reads no clock,
store or network, so the service, `--as-of` previews and tests run the same code.

Semantics, in the order the brief and DESIGN.md fix them:
- Occurrence keys name the event, never the day it was noticed: `rule|task|unit|date|offset`
  (hashed when long). The same event gives the same key on every sweep, so the store's
  insert-or-nothing makes repeated sweeps idempotent. Actions whose key is already in `history`
  are not returned at all.
- Reminders (before_due, progress_request, window_start, window_end) have fire days. A fire day
  that falls on a non-working day moves to the previous working day unless the rule says
  `send_on_non_workdays`. A reminder is due when its fire day lies in (since, as_of]; for each
  (rule, task, unit, date) only the latest such fire day is returned, so a catch-up after downtime
  sends one reminder, not one per missed day. Without `since` the window is as_of alone.
- State escalations (progress_missing, overdue, warning_unresolved, serious_delay) are returned
  whenever their condition holds on as_of; their key makes them happen once.
- On a non-working as_of nothing fires except rules with `send_on_non_workdays`.
- Tasks signed off (销号), waived, or reported done get nothing: reported_done pauses the whole
  ladder until a coordinator signs off or reopens the task. A unit whose latest progress report
  says "done" is likewise left out of that task's notices. A task without dates (external
  deadline not yet supplied, unparsed cell) gets nothing; it sits in the unresolved queue.
- Overdue is counted in working days after the due date: workdays_between(due, as_of). Recurring
  tasks get reminders before each occurrence but no overdue escalation (a task status cannot say
  which occurrence is done). Milestones get reminders; overdue counts them only with
  `include_milestones`.
- warning_unresolved follows the warning as stored (PastNotice, status approved or sent), not the
  current rule file: the interview is proposed `after_workdays` working days after the warning
  (its sent_on, else created_on); an acknowledged (签收) warning gets `ack_grace_workdays` more.
  A unit gets at most one open interview per task (serious_delay and warning_unresolved share it).
- Inhibition: a unit with an interview pending review or approved, or sent at most
  `inhibit_urges_days_after_interview` days ago, gets no routine urges; they are returned with
  kind suffix "|folded" and the same key, so the sweep can store them as status `folded` and they
  never fire later. Reminders, warnings and interviews are not inhibited. Only interviews already
  in `history` inhibit (one proposed in the same call does not). `history` must therefore hold
  every unit's interviews, not only those of the tasks passed in.
- ack_missing follows the letters as stored: a warning or interview notice that was sent (sent_on)
  and not acknowledged (签收) `after_workdays` working days later gets one urge per letter (key
  `rule|task|unit|A<letter key>`) to the unit it was addressed to. It is about the letter itself,
  so an open interview case does not fold it. A letter without task (a metric rule's warning or
  interview, stored with its plan) is followed up the same way by its plan's ack_missing rules, to the
  unit it was addressed to, under `rule|plan|unit|A<letter key>`; `plans` says which plans count.
- Warnings and interviews need review; reminders and urges do not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from dateutil.rrule import rrulestr

from scheduler.escalation.facts import Action, PastNotice, TaskFacts
from scheduler.escalation.ruleset import CompiledRule, EffectiveRules, Offset, RuleBook
from scheduler.glossary import term

ONE_DAY = timedelta(days=1)
KEY_LIMIT = 160
STOPPED = frozenset({"signed_off", "waived", "reported_done"})
OPEN_INTERVIEW = frozenset({"pending_review", "approved", "held", "queued", "sent"})
PENDING_INTERVIEW = frozenset({"pending_review", "approved"})
LIVE_WARNING = frozenset({"approved", "sent"})
LETTER_LEVELS = frozenset({"warning", "interview"})  # the notices that go out as letters to sign for
DATED_KINDS = frozenset({"due", "year_long", "season", "external"})
VERB = {"reminder": "提醒", "urge": "催办", "warning": "下发预警通知函", "interview": "约谈"}

History = Mapping[tuple[str | None, str], Sequence[PastNotice]]


class Calendar(Protocol):
    """The working-day questions evaluation asks (scheduler.escalation.calendar.WorkCalendar answers them)."""

    def is_workday(self, day: date) -> bool: ...

    def add_workdays(self, day: date, n: int) -> date:
        """Return the n-th working day after (n>0) or before (n<0) `day`; 0 rolls forward."""
        ...

    def workdays_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]."""
        ...


def occurrence_key(*parts: str) -> str:
    """Join the parts of an event into its key; hash the tail when the key would be long."""
    key = "|".join(parts)
    if len(key) > KEY_LIMIT:
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]
        key = f"{parts[0]}|{parts[1][:80]}|{digest}"
    return key


def rule_explanation(level: str, label: str, ruleset: str, rule: str, version: str, clause: str, finding: str) -> str:
    """Word why a notice exists the same way for task and metric rules: level, rule, clause, finding."""
    return f"【{term(level)}】依据规则「{label}」（{ruleset}/{rule} 第{version}版，{clause}）：{finding}。"


def zh_date(day: date) -> str:
    """Return a date as 2019年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def due_dates(task: TaskFacts) -> tuple[date, ...]:
    """Return the task's own due dates (year-long tasks fall due at their end)."""
    deadline = task.deadline
    if deadline.due:
        return deadline.due if deadline.kind in DATED_KINDS else ()
    if deadline.kind == "year_long" and deadline.end is not None:
        return (deadline.end,)
    return ()


def _period_start(day: date, every: str) -> date:
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


def _period_label(start: date, every: str) -> str:
    if every == "week":
        return f"{zh_date(start)}当周"
    if every == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


class _Evaluation:
    """One call's state: the day, the window, and caches shared by all tasks of the call."""

    def __init__(
        self, calendar: Calendar, history: History, as_of: date, since: date | None
    ) -> None:
        self.cal = calendar
        self.history = history
        self.as_of = as_of
        self.workday = calendar.is_workday(as_of)
        lo = as_of - ONE_DAY
        self.lo = since if since is not None and since < lo else lo  # fire days in (lo, as_of]
        self.out: list[Action] = []
        self._fires: dict[tuple[int, date], tuple[tuple[date, date, Offset], ...]] = {}
        self._late: dict[date, int] = {}
        self._periods: dict[tuple[str, int, bool], tuple[date, date] | None] = {}
        self._occurrences: dict[tuple[str, date, int], tuple[date, ...]] = {}
        self._inhibit: dict[str, tuple[bool, date | None]] | None = None
        self._interviewed: set[tuple[str, str]] = set()
        self._with_history: set[str | None] | None = None

    # -- calendar questions, cached per call ---------------------------------------------------

    def late(self, due: date) -> int:
        """Return the working days in (due, as_of]."""
        value = self._late.get(due)
        if value is None:
            value = self._late[due] = self.cal.workdays_between(due, self.as_of)
        return value

    def _fire_days(self, rule: CompiledRule, day: date) -> tuple[tuple[date, date, Offset], ...]:
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
            items.sort(
                key=lambda item: (item[0], item[1])
            )  # ties: the offset nearest the date wins
            fires = self._fires[key] = tuple(items)
        return fires

    def pick(self, rule: CompiledRule, day: date, floor: date | None) -> tuple[date, Offset] | None:
        """Return the latest (fire day, offset) of `rule` for `day` inside the window."""
        lo, as_of = self.lo, self.as_of
        for fire, _nominal, offset in reversed(self._fire_days(rule, day)):
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
        start = _period_start(self.as_of, every)
        for _ in range(2):  # this period, else the previous one
            if any_day:
                fire = start + timedelta(days=nth - 1)
            else:
                fire = self.cal.add_workdays(start - ONE_DAY, nth)
            if fire <= self.as_of and fire < _next_period(start, every):
                result = (start, fire)
                break
            start = _period_start(start - ONE_DAY, every)
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

    def known(self, task_id: str | None, unit: str, key: str) -> bool:
        """Return whether the store already holds this occurrence."""
        for notice in self.history.get((task_id, unit), ()):
            if notice.key == key:
                return True
        return False

    def inhibited(self, unit: str, days: int) -> bool:
        """Return whether an interview case of `unit` folds its routine urges."""
        if self._inhibit is None:
            table: dict[str, tuple[bool, date | None]] = {}
            for notices in self.history.values():
                for notice in notices:
                    if notice.level != "interview":
                        continue
                    pending, last = table.get(notice.unit, (False, None))
                    if notice.status in PENDING_INTERVIEW:
                        pending = True
                    elif notice.status == "sent":
                        sent = notice.sent_on or notice.created_on
                        last = sent if last is None or sent > last else last
                    table[notice.unit] = (pending, last)
            self._inhibit = table
        entry = self._inhibit.get(unit)
        if entry is None:
            return False
        pending, last = entry
        return pending or (last is not None and 0 <= (self.as_of - last).days <= days)

    def has_interview(self, task_id: str, unit: str) -> bool:
        """Return whether the unit already has an open interview for the task."""
        if (task_id, unit) in self._interviewed:
            return True
        for notice in self.history.get((task_id, unit), ()):
            if notice.level == "interview" and notice.status in OPEN_INTERVIEW:
                return True
        return False

    # -- output ---------------------------------------------------------------------------------

    def emit(
        self,
        task: TaskFacts,
        rule: CompiledRule,
        eff: EffectiveRules,
        unit: str,
        role: str,
        due: date | None,
        kind: str,
        key: str,
        why: str,
        facts: dict[str, Any],
    ) -> None:
        """Append an Action unless the store has it; fold urges of an inhibited unit."""
        self.record(task.plan_id, task.task_id, rule, eff, unit, role, due, kind, key, why, facts)

    def record(
        self,
        plan_id: str,
        task_id: str | None,
        rule: CompiledRule,
        eff: EffectiveRules,
        unit: str,
        role: str | None,
        due: date | None,
        kind: str,
        key: str,
        why: str,
        facts: dict[str, Any],
    ) -> None:
        """`emit` for a task or, with task_id None, for a plan's metric letter."""
        if self.known(task_id, unit, key):
            return
        if (rule.level == "urge" and rule.trigger_type != "ack_missing"
                and self.inhibited(unit, eff.inhibit_urges_days)):
            kind += "|folded"
            why += "（该单位已有约谈案件，本催办并入约谈案件，不单独发送）"
        if rule.level == "interview" and task_id is not None:
            self._interviewed.add((task_id, unit))
        facts.update(
            task=task_id,
            plan=plan_id,
            unit=unit,
            role=role,
            due=due.isoformat() if due else None,
            as_of=self.as_of.isoformat(),
        )
        self.out.append(
            Action(
                key=key,
                level=rule.level,
                rule_id=rule.id,
                ruleset_id=rule.ruleset_id,  # type: ignore[arg-type]
                ruleset_version=rule.ruleset_version,
                plan_id=plan_id,
                task_id=task_id,
                unit=unit,
                due=due,
                kind=kind,
                needs_review=rule.needs_review,
                clause=rule.rule.clause,
                explanation=rule_explanation(rule.level, rule.rule.label, rule.ruleset_id, rule.id,
                                             rule.ruleset_version, rule.rule.clause, why),
                facts=facts,
                rule_snapshot=rule.snapshot,
            )
        )


def _recipients(task: TaskFacts, roles: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return (unit, role) for the roles, first role wins, without units that reported done."""
    done: set[str] = set()
    if task.reports:
        latest: dict[str, tuple[date, str]] = {}
        for report in task.reports:
            seen = latest.get(report.unit)
            if seen is None or report.on >= seen[0]:
                latest[report.unit] = (report.on, report.status)
        done = {unit for unit, (_on, status) in latest.items() if status == "done"}
    found: dict[str, str] = {}
    for assignment in task.assignments:
        if assignment.role in roles and assignment.unit not in done:
            found.setdefault(assignment.unit, assignment.role)
    return list(found.items())


# -- triggers: one function per trigger type ---------------------------------------------------


def _reminder_dates(task: TaskFacts, milestones: bool) -> list[tuple[date, str]]:
    dates = [(day, "") for day in due_dates(task)]
    if milestones:
        own = {day for day, _ in dates}
        for milestone in task.milestones:
            if milestone.due not in own:
                own.add(milestone.due)
                dates.append((milestone.due, milestone.phrase or milestone.text))
    return dates


def _remind_ahead(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules, day: date,
                  kind: str, describe, extra: dict) -> bool:
    """Emit the reminders of `rule` for one due day, if one of its offsets fires in this sweep.

    `describe(unit, role, offset, late)` words the explanation; returns False when nothing fired."""
    hit = ev.pick(rule, day, task.deadline_changed_on)
    if hit is None:
        return False
    fire, offset = hit
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in _recipients(task, rule.roles):
        ev.emit(task, rule, eff, unit, role, day, kind,
                occurrence_key(rule.id, task.task_id, unit, day.isoformat(), offset.tag),
                describe(unit, role, offset, late),
                {"offset": offset.tag, "fire_day": fire.isoformat(), **extra})
    return True


def _before_due(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    for day, phrase in _reminder_dates(task, trigger.milestones):  # type: ignore[union-attr]
        if day <= ev.lo or (day - ev.as_of).days > rule.max_lead_days:
            continue
        what = f"节点「{phrase}」" if phrase else "完成时限"
        _remind_ahead(ev, task, rule, eff, day, "before_due", lambda unit, role, offset, late: (
            f"任务「{task.title}」的{what}为{zh_date(day)}，距今{(day - ev.as_of).days}天，"  # noqa: B023
            f"按规定提前{offset.zh}提醒{term(role)}{unit}按期完成{late}"
        ), {"milestone": phrase or None})


def _progress_request(
    ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules
) -> None:
    trigger = rule.rule.trigger
    deadline = task.deadline
    if deadline.kind == "recurring":
        if trigger.recurring:  # type: ignore[union-attr]
            _recurring(ev, task, rule, eff)
        return
    if deadline.kind not in trigger.kinds:  # type: ignore[union-attr]
        return
    start = deadline.start or task.plan_period_start
    end = deadline.end or (deadline.due[-1] if deadline.due else None) or task.plan_period_end
    every, nth = trigger.every, trigger.nth_workday  # type: ignore[union-attr]
    found = ev.period_fire(every, nth, rule.send_on_non_workdays)
    if found is None:
        return
    period, fire = found
    if fire <= ev.lo or (start is not None and fire < start) or (end is not None and fire > end):
        return
    label = _period_label(period, every)
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in _recipients(task, rule.roles):
        why = (
            f"任务「{task.title}」（时限：{deadline.text}）正在实施，请{term(role)}{unit}报送{label}进展情况"
            f"（每{term(every)}第{nth}个工作日提醒）{late}"
        )
        ev.emit(
            task,
            rule,
            eff,
            unit,
            role,
            None,
            "progress_request",
            occurrence_key(rule.id, task.task_id, unit, f"P{period.isoformat()}"),
            why,
            {"period": period.isoformat(), "every": every, "fire_day": fire.isoformat()},
        )


def _recurring(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    deadline = task.deadline
    dtstart = deadline.start or task.plan_period_start
    if not deadline.rrule or dtstart is None:
        return
    for day in ev.occurrences(deadline.rrule, dtstart, rule.max_lead_days):
        if task.plan_period_end is not None and day > task.plan_period_end:
            break
        _remind_ahead(ev, task, rule, eff, day, "progress_request", lambda unit, role, offset, late: (
            f"周期性任务「{task.title}」（{deadline.text}）本期时限为{zh_date(day)}，"  # noqa: B023
            f"按规定提前{offset.zh}提醒{term(role)}{unit}完成并报送进展{late}"
        ), {"rrule": deadline.rrule})


def _progress_missing(
    ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules
) -> None:
    need = rule.rule.trigger.after_workdays  # type: ignore[union-attr]
    if not ev.has_history(task.task_id):
        return
    for unit, role in _recipients(task, rule.roles):
        request: PastNotice | None = None
        for notice in ev.history.get((task.task_id, unit), ()):
            # Only a delivered request was "made": a queued one has not reached the unit yet.
            if notice.rule_id in eff.progress_rule_ids and notice.status == "sent":
                if request is None or (notice.sent_on or notice.created_on) > (
                    request.sent_on or request.created_on
                ):
                    request = notice
        if request is None:
            continue
        asked = request.sent_on or request.created_on
        if any(report.unit == unit and report.on >= asked for report in task.reports):
            continue
        waited = ev.cal.workdays_between(asked, ev.as_of)
        if waited < need:
            continue
        why = (
            f"{zh_date(asked)}已请{term(role)}{unit}报送任务「{task.title}」进展，"
            f"{waited}个工作日未收到报送（规定{need}个工作日内报送）"
        )
        ev.emit(
            task,
            rule,
            eff,
            unit,
            role,
            None,
            "progress_missing",
            occurrence_key(rule.id, task.task_id, unit, f"R{asked.isoformat()}"),
            why,
            {
                "requested_on": asked.isoformat(),
                "request_key": request.key,
                "workdays_waited": waited,
            },
        )


def _window(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    deadline = task.deadline
    if deadline.kind != "window" or deadline.start is None or deadline.end is None:
        return
    cal, trigger = ev.cal, rule.rule.trigger
    if trigger.type == "window_start":
        anchor = deadline.start
        fire = anchor if rule.send_on_non_workdays else cal.add_workdays(anchor, 0)
        what = f"实施时段（{zh_date(deadline.start)}至{zh_date(deadline.end)}）开始"
    else:
        anchor = deadline.end
        before = trigger.before_workdays  # type: ignore[union-attr]
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
    if not ev.lo < fire <= ev.as_of:
        return
    if task.deadline_changed_on is not None and fire < task.deadline_changed_on:
        return
    late = "" if fire == ev.as_of else f"（原定{zh_date(fire)}提醒，补发）"
    for unit, role in _recipients(task, rule.roles):
        why = f"任务「{task.title}」的{what}，请{term(role)}{unit}按要求落实{late}"
        ev.emit(
            task,
            rule,
            eff,
            unit,
            role,
            deadline.end,
            trigger.type,
            occurrence_key(rule.id, task.task_id, unit, anchor.isoformat()),
            why,
            {
                "window_start": deadline.start.isoformat(),
                "window_end": deadline.end.isoformat(),
                "fire_day": fire.isoformat(),
            },
        )


def _overdue(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    need = trigger.after_workdays  # type: ignore[union-attr]
    milestones = trigger.type == "overdue" and trigger.include_milestones  # type: ignore[union-attr]
    interview = rule.level == "interview"
    recipients = None
    for day, phrase in _reminder_dates(task, milestones):
        if day >= ev.as_of:
            continue
        late = ev.late(day)
        if late < need:
            continue
        recipients = _recipients(task, rule.roles) if recipients is None else recipients
        what = f"节点「{phrase}」" if phrase else "完成时限"
        for unit, role in recipients:
            if interview and ev.has_interview(task.task_id, unit):
                continue
            key = occurrence_key(rule.id, task.task_id, unit, day.isoformat())
            if ev.known(task.task_id, unit, key):
                continue
            why = (
                f"任务「{task.title}」的{what}{zh_date(day)}已过{late}个工作日仍未完成"
                f"（规定逾期{need}个工作日{VERB[rule.level]}），{term(role)}：{unit}"
            )
            ev.emit(
                task,
                rule,
                eff,
                unit,
                role,
                day,
                trigger.type,
                key,
                why,
                {"workdays_overdue": late, "threshold_workdays": need, "milestone": phrase or None},
            )


def _warning_unresolved(
    ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules
) -> None:
    trigger = rule.rule.trigger
    base, grace = trigger.after_workdays, trigger.ack_grace_workdays  # type: ignore[union-attr]
    if not ev.has_history(task.task_id):
        return
    for unit, role in _recipients(task, rule.roles):
        if ev.has_interview(task.task_id, unit):
            continue
        chosen: tuple[PastNotice, date, int, int] | None = None
        for notice in ev.history.get((task.task_id, unit), ()):
            if notice.level != "warning" or notice.status not in LIVE_WARNING:
                continue
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
            f"仍未完成（规定{need}个工作日），拟约谈主要负责人"
        )
        ev.emit(
            task,
            rule,
            eff,
            unit,
            role,
            None,
            "warning_unresolved",
            occurrence_key(rule.id, task.task_id, unit, f"W{warning.key}"),
            why,
            {
                "warning_key": warning.key,
                "warning_rule": warning.rule_id,
                "warning_on": start.isoformat(),
                "acknowledged_on": warning.acknowledged_on.isoformat()
                if warning.acknowledged_on
                else None,
                "workdays_since_warning": waited,
                "threshold_workdays": need,
            },
        )


def _letter_name(letter: PastNotice) -> str:
    """Name a letter as its recipient knows it: 预警通知函 or 约谈通知, and its number once it has one."""
    name = "约谈通知" if letter.level == "interview" else term(letter.level)
    return f"{name}（{letter.number}）" if letter.number else name


def _unsigned(letter: PastNotice, levels: Iterable[str]) -> bool:
    """Return whether a stored notice is a delivered letter of `levels` nobody has signed for."""
    return (letter.level in levels and letter.status == "sent" and letter.sent_on is not None
            and letter.acknowledged_on is None)


def _ack_facts(letter: PastNotice, waited: int, need: int) -> dict[str, Any]:
    return {
        "letter_key": letter.key,
        "letter_level": letter.level,
        "letter_number": letter.number or None,
        "sent_on": letter.sent_on.isoformat() if letter.sent_on else None,
        "workdays_waited": waited,
        "threshold_workdays": need,
    }


def _ack_missing(ev: _Evaluation, task: TaskFacts, rule: CompiledRule, eff: EffectiveRules) -> None:
    trigger = rule.rule.trigger
    need, levels = trigger.after_workdays, trigger.levels  # type: ignore[union-attr]
    if not ev.has_history(task.task_id):
        return
    for unit, role in _recipients(task, rule.roles):
        for letter in ev.history.get((task.task_id, unit), ()):
            if letter.sent_on is None or not _unsigned(letter, levels):
                continue
            waited = ev.cal.workdays_between(letter.sent_on, ev.as_of)
            if waited < need:
                continue
            number = f"，{letter.number}" if letter.number else ""
            why = (
                f"{zh_date(letter.sent_on)}已向{term(role)}{unit}发出{term(letter.level)}"
                f"（任务「{task.title}」{number}），{waited}个工作日仍未签收（规定{need}个工作日内签收），"
                f"请即签收并按函件要求办理"
            )
            ev.emit(
                task,
                rule,
                eff,
                unit,
                role,
                None,
                "ack_missing",
                occurrence_key(rule.id, task.task_id, unit, f"A{letter.key}"),
                why,
                _ack_facts(letter, waited, need),
            )


def _letters_without_task(ev: _Evaluation, rulesets: RuleBook, plans: Collection[str]) -> None:
    """Follow up the unsigned letters that have no task (the metric rules' warnings and interviews).

    Such a letter is stored with its plan and the unit it was addressed to (a county government);
    its plan's ack_missing rules apply to that unit, whatever roles they name for task letters. The key
    `rule|plan|unit|A<letter key>` mirrors the task letters' `rule|task|unit|A<letter key>`."""
    for (task_id, unit), notices in ev.history.items():
        if task_id is not None:
            continue
        for letter in notices:
            if letter.plan_id not in plans or letter.sent_on is None or not _unsigned(letter, LETTER_LEVELS):
                continue
            eff = rulesets.rules_for(letter.plan_id)
            for rule in eff.rules:
                if rule.trigger_type != "ack_missing" or not (ev.workday or rule.send_on_non_workdays):
                    continue
                trigger = rule.rule.trigger
                need, levels = trigger.after_workdays, trigger.levels  # type: ignore[union-attr]
                if letter.level not in levels:
                    continue
                waited = ev.cal.workdays_between(letter.sent_on, ev.as_of)
                if waited < need:
                    continue
                name = _letter_name(letter)
                why = (
                    f"{zh_date(letter.sent_on)}已向{unit}发出{name}（空气质量指标类，不对应具体任务），"
                    f"{waited}个工作日仍未签收（规定{need}个工作日内签收），请即签收并按函件要求办理"
                )
                facts = _ack_facts(letter, waited, need)
                facts["task_title"] = f"{name}未签收"  # digests list a notice without task by this title
                ev.record(
                    letter.plan_id,
                    None,
                    rule,
                    eff,
                    unit,
                    None,
                    None,
                    "ack_missing",
                    occurrence_key(rule.id, letter.plan_id, unit, f"A{letter.key}"),
                    why,
                    facts,
                )


HANDLERS = {
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
    ev = _Evaluation(calendar, history, as_of, since)
    workday = ev.workday
    seen: set[str] = set()
    for task in tasks:
        seen.add(task.plan_id)
        if task.status in STOPPED:
            continue
        eff = rulesets.rules_for(task.plan_id)
        if not workday and not eff.any_non_workday_rule:
            continue
        for rule in eff.rules:
            if workday or rule.send_on_non_workdays:
                HANDLERS[rule.trigger_type](ev, task, rule, eff)
    _letters_without_task(ev, rulesets, seen if plans is None else frozenset(plans))
    return ev.out
