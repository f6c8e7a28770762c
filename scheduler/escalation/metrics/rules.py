"""Metric rules at work: on a working day, values, targets and history in, Actions out (pure).

The rule files and their vocabulary are scheduler.escalation.metrics.ruleset (re-exported here for
callers). The triggers run through the pieces the task rules use: occurrence keys
(`rule|plan|unit|checkpoint`), the one way an Action is built and the one inhibition rule
(scheduler.escalation.actions, scheduler.escalation.inhibit). A unit gets no second metric
interview on a plan while one stands (proposed, or approved and not yet sent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler import ladder
from scheduler.escalation import inhibit
from scheduler.escalation.actions import History, Proposals, occurrence_key, zh_date
from scheduler.escalation.calendar import Calendar
from scheduler.escalation.facts import Action, TaskFacts
from scheduler.escalation.metrics.catalog import METRICS, Regions
from scheduler.escalation.metrics.prorata import (
    Progress,
    Series,
    consecutive_runs,
    month_end,
    progress,
    rank,
    task_pace,
)
from scheduler.escalation.metrics.ruleset import (
    METRIC_KINDS,
    TRIGGERS,
    AqiOffScale,
    DustFallOverCap,
    LoadedMetricRules,
    MetricRule,
    MetricRuleBook,
    MetricRuleSet,
    ProgressBehind,
    ProrataOffTrack,
    RepeatedWarnings,
    TargetMissed,
    load_metric_rules,
    parse_metric_rules,
)
from scheduler.escalation.metrics.targets import DustCap, TargetBook
from scheduler.escalation.status import due_dates

__all__ = ["METRIC_KINDS", "LoadedMetricRules", "MetricRuleBook", "checkpoints", "describe_progress",
           "evaluate_metrics", "load_metric_rules", "parse_metric_rules", "progress_facts"]

ONE_DAY = timedelta(days=1)
STALE_DAYS = 62  # a checkpoint older than this is history, not news: a late first sweep skips it


def _n(value: float) -> str:
    """Print a figure as letters do: one decimal for concentrations."""
    return f"{value:.1f}"


def _unit_text(metric: str) -> str:
    unit = METRICS[metric].unit
    return {"μg/m³": "微克/立方米", "mg/m³": "毫克/立方米"}.get(unit, unit)


def checkpoints(start: date, end: date, every: str) -> list[date]:
    """Return the month (or quarter) ends inside the period, its own end excluded."""
    found = []
    day = month_end(start)
    while day < end:
        if every == "month" or day.month in (3, 6, 9, 12):
            found.append(day)
        day = month_end(day + ONE_DAY)
    return found


@dataclass(frozen=True)
class MetricCard:
    """A metric rule as an Action records it (scheduler.escalation.actions.RuleCard)."""

    rule: MetricRule
    ruleset: MetricRuleSet
    snapshot: dict[str, Any]
    folds: bool

    @classmethod
    def of(cls, ruleset: MetricRuleSet, rule: MetricRule) -> MetricCard:
        return cls(rule, ruleset, rule.model_dump(mode="json"), TRIGGERS[rule.trigger.type].folds)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def level(self) -> str:
        return self.rule.level

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def clause(self) -> str:
        return self.rule.clause

    @property
    def ruleset_id(self) -> str:
        return self.ruleset.id

    @property
    def ruleset_version(self) -> str:
        return self.ruleset.version


class _Run(Proposals):
    """One evaluation: the inputs, the day and what has been proposed so far."""

    def __init__(self, targets: TargetBook, series: Series, regions: Regions, history: History,
                 calendar: Calendar, as_of: date) -> None:
        super().__init__(history, as_of)
        self.targets = targets
        self.series = series
        self.regions = regions
        self.calendar = calendar
        self._ranks: dict[tuple[str, str, date], dict[str, tuple[int, int]]] = {}

    def fire_day(self, checkpoint: date, after: int) -> date:
        return self.calendar.add_workdays(checkpoint, after)

    def latest_checkpoint(self, candidates: Iterable[date], after: int) -> date | None:
        due = [c for c in candidates if self.fire_day(c, after) <= self.as_of]
        if not due or (self.as_of - due[-1]).days > STALE_DAYS:
            return None
        return due[-1]

    def open_interview(self, plan: str, unit: str) -> bool:
        """Return whether an interview of `unit` on `plan` stands, or was proposed in this run."""
        for notice in self.history.get((None, unit), ()):
            if inhibit.stands(notice) and f"|{plan}|" in notice.key:
                return True
        return any(a.level == inhibit.CASE_LEVEL and a.unit == unit and a.plan_id == plan and a.task_id is None
                   for a in self.out)

    def ranks(self, plan: str, metric: str, day: date) -> dict[str, tuple[int, int]]:
        """Rank the counties of a plan on one metric as of `day` (computed once per call)."""
        key = (plan, metric, day)
        if key not in self._ranks:
            standings = {t.region: progress(t, self.series, day) for t in self.targets.targets(plan, metric)
                         if self.government(t.region)}
            self._ranks[key] = rank(standings)
        return self._ranks[key]

    def government(self, region: str) -> str | None:
        """Return the government a region's letters go to, if it has one."""
        found = self.regions.resolve(region)
        return found.government if found is not None else None

    def emit(self, card: MetricCard, plan: str, unit: str, key: str, why: str, facts: dict[str, Any],
             task_id: str | None = None, proposal: str = "") -> None:
        """Propose a notice unless stored; `why` is the finding letters print, `proposal` what the rule asks."""
        if self.known(task_id, unit, key):
            return
        facts.update(plan=plan, unit=unit, as_of=self.as_of.isoformat(), task=task_id, finding=why)
        facts.setdefault("task_title", f"{facts.get('region', '')}：{card.label}")  # digests list it as an item
        self.propose(card, key=key, plan_id=plan, task_id=task_id, unit=unit, due=None, kind=card.rule.trigger.type,
                     finding=why + proposal, facts=facts, inhibit_days=inhibit.DEFAULT_DAYS)


