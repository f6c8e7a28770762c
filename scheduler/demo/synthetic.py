"""A SYNTHETIC air-quality season for the demo: 长治 and its counties, 2019-10-01 .. 2020-03-31.

Not measurements. Deterministic numbers shaped so the demo tells a story against the real targets
of seed 000 附件1: most counties stay on track; 潞城区 drifts off its pro-rata track from December
and misses its target; 黎城县 is off track in mid-winter and recovers; 襄垣县 has two "爆表" days
(AQI > 500) in January; 潞城区 and 壶关县 (which the plan itself names for dust) exceed the 9-ton
dust-fall cap in some months; 沁县 and 武乡县 have missing days. `python -m scheduler.demo.synthetic
data/metrics/changzhi-2019-20-synthetic.csv` rewrites the shipped file; a test checks they agree.
"""

from __future__ import annotations

import csv
import io
import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path

START, END = date(2019, 10, 1), date(2020, 3, 31)
# Month factor of the season's mean PM2.5 (heating months are worse); weighted by days it averages ~1.
MONTH_FACTOR = {10: 0.70, 11: 0.95, 12: 1.25, 1: 1.35, 2: 1.00, 3: 0.75}
# Season mean as a share of each county's target (data/targets/changzhi-2019.yaml): below 1 meets it.
PERFORMANCE = {
    "潞州区": 0.91, "上党区": 0.90, "潞城区": 1.07, "屯留区": 0.91, "长子县": 0.92, "壶关县": 0.90,
    "平顺县": 0.90, "黎城县": 0.985, "襄垣县": 0.82, "武乡县": 0.88, "沁县": 0.89, "沁源县": 0.91,
}
TARGETS = {  # the PM2.5 limits of seed 000 附件1, as data/targets computes them
    "潞州区": 62.0, "上党区": 59.9, "潞城区": 65.1, "屯留区": 53.8, "长子县": 63.0, "壶关县": 58.0,
    "平顺县": 44.0, "黎城县": 67.9, "襄垣县": 66.0, "武乡县": 53.8, "沁县": 63.0, "沁源县": 52.0,
}
# Region-wide pollution episodes: (first day, days, factor on the daily value).
EPISODES = ((date(2019, 12, 9), 3, 1.9), (date(2020, 1, 13), 4, 2.0), (date(2020, 2, 6), 2, 1.7))
OFF_SCALE = {("襄垣县", date(2020, 1, 15)): 540.0, ("襄垣县", date(2020, 1, 16)): 565.0}
MISSING = {("沁县", date(2019, 11, 14)), ("沁县", date(2019, 11, 15)), ("沁县", date(2019, 11, 16)),
           ("武乡县", date(2020, 2, 29))}
DUST_HIGH = {("潞城区", 11): 10.4, ("潞城区", 12): 9.6, ("壶关县", 2): 9.8}
# HJ 633-2012 breakpoints for 24-hour PM2.5 (μg/m³ -> IAQI); beyond 500 the index runs on ("爆表").
BREAKPOINTS = ((0, 0), (35, 50), (75, 100), (115, 150), (150, 200), (250, 300), (350, 400), (500, 500))


def aqi_from_pm25(value: float) -> int:
    """Return the PM2.5 sub-index (rounded up, as HJ 633 prescribes); above 500 μg/m³ it equals the value."""
    for (c_lo, i_lo), (c_hi, i_hi) in zip(BREAKPOINTS, BREAKPOINTS[1:]):
        if value <= c_hi:
            return math.ceil(i_lo + (i_hi - i_lo) * (value - c_lo) / (c_hi - c_lo))
    return math.ceil(value)


def _days() -> list[date]:
    return [START + timedelta(days=n) for n in range((END - START).days + 1)]


def _episode(day: date) -> float:
    for first, length, factor in EPISODES:
        if first <= day < first + timedelta(days=length):
            return factor
    return 1.0


def season_rows() -> list[tuple[str, str, str, str]]:
    """Return the data set as (date, region, metric, value) rows, in a stable order."""
    rng = random.Random(20191001)
    days = _days()
    weights = sum(MONTH_FACTOR[d.month] * _episode(d) for d in days) / len(days)
    daily: dict[str, dict[date, float]] = {}
    for county, share in PERFORMANCE.items():
        mean = TARGETS[county] * share / weights
        noise = [rng.uniform(0.8, 1.2) for _ in days]
        scale = len(days) / sum(noise)  # the noise must not move the season mean
        series: dict[date, float] = {}
        for day, n in zip(days, noise):
            value = mean * MONTH_FACTOR[day.month] * _episode(day) * n * scale
            series[day] = round(OFF_SCALE.get((county, day), value))
        daily[county] = series
    city: dict[date, float] = {day: round(sum(daily[c][day] for c in daily) / len(daily)) for day in days}
    core: dict[date, float] = {day: round(daily["潞州区"][day] * 1.04) for day in days}
    rows: list[tuple[str, str, str, str]] = []
    regions: list[tuple[str, dict[date, float]]] = [*daily.items(), ("主城区", core), ("长治市", city)]
    for region, series in regions:
        for day in days:
            if (region, day) in MISSING:
                continue
            value = series[day]
            rows.append((day.isoformat(), region, "PM2.5", str(value)))
            rows.append((day.isoformat(), region, "AQI", str(aqi_from_pm25(value))))
    for county in PERFORMANCE:
        for month in (10, 11, 12, 1, 2, 3):
            year = 2019 if month >= 10 else 2020
            value = DUST_HIGH.get((county, month), round(rng.uniform(4.5, 8.6), 1))
            rows.append((f"{year}-{month:02d}", county, "dust_fall", f"{value:.1f}"))
    return rows


def season_csv() -> str:
    """Return the data set as the long CSV `duban metrics import` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("date", "region", "metric", "value"))
    writer.writerows(season_rows())
    return out.getvalue()


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped file
    Path(sys.argv[1]).write_text(season_csv(), encoding="utf-8")
