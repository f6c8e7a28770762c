"""Pro-rata figures on hand-made data (tests/metrics/builders.py), every expectation worked out by hand.

The season 2020-01-01 .. 03-31 has 91 days because February 2020 has 29 (31 + 29 + 31)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.escalation.metrics.prorata import Series, consecutive_runs, progress, rank, task_pace
from scheduler.escalation.metrics.targets import PeriodTarget
from scheduler.escalation.metrics.values import MetricValue
from tests.escalation.metrics.builders import series, target_book


def _target(region: str, metric: str = "PM2.5"):
    return target_book().targets("test-2020", metric, region)[0]


def test_the_season_counts_the_leap_day():
    assert _target("潞城区").days == 91
    february = PeriodTarget("p", "潞城区", "PM2.5", date(2020, 2, 1), date(2020, 2, 29), 60, "mean", "", "")
    assert february.days == 29
    assert progress(february, series(), date(2020, 2, 29)).days_elapsed == 29


def test_off_track_after_january_with_what_the_rest_must_stay_under():
    p = progress(_target("潞城区"), series(), date(2020, 1, 31))
    # 31 days of 70: average 70.0 against 63.0 (70 less 10%); the other 60 days must average
    # (63 × 91 − 2170) / 60 = 3563 / 60 = 59.38
    assert (p.days_elapsed, p.days_with_data, p.value, p.total) == (31, 31, 70.0, 2170)
    assert p.gap == pytest.approx(7.0)
    assert p.required_rest == pytest.approx(59.3833, abs=1e-4)
    assert p.off_track()


def test_a_month_with_missing_days_averages_the_days_measured():
    p = progress(_target("黎城县"), series(), date(2020, 1, 31))
    # 10-14 January missing: 26 days of 48; rest (50 × (26 + 60) − 1248) / 60 = 3052 / 60 = 50.87
    assert (p.days_elapsed, p.days_with_data, p.missing_days) == (31, 26, 5)
    assert p.value == pytest.approx(48.0)
    assert p.required_rest == pytest.approx(50.8667, abs=1e-4)
    assert not p.off_track()


def test_a_steady_improvement_county_is_held_to_its_baseline():
    target = _target("黎城县")
    assert (target.limit, target.steady, target.baseline) == (50.0, True, 50)
    p = progress(target, series(), date(2020, 2, 29))
    # 26 × 48 + 29 × 55 = 1248 + 1595 = 2843 over 55 days = 51.69 > 50; on the leap day 60 days
    # have passed, 31 remain: (50 × 86 − 2843) / 31 = 1457 / 31 = 47.0
    assert (p.days_elapsed, p.days_with_data) == (60, 55)
    assert p.value == pytest.approx(51.6909, abs=1e-4)
    assert p.required_rest == pytest.approx(47.0)
    assert p.off_track()


def test_after_the_period_the_final_value_uses_the_period_only():
    p = progress(_target("潞城区"), series(), date(2020, 4, 15))
    # 2170 + 29 × 60 + 31 × 60 = 5770 over 91 days = 63.41 -> published 63.4 > 63.0
    assert p.final and p.required_rest is None
    assert p.value == pytest.approx(63.4066, abs=1e-4)
    assert p.off_track()
    met = progress(_target("黎城县"), series(), date(2020, 4, 15))
    # 2843 + 31 × 40 = 4083 over 86 days = 47.48
    assert met.value == pytest.approx(47.4767, abs=1e-4) and not met.off_track()


def test_averages_are_compared_as_published_to_one_decimal():
    target = PeriodTarget("p", "长治市", "PM2.5", date(2020, 1, 1), date(2020, 1, 31), 58.9, "mean", "", "")
    on = Series([MetricValue("长治市", "PM2.5", date(2020, 1, 1), 58.94)])
    off = Series([MetricValue("长治市", "PM2.5", date(2020, 1, 1), 58.95)])
    assert not progress(target, on, date(2020, 1, 1)).off_track()
    assert progress(target, off, date(2020, 1, 1)).off_track()


def test_rank_by_improvement_on_the_baseline():
    standings = {t: progress(_target(t), series(), date(2020, 1, 31)) for t in ("潞城区", "黎城县")}
    # 潞城区 (70 − 70) / 70 = 0; 黎城县 (50 − 48) / 50 = 4 %: 黎城县 first
    assert rank(standings) == {"黎城县": (1, 2), "潞城区": (2, 2)}
    standings = {t: progress(_target(t), series(), date(2020, 2, 29)) for t in ("潞城区", "黎城县")}
    # 潞城区 (2170 + 1740) / 60 = 65.17, (70 − 65.17) / 70 = 6.9 %; 黎城县 51.69, −3.4 %
    assert rank(standings) == {"潞城区": (1, 2), "黎城县": (2, 2)}


def test_equal_values_share_a_rank():
    def standing(region: str, value: float):
        target = PeriodTarget("p", region, "PM2.5", date(2020, 1, 1), date(2020, 1, 31), 60, "mean", "", "")
        return progress(target, Series([MetricValue(region, "PM2.5", date(2020, 1, 1), value)]), date(2020, 1, 1))

    found = rank({"a": standing("a", 40), "b": standing("b", 45), "c": standing("c", 45), "d": standing("d", 50)})
    assert found == {"a": (1, 4), "b": (2, 4), "c": (2, 4), "d": (4, 4)}


def test_a_monthly_value_stands_for_its_month_once_the_month_is_over():
    target = PeriodTarget("p", "潞城区", "PM2.5", date(2020, 1, 1), date(2020, 3, 31), 63, "mean", "", "")
    data = Series([MetricValue("潞城区", "PM2.5", date(2020, 1, 1), 66, monthly=True),
                   *(MetricValue("潞城区", "PM2.5", date(2020, 2, d), 56) for d in range(1, 11))])
    assert progress(target, data, date(2020, 1, 20)).value is None
    p = progress(target, data, date(2020, 2, 10))
    # 31 × 66 + 10 × 56 = 2046 + 560 = 2606 over 41 days = 63.56
    assert p.days_with_data == 41 and p.value == pytest.approx(63.5610, abs=1e-4)


def test_heavy_days_count_aqi_above_200_and_reported_months():
    target = PeriodTarget("p", "潞城区", "heavy_pollution_days", date(2020, 1, 1), date(2020, 3, 31), 7, "count",
                          "", "")
    aqi = [MetricValue("潞城区", "AQI", date(2020, 1, n), 201 if n in (5, 6, 20) else 100) for n in range(1, 32)]
    data = Series([*aqi, MetricValue("潞城区", "heavy_pollution_days", date(2020, 2, 1), 5, monthly=True)])
    january = progress(target, data, date(2020, 1, 31))
    assert (january.value, january.required_rest, january.off_track()) == (3, 4, False)  # 7 − 3 days left
    march = progress(target, data, date(2020, 3, 1))
    assert (march.value, march.off_track()) == (8, True)  # 3 + 5 > 7


def test_task_pace_against_the_elapsed_share():
    pace = task_pace(date(2020, 1, 1), date(2020, 3, 31), date(2020, 2, 29), 20)
    # 59 of 90 days gone: 65.6 % expected, 20 % reported, 45.6 points behind
    assert pace.expected == pytest.approx(65.5556, abs=1e-4)
    assert pace.behind == pytest.approx(45.5556, abs=1e-4)
    assert task_pace(date(2020, 1, 1), date(2020, 1, 1), date(2020, 1, 1), 50).expected == 100
    assert task_pace(date(2020, 1, 1), date(2020, 3, 31), date(2019, 12, 1), 0).expected == 0


def test_consecutive_runs_above_a_threshold():
    values = {date(2020, 1, 1): 520, date(2020, 1, 2): 530, date(2020, 1, 4): 600, date(2020, 1, 5): 300}
    assert consecutive_runs(values, 500) == [(date(2020, 1, 1), date(2020, 1, 2)), (date(2020, 1, 4), date(2020, 1, 4))]
