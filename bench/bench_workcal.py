"""Measure WorkCalendar throughput, since the sweep asks it millions of times per run."""

from __future__ import annotations

import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.escalation.calendar import WorkCalendar  # noqa: E402

CALLS = 200_000
RUNS = 5
FIRST = date(2019, 1, 1)
LAST = date(2026, 11, 15)  # +30 working days must stay inside known years


def _per_second(work: Callable[[], None], calls: int) -> float:
    """Return the median calls per second over RUNS timed runs."""
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        rates.append(calls / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    """Print is_workday and add_workdays calls per second (median of 5 runs)."""
    rng = random.Random(20261101)
    span = (LAST - FIRST).days
    days = [FIRST + timedelta(days=rng.randrange(span)) for _ in range(CALLS)]
    offsets = [rng.randint(-30, 30) for _ in range(CALLS)]
    pairs = list(zip(days, offsets, strict=True))

    with tempfile.TemporaryDirectory() as empty:
        start = time.perf_counter()
        calendar = WorkCalendar.load(empty)
        calendar.is_workday(date(2026, 6, 1))
        cold_ms = (time.perf_counter() - start) * 1000
        for day in days:  # warm every year's table so runs measure the steady state
            calendar.is_workday(day)

        is_workday = calendar.is_workday
        add_workdays = calendar.add_workdays

        def check_days() -> None:
            for day in days:
                is_workday(day)

        def add_days() -> None:
            for day, n in pairs:
                add_workdays(day, n)

        def library_days() -> None:
            for day in days[: CALLS // 10]:
                chinese_calendar.is_workday(day)

        is_rate = _per_second(check_days, CALLS)
        add_rate = _per_second(add_days, CALLS)
        library_rate = _per_second(library_days, CALLS // 10)

    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}")
    print(f"load + first year table: {cold_ms:.2f} ms")
    print(f"is_workday: {is_rate:,.0f} calls/s (median of {RUNS} x {CALLS:,})")
    print(f"add_workdays (n in -30..30): {add_rate:,.0f} calls/s (median of {RUNS} x {CALLS:,})")
    print(f"chinese_calendar.is_workday for reference: {library_rate:,.0f} calls/s")


if __name__ == "__main__":
    main()
