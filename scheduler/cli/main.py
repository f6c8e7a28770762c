"""The `duban` command line: thin wrappers that read arguments, call the core and print."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from scheduler.errors import InputError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str, arguments: list[tuple[str, dict]] | None = None
            ) -> Callable[[Callable[[argparse.Namespace], int]], Callable]:
    """Register a command; `arguments` (flag, add_argument options) here or through add_arguments."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = func
        if arguments is not None:
            EXTRA_SPECS[name] = arguments
        return func

    return register


EXTRA_SPECS: dict[str, list[tuple[str, dict]]] = {}


def _load_command_modules() -> None:
    """Import every module of scheduler.cli so that each feature registers its own commands."""
    import importlib
    import pkgutil

    import scheduler.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")


def emit_json(value: Any) -> None:
    """Print JSON for machines: UTF-8, Chinese kept readable, stable key order."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text!r}") from exc


def add_arguments(specs: dict[str, list[tuple[str, dict]]]) -> None:
    """Register the arguments of several commands at once (a module's table at its end)."""
    EXTRA_SPECS.update(specs)


def register(name: str, func: Callable[[argparse.Namespace], int]) -> None:
    """Register a command made by a factory, e.g. one per review decision."""
    COMMANDS[name] = func


def config_for(args: argparse.Namespace):
    """The configuration `--config` (or DUBAN_CONFIG, or ./config.yaml) names."""
    from scheduler.config import load_config

    return load_config(getattr(args, "config", None))


def runtime_for(args: argparse.Namespace):
    """Config plus the store, rules, calendar and units a command opens lazily."""
    from scheduler.runtime import Runtime

    return Runtime(config_for(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duban", description="督办：大气污染防治行动计划的时限提醒与督办升级"
    )
    parser.add_argument("--config", help="配置文件（默认 config.yaml 或 DUBAN_CONFIG）")
    groups = parser.add_subparsers(dest="group", required=True)
    subgroups: dict[str, argparse._SubParsersAction] = {}
    _load_command_modules()
    for name, arguments in EXTRA_SPECS.items():
        words = name.split()
        if len(words) == 1:
            sub = groups.add_parser(words[0])
        else:
            if words[0] not in subgroups:
                subgroups[words[0]] = groups.add_parser(words[0]).add_subparsers(
                    dest="action", required=True
                )
            sub = subgroups[words[0]].add_parser(words[1])
        for flag, options in arguments:
            sub.add_argument(flag, **options)
        sub.set_defaults(command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from scheduler.escalation.calendar import UnknownYearError

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print("输入有误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except UnknownYearError as exc:  # a date before the holiday data begins: say so, no traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
