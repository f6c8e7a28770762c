"""Calendar feeds: an RFC 5545 .ics per unit, so officials see their deadlines in their own calendar.

Every open task the unit takes part in (牵头, 配合 or 责任) becomes all-day events on the plans'
business days (Asia/Shanghai): each due date (完成时限), each milestone found in the measure
text (节点), a window (实施时段) as one event spanning it, a "from" date (起施行), and a recurring
deadline (每月/每季度/每年…) as one event with its RRULE, bounded by the plan period. The
reminders the rules send before a due date become VALARMs at 09:00 on the same days (30 days
before, 3 working days before, ...), so the calendar and the digest agree.

The output is a pure function of the store and `as_of` (DTSTAMP is `as_of`, not the clock), so a
feed only changes when the facts do. `feed_token` signs a unit's name (HMAC-SHA256) for the
subscription URL `/feeds/{unit}.ics?token=...`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from scheduler.clock import SHANGHAI
from scheduler.escalation.facts import TaskFacts

ROLE_NAMES = {"lead": "牵头", "cooperating": "配合", "responsible": "责任"}
ALARM_HOUR = 9  # reminders ring at 09:00 on their day, when the digest goes out


@dataclass(frozen=True)
class ReminderOffset:
    """How long before a date a reminder rings: calendar days or working days (as rules/ say)."""

    days: int | None = None
    workdays: int | None = None


DEFAULT_OFFSETS = (ReminderOffset(days=30), ReminderOffset(days=7), ReminderOffset(workdays=3),
                   ReminderOffset(workdays=1))  # rules/default.yaml remind-before-due


def feed_token(unit: str, secret: bytes) -> str:
    """Return the token that lets a calendar subscribe to `unit`'s feed (URL-safe, 32 characters)."""
    digest = hmac.new(secret, b"duban-feed\x00" + unit.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:32]


def check_feed_token(unit: str, token: str, secret: bytes) -> bool:
    """Tell whether `token` opens `unit`'s feed (constant-time comparison)."""
    return hmac.compare_digest(feed_token(unit, secret).encode("ascii"), (token or "").encode("utf-8", "replace"))


def _fire_day(due: date, offset: ReminderOffset, calendar) -> date:
    """Return the day a reminder rings, the way scheduler.escalation.evaluate works it out."""
    if offset.days is not None:
        fire = due - timedelta(days=offset.days)
        if calendar is not None and not calendar.is_workday(fire):
            fire = calendar.add_workdays(fire, -1)
        return fire
    if calendar is not None:
        return calendar.add_workdays(due, -(offset.workdays or 0))
    fire, left = due, offset.workdays or 0
    while left:  # without the holiday calendar: Monday to Friday
        fire -= timedelta(days=1)
        left -= fire.weekday() < 5
    return fire


def _offsets_for(rulebook, plan_id: str) -> tuple[tuple[ReminderOffset, ...], bool]:
    """Return the plan's before-due reminder offsets and whether milestones get them too."""
    if rulebook is None:
        return DEFAULT_OFFSETS, True
    offsets: list[ReminderOffset] = []
    milestones = False
    for rule in rulebook.rules_for(plan_id).rules:
        if rule.trigger_type == "before_due":
            offsets += [ReminderOffset(o.days, o.workdays) for o in rule.offsets]
            milestones = milestones or getattr(rule.rule.trigger, "milestones", True)
    return tuple(dict.fromkeys(offsets)), milestones


def _alarm(day: date, fire: date, text: str):
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(days=(fire - day).days, hours=ALARM_HOUR))  # from 00:00 of the event day
    return alarm


def _event(uid: str, summary: str, start: date, end: date, stamp: datetime, description: str, category: str):
    from icalendar import Event

    event = Event()
    event.add("uid", f"{uid}@duban")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end + timedelta(days=1))  # all-day: DTEND is exclusive
    event.add("transp", "TRANSPARENT")
    event.add("categories", [category])
    event.add("description", description)
    return event


