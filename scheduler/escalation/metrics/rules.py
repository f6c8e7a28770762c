"""Metric rules (rules/metrics/*.yaml): when numbers, not deadlines, call for a letter.

A metric rule set names the plans whose targets it assesses, quotes the clauses it implements and
lists rules; each rule has a level, one trigger from a closed set and a clause citation, like the
task rule sets of scheduler.escalation.ruleset (whose clause and level vocabulary it reuses). Triggers:
- prorata_off_track: at a checkpoint (month or quarter end, the period's own end excepted) a county's
  cumulative value is above its period target -> warning letter to the county government;
- target_missed: the period is over and the final value is above the target -> interview;
- repeated_warnings: a county already got N metric warnings (approved or sent) -> interview;
- aqi_off_scale: AQI above a threshold (500, "爆表") on N consecutive days -> warning or interview;
- dust_fall_over_cap: a month's dust fall above the plan's cap -> urging notice;
- progress_behind: a unit's reported percent is behind the elapsed share of the task's time by a
  margin at a checkpoint -> warning.

`evaluate_metrics` is pure: values, targets, history and an explicit `as_of` in, Actions out.
Occurrence keys (`rule|plan|unit|checkpoint`) name the event, so the sweep stores each once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from scheduler.errors import InputError, Problem
from scheduler.escalation.evaluate import Calendar, due_dates, occurrence_key, rule_explanation, zh_date
from scheduler.escalation.facts import Action, PastNotice, TaskFacts
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
from scheduler.escalation.metrics.targets import DustCap, TargetBook
from scheduler.escalation.ruleset import ClauseQuote, LevelName
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text

ONE_DAY = timedelta(days=1)
LIVE_WARNING = frozenset({"approved", "sent"})
PENDING_INTERVIEW = frozenset({"pending_review", "approved", "held"})
STALE_DAYS = 62  # a checkpoint older than this is history, not news: a late first sweep skips it


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _metric_name(value: str) -> str:
    if value not in METRICS:
        raise ValueError(f"未知的指标 {value!r}；可用：{'、'.join(METRICS)}")
    return value


MetricName = Annotated[str, AfterValidator(_metric_name)]
Coverage = Annotated[float, Field(gt=0, le=1)]  # share of elapsed days that must have data


class ProrataOffTrack(_Model):
    """At each checkpoint, compare the cumulative value with the period target."""

    type: Literal["prorata_off_track"]
    metric: MetricName
    checkpoint: Literal["month", "quarter"] = "month"
    after_workdays: int = Field(default=3, ge=0, le=30)  # monitoring data settle after the checkpoint
    tolerance: float = Field(default=0.0, ge=0)
    min_coverage: Coverage = 0.8


class TargetMissed(_Model):
    """After the period ends, compare the final value with the target."""

    type: Literal["target_missed"]
    metric: MetricName
    after_workdays: int = Field(default=5, ge=0, le=60)
    min_coverage: Coverage = 0.8


class RepeatedWarnings(_Model):
    """Propose an interview once a county holds `count` metric warnings (approved or sent)."""

    type: Literal["repeated_warnings"]
    count: int = Field(ge=2, le=12)
    rules: list[str] = Field(default_factory=list)  # warning rules that count; empty: every metric warning


class AqiOffScale(_Model):
    """AQI above `threshold` on `consecutive_days` days in a row ("爆表")."""

    type: Literal["aqi_off_scale"]
    threshold: float = Field(default=500, gt=0)
    consecutive_days: int = Field(ge=1, le=31)
    lookback_days: int = Field(default=10, ge=1, le=60)  # runs that ended longer ago are not news


class DustFallOverCap(_Model):
    """A month's dust fall above the plan's cap."""

    type: Literal["dust_fall_over_cap"]
    after_workdays: int = Field(default=5, ge=0, le=30)


class ProgressBehind(_Model):
    """A unit's reported percent behind the elapsed share of the task's time by `margin` points."""

    type: Literal["progress_behind"]
    margin: float = Field(gt=0, le=100)
    checkpoint: Literal["month", "quarter"] = "month"
    after_workdays: int = Field(default=1, ge=0, le=30)


MetricTrigger = Annotated[
    ProrataOffTrack | TargetMissed | RepeatedWarnings | AqiOffScale | DustFallOverCap | ProgressBehind,
    Field(discriminator="type"),
]
LEVELS_BY_TRIGGER: dict[str, frozenset[str]] = {
    "prorata_off_track": frozenset({"warning"}),
    "target_missed": frozenset({"warning", "interview"}),
    "repeated_warnings": frozenset({"interview"}),
    "aqi_off_scale": frozenset({"warning", "interview"}),
    "dust_fall_over_cap": frozenset({"urge", "warning"}),
    "progress_behind": frozenset({"urge", "warning"}),
}
METRIC_KINDS = frozenset(LEVELS_BY_TRIGGER)  # a notice's kind is its trigger type: these kinds are metric-based


class MetricRule(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    level: LevelName
    trigger: MetricTrigger
    clause: str = Field(min_length=1)
    label: str = Field(min_length=1)


class MetricRuleSet(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1)
    clause: list[ClauseQuote] = Field(min_length=1)
    note: str = ""
    rules: list[MetricRule] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("applies_to", mode="before")
    @classmethod
    def _plan_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


@dataclass(frozen=True)
class LoadedMetricRules:
    model: MetricRuleSet
    file: str
    lines: LineMap = field(default_factory=LineMap, compare=False, repr=False)

    def line(self, *path: str | int) -> int | None:
        return self.lines.line_of(tuple(path))


def _validate(data: Any, filename: str, lines: LineMap) -> LoadedMetricRules:
    try:
        model = MetricRuleSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(part for i, part in enumerate(err["loc"])
                        if not (i > 0 and err["loc"][i - 1] == "trigger" and part in LEVELS_BY_TRIGGER))
            message = err["msg"]
            if err["type"] == "union_tag_invalid" and isinstance(err["input"], dict):
                message = f"未知的触发条件 {err['input'].get('type')!r}；可用：{'、'.join(LEVELS_BY_TRIGGER)}"
                loc += ("type",)
            problems.append(Problem(filename, lines.line_of(loc), message, ".".join(str(p) for p in loc)))
        raise InputError(problems) from exc
    loaded = LoadedMetricRules(model, filename, lines)
    problems = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(model.rules):
        if rule.id in seen:
            problems.append(Problem(filename, loaded.line("rules", index, "id"),
                                    f"规则编号重复：{rule.id}（已见于 rules.{seen[rule.id]}）", f"rules.{index}.id"))
        seen.setdefault(rule.id, index)
        allowed = LEVELS_BY_TRIGGER[rule.trigger.type]
        if rule.level not in allowed:
            problems.append(Problem(filename, loaded.line("rules", index, "level"),
                                    f"触发条件 {rule.trigger.type} 只能产生 {'、'.join(sorted(allowed))} 级别，"
                                    f"不能是 {rule.level}", f"rules.{index}.level"))
    warnings = {r.id for r in model.rules if r.level == "warning"}
    for index, rule in enumerate(model.rules):
        if isinstance(rule.trigger, RepeatedWarnings):
            for n, name in enumerate(rule.trigger.rules):
                if name not in warnings:
                    problems.append(Problem(filename, loaded.line("rules", index, "trigger", "rules", n),
                                            f"repeated_warnings 计数的规则 {name} 不是本规则集中的预警规则",
                                            f"rules.{index}.trigger.rules.{n}"))
    if problems:
        raise InputError(problems)
    return loaded


def parse_metric_rules(text: str, filename: str) -> LoadedMetricRules:
    """Validate one metric rule file's YAML text; raise InputError naming file, line and path."""
    data, lines = load_yaml_text(text, filename)
    return _validate(data, filename, lines)


