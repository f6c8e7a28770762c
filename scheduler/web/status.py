"""The dashboard's 红黄绿灯 tallies by county and by unit, and overdue tasks over time.

How one task stands is scheduler.escalation.status.standing, the one rule every page, the 台账 and
the 通报 ask; this module only counts its answers per (task, unit) pair and lays out the chart.
A task counts for its lead and responsible units; closed tasks (signed off, waived) are not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.status import COUNTED_ROLES, STATES, closed_on, overdue_on, standing


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
        for view in task.by_unit():  # each unit as it holds the task: its own extension moves its lamp only
            for unit in view.units(*COUNTED_ROLES):
                found = standing(view, as_of, (task.task_id, unit) in urged)
                if not found.is_open:
                    continue
                county = counties.get(unit, "其他")
                by_county.setdefault(county, Tally(county)).counts[found.state] += 1
                by_unit.setdefault(unit, Tally(unit)).counts[found.state] += 1

    def order(tally: Tally) -> tuple:
        return (-tally.counts["overdue"], -tally.counts["at_risk"], tally.name)

    return sorted(by_county.values(), key=order), sorted(by_unit.values(), key=order)


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
    # overdue when late for an accountable unit at that unit's own date
    views = [(t.task_id, [v for v in t.by_unit() if v is t or v.units(*COUNTED_ROLES)]) for t in tasks]
    return [sum(1 for task_id, held in views if any(overdue_on(v, day, closes[task_id]) for v in held))
            for day in days]


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
