"""Assemble what a command or the service needs from the configuration: store, rules, calendar,
unit directory. Loading validates everything first, so nothing runs on a broken rule set."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from scheduler.config import Config


@dataclass
class Runtime:
    config: Config

    @cached_property
    def store(self):
        from scheduler.store import open_store

        return open_store(self.config.database)

    @cached_property
    def rulebook(self):
        from scheduler.escalation.ruleset import load_rulebook

        return load_rulebook(self.config.path(self.config.rules_dir))

    @cached_property
    def calendar_folder(self):
        from scheduler.escalation.calendar import CalendarFolder

        return CalendarFolder(self.config.path(self.config.calendar_dir))

    @property
    def calendar(self):
        """The working-day calendar as data/calendar/ now stands: a year file written from the
        State Council's notice replaces the provisional year at the next sweep, without a restart."""
        return self.calendar_folder.current()

    @cached_property
    def directory(self):
        from scheduler.plans.units import UnitDirectory

        return UnitDirectory.load(self.config.path(self.config.data_dir) / "units.yaml")

    @cached_property
    def metrics(self):
        """The metric rules (rules/metrics/), targets (data/targets/) and regions, validated together."""
        from scheduler.escalation.metrics import load_setup

        return load_setup(self.config.path(self.config.rules_dir), self.config.path(self.config.data_dir),
                          self.directory)

    def sweep(self, day, **options):
        """Sweep `day` with everything the configuration decides (grace, heating season, metrics);
        `options` are run_sweep's own: dry_run, instance."""
        from scheduler.sweep import run_sweep

        result = run_sweep(self.store, self.rulebook, self.calendar, day,
                           grace_days=self.config.service.closed_plan_grace_days,
                           heating=self.config.heating_season_start, metrics=self.metrics, **options)
        if self.calendar_folder.problem:
            result.warnings.append(self.calendar_folder.problem)
        return result