@dataclass
class MetricRuleBook:
    """The loaded metric rule sets, by plan."""

    sets: list[LoadedMetricRules] = field(default_factory=list)

    def for_plan(self, plan: str) -> LoadedMetricRules | None:
        for loaded in self.sets:
            if plan in loaded.model.applies_to:
                return loaded
        return None

    @property
    def plans(self) -> list[str]:
        return [plan for loaded in self.sets for plan in loaded.model.applies_to]


def load_metric_rules(folder: str | Path, targets: TargetBook | None = None) -> MetricRuleBook:
    """Load every rules/metrics/*.yaml; collect all problems: fields, duplicate set ids, a plan claimed
    twice, and (given the targets) a rule on a metric or plan the targets do not have."""
    folder = Path(folder)
    book = MetricRuleBook()
    if not folder.is_dir():
        return book
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    plans: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            data, lines = load_yaml_file(path)
            loaded = _validate(data, str(path), lines)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        model = loaded.model
        if model.id in ids:
            problems.append(Problem(loaded.file, loaded.line("id"),
                                    f"规则集编号重复：{model.id}（已见于 {ids[model.id]}）", "id"))
            continue
        ids[model.id] = loaded.file
        for index, plan in enumerate(model.applies_to):
            if plan in plans:
                problems.append(Problem(loaded.file, loaded.line("applies_to", index),
                                        f"计划 {plan} 已由指标规则集 {plans[plan]} 适用", f"applies_to.{index}"))
            plans.setdefault(plan, model.id)
            if targets is not None:
                problems.extend(_check_targets(loaded, index, plan, targets))
        book.sets.append(loaded)
    if problems:
        raise InputError(problems)
    return book


