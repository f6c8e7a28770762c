"""`duban check`: validate configuration, rules, calendar, unit directory, ledgers and templates
together, so a service never starts on half a rule set. Returns every problem, not the first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from scheduler.config import Config, default_config_path, load_config
from scheduler.errors import InputError, Problem

T = TypeVar("T")


def _collect(problems: list[Problem], step: Callable[[], T]) -> T | None:
    try:
        return step()
    except InputError as exc:
        problems.extend(exc.problems)
    return None


def check_all(config: Config | None = None, *, today: date | None = None,
              config_path: str | None = None) -> tuple[list[Problem], list[str]]:
    """Return (problems, warnings) for the whole installation."""
    problems: list[Problem] = []
    warnings: list[str] = []
    if config is None:
        config = _collect(problems, lambda: load_config(config_path))
        if config is None:  # still check the rest, where an unconfigured installation keeps it
            base = Path(config_path) if config_path else default_config_path()
            config = Config(base_dir=base.resolve().parent)
            warnings.append(f"{base} 有误：其余各项按默认位置（rules/、data/、templates/）检查")

    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.escalation.ruleset import load_rulebook
    from scheduler.plans.ledger import load_ledgers

    data_dir = config.path(config.data_dir)
    rulebook = _collect(problems, lambda: load_rulebook(config.path(config.rules_dir)))
    calendar = _collect(problems, lambda: WorkCalendar.load(config.path(config.calendar_dir)))
    ledgers = _collect(problems, lambda: load_ledgers(data_dir)) or []
    directory = None
    units_path = data_dir / "units.yaml"
    if units_path.exists():
        from scheduler.plans.units import UnitDirectory

        directory = _collect(problems, lambda: UnitDirectory.load(units_path))
    else:
        problems.append(Problem(str(units_path), None, "缺少单位目录 units.yaml"))
    templates_dir = config.path(config.templates_dir)
    from scheduler.letters.render import check_templates

    if templates_dir.exists():
        problems.extend(check_templates(templates_dir))

    if directory is not None:  # metric rules and targets (rules/metrics/, data/targets/)
        from scheduler.escalation.metrics import load_setup

        _collect(problems, lambda: load_setup(config.path(config.rules_dir), data_dir, directory))
    if rulebook is not None:
        for ledger in ledgers:
            if rulebook.ruleset_id_for(ledger.plan.id) is None:
                problems.append(Problem(str(data_dir / f"{ledger.plan.id}.yaml"), None,
                                        f"计划 {ledger.plan.id} 没有适用的规则集"))
    if calendar is not None and today is not None:
        warnings.extend(calendar.warnings(today))
    if directory is not None:
        for ledger in ledgers:
            for task in ledger.tasks:
                names = [*task.lead_units, *task.cooperating_units, *task.responsible_units]
                _, unresolved = directory.recipients(names, ledger.plan.region)
                for resolution in unresolved:
                    if resolution.status == "unknown":
                        warnings.append(f"{task.source} {task.id}：单位目录中没有“{resolution.written}”")
    return problems, warnings