def progress_facts(p: Progress, checkpoint: date, places: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """Return the JSON-safe facts of a standing: what letters print and `duban explain` lists."""
    t = p.target
    place = places.get(t.region)
    return {
        "assessment": "count" if t.aggregate == "count" else "mean",
        "region": t.region,
        "metric": t.metric,
        "metric_label": METRICS[t.metric].label,
        "measure_unit": _unit_text(t.metric),
        "period_start": t.start.isoformat(),
        "period_end": t.end.isoformat(),
        "checkpoint": checkpoint.isoformat(),
        "value": round(p.value, 1) if p.value is not None else None,
        "limit": t.limit,
        "gap": round(p.gap, 1) if p.gap is not None else None,
        "required_rest": round(p.required_rest, 1) if p.required_rest is not None else None,
        "days_total": p.days_total,
        "days_elapsed": p.days_elapsed,
        "days_with_data": p.days_with_data,
        "days_missing": p.missing_days,
        "rank": place[0] if place else None,
        "rank_of": place[1] if place else None,
        "target_basis": t.basis,
        "target_source": t.source,
        "steady": t.steady,
        "baseline": t.baseline,
    }


def describe_progress(p: Progress, facts: Mapping[str, Any]) -> str:
    """Word a standing as a coordinator would: value, target, gap, rank, what the rest must do."""
    t, value, gap = p.target, p.value, p.gap
    assert value is not None and gap is not None  # only a standing with data is off track, or described
    unit = _unit_text(t.metric)
    span = f"{zh_date(t.start)}至{zh_date(min(p.as_of, t.end))}"
    missing = f"，缺测{p.missing_days}天" if p.missing_days else ""
    rank_text = (f"；在{facts['rank_of']}个县区中改善幅度排第{facts['rank']}名"
                 if facts.get("rank") is not None and t.baseline is not None else
                 f"；在{facts['rank_of']}个县区中排第{facts['rank']}名" if facts.get("rank") is not None else "")
    if t.aggregate == "count":
        text = (f"{t.region}{span}重度及以上污染天数{value:g}天（有效监测{p.days_with_data}天{missing}），"
                f"超过目标{t.limit:g}天（{t.basis}）{value - t.limit:g}天{rank_text}")
        return text
    text = (f"{t.region}{span}{t.metric}累计平均浓度{_n(value)}{unit}（有效监测{p.days_with_data}天{missing}），"
            f"高于目标{_n(t.limit)}{unit}（{t.basis}）{_n(gap)}{unit}{rank_text}")
    if p.required_rest is not None:
        rest = t.days - p.days_elapsed
        if p.required_rest < 0:
            text += f"；剩余{rest}天即使浓度为零也无法完成目标"
        else:
            text += f"；剩余{rest}天平均浓度须控制在{_n(p.required_rest)}{unit}以下方能完成目标"
    return text


_PROPOSAL = {"urge": "，请抓紧整改", "warning": "，拟向其下发预警通知函", "interview": "，拟约谈政府主要负责人"}


def _proposal(level: str) -> str:
    """Say what a rule of `level` asks for, after its finding."""
    return _PROPOSAL.get(level) or f"，拟{ladder.rung(level).action}"


def _prorata(run: _Run, card: MetricCard, plan: str) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, ProrataOffTrack)
    found = run.targets.for_plan(plan)
    if found is None:
        return
    checkpoint = run.latest_checkpoint(checkpoints(found.start, found.end, trigger.checkpoint), trigger.after_workdays)
    if checkpoint is None:
        return
    for target in run.targets.targets(plan, trigger.metric):
        unit = run.government(target.region)
        if unit is None or not target.start <= checkpoint < target.end:
            continue
        standing = progress(target, run.series, checkpoint)
        if standing.days_with_data < trigger.min_coverage * standing.days_elapsed:
            continue
        if not standing.off_track(trigger.tolerance):
            continue
        facts = progress_facts(standing, checkpoint, run.ranks(plan, trigger.metric, checkpoint))
        why = describe_progress(standing, facts) + "，未达到序时进度"
        run.emit(card, plan, unit, occurrence_key(card.id, plan, unit, checkpoint.isoformat()), why, facts,
                 proposal="，拟向其下发预警通知函")