def _check_targets(loaded: LoadedMetricRules, plan_index: int, plan: str, targets: TargetBook) -> list[Problem]:
    found = targets.for_plan(plan)
    if found is None:
        return [Problem(loaded.file, loaded.line("applies_to", plan_index),
                        f"计划 {plan} 在 data/targets/ 中没有目标", f"applies_to.{plan_index}")]
    problems = []
    metrics = {t.metric for t in found.targets}
    for index, rule in enumerate(loaded.model.rules):
        trigger = rule.trigger
        if isinstance(trigger, (ProrataOffTrack, TargetMissed)) and trigger.metric not in metrics:
            problems.append(Problem(loaded.file, loaded.line("rules", index, "trigger", "metric"),
                                    f"计划 {plan} 没有 {trigger.metric} 的目标", f"rules.{index}.trigger.metric"))
        if isinstance(trigger, DustFallOverCap) and not found.dust:
            problems.append(Problem(loaded.file, loaded.line("rules", index, "trigger"),
                                    f"计划 {plan} 没有降尘量上限", f"rules.{index}.trigger"))
    return problems


# -- evaluation ---------------------------------------------------------------------------------

History = Mapping[tuple[str | None, str], Sequence[PastNotice]]


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


@dataclass
class _Run:
    """One evaluation: the inputs, the day and what has been proposed so far."""

    targets: TargetBook
    series: Series
    regions: Regions
    history: History
    calendar: Calendar
    as_of: date
    out: list[Action] = field(default_factory=list)
    _keys: set[str] | None = None
    _ranks: dict[tuple[str, str, date], dict[str, tuple[int, int]]] = field(default_factory=dict)

    def known(self, key: str) -> bool:
        if self._keys is None:
            self._keys = {n.key for notices in self.history.values() for n in notices}
        return key in self._keys

    def fire_day(self, checkpoint: date, after: int) -> date:
        return self.calendar.add_workdays(checkpoint, after)

    def latest_checkpoint(self, candidates: Iterable[date], after: int) -> date | None:
        due = [c for c in candidates if self.fire_day(c, after) <= self.as_of]
        if not due or (self.as_of - due[-1]).days > STALE_DAYS:
            return None
        return due[-1]

    def open_interview(self, plan: str, unit: str) -> bool:
        for notice in self.history.get((None, unit), ()):
            if notice.level == "interview" and notice.status in PENDING_INTERVIEW and f"|{plan}|" in notice.key:
                return True
        return any(a.level == "interview" and a.unit == unit and a.plan_id == plan and a.task_id is None
                   for a in self.out)

    def ranks(self, plan: str, metric: str, day: date) -> dict[str, tuple[int, int]]:
        """Rank the counties of a plan on one metric as of `day` (computed once per call)."""
        key = (plan, metric, day)
        if key not in self._ranks:
            standings = {t.region: progress(t, self.series, day) for t in self.targets.targets(plan, metric)
                         if self._government(t.region)}
            self._ranks[key] = rank(standings)
        return self._ranks[key]

    def _government(self, region: str) -> str | None:
        found = self.regions.resolve(region)
        return found.government if found is not None else None

    def emit(self, loaded: LoadedMetricRules, rule: MetricRule, plan: str, unit: str, key: str, why: str,
             facts: dict[str, Any], task_id: str | None = None, proposal: str = "") -> None:
        """Propose a notice unless stored; `why` is the finding letters print, `proposal` what the rule asks."""
        if self.known(key):
            return
        model = loaded.model
        facts.update(plan=plan, unit=unit, as_of=self.as_of.isoformat(), task=task_id, finding=why)
        facts.setdefault("task_title", f"{facts.get('region', '')}：{rule.label}")  # digests list it as an item
        self.out.append(Action(
            key=key,
            level=rule.level,
            rule_id=rule.id,
            ruleset_id=model.id,
            ruleset_version=model.version,
            plan_id=plan,
            task_id=task_id,
            unit=unit,
            due=None,
            kind=rule.trigger.type,
            needs_review=rule.level in ("warning", "interview"),
            clause=rule.clause,
            explanation=rule_explanation(rule.level, rule.label, model.id, rule.id, model.version, rule.clause,
                                         why + proposal),
            facts=facts,
            rule_snapshot=rule.model_dump(mode="json"),
        ))


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
    t = p.target
    unit = _unit_text(t.metric)
    span = f"{zh_date(t.start)}至{zh_date(min(p.as_of, t.end))}"
    missing = f"，缺测{p.missing_days}天" if p.missing_days else ""
    rank_text = (f"；在{facts['rank_of']}个县区中改善幅度排第{facts['rank']}名"
                 if facts.get("rank") is not None and t.baseline is not None else
                 f"；在{facts['rank_of']}个县区中排第{facts['rank']}名" if facts.get("rank") is not None else "")
    if t.aggregate == "count":
        text = (f"{t.region}{span}重度及以上污染天数{p.value:g}天（有效监测{p.days_with_data}天{missing}），"
                f"超过目标{t.limit:g}天（{t.basis}）{p.value - t.limit:g}天{rank_text}")
        return text
    text = (f"{t.region}{span}{t.metric}累计平均浓度{_n(p.value)}{unit}（有效监测{p.days_with_data}天{missing}），"
            f"高于目标{_n(t.limit)}{unit}（{t.basis}）{_n(p.gap)}{unit}{rank_text}")
    if p.required_rest is not None:
        rest = t.days - p.days_elapsed
        if p.required_rest < 0:
            text += f"；剩余{rest}天即使浓度为零也无法完成目标"
        else:
            text += f"；剩余{rest}天平均浓度须控制在{_n(p.required_rest)}{unit}以下方能完成目标"
    return text


