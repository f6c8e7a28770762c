"""Metric rule files (rules/metrics/*.yaml): when numbers, not deadlines, call for a letter.

A metric rule set names the plans whose targets it assesses, quotes the clauses it implements and
lists rules; each rule has a level (a rung of scheduler.ladder), one trigger from a closed set and a
clause citation. The loader core is the task rules' (scheduler.escalation.rulefile): the same
errors with file and line, the same levels. Triggers:
- prorata_off_track: at a checkpoint (month or quarter end, the period's own end excepted) a county's
  cumulative value is above its period target -> warning letter to the county government;
- target_missed: the period is over and the final value is above the target -> interview;
- repeated_warnings: a county already got N metric warnings (approved or sent), the N-th standing
  `after_workdays` working days -> interview;
- aqi_off_scale: AQI above a threshold (500, "爆表") on N consecutive days -> warning or interview;
- dust_fall_over_cap: a month's dust fall above the plan's cap -> urging notice;
- progress_behind: a unit's reported percent is behind the elapsed share of the task's time by a
  margin at a checkpoint -> warning.
What they do on a day is scheduler.escalation.metrics.rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from scheduler.errors import InputError, Problem
from scheduler.escalation.metrics.catalog import METRICS
from scheduler.escalation.metrics.targets import TargetBook
from scheduler.escalation.rulefile import (
    ID_PATTERN,
    ClauseQuote,
    LevelName,
    RuleFile,
    RuleModel,
    TriggerSpec,
    check_rules,
    rule_paths,
    validate,
)
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text


def _metric_name(value: str) -> str:
    if value not in METRICS:
        raise ValueError(f"未知的指标 {value!r}；可用：{'、'.join(METRICS)}")
    return value


MetricName = Annotated[str, AfterValidator(_metric_name)]
Coverage = Annotated[float, Field(gt=0, le=1)]  # share of elapsed days that must have data


class ProrataOffTrack(RuleModel):
    """At each checkpoint, compare the cumulative value with the period target."""

    type: Literal["prorata_off_track"]
    metric: MetricName
    checkpoint: Literal["month", "quarter"] = "month"
    after_workdays: int = Field(default=3, ge=0, le=30)  # monitoring data settle after the checkpoint
    tolerance: float = Field(default=0.0, ge=0)
    min_coverage: Coverage = 0.8


class TargetMissed(RuleModel):
    """After the period ends, compare the final value with the target."""

    type: Literal["target_missed"]
    metric: MetricName
    after_workdays: int = Field(default=5, ge=0, le=60)
    min_coverage: Coverage = 0.8


class RepeatedWarnings(RuleModel):
    """Propose an interview once a county holds `count` metric warnings (approved or sent)."""

    type: Literal["repeated_warnings"]
    count: int = Field(ge=2, le=12)
    rules: list[str] = Field(default_factory=list)  # warning rules that count; empty: every metric warning
    # Working days the count-th warning must stand unresolved (from its send day, else its proposal)
    # before the interview: the rule set's interval between warning and interview.
    after_workdays: int = Field(default=0, ge=0, le=60)


class AqiOffScale(RuleModel):
    """AQI above `threshold` on `consecutive_days` days in a row ("爆表")."""

    type: Literal["aqi_off_scale"]
    threshold: float = Field(default=500, gt=0)
    consecutive_days: int = Field(ge=1, le=31)
    lookback_days: int = Field(default=10, ge=1, le=60)  # runs that ended longer ago are not news


class DustFallOverCap(RuleModel):
    """A month's dust fall above the plan's cap."""

    type: Literal["dust_fall_over_cap"]
    after_workdays: int = Field(default=5, ge=0, le=30)


class ProgressBehind(RuleModel):
    """A unit's reported percent behind the elapsed share of the task's time by `margin` points."""

    type: Literal["progress_behind"]
    margin: float = Field(gt=0, le=100)
    checkpoint: Literal["month", "quarter"] = "month"
    after_workdays: int = Field(default=1, ge=0, le=30)


MetricTrigger = Annotated[
    ProrataOffTrack | TargetMissed | RepeatedWarnings | AqiOffScale | DustFallOverCap | ProgressBehind,
    Field(discriminator="type"),
]
# The clauses' "interview and accountability" triggers reach every rung above their lowest. A
# metric finding is news about the numbers (a month's dust fall, a task behind its pace), not a
# routine reminder: like the follow-up of an unsigned letter, an interview case does not fold it.
TRIGGERS: dict[str, TriggerSpec] = {
    "prorata_off_track": TriggerSpec("warning", "warning", folds=False),
    "target_missed": TriggerSpec("warning", folds=False),
    "repeated_warnings": TriggerSpec("interview", folds=False),
    "aqi_off_scale": TriggerSpec("warning", folds=False),
    "dust_fall_over_cap": TriggerSpec("urge", "warning", folds=False),
    "progress_behind": TriggerSpec("urge", "warning", folds=False),
}
METRIC_KINDS = frozenset(TRIGGERS)  # a notice's kind is its trigger type: these kinds are metric-based


class MetricRule(RuleModel):
    id: str = Field(pattern=ID_PATTERN)
    level: LevelName
    trigger: MetricTrigger
    clause: str = Field(min_length=1)
    label: str = Field(min_length=1)


class MetricRuleSet(RuleModel):
    id: str = Field(pattern=ID_PATTERN)
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


LoadedMetricRules = RuleFile[MetricRuleSet]


def _check(loaded: LoadedMetricRules) -> list[Problem]:
    """The shared checks, then: repeated_warnings counts only warning rules of its own set."""
    rules = loaded.model.rules
    problems = check_rules(loaded, rules, TRIGGERS)
    warnings = {r.id for r in rules if r.level == "warning"}
    for index, rule in enumerate(rules):
        if isinstance(rule.trigger, RepeatedWarnings):
            for n, name in enumerate(rule.trigger.rules):
                if name not in warnings:
                    problems.append(loaded.problem(f"repeated_warnings 计数的规则 {name} 不是本规则集中的预警规则",
                                                   "rules", index, "trigger", "rules", n))
    return problems


def _validate(data: Any, filename: str, lines: LineMap) -> LoadedMetricRules:
    return validate(MetricRuleSet, data, filename, lines, TRIGGERS, _check)


def parse_metric_rules(text: str, filename: str) -> LoadedMetricRules:
    """Validate one metric rule file's YAML text; raise InputError naming file, line and path."""
    data, lines = load_yaml_text(text, filename)
    return _validate(data, filename, lines)


