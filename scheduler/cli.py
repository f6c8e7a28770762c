"""The `duban` command line: thin wrappers that read arguments, call the core and print."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.errors import InputError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable]:
    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = func
        return func

    return register


def emit_json(value: Any) -> None:
    """Print JSON for machines: UTF-8, Chinese kept readable, stable key order."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text!r}") from exc


# --- deadlines and clauses ---------------------------------------------------------------

@command("deadline parse")
def cmd_deadline_parse(args: argparse.Namespace) -> int:
    from scheduler.deadlines import DeadlineContext, parse_deadline

    context = DeadlineContext(plan_year=args.plan_year) if args.plan_year else None
    deadline = parse_deadline(args.text, context)
    if args.json:
        emit_json(deadline.to_json())
        return 0
    from scheduler.report import deadline_table

    print(deadline_table([deadline]))
    return 0


@command("clause parse")
def cmd_clause_parse(args: argparse.Namespace) -> int:
    from scheduler.clauses import parse_clause

    clause = parse_clause(args.text)
    if args.json:
        emit_json(clause.to_json())
        return 0
    data = clause.to_json()
    print(f"牵头单位：{'、'.join(data['lead_units']) or '—'}")
    print(f"配合单位：{'、'.join(data['cooperating_units']) or '—'}")
    print(f"责任单位：{'、'.join(data['responsible_units']) or '—'}")
    print(f"适用于其后各项任务：{'是' if data['applies_to_later_tasks'] else '否'}")
    return 0


# --- ledger --------------------------------------------------------------------------------

def _config(args: argparse.Namespace):
    from scheduler.config import load_config

    return load_config(getattr(args, "config", None))


def _data_dir(args: argparse.Namespace, config) -> Path:
    return Path(args.data) if getattr(args, "data", None) else config.path(config.data_dir)


@command("ledger export")
def cmd_ledger_export(args: argparse.Namespace) -> int:
    from scheduler.ledgerview import export_rows

    config = _config(args)
    rows = export_rows(_data_dir(args, config), config)
    if args.format == "json":
        emit_json(rows)
        return 0
    if not args.output:
        print("导出 xlsx 需要 --output 文件名", file=sys.stderr)
        return 2
    from scheduler.xlsx import export_ledger_xlsx

    export_ledger_xlsx(rows, Path(args.output))
    print(f"已导出 {len(rows)} 项任务到 {args.output}")
    return 0


@command("ledger check")
def cmd_ledger_check(args: argparse.Namespace) -> int:
    from scheduler.ledgerview import open_points

    config = _config(args)
    points = open_points(_data_dir(args, config), config)
    if args.json:
        emit_json([p.to_json() for p in points])
    else:
        for point in points:
            print(point.describe())
        print(f"共 {len(points)} 个待协调事项。")
    return 0


@command("ledger show")
def cmd_ledger_show(args: argparse.Namespace) -> int:
    from scheduler.ledgerview import show_plan

    config = _config(args)
    print(show_plan(_data_dir(args, config), config, args.plan))
    return 0


@command("ledger build-seeds")
def cmd_ledger_build_seeds(args: argparse.Namespace) -> int:
    from scheduler.importers.seeds import write_seed_ledgers

    for target, ledger, problems in write_seed_ledgers(Path(args.seeds), Path(args.out)):
        print(f"{target}: {len(ledger.tasks)} 项任务")
        for problem in problems:
            print(f"  需人工核对：{problem}")
    return 0


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.check import check_all

    problems, warnings = check_all(today=clock.today(), config_path=args.config)
    for warning in warnings:
        print(f"提醒：{warning}")
    for problem in problems:
        print(f"错误：{problem}")
    if problems:
        print(f"检查未通过：{len(problems)} 个问题。")
        return 1
    print("检查通过：配置、规则、日历、单位目录、台账与模板均有效。")
    return 0


COMMAND_SPECS = {
    "check": [],
    "deadline parse": [("text", {}), ("--plan-year", {"type": int}),
                       ("--json", {"action": "store_true"})],
    "clause parse": [("text", {}), ("--json", {"action": "store_true"})],
    "ledger export": [("--format", {"choices": ["json", "xlsx"], "default": "json"}),
                      ("--output", {}), ("--data", {})],
    "ledger check": [("--json", {"action": "store_true"}), ("--data", {})],
    "ledger show": [("plan", {}), ("--data", {})],
    "ledger build-seeds": [("--seeds", {"default": "../shared/seeds"}), ("--out", {"default": "data"})],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duban", description="督办：大气污染防治行动计划的时限提醒与督办升级")
    parser.add_argument("--config", help="配置文件（默认 config.yaml 或 DUBAN_CONFIG）")
    groups = parser.add_subparsers(dest="group", required=True)
    subgroups: dict[str, argparse._SubParsersAction] = {}
    for name, arguments in COMMAND_SPECS.items():
        words = name.split()
        if len(words) == 1:
            sub = groups.add_parser(words[0])
        else:
            if words[0] not in subgroups:
                subgroups[words[0]] = groups.add_parser(words[0]).add_subparsers(
                    dest="action", required=True)
            sub = subgroups[words[0]].add_parser(words[1])
        for flag, options in arguments:
            sub.add_argument(flag, **options)
        sub.set_defaults(command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print("输入有误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