_PROPOSAL = {"urge": "，请抓紧整改", "warning": "，拟向其下发预警通知函", "interview": "，拟约谈政府主要负责人"}


def _prorata(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str) -> None:
    trigger: ProrataOffTrack = rule.trigger  # type: ignore[assignment]
    found = run.targets.for_plan(plan)
    if found is None:
        return
    checkpoint = run.latest_checkpoint(checkpoints(found.start, found.end, trigger.checkpoint), trigger.after_workdays)
    if checkpoint is None:
        return
    for target in run.targets.targets(plan, trigger.metric):
        unit = run._government(target.region)
        if unit is None or not target.start <= checkpoint < target.end:
            continue
        standing = progress(target, run.series, checkpoint)
        if standing.days_with_data < trigger.min_coverage * standing.days_elapsed:
            continue
        if not standing.off_track(trigger.tolerance):
            continue
        facts = progress_facts(standing, checkpoint, run.ranks(plan, trigger.metric, checkpoint))
        why = describe_progress(standing, facts) + "，未达到序时进度"
        run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, plan, unit, checkpoint.isoformat()), why, facts,
                 proposal="，拟向其下发预警通知函")


def _target_missed(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str) -> None:
    trigger: TargetMissed = rule.trigger  # type: ignore[assignment]
    for target in run.targets.targets(plan, trigger.metric):
        unit = run._government(target.region)
        if unit is None or run.latest_checkpoint([target.end], trigger.after_workdays) is None:
            continue
        standing = progress(target, run.series, target.end)
        if standing.days_with_data < trigger.min_coverage * standing.days_elapsed or not standing.off_track():
            continue
        if rule.level == "interview" and run.open_interview(plan, unit):
            continue
        facts = progress_facts(standing, target.end, run.ranks(plan, trigger.metric, target.end))
        why = describe_progress(standing, facts) + "，期末未完成空气质量改善目标任务"
        run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, plan, unit, target.end.isoformat()), why, facts,
                 proposal=_PROPOSAL[rule.level])


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