def _target_missed(run: _Run, card: MetricCard, plan: str) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, TargetMissed)
    for target in run.targets.targets(plan, trigger.metric):
        unit = run.government(target.region)
        if unit is None or run.latest_checkpoint([target.end], trigger.after_workdays) is None:
            continue
        standing = progress(target, run.series, target.end)
        if standing.days_with_data < trigger.min_coverage * standing.days_elapsed or not standing.off_track():
            continue
        if card.level == inhibit.CASE_LEVEL and run.open_interview(plan, unit):
            continue
        facts = progress_facts(standing, target.end, run.ranks(plan, trigger.metric, target.end))
        why = describe_progress(standing, facts) + "，期末未完成空气质量改善目标任务"
        run.emit(card, plan, unit, occurrence_key(card.id, plan, unit, target.end.isoformat()), why, facts,
                 proposal=_proposal(card.level))


def _counties(run: _Run, plan: str) -> list[tuple[str, str]]:
    """Return (region, government) of the counties a plan covers: those with targets, else its city's."""
    found = run.targets.for_plan(plan)
    if found is None:
        return []
    named = {t.region for t in found.targets} | {d.region for d in found.dust}
    counties = []
    for name in named:
        region = run.regions.resolve(name)
        if region is None:
            continue
        if region.kind == "county" and region.government:
            counties.append((region.name, region.government))
        elif region.kind == "city":
            counties.extend((c.name, c.government) for c in run.regions.counties(region.name) if c.government)
    return sorted(set(counties))