@dataclass
class MetricRuleBook:
    """The loaded metric rule sets, by plan."""

    sets: list[LoadedMetricRules] = field(default_factory=list)

    def for_plan(self, plan: str) -> LoadedMetricRules | None:
        """Return the set that assesses `plan`, if any."""
        for loaded in self.sets:
            if plan in loaded.model.applies_to:
                return loaded
        return None

    @property
    def plans(self) -> list[str]:
        """Return every plan some set assesses."""
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
    for path in rule_paths(folder):
        try:
            data, lines = load_yaml_file(path)
            loaded = _validate(data, str(path), lines)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        model = loaded.model
        if model.id in ids:
            problems.append(loaded.problem(f"规则集编号重复：{model.id}（已见于 {ids[model.id]}）", "id"))
            continue
        ids[model.id] = loaded.file
        for index, plan in enumerate(model.applies_to):
            if plan in plans:
                problems.append(loaded.problem(f"计划 {plan} 已由指标规则集 {plans[plan]} 适用", "applies_to", index))
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
        return [loaded.problem(f"计划 {plan} 在 data/targets/ 中没有目标", "applies_to", plan_index)]
    problems = []
    metrics = {t.metric for t in found.targets}
    for index, rule in enumerate(loaded.model.rules):
        trigger = rule.trigger
        if isinstance(trigger, (ProrataOffTrack, TargetMissed)) and trigger.metric not in metrics:
            problems.append(loaded.problem(f"计划 {plan} 没有 {trigger.metric} 的目标",
                                           "rules", index, "trigger", "metric"))
        if isinstance(trigger, DustFallOverCap) and not found.dust:
            problems.append(loaded.problem(f"计划 {plan} 没有降尘量上限", "rules", index, "trigger"))
    return problems
