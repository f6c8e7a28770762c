"""`duban load|sweep|queue|explain|progress|notice`: the store, the daily sweep and what
coordinators record: review decisions, progress, sign-off, dates, acknowledgements (extensions:
scheduler.cli.extensions)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scheduler.cli.main import add_arguments, command, emit_json, parse_day, register, runtime_for

# --- store, sweep, review queue, progress -------------------------------------------------



@command("load")
def cmd_load(args: argparse.Namespace) -> int:
    from scheduler.plans.units import UnitDirectory
    from scheduler.store.bulkload import bulk_load_ledgers

    runtime = runtime_for(args)
    data_dir = Path(args.data)
    ledgers = _read_ledgers(data_dir)
    directory = UnitDirectory.load(data_dir / "units.yaml")
    with runtime.store.session() as session, _load_bar(sum(len(x.tasks) for x in ledgers)) as advance:
        report = bulk_load_ledgers(
            session, ledgers, directory, runtime.config.heating_season_start, actor=args.by, progress=advance
        )
        session.commit()
    print(report.summary())
    for line in report.unresolved if args.verbose else []:
        print(f"  待协调：{line}")
    return 0


def _read_ledgers(data_dir: Path) -> list:
    """Read every ledger of a folder as `plans.ledger.load_ledgers` does (all files' problems
    together, duplicate plan ids refused), advancing a bar per file on a terminal."""
    from scheduler.display import progress
    from scheduler.errors import InputError, Problem
    from scheduler.plans.ledger import ledger_paths, load_ledger

    ledgers, problems = [], []
    for path in progress(ledger_paths(data_dir), "读取台账"):
        try:
            ledgers.append(load_ledger(path))
        except InputError as exc:
            problems.extend(exc.problems)
    ids = [ledger.plan.id for ledger in ledgers]
    problems.extend(Problem(str(data_dir), None, f"计划编号重复：{plan_id}")
                    for plan_id in sorted({i for i in ids if ids.count(i) > 1}))
    if problems:
        raise InputError(problems)
    return ledgers


@contextmanager
def _load_bar(total: int) -> Iterator[Callable[[int], None]]:
    """Yield a callback advancing a bar of `total` tasks on a terminal (standard error); else a no-op."""
    from scheduler.display import shows_progress

    if not shows_progress():
        yield lambda tasks: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("载入任务", total=total)
        yield lambda tasks: bar.advance(task, tasks)


@command("sweep")
def cmd_sweep(args: argparse.Namespace) -> int:
    from scheduler import clock

    runtime = runtime_for(args)
    as_of = args.as_of or clock.today()
    result = runtime.sweep(as_of, dry_run=args.dry_run)
    result.warnings.extend(w for w in runtime.calendar.warnings(as_of) if w not in result.warnings)
    if args.json:
        emit_json(result.to_json())
        return 0
    from collections import Counter

    counts = Counter(action.level for action in result.created)
    verb = "将新建" if args.dry_run else "新建"
    print(
        f"{as_of}：{verb} {len(result.created)} 条通知（提醒 {counts['reminder']}、催办 {counts['urge']}、"
        f"预警 {counts['warning']}、约谈 {counts['interview']}），已存在 {result.unchanged} 条。"
    )
    if result.skipped:
        print(result.skipped)
    for warning in result.warnings:
        print(f"提醒：{warning}")
    return 0


def _notice_line(notice: dict) -> str:
    from scheduler.glossary import term

    return (
        f"[{notice['id']}] {term(notice['level'])} {notice['unit']} {notice['task'] or '（指标）'} "
        f"时限 {notice['due'] or '—'} 状态 {notice['status']}"
    )


@command("queue list")
def cmd_queue_list(args: argparse.Namespace) -> int:
    from scheduler.store import notice_json, review_queue

    with runtime_for(args).store.session() as session:
        items = [notice_json(n) for n in review_queue(session, plan=args.plan, level=args.level)]
    if args.json:
        emit_json(items)
    else:
        for item in items:
            print(_notice_line(item))
        print(f"共 {len(items)} 项待审核。")
    return 0


def _decide(args: argparse.Namespace, decision: str) -> int:
    from scheduler.store import StoreError, decide_notices

    if not args.all and not args.ids:
        print("请给出事项编号，或用 --all 处理全部待审事项", file=sys.stderr)
        return 2
    with runtime_for(args).store.session() as session:
        try:
            done = decide_notices(
                session, None if args.all else args.ids, decision, args.by, args.reason or "",
                arrangement=_arrangement(args),
            )
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        session.commit()
    labels = {"approve": "批准", "hold": "暂缓", "reject": "驳回"}
    print(f"已{labels[decision]} {len(done)} 项（{args.by}）。")
    return 0


def _arrangement(args: argparse.Namespace) -> dict[str, str] | None:
    """Return an interview's time, place, attendees and contact as given on `queue approve`."""
    given = {k: getattr(args, k, None) for k in ("time", "place", "attendees", "contact")}
    return {k: v for k, v in given.items() if v} or None


def _decider(decision: str) -> Callable[[argparse.Namespace], int]:
    return lambda args: _decide(args, decision)