def _repeated(run: _Run, card: MetricCard, plan: str) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, RepeatedWarnings)
    counted = set(trigger.rules) or {r.id for r in card.ruleset.rules if r.level == "warning"}
    for region, unit in _counties(run, plan):
        warnings = [n for n in run.history.get((None, unit), ())
                    if n.level == "warning" and n.status in ladder.ISSUED_STATUSES and n.rule_id in counted
                    and f"|{plan}|" in n.key]
        if len(warnings) < trigger.count or run.open_interview(plan, unit):
            continue
        nth = sorted(n.sent_on or n.created_on for n in warnings)[trigger.count - 1]
        if trigger.after_workdays and run.calendar.workdays_between(nth, run.as_of) < trigger.after_workdays:
            continue  # the interview waits for the rule set's interval after the warning that counts
        listed = "、".join(zh_date(n.sent_on or n.created_on) for n in warnings)
        why = (f"{region}因空气质量未达序时进度已被下发预警通知函{len(warnings)}次（{listed}），"
               f"达到规定的{trigger.count}次")
        facts = {"assessment": "repeated_warnings", "region": region, "warnings": [n.key for n in warnings],
                 "warning_count": len(warnings), "threshold_count": trigger.count}
        run.emit(card, plan, unit, occurrence_key(card.id, plan, unit, f"N{trigger.count}"), why, facts,
                 proposal=_proposal(card.level))


def _aqi(run: _Run, card: MetricCard, plan: str) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, AqiOffScale)
    found = run.targets.for_plan(plan)
    if found is None:
        return
    for region, unit in _counties(run, plan):
        days = {d: v for d, v in run.series.days(region, "AQI").items() if found.start <= d <= found.end
                and d < run.as_of}
        for first, last in consecutive_runs(days, trigger.threshold):
            length = (last - first).days + 1
            if length < trigger.consecutive_days or (run.as_of - last).days > trigger.lookback_days:
                continue
            if card.level == inhibit.CASE_LEVEL and run.open_interview(plan, unit):
                continue
            values = [days[first + timedelta(days=i)] for i in range(length)]
            why = (f"{region}{zh_date(first)}至{zh_date(last)}连续{length}天空气质量指数（AQI）超过"
                   f"{trigger.threshold:g}（“爆表”，分别为{'、'.join(f'{v:g}' for v in values)}），"
                   f"达到规定的连续{trigger.consecutive_days}天")
            facts = {"assessment": "aqi_off_scale", "region": region, "metric": "AQI", "first_day": first.isoformat(),
                     "last_day": last.isoformat(), "days": length, "values": values, "threshold": trigger.threshold,
                     "threshold_days": trigger.consecutive_days}
            run.emit(card, plan, unit, occurrence_key(card.id, plan, unit, first.isoformat()), why, facts,
                     proposal=_proposal(card.level))


def _dust(run: _Run, card: MetricCard, plan: str) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, DustFallOverCap)
    found = run.targets.for_plan(plan)
    if found is None:
        return
    caps: dict[str, DustCap] = {}
    for cap in found.dust:  # a county's own cap wins over its city's
        place = run.regions.resolve(cap.region)
        if place is None:
            continue
        if place.kind == "county":
            caps[place.name] = cap
        else:
            for county in run.regions.counties(place.name):
                caps.setdefault(county.name, cap)
    for end in [*checkpoints(found.start, found.end, "month"), found.end]:
        if month_end(end) != end:
            continue
        fire = run.fire_day(end, trigger.after_workdays)
        if fire > run.as_of or (run.as_of - end).days > STALE_DAYS:
            continue
        first = end.replace(day=1)
        for region, cap in sorted(caps.items()):
            unit = run.government(region)
            value = run.series.month(region, "dust_fall", first)
            if unit is None or value is None or not cap.exceeded(value):
                continue
            month = f"{first.year}年{first.month}月"
            why = (f"{region}{month}降尘量{value:g}吨/月·平方公里，超过{cap.wording}的要求"
                   f"（{cap.source}）{value - cap.cap:.1f}吨/月·平方公里")
            facts = {"assessment": "dust_fall", "region": region, "metric": "dust_fall", "month": first.isoformat()[:7],
                     "value": value, "cap": cap.cap, "excess": round(value - cap.cap, 1), "cap_source": cap.source}
            run.emit(card, plan, unit, occurrence_key(card.id, plan, unit, first.isoformat()[:7]), why, facts,
                     proposal="，请组织开展降尘专项整治" if card.level == "urge" else _proposal(card.level))


