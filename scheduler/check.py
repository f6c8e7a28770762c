"""`duban check`: validate configuration, rules, calendar, unit directory, ledgers and templates
together, so a service never starts on half a rule set. Returns every problem, not the first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from scheduler.config import Config, control_character, default_config_path, load_config
from scheduler.errors import InputError, Problem
from scheduler.yamlsource import LineMap, load_yaml_file

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
    config_file = Path(config_path) if config_path else default_config_path()
    if config is None:
        config = _collect(problems, lambda: load_config(config_path))
        if config is None:  # still check the rest, where an unconfigured installation keeps it
            config = Config(base_dir=config_file.resolve().parent)
            warnings.append(f"{config_file} 有误：其余各项按默认位置（rules/、data/、templates/）检查")
        else:
            problems.extend(_config_paths(config, config_file))
    else:
        problems.extend(_config_paths(config, config_file))

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
        problems.extend(_control_characters(units_path))
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
    # a plan no office issues for: digests go out, letters cannot
    warnings.extend(config.letter_issuers.missing((ledger.plan.id, ledger.plan.region or "") for ledger in ledgers))
    if directory is not None:
        for ledger in ledgers:
            for task in ledger.tasks:
                names = [*task.lead_units, *task.cooperating_units, *task.responsible_units]
                _, unresolved = directory.recipients(names, ledger.plan.region)
                for resolution in unresolved:
                    if resolution.status == "unknown":
                        warnings.append(f"{task.source} {task.id}：单位目录中没有“{resolution.written}”")
                    elif resolution.status == "provisional":
                        warnings.append(f"{task.source} {task.id}：单位目录中没有“{resolution.written}”，"
                                        f"暂作临时单位“{resolution.units[0].name}”（duban units list）")
    return problems, warnings


FOLDERS = ("data_dir", "rules_dir", "templates_dir", "calendar_dir")


def _config_paths(config: Config, config_file: Path) -> list[Problem]:
    """Problems with the folders and files the configuration names, at their key's line.

    A folder left at its default is reported by the loader that reads it (rules, calendar, units),
    except templates, which only this check looks for."""
    lines = _lines(config_file)

    def problem(key: tuple[str, ...], message: str) -> Problem:
        line = lines.get(key)
        return Problem(str(config_file), line, message if line else f"{message}（未配置，按默认值）", ".".join(key))

    found = []
    for key in FOLDERS:
        folder = config.path(getattr(config, key))
        if not folder.is_dir() and ((key,) in lines or key == "templates_dir"):
            found.append(problem((key,), f"目录不存在：{folder}"))
    outbox = config.path(config.outbox)
    existing = next((p for p in (outbox, *outbox.parents) if p.exists()), None)
    if outbox.exists() and not outbox.is_dir():
        found.append(problem(("outbox",), f"发件箱应为目录，却是文件：{outbox}"))
    elif existing is None or not existing.is_dir() or not _writable(existing):
        found.append(problem(("outbox",), f"无法创建或写入发件箱目录：{outbox}"))
    smtp = config.delivery.smtp
    if smtp is not None and smtp.ca_file and not config.path(Path(smtp.ca_file)).is_file():
        found.append(problem(("delivery", "smtp", "ca_file"), f"证书文件不存在：{config.path(Path(smtp.ca_file))}"))
    return found


def _writable(folder: Path) -> bool:
    import os

    return os.access(folder, os.W_OK | os.X_OK)


def _lines(path: Path) -> LineMap:
    try:
        return load_yaml_file(path)[1] if path.exists() else LineMap()
    except InputError:
        return LineMap()


def _control_characters(units_path: Path) -> list[Problem]:
    """Every name, alias and contact in the unit directory with a control character (CR, LF…).

    Such a name would break a letter's layout or, in an e-mail header, start a header of its
    own; notes are free text for coordinators and may hold anything."""
    try:
        data, lines = load_yaml_file(units_path)
    except InputError:
        return []  # UnitDirectory.load has reported it
    found: list[Problem] = []

    def walk(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "note":
                    walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, str) and (ch := control_character(value)) is not None:
            found.append(Problem(str(units_path), lines.line_of(path),
                                 f"含有控制字符 U+{ord(ch):04X}（换行等）：{value!r}；名称和联系方式只能是一行文字",
                                 ".".join(map(str, path))))

    walk(data, ())
    return found