def _repeated(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str) -> None:
    trigger: RepeatedWarnings = rule.trigger  # type: ignore[assignment]
    counted = set(trigger.rules) or {r.id for r in loaded.model.rules if r.level == "warning"}
    for region, unit in _counties(run, plan):
        warnings = [n for n in run.history.get((None, unit), ())
                    if n.level == "warning" and n.status in LIVE_WARNING and n.rule_id in counted
                    and f"|{plan}|" in n.key]
        if len(warnings) < trigger.count or run.open_interview(plan, unit):
            continue
        listed = "、".join(zh_date(n.sent_on or n.created_on) for n in warnings)
        why = (f"{region}因空气质量未达序时进度已被下发预警通知函{len(warnings)}次（{listed}），"
               f"达到规定的{trigger.count}次")
        facts = {"assessment": "repeated_warnings", "region": region, "warnings": [n.key for n in warnings],
                 "warning_count": len(warnings), "threshold_count": trigger.count}
        run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, plan, unit, f"N{trigger.count}"), why, facts,
                 proposal=_PROPOSAL[rule.level])


def _aqi(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str) -> None:
    trigger: AqiOffScale = rule.trigger  # type: ignore[assignment]
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
            if rule.level == "interview" and run.open_interview(plan, unit):
                continue
            values = [days[first + timedelta(days=i)] for i in range(length)]
            why = (f"{region}{zh_date(first)}至{zh_date(last)}连续{length}天空气质量指数（AQI）超过"
                   f"{trigger.threshold:g}（“爆表”，分别为{'、'.join(f'{v:g}' for v in values)}），"
                   f"达到规定的连续{trigger.consecutive_days}天")
            facts = {"assessment": "aqi_off_scale", "region": region, "metric": "AQI", "first_day": first.isoformat(),
                     "last_day": last.isoformat(), "days": length, "values": values, "threshold": trigger.threshold,
                     "threshold_days": trigger.consecutive_days}
            run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, plan, unit, first.isoformat()), why, facts,
                     proposal=_PROPOSAL[rule.level])


def _dust(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str) -> None:
    trigger: DustFallOverCap = rule.trigger  # type: ignore[assignment]
    found = run.targets.for_plan(plan)
    if found is None:
        return
    caps: dict[str, DustCap] = {}
    for cap in found.dust:  # a county's own cap wins over its city's
        region = run.regions.resolve(cap.region)
        if region is None:
            continue
        if region.kind == "county":
            caps[region.name] = cap
        else:
            for county in run.regions.counties(region.name):
                caps.setdefault(county.name, cap)
    for end in [*checkpoints(found.start, found.end, "month"), found.end]:
        if month_end(end) != end:
            continue
        fire = run.fire_day(end, trigger.after_workdays)
        if fire > run.as_of or (run.as_of - end).days > STALE_DAYS:
            continue
        first = end.replace(day=1)
        for region, cap in sorted(caps.items()):
            unit = run._government(region)
            value = run.series.month(region, "dust_fall", first)
            if unit is None or value is None or not cap.exceeded(value):
                continue
            month = f"{first.year}年{first.month}月"
            why = (f"{region}{month}降尘量{value:g}吨/月·平方公里，超过{cap.wording}的要求"
                   f"（{cap.source}）{value - cap.cap:.1f}吨/月·平方公里")
            facts = {"assessment": "dust_fall", "region": region, "metric": "dust_fall", "month": first.isoformat()[:7],
                     "value": value, "cap": cap.cap, "excess": round(value - cap.cap, 1), "cap_source": cap.source}
            run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, plan, unit, first.isoformat()[:7]), why, facts,
                     proposal="，请组织开展降尘专项整治" if rule.level == "urge" else _PROPOSAL[rule.level])


def _behind(run: _Run, loaded: LoadedMetricRules, rule: MetricRule, plan: str, tasks: Sequence[TaskFacts]) -> None:
    trigger: ProgressBehind = rule.trigger  # type: ignore[assignment]
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
            run.emit(loaded, rule, plan, unit, occurrence_key(rule.id, task.task_id, unit, checkpoint.isoformat()),
                     why, facts, task_id=task.task_id, proposal=_PROPOSAL[rule.level])


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
        for plan in loaded.model.applies_to:
            if wanted is not None and plan not in wanted:
                continue
            for rule in loaded.model.rules:
                if rule.trigger.type == "progress_behind":
                    _behind(run, loaded, rule, plan, tasks)
                else:
                    HANDLERS[rule.trigger.type](run, loaded, rule, plan)
    return run.out