def build_unit_calendar(unit: str, facts: Sequence[TaskFacts], as_of: date,
                        offsets_for: Callable[[str], tuple[tuple[ReminderOffset, ...], bool]] = lambda plan: (
                            DEFAULT_OFFSETS, True),
                        calendar=None) -> bytes:
    """Return the .ics of `unit` from task facts (pure: no session, no clock)."""
    from dateutil.rrule import rrulestr
    from icalendar import Calendar, Timezone, vRecur

    cal = Calendar()
    cal.add("prodid", "-//Duban//督办时限日历//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"督办时限：{unit}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("x-wr-caldesc", f"{unit}承担的大气污染防治任务的完成时限、节点与实施时段（截至 {as_of.isoformat()}）")
    cal.add_component(Timezone.from_tzid("Asia/Shanghai"))
    stamp = datetime.combine(as_of, time(), SHANGHAI).astimezone(UTC)
    for task in facts:
        roles = [ROLE_NAMES[a.role] for a in task.assignments if a.unit == unit]
        if not roles or task.status in ("signed_off", "waived"):
            continue
        offsets, with_milestones = offsets_for(task.plan_id)
        deadline = task.deadline
        about = (f"任务：{task.task_id} {task.title}\n完成时限（原文）：{deadline.text or '（空）'}\n"
                 f"本单位：{'、'.join(dict.fromkeys(roles))}单位")
        if task.status == "reported_done":
            about += "\n状态：已报完成，待销号"

        def reminders(event, day: date, what: str) -> None:
            for offset in offsets:  # noqa: B023
                fire = _fire_day(day, offset, calendar)
                lead = f"{offset.days}天" if offset.days is not None else f"{offset.workdays}个工作日"
                event.add_component(_alarm(day, fire, f"{what}还有{lead}：{task.title}"))  # noqa: B023

        for day in deadline.due:
            event = _event(f"{task.task_id}/due/{day.isoformat()}", f"【到期】{task.title}", day, day, stamp,
                           about, "完成时限")
            reminders(event, day, "距完成时限")
            cal.add_component(event)
        for milestone in task.milestones:
            if milestone.due in deadline.due:
                continue
            event = _event(f"{task.task_id}/milestone/{milestone.due.isoformat()}",
                           f"【节点】{milestone.phrase or task.title}", milestone.due, milestone.due, stamp,
                           f"{about}\n节点（工程措施原文）：{milestone.text}", "节点")
            if with_milestones:
                reminders(event, milestone.due, "距节点")
            cal.add_component(event)
        if deadline.kind == "window" and deadline.start and deadline.end:
            event = _event(f"{task.task_id}/window/{deadline.start.isoformat()}", f"【实施时段】{task.title}",
                           deadline.start, deadline.end, stamp, about, "实施时段")
            event.add_component(_alarm(deadline.start, deadline.start, f"实施时段开始：{task.title}"))
            cal.add_component(event)
        elif deadline.kind == "from" and deadline.start:
            cal.add_component(_event(f"{task.task_id}/from/{deadline.start.isoformat()}", f"【起施行】{task.title}",
                                     deadline.start, deadline.start, stamp, about, "起施行"))
        elif deadline.kind == "recurring" and deadline.rrule and task.plan_period_start:
            end = task.plan_period_end or task.plan_period_start + timedelta(days=365)
            begin = datetime.combine(task.plan_period_start, time())
            first = rrulestr(deadline.rrule, dtstart=begin).after(begin, inc=True)
            if first is None or first.date() > end:
                continue
            event = _event(f"{task.task_id}/recurring", f"【定期】{task.title}", first.date(), first.date(), stamp,
                           about, "定期时限")
            event.add("rrule", vRecur.from_ical(f"{deadline.rrule};UNTIL={end:%Y%m%d}"))
            event.add_component(_alarm(first.date(), _fire_day(first.date(), ReminderOffset(workdays=3), calendar),
                                       f"定期时限还有3个工作日：{task.title}"))
            cal.add_component(event)
    return cal.to_ical()


def unit_calendar(session, unit: str, as_of: date, *, rulebook=None, calendar=None,
                  heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1)) -> bytes:
    """Return `unit`'s .ics from the store as of `as_of` (its canonical name, as in the unit directory);
    a unit without tasks gets a valid, empty calendar.

    `rulebook` gives each plan's reminder offsets (else the default ladder's), `calendar` (a
    WorkCalendar) the working days the reminders move to (else Monday to Friday)."""
    from scheduler.store import task_facts

    facts = task_facts(session, as_of, heating=heating)
    offsets = {}

    def offsets_for(plan_id: str):
        if plan_id not in offsets:
            offsets[plan_id] = _offsets_for(rulebook, plan_id)
        return offsets[plan_id]

    return build_unit_calendar(unit, facts, as_of, offsets_for, calendar)
