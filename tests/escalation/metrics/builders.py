"""Hand-made metric data for the tests: a three-month leap-year season (2020-01-01 .. 03-31, 91 days)
with two counties of 长治, worked out by hand in the tests that use it.

- 潞城区: PM2.5 baseline 70, reduction 10% -> limit 63.0. Daily values: January 70, February 60,
  March 60. AQI 520 and 530 on 2020-03-10/11 ("爆表"). Dust fall January 6.0.
- 黎城县: PM2.5 "持续改善" on baseline 50 -> limit 50.0. Daily values: January 48 with 10-14 January
  missing (26 days), February 55, March 40. Dust fall January 9.5 (cap 9).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.metrics import regions_from
from scheduler.escalation.metrics.prorata import Series
from scheduler.escalation.metrics.rules import parse_metric_rules
from scheduler.escalation.metrics.targets import TargetBook, parse_targets
from scheduler.escalation.metrics.values import MetricValue
from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "data" / "sources"
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
REGIONS = regions_from(DIRECTORY)
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
LUCHENG, LICHENG = "潞城区人民政府", "黎城县人民政府"

TARGETS_YAML = """\
plan: test-2020
region: 长治市
period: {start: 2020-01-01, end: 2020-03-31}
county:
  - region: 潞城区
    pm25_baseline: 70
    pm25_reduction_pct: 10
    heavy_days_baseline: 10
    heavy_days_reduction: 3
    source: "000_ab3fcd49571cab9b.txt:40-45"
    quote: 潞城区
  - region: 黎城县
    pm25_baseline: 50
    pm25_reduction_pct: 持续改善
    heavy_days_baseline: 5
    heavy_days_reduction: 持续改善
    source: "000_ab3fcd49571cab9b.txt:75-80"
    quote: 黎城县
dust_fall:
  - region: 长治市
    cap: 9.0
    source: "000_ab3fcd49571cab9b.txt:799"
    quote: 降尘量均控制在9.0吨/月·平方公里以下
"""

RULES_YAML = """\
id: test-metrics
version: "1"
title: 测试指标规则
applies_to: [test-2020]
clause:
  - source: 001_5d70b785daafd91c.txt:114
    section: 五（五）
    text: 对环境空气质量改善幅度达不到序时进度、重点任务进展缓慢的县区，及时下发预警通知函。
rules:
  - id: pm25-prorata-warning
    level: warning
    trigger: {type: prorata_off_track, metric: PM2.5, checkpoint: month, after_workdays: 3}
    clause: 001 五（五）“对环境空气质量改善幅度达不到序时进度……的县区，及时下发预警通知函”
    label: PM2.5未达序时进度预警
  - id: repeated-warnings-interview
    level: interview
    trigger: {type: repeated_warnings, count: 2}
    clause: 001 五（五）“环境空气质量持续恶化……的县区，组织开展约谈政府主要负责人”
    label: 两次预警约谈
  - id: aqi-off-scale-interview
    level: interview
    trigger: {type: aqi_off_scale, threshold: 500, consecutive_days: 2}
    clause: 002（二十一）“对空气质量指数（AQI）持续“爆表”的县（区、市）……公开约谈政府主要负责人”
    label: AQI爆表约谈
  - id: pm25-target-missed-interview
    level: interview
    trigger: {type: target_missed, metric: PM2.5, after_workdays: 5}
    clause: 001 五（五）“未完成空气质量改善目标任务……的县区，组织开展约谈政府主要负责人”
    label: 未完成目标约谈
  - id: dust-fall-urge
    level: urge
    trigger: {type: dust_fall_over_cap, after_workdays: 5}
    clause: 000 附件3“全市各县（区）降尘量均控制在9.0吨/月·平方公里以下”
    label: 降尘超标催办
  - id: task-pace-warning
    level: warning
    trigger: {type: progress_behind, margin: 30, checkpoint: month, after_workdays: 1}
    clause: 001 五（五）“对……重点任务进展缓慢的县区，及时下发预警通知函”
    label: 任务进度落后预警
"""


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def month_values(region: str, metric: str, first: date, last: date, value: float,
                 skip: tuple[date, ...] = ()) -> list[MetricValue]:
    return [MetricValue(region, metric, d, value) for d in days(first, last) if d not in skip]


MISSING_LICHENG = tuple(date(2020, 1, d) for d in range(10, 15))


def season_values() -> list[MetricValue]:
    values = [
        *month_values("潞城区", "PM2.5", date(2020, 1, 1), date(2020, 1, 31), 70),
        *month_values("潞城区", "PM2.5", date(2020, 2, 1), date(2020, 2, 29), 60),
        *month_values("潞城区", "PM2.5", date(2020, 3, 1), date(2020, 3, 31), 60),
        *month_values("黎城县", "PM2.5", date(2020, 1, 1), date(2020, 1, 31), 48, MISSING_LICHENG),
        *month_values("黎城县", "PM2.5", date(2020, 2, 1), date(2020, 2, 29), 55),
        *month_values("黎城县", "PM2.5", date(2020, 3, 1), date(2020, 3, 31), 40),
        MetricValue("潞城区", "AQI", date(2020, 3, 10), 520),
        MetricValue("潞城区", "AQI", date(2020, 3, 11), 530),
        MetricValue("潞城区", "dust_fall", date(2020, 1, 1), 6.0, monthly=True),
        MetricValue("黎城县", "dust_fall", date(2020, 1, 1), 9.5, monthly=True),
    ]
    return values


def target_book() -> TargetBook:
    loaded = parse_targets(TARGETS_YAML, "targets/test-2020.yaml")
    return TargetBook({loaded.plan: loaded})


def rule_book():
    from scheduler.escalation.metrics.rules import MetricRuleBook

    return MetricRuleBook([parse_metric_rules(RULES_YAML, "rules/metrics/test.yaml")])


def series() -> Series:
    return Series(season_values())
