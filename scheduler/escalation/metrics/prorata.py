"""Pro-rata progress (序时进度): where a region stands against a period target on a given day, what
the rest of the period must stay under to still meet it, its rank among counties, and a task's
reported percent against the elapsed share of its time. Pure arithmetic on values.

Formulas (docs/metrics.md works an example):
- elapsed days e = days from the period start to the day assessed, inclusive; N = days in the period
  (a leap February counts 29); days with data k ≤ e — missing days are left out, never guessed.
- mean target (concentration): cumulative average A = S / k, S the sum of the k daily values; a month
  with no daily value but a monthly value counts that value for each of its days once the month is over.
  Gap = A − limit (positive: off track). With r = N − e days left, the rest must average at most
  R = (limit × (k + r) − S) / r; R < 0 means the target can no longer be met.
- count target (heavy-pollution days): days with AQI > 200 so far (a month's reported count where no daily
  AQI exists); off track once the count exceeds the whole period's limit; R = limit − count days left.
- rank: counties ordered by improvement on their baseline, (baseline − A) / baseline, best first; without
  baselines by A, lowest first; equal values share a rank (1, 2, 2, 4).
- task: expected percent = 100 × (day − start) / (due − start), capped at 100; behind = expected − reported.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.escalation.metrics.catalog import HEAVY_AQI
from scheduler.escalation.metrics.targets import PeriodTarget, round_half_up
from scheduler.escalation.metrics.values import MetricValue

ONE_DAY = timedelta(days=1)


class Series:
    """Values indexed by (region, metric): daily values by day, monthly values by month's first day."""

    def __init__(self, values: Iterable[MetricValue] = ()) -> None:
        self.daily: dict[tuple[str, str], dict[date, float]] = defaultdict(dict)
        self.monthly: dict[tuple[str, str], dict[date, float]] = defaultdict(dict)
        for value in values:
            self.add(value)

    def add(self, value: MetricValue) -> None:
        target = self.monthly if value.monthly else self.daily
        target[(value.region, value.metric)][value.day] = value.value

    def days(self, region: str, metric: str) -> Mapping[date, float]:
        return self.daily.get((region, metric), {})

    def month(self, region: str, metric: str, first: date) -> float | None:
        return self.monthly.get((region, metric), {}).get(first)

    def regions(self) -> set[str]:
        return {region for region, _ in (*self.daily, *self.monthly)}


def month_end(day: date) -> date:
    return day.replace(day=month_calendar.monthrange(day.year, day.month)[1])


def _months(start: date, end: date) -> Iterable[tuple[date, date, date]]:
    """Yield (first of month, first day in range, last day in range) for each month in start..end."""
    first = start.replace(day=1)
    while first <= end:
        last = month_end(first)
        yield first, max(first, start), min(last, end)
        first = last + ONE_DAY


@dataclass(frozen=True)
class Progress:
    """A region's standing against one period target, as of one day."""

    target: PeriodTarget
    as_of: date  # values up to and including this day
    days_total: int  # N
    days_elapsed: int  # e
    days_with_data: int  # k
    value: float | None  # cumulative average (mean) or day count (count); None without data
    total: float  # S: sum of the counted daily values (mean) or the count
    required_rest: float | None  # R; None when no day is left or nothing is known

    @property
    def missing_days(self) -> int:
        return self.days_elapsed - self.days_with_data

    @property
    def share_elapsed(self) -> float:
        return self.days_elapsed / self.days_total

    @property
    def gap(self) -> float | None:
        return None if self.value is None else self.value - self.target.limit

    @property
    def final(self) -> bool:
        return self.as_of >= self.target.end

    def off_track(self, tolerance: float = 0.0) -> bool:
        """Say whether the value so far is above the limit (by more than `tolerance`). Averages are
        compared as published, rounded half-up to 0.1: 58.94 against a limit of 58.9 is on track."""
        if self.value is None:
            return False
        value = round_half_up(self.value) if self.target.aggregate == "mean" else self.value
        return value - self.target.limit > tolerance + 1e-9

    @property
    def improvement(self) -> float | None:
        """Return (baseline − value) / baseline, the share by which the region beat its baseline."""
        base = self.target.baseline
        if base is None or self.value is None or base == 0:
            return None
        return (base - self.value) / base