def _behind(run: _Run, card: MetricCard, plan: str, tasks: Sequence[TaskFacts]) -> None:
    trigger = card.rule.trigger
    assert isinstance(trigger, ProgressBehind)
    for task in tasks:
        if task.plan_id != plan or task.status != "open":
            continue
        dues = due_dates(task)
        start = task.deadline.start or task.plan_period_start
        if not dues or start is None:
            continue
        due = dues[-1]
        checkpoint = run.latest_checkpoint(checkpoints(start, due, trigger.checkpoint), trigger.after_workdays)
        if checkpoint is None:
            continue
        latest: dict[str, tuple[date, int]] = {}
        for report in task.reports:
            if report.percent is None or report.on > checkpoint:
                continue
            seen = latest.get(report.unit)
            if seen is None or report.on >= seen[0]:
                latest[report.unit] = (report.on, report.percent)
        for unit, (on, percent) in sorted(latest.items()):
            pace = task_pace(start, due, checkpoint, percent)
            if pace.behind < trigger.margin:
                continue
            why = (f"任务「{task.title}」时限{zh_date(due)}，截至{zh_date(checkpoint)}时间已过{pace.expected:.0f}%，"
                   f"{unit}{zh_date(on)}报送完成{percent}%，落后序时进度{pace.behind:.0f}个百分点"
                   f"（规定落后{trigger.margin:g}个百分点即预警）")
            facts = {"assessment": "task_pace", "task_title": task.title, "start": start.isoformat(),
                     "due": due.isoformat(), "checkpoint": checkpoint.isoformat(), "reported_on": on.isoformat(),
                     "percent": percent, "expected_percent": round(pace.expected, 1),
                     "behind_points": round(pace.behind, 1), "margin": trigger.margin}
            run.emit(card, plan, unit, occurrence_key(card.id, task.task_id, unit, checkpoint.isoformat()),
                     why, facts, task_id=task.task_id, proposal=_proposal(card.level))


HANDLERS = {
    "prorata_off_track": _prorata,
    "target_missed": _target_missed,
    "repeated_warnings": _repeated,
    "aqi_off_scale": _aqi,
    "dust_fall_over_cap": _dust,
}


def evaluate_metrics(
    book: MetricRuleBook,
    targets: TargetBook,
    series: Series,
    regions: Regions,
    history: History,
    calendar: Calendar,
    as_of: date,
    *,
    plans: Iterable[str] | None = None,
    tasks: Sequence[TaskFacts] = (),
) -> list[Action]:
    """Return the notices the metric rules want on `as_of` (nothing on a non-working day)."""
    if not calendar.is_workday(as_of):
        return []
    run = _Run(targets, series, regions, history, calendar, as_of)
    wanted = set(plans) if plans is not None else None
    for loaded in book.sets:
        cards = [MetricCard.of(loaded.model, rule) for rule in loaded.model.rules]
        for plan in loaded.model.applies_to:
            if wanted is not None and plan not in wanted:
                continue
            for card in cards:
                if card.rule.trigger.type == "progress_behind":
                    _behind(run, card, plan, tasks)
                else:
                    HANDLERS[card.rule.trigger.type](run, card, plan)
    return run.out
