"""Assessment by the numbers: air-quality values, targets from the plans, pro-rata progress and the
metric rules that turn them into warning letters, interviews and urging notices.

Modules: catalog (metric vocabulary, regions), values (CSV/xlsx import checks), targets
(data/targets/), prorata (the arithmetic), ruleset (rules/metrics/), rules (pure evaluation), status
(where every region stands). `MetricSetup` bundles what the sweep needs; `load_setup` reads it from a configuration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scheduler.errors import InputError, Problem
from scheduler.escalation.actions import History
from scheduler.escalation.calendar import Calendar
from scheduler.escalation.facts import Action, TaskFacts
from scheduler.escalation.metrics.catalog import Directory, Regions
from scheduler.escalation.metrics.prorata import Series
from scheduler.escalation.metrics.rules import MetricRuleBook, evaluate_metrics, load_metric_rules
from scheduler.escalation.metrics.targets import TargetBook, load_target_book

# Places with targets but no government of their own: seed 000 附件1 has a row for 主城区 (the
# central urban area of 长治), assessed but not addressed.
AREAS = {"主城区": "长治市"}
RULES_SUBDIR = "metrics"  # rules/metrics/*.yaml: apart from rules/*.yaml, which the task loader globs
TARGETS_SUBDIR = "targets"  # data/targets/*.yaml

__all__ = ["AREAS", "MetricSetup", "load_setup", "regions_from"]


def regions_from(directory: Directory) -> Regions:
    """Return the regions values may name, from the unit directory and the known areas."""
    return Regions.from_directory(directory, AREAS)


@dataclass
class MetricSetup:
    """The metric rules, the targets and the regions: what the sweep and the commands need."""

    rules: MetricRuleBook
    targets: TargetBook
    regions: Regions

    def evaluate(self, series: Series, tasks: Sequence[TaskFacts], history: History, calendar: Calendar,
                 as_of: date, plans: Iterable[str] | None = None) -> list[Action]:
        """Return the metric notices for `as_of` (pure)."""
        return evaluate_metrics(self.rules, self.targets, series, self.regions, history, calendar, as_of,
                                plans=plans, tasks=tasks)


def load_setup(rules_dir: str | Path, data_dir: str | Path, directory: Directory) -> MetricSetup:
    """Load and cross-check data/targets/ and rules/metrics/; raise InputError listing every problem."""
    regions = regions_from(directory)
    problems: list[Problem] = []
    targets = TargetBook()
    try:
        targets = load_target_book(Path(data_dir) / TARGETS_SUBDIR, regions)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        rules = load_metric_rules(Path(rules_dir) / RULES_SUBDIR, targets if not problems else None)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return MetricSetup(rules, targets, regions)