def progress(target: PeriodTarget, series: Series, as_of: date) -> Progress:
    """Return where `target.region` stands on `as_of` (values after it are ignored)."""
    last = min(as_of, target.end)
    elapsed = max((last - target.start).days + 1, 0)
    total, counted = 0.0, 0
    if elapsed:
        if target.aggregate == "mean":
            total, counted = _mean_parts(target, series, last)
        else:
            total, counted = _count_parts(target, series, last)
    value: float | None
    if target.aggregate == "mean":
        value = total / counted if counted else None
    else:
        value = total if counted else None
    remaining = target.days - elapsed
    required: float | None = None
    if remaining > 0 and counted:
        if target.aggregate == "mean":
            required = (target.limit * (counted + remaining) - total) / remaining
        else:
            required = target.limit - total
    return Progress(target, as_of, target.days, elapsed, counted, value, total, required)


def _mean_parts(target: PeriodTarget, series: Series, last: date) -> tuple[float, int]:
    days = series.days(target.region, target.metric)
    total, counted = 0.0, 0
    for first, lo, hi in _months(target.start, last):
        found = [v for d, v in days.items() if lo <= d <= hi]
        if found:
            total += sum(found)
            counted += len(found)
            continue
        monthly = series.month(target.region, target.metric, first)
        if monthly is not None and hi == month_end(first):  # a month's value stands once the month is over
            span = (hi - lo).days + 1
            total += monthly * span
            counted += span
    return total, counted


def _count_parts(target: PeriodTarget, series: Series, last: date) -> tuple[float, int]:
    aqi = series.days(target.region, "AQI")
    total, counted = 0.0, 0
    for first, lo, hi in _months(target.start, last):
        found = [v for d, v in aqi.items() if lo <= d <= hi]
        if found:
            total += sum(1 for v in found if v > HEAVY_AQI)
            counted += len(found)
            continue
        monthly = series.month(target.region, target.metric, first)
        if monthly is not None and hi == month_end(first) and lo == first:
            total += monthly
            counted += (hi - lo).days + 1
    return total, counted


def rank(standings: Mapping[str, Progress]) -> dict[str, tuple[int, int]]:
    """Return region -> (rank, of how many): best improvement on the baseline first, ties shared."""
    known = {region: p for region, p in standings.items() if p.value is not None}
    with_base = all(p.improvement is not None for p in known.values())
    score: dict[str, float] = {}
    for region, p in known.items():
        improvement, value = p.improvement, p.value
        if with_base and improvement is not None:  # with_base: every known standing has one
            score[region] = -improvement
        elif value is not None:  # `known` holds only standings with a value
            score[region] = value
    ordered = sorted(score.values())
    places = {}
    for region, value in score.items():
        places[region] = (1 + sum(1 for other in ordered if other < value - 1e-12), len(ordered))
    return places


@dataclass(frozen=True)
class TaskPace:
    """A task's reported percent against the elapsed share of its time."""

    start: date
    due: date
    as_of: date
    percent: float
    expected: float  # percent of the time elapsed, 0..100

    @property
    def behind(self) -> float:
        return self.expected - self.percent


def task_pace(start: date, due: date, as_of: date, percent: float) -> TaskPace:
    """Return the task's pace; a task due on its start day is expected complete from that day."""
    span = (due - start).days
    share = 1.0 if span <= 0 else min(max((as_of - start).days / span, 0.0), 1.0)
    return TaskPace(start, due, as_of, float(percent), 100.0 * share)


def consecutive_runs(days: Mapping[date, float], above: float) -> list[tuple[date, date]]:
    """Return the runs of consecutive days whose value is above `above`, as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(d for d, v in days.items() if v > above):
        if runs and runs[-1][1] + ONE_DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
