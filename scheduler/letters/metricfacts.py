"""The air-quality side of a letter: the facts a metric rule stored, read into a lead sentence and
labelled figures, so the letter says what is wrong once and states each number once. Pure values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.letters.dates import as_date, zh_date


@dataclass(frozen=True)
class MetricFacts:
    """The numbers behind a metric-based letter: what was measured against which target."""

    region: str
    summary: str  # the rule's finding in one sentence, e.g. PM2.5累计平均浓度……未达到序时进度
    figures: tuple[tuple[str, str], ...]  # (label, value) rows: 累计平均浓度, 目标, 差距, 排名 ...
    assessment: str = ""  # what was assessed: mean, count, aqi_off_scale, dust_fall, task_pace ...
    lead: str = ""  # the finding without its numbers, which the figures then state once


# The finding without numbers, per assessment: the letter says what is wrong, then lists each figure once.
LEADS = {
    "mean": "{region}{label}高于序时进度目标，未达到序时进度要求",
    "count": "{region}{label}超过序时进度控制目标，未达到序时进度要求",
    "aqi_off_scale": "{region}空气质量指数持续“爆表”",
    "dust_fall": "{region}降尘量超过控制要求",
    "repeated_warnings": "{region}多次被下发预警通知函后空气质量仍未达到序时进度",
    "task_pace": "{region}重点任务进展落后于序时进度",
}


def _figure(value: Any, unit: str = "") -> str:
    return f"{float(value):.1f}{unit}" if isinstance(value, (int, float)) else "—"


def _zh_iso(value: Any) -> str:
    day = as_date(value, "日期")
    return zh_date(day) if day else "—"


def metric_facts(notice: Mapping[str, Any]) -> MetricFacts | None:
    """Read the facts a metric rule stored (escalation.metrics.rules) into letter rows; None for a task notice."""
    facts = notice.get("facts") or {}
    kind = facts.get("assessment")
    if not kind:
        return None
    region = str(facts.get("region") or notice.get("unit") or "")
    summary = str(facts.get("finding") or notice.get("explanation") or "").rstrip("。")
    figures: list[tuple[str, str]] = []
    label = ""
    if kind in ("mean", "count"):
        unit = "天" if kind == "count" else str(facts.get("measure_unit") or "")
        label = "重度及以上污染天数" if kind == "count" else f"{facts.get('metric')}累计平均浓度"
        span = f"{_zh_iso(facts.get('period_start'))}至{_zh_iso(facts.get('checkpoint'))}"
        figures += [
            ("考核时段", span),
            (label, _figure(facts.get("value"), unit)),
            ("目标", f"{_figure(facts.get('limit'), unit)}（{facts.get('target_basis', '')}）"),
            ("差距", ("高出" if (facts.get("gap") or 0) > 0 else "") + _figure(facts.get("gap"), unit)),
            ("有效监测天数", f"{facts.get('days_with_data')}天（应有{facts.get('days_elapsed')}天）"),
        ]
        if facts.get("rank") is not None:
            figures.append(("县区排名", f"第{facts['rank']}名（共{facts['rank_of']}个县区）"))
        if facts.get("required_rest") is not None and kind == "mean":
            figures.append(("剩余期间须控制在", _figure(facts.get("required_rest"), unit) + "以下"))
    elif kind == "aqi_off_scale":
        figures += [("时段", f"{_zh_iso(facts.get('first_day'))}至{_zh_iso(facts.get('last_day'))}"
                            f"（连续{facts.get('days')}天）"),
                    ("空气质量指数", "、".join(f"{v:g}" for v in facts.get("values") or ())),
                    ("规定", f"AQI超过{facts.get('threshold'):g}连续{facts.get('threshold_days')}天")]
    elif kind == "dust_fall":
        figures += [("月份", str(facts.get("month"))), ("降尘量", _figure(facts.get("value"), "吨/月·平方公里")),
                    ("上限", _figure(facts.get("cap"), "吨/月·平方公里")),
                    ("超出", _figure(facts.get("excess"), "吨/月·平方公里"))]
    elif kind == "repeated_warnings":
        figures += [("已下发预警通知函", f"{facts.get('warning_count')}次"),
                    ("规定", f"{facts.get('threshold_count')}次")]
    elif kind == "task_pace":
        figures += [("任务", str(facts.get("task_title"))), ("完成时限", _zh_iso(facts.get("due"))),
                    ("报送完成比例", f"{facts.get('percent')}%（{facts.get('reported_on')}）"),
                    ("序时进度", f"{facts.get('expected_percent')}%"),
                    ("落后", f"{facts.get('behind_points')}个百分点")]
    lead = LEADS[kind].format(region=region, label=label) if kind in LEADS and figures else ""
    return MetricFacts(region, summary, tuple(figures), kind, lead)
