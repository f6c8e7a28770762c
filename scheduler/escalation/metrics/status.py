"""Where every region stands on a day: targets, cumulative values, pro-rata gaps, what the rest of the
period must stay under, ranks among counties, and the latest dust fall against its cap. Pure: the
`duban metrics status` command and the web console print what this returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from scheduler.escalation.metrics.catalog import Regions
from scheduler.escalation.metrics.prorata import Series, month_end, progress, rank
from scheduler.escalation.metrics.rules import progress_facts
from scheduler.escalation.metrics.targets import PlanTargets, TargetBook

GRACE_DAYS = 90  # a plan is shown this long after its period ends, like the sweep's closed-plan grace


@dataclass
class PlanStatus:
    plan: str
    region: str
    start: date
    end: date
    targets: list[dict[str, Any]] = field(default_factory=list)
    dust_fall: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "region": self.region, "period_start": self.start.isoformat(),
                "period_end": self.end.isoformat(), "targets": self.targets, "dust_fall": self.dust_fall}


def plan_status(targets: TargetBook, series: Series, regions: Regions, as_of: date,
                plans: list[str] | None = None, region: str | None = None) -> list[PlanStatus]:
    """Return each plan's standing on `as_of` (plans open then, or those named), optionally one region's."""
    named = regions.resolve(region) if region else None
    wanted = named.name if named is not None else region
    found: list[PlanStatus] = []
    for plan in targets.plans.values():
        if plans is not None and plan.plan not in plans:
            continue
        if plans is None and not plan.start <= as_of <= plan.end + timedelta(days=GRACE_DAYS):
            continue
        status = PlanStatus(plan.plan, plan.region, plan.start, plan.end)
        by_metric: dict[tuple[str, date, date], dict[str, Any]] = {}
        for target in plan.targets:
            if target.start > as_of:
                continue
            day = min(as_of, target.end)
            key = (target.metric, target.start, target.end)
            if key not in by_metric:
                standings = {t.region: progress(t, series, day) for t in plan.targets
                             if (t.metric, t.start, t.end) == key and _is_county(regions, t.region)}
                by_metric[key] = rank(standings)
            if wanted and target.region != wanted:
                continue
            standing = progress(target, series, day)
            facts = progress_facts(standing, day, by_metric[key])
            facts["on_track"] = None if standing.value is None else not standing.off_track()
            facts["final"] = standing.final
            status.targets.append(facts)
        status.dust_fall = _dust(plan, series, regions, as_of, wanted)
        if status.targets or status.dust_fall:
            found.append(status)
    return found


def _is_county(regions: Regions, name: str) -> bool:
    region = regions.resolve(name)
    return region is not None and region.kind == "county"


def _dust(plan: PlanTargets, series: Series, regions: Regions, as_of: date, wanted: str | None) -> list[dict[str, Any]]:
    rows = []
    last_month = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1) if month_end(as_of) != as_of \
        else as_of.replace(day=1)
    for cap in plan.dust:
        region = regions.resolve(cap.region)
        if region is None:
            continue
        places = [region] if region.kind == "county" else regions.counties(region.name)
        for place in places:
            if wanted and place.name != wanted:
                continue
            month = last_month
            while month >= plan.start.replace(day=1):
                value = series.month(place.name, "dust_fall", month)
                if value is not None:
                    rows.append({"region": place.name, "month": month.isoformat()[:7], "value": value,
                                 "cap": cap.cap, "over_cap": cap.exceeded(value), "source": cap.source})
                    break
                month = (month - timedelta(days=1)).replace(day=1)
    return rows


def status_lines(statuses: list[PlanStatus], as_of: date) -> list[str]:
    """Return the status as lines a coordinator reads (Chinese)."""
    if not statuses:
        return [f"截至{as_of}：没有在考核期内的指标目标（可用 --plan 指定计划）。"]
    lines = []
    for status in statuses:
        lines.append(f"【{status.plan}】{status.region} 考核期 {status.start} 至 {status.end}，截至 {as_of}")
        for t in status.targets:
            unit = t["measure_unit"]
            label = "重度及以上污染天数" if t["assessment"] == "count" else f"{t['metric']}累计平均浓度"
            span = f"{t['period_start']}~{t['period_end']}"
            if t["value"] is None:
                lines.append(f"  {t['region']} {label}（{span}）：无数据；目标 {_figure(t, t['limit'])}")
                continue
            verdict = "达到序时进度" if t["on_track"] else "未达序时进度"
            if t["final"]:
                verdict = "完成目标" if t["on_track"] else "未完成目标"
            rest = ""
            if t["required_rest"] is not None:
                rest = (f"，剩余允许{t['required_rest']:g}天" if t["assessment"] == "count"
                        else f"，剩余期间须≤{t['required_rest']:.1f}{unit}")
            place = f"，县区排名 {t['rank']}/{t['rank_of']}" if t["rank"] is not None else ""
            missing = f"，缺测{t['days_missing']}天" if t["days_missing"] else ""
            lines.append(
                f"  {t['region']} {label}（{span}）：{_figure(t, t['value'])}，目标 {_figure(t, t['limit'])}，"
                f"差距 {t['gap']:+.1f}，"
                f"{verdict}{rest}{place}（有效{t['days_with_data']}/{t['days_elapsed']}天{missing}）"
            )
        for d in status.dust_fall:
            mark = "超标" if d["over_cap"] else "达标"
            lines.append(f"  {d['region']} 降尘量 {d['month']}：{d['value']:g} 吨/月·平方公里，"
                         f"上限 {d['cap']:g}，{mark}")
    return lines


def _figure(facts: dict[str, Any], value: float) -> str:
    if facts["assessment"] == "count":
        return f"{value:g}天"
    return f"{value:.1f}{facts['measure_unit']}"