for _decision in ("approve", "hold", "reject"):
    register(f"queue {_decision}", _decider(_decision))


@command("explain")
def cmd_explain(args: argparse.Namespace) -> int:
    from scheduler.store import notice_by_key, notice_json

    with runtime_for(args).store.session() as session:
        notice = notice_by_key(session, args.key)
        if notice is None:
            print(f"没有此通知：{args.key}", file=sys.stderr)
            return 1
        data = notice_json(notice)
    if args.json:
        emit_json(data)
        return 0
    print(data["explanation"])
    if str(data["facts"].get("calendar", "")).startswith("provisional"):
        years = "、".join(str(year) for year in data["facts"].get("calendar_years", []))
        print(f"注意：本通知的工作日按暂算日历计算——{years} 年节假日安排当时尚未公布，按法定节假日暂算"
              f"（周末休息，不含调休），期限和提醒日可能与正式安排相差数日。")
    print(f"依据：{data['clause']}")
    print(f"规则：{data['rule']}（{data['ruleset']}）")
    for name, value in data["facts"].items():
        print(f"  {name}: {value}")
    return 0


def _store_change(args: argparse.Namespace, change: Callable) -> int:
    from scheduler import clock
    from scheduler.store import StoreError

    with runtime_for(args).store.session() as session:
        try:
            message = change(session, clock.today())
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        session.commit()
    print(message)
    return 0


@command("progress report")
def cmd_progress_report(args: argparse.Namespace) -> int:
    from scheduler.store import report_progress

    def change(session, today):
        report_progress(
            session,
            args.task,
            args.unit,
            args.status,
            args.percent,
            args.note or "",
            args.by,
            args.on or today,
        )
        return f"已记录 {args.task} 的进展（{args.unit}，{args.status}）。"

    return _store_change(args, change)


@command("progress signoff")
def cmd_progress_signoff(args: argparse.Namespace) -> int:
    from scheduler.store import sign_off

    def change(session, today):
        sign_off(session, args.task, args.by, args.on or today, args.note or "")
        return f"已销号：{args.task}。"

    return _store_change(args, change)


@command("progress set-date")
def cmd_progress_set_date(args: argparse.Namespace) -> int:
    from scheduler.store import set_deadline

    def change(session, today):
        set_deadline(session, args.task, args.date, args.by, args.reason or "")
        return f"已将 {args.task} 的完成时限定为 {args.date}。"

    return _store_change(args, change)


@command("progress waive")
def cmd_progress_waive(args: argparse.Namespace) -> int:
    from scheduler.store import waive

    def change(session, today):
        waive(session, args.task, args.by, args.reason or "")
        return f"已免于督办：{args.task}。"

    return _store_change(args, change)


@command("notice ack")
def cmd_notice_ack(args: argparse.Namespace) -> int:
    from scheduler.store import acknowledge

    def change(session, today):
        acknowledge(session, args.key, args.by, args.on or today)
        return f"已签收：{args.key}。"

    return _store_change(args, change)


# Approving an interview (约谈) needs what its notice must say; the store refuses it without them.
INTERVIEW_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--time", {"help": "约谈时间，如 2019年12月27日上午9时（批准约谈时必填）"}),
    ("--place", {"help": "约谈地点（批准约谈时必填）"}),
    ("--attendees", {"help": "参加人员，用顿号分隔（批准约谈时必填）"}),
    ("--contact", {"help": "联系人及电话（批准约谈时必填）"}),
]


add_arguments({
    "load": [
        ("data", {"nargs": "?", "default": "data"}),
        ("--by", {"default": "system"}),
        ("--verbose", {"action": "store_true"}),
    ],
    "sweep": [
        ("--as-of", {"type": parse_day}),
        ("--dry-run", {"action": "store_true"}),
        ("--json", {"action": "store_true"}),
    ],
    "queue list": [("--plan", {}), ("--level", {}), ("--json", {"action": "store_true"})],
    **{
        f"queue {d}": [
            ("ids", {"nargs": "*", "type": int}),
            ("--all", {"action": "store_true"}),
            ("--by", {"required": True}),
            ("--reason", {}),
            *(INTERVIEW_OPTIONS if d == "approve" else []),
        ]
        for d in ("approve", "hold", "reject")
    },
    "explain": [("key", {}), ("--json", {"action": "store_true"})],
    "progress report": [
        ("task", {}),
        ("--unit", {"required": True}),
        ("--status", {"choices": ["in_progress", "done", "blocked"], "default": "in_progress"}),
        ("--percent", {"type": int}),
        ("--note", {}),
        ("--by", {"required": True}),
        ("--on", {"type": parse_day}),
    ],
    "progress signoff": [
        ("task", {}),
        ("--by", {"required": True}),
        ("--note", {}),
        ("--on", {"type": parse_day}),
    ],
    "progress set-date": [
        ("task", {}),
        ("date", {"type": parse_day}),
        ("--by", {"required": True}),
        ("--reason", {}),
    ],
    "progress waive": [
        ("task", {}),
        ("--by", {"required": True}),
        ("--reason", {"required": True}),
    ],
    "notice ack": [("key", {}), ("--by", {"required": True}), ("--on", {"type": parse_day})],
})
