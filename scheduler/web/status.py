"""红黄绿灯: how each task stands for each of its units on a day, and overdue tasks over time.

Pure functions over scheduler.escalation.facts values and an explicit day; the dashboard feeds them from the
store. Rules, in order, for an open task and one of its lead or responsible units:
- closed (signed off or waived): not counted;
- reported done (awaiting sign-off): on track;
- a due date of the task already passed: overdue (红);
- a due date within the next AT_RISK_DAYS days, or the unit was urged, warned or summoned on the
  task within the last URGED_DAYS days: at risk (黄);
- otherwise on track (绿).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.escalation.evaluate import due_dates
from scheduler.escalation.facts import TaskFacts

AT_RISK_DAYS = 14
URGED_DAYS = 30
COUNTED_ROLES = ("lead", "responsible")
CLOSED = ("signed_off", "waived")
STATES = ("overdue", "at_risk", "on_track")


def task_state(task: TaskFacts, as_of: date, urged: bool = False) -> str | None:
    """Return overdue, at_risk or on_track for an open task (None when closed)."""
    if task.status in CLOSED:
        return None
    if task.status == "reported_done":
        return "on_track"
    dates = due_dates(task)
    if any(day < as_of for day in dates):
        return "overdue"
    if urged or any(day <= as_of + timedelta(days=AT_RISK_DAYS) for day in dates):
        return "at_risk"
    return "on_track"


@dataclass
class Tally:
    """Counts of (task, unit) pairs per state; the lamp shows the worst state present."""

    name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def lamp(self) -> str:
        for state in STATES:
            if self.counts[state]:
                return state
        return "on_track"

    @property
    def total(self) -> int:
        return sum(self.counts[s] for s in STATES)


def county_of(unit: str, kind: str, region: str) -> str:
    """Group a unit under its county: a county government is its own county, a unit of a county
    (town, county bureau) belongs to that county, city bureaus are 市直部门 of their city."""
    if kind in ("county_government", "zone_committee"):
        return unit.removeprefix(region).removesuffix("人民政府") or unit
    if region.endswith(("县", "区")) or kind == "town_government":
        return region
    return f"{region}市直部门"


def lights(
    tasks: Iterable[TaskFacts],
    as_of: date,
    counties: Mapping[str, str],
    urged: set[tuple[str, str]] | frozenset = frozenset(),
) -> tuple[list[Tally], list[Tally]]:
    """Return the tallies by county and by unit, worst first then by name."""
    by_county: dict[str, Tally] = {}
    by_unit: dict[str, Tally] = {}
    for task in tasks:
        for unit in task.units(*COUNTED_ROLES):
            state = task_state(task, as_of, (task.task_id, unit) in urged)
            if state is None:
                continue
            county = counties.get(unit, "其他")
            by_county.setdefault(county, Tally(county)).counts[state] += 1
            by_unit.setdefault(unit, Tally(unit)).counts[state] += 1

    def order(tally: Tally) -> tuple:
        return (-tally.counts["overdue"], -tally.counts["at_risk"], tally.name)

    return sorted(by_county.values(), key=order), sorted(by_unit.values(), key=order)


def closed_on(task: TaskFacts, signed_off: date | None) -> date | None:
    """Return the first day the task no longer counts as late: sign-off or a 'done' report."""
    done = [r.on for r in task.reports if r.status == "done"]
    days = [d for d in (signed_off, min(done) if done else None) if d is not None]
    return min(days) if days else None


def overdue_on(task: TaskFacts, day: date, closed: date | None) -> bool:
    """Was the task late on `day`: a due date before it, and not yet done or signed off?"""
    if task.status == "waived":
        return False
    if closed is not None and closed <= day:
        return False
    return any(due < day for due in due_dates(task))


def sample_days(start: date, end: date, points: int = 26) -> list[date]:
    """Return up to `points` days from start to end inclusive, evenly spaced, end always last."""
    if end <= start:
        return [end]
    span = (end - start).days
    step = max(1, -(-span // (points - 1)))
    days = [start + timedelta(days=k) for k in range(0, span, step)]
    return [*days, end]


def overdue_series(tasks: Sequence[TaskFacts], signoffs: Mapping[str, date], days: Sequence[date]) -> list[int]:
    """Return the number of overdue tasks on each day (current deadlines applied throughout)."""
    closes = {t.task_id: closed_on(t, signoffs.get(t.task_id)) for t in tasks}
    return [sum(1 for t in tasks if overdue_on(t, day, closes[t.task_id])) for day in days]


@dataclass(frozen=True)
class Chart:
    """An SVG line chart's geometry, computed here so the template only draws."""

    width: int
    height: int
    points: str  # polyline "x,y x,y ..."
    dots: tuple[tuple[float, float, str, int], ...]  # x, y, day label, value
    ticks: tuple[tuple[float, str], ...]  # y, value label
    labels: tuple[tuple[float, str, str], ...]  # x, day label, text-anchor
    top: int


def chart(days: Sequence[date], values: Sequence[int], width: int = 720, height: int = 220) -> Chart:
    """Lay out the series on a grid with a margin for the axes' labels."""
    left, right, top_margin, bottom = 48, 16, 16, 32
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    top = max(max(values, default=0), 1)
    nice = next((n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000) if n >= top / 4),
                top)
    top = -(-top // nice) * nice
    n = len(values)

    def x(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: int) -> float:
        return round(top_margin + plot_h - plot_h * v / top, 1)

    dots = tuple((x(i), y(v), days[i].isoformat(), v) for i, v in enumerate(values))
    ticks = tuple((y(v), str(v)) for v in range(0, top + 1, nice))
    picks = sorted({0, n // 2, n - 1}) if n else []
    anchor = {0: "start", n - 1: "end"}
    labels = tuple((x(i), days[i].isoformat(), anchor.get(i, "middle")) for i in picks)
    return Chart(width, height, " ".join(f"{a},{b}" for a, b, _, _ in dots), dots, ticks, labels, top)
