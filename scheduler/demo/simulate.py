"""Simulated progress for the demo season: deterministic, so every demo run tells the same story.

Each task gets a profile from a stable hash of its id: most finish on time, some late, a few
seriously late; units of ongoing tasks report monthly, a few forget. Pure: takes the day, returns
the events to record on it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from scheduler.escalation.facts import TaskFacts

Profile = Literal["on_time", "late", "very_late"]


@dataclass(frozen=True)
class Event:
    """One thing that happens in the simulated season."""

    kind: Literal["report", "sign_off"]
    task_id: str
    unit: str
    percent: int = 0
    status: Literal["in_progress", "done"] = "in_progress"
    note: str = ""


def stable_share(text: str) -> int:
    """Return a number in 0..99 that depends only on `text`."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100


def profile(task_id: str) -> Profile:
    share = stable_share(task_id)
    return "on_time" if share < 60 else "late" if share < 85 else "very_late"


def finish_day(task: TaskFacts) -> date | None:
    """Return the day the simulated task is reported done, or None if not within the season."""
    if not task.deadline.due:
        return None
    due = task.deadline.due[-1]
    share = stable_share(task.task_id)
    match profile(task.task_id):
        case "on_time":
            return due - timedelta(days=share % 9)
        case "late":
            return due + timedelta(days=7 + share % 16)
        case _:
            return due + timedelta(days=60 + share % 30)


def events_for_day(tasks: list[TaskFacts], day: date) -> list[Event]:
    """Return the progress reports and sign-offs that happen on `day`."""
    events: list[Event] = []
    for task in tasks:
        if task.status in ("signed_off", "waived"):
            continue
        reporters = task.units("responsible") or task.units("lead")
        if not reporters:
            continue
        done_on = finish_day(task)
        if done_on is not None:
            if day == done_on:
                events.extend(Event("report", task.task_id, unit, 100, "done", "已完成，申请销号")
                              for unit in reporters)
            elif day == done_on + timedelta(days=3):
                events.append(Event("sign_off", task.task_id, reporters[0], note="核查属实，同意销号"))
        elif task.deadline.kind in ("ongoing", "year_long", "from", "recurring") and day.day == 5:
            for unit in reporters:
                if stable_share(unit + day.isoformat()) >= 15:  # some units forget some months
                    events.append(Event("report", task.task_id, unit, 0, "in_progress",
                                        f"{day.month}月份进展：按计划推进"))
    return events
