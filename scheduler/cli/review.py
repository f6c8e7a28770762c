"""`duban load|sweep|queue|explain|progress|notice`: the store, the daily sweep and what
coordinators record: review decisions, progress, sign-off, dates, acknowledgements (extensions:
scheduler.cli.extensions)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.cli.main import add_arguments, command, emit_json, parse_day, register, runtime_for, store_change

# --- store, sweep, review queue, progress -------------------------------------------------



@command("load")
def cmd_load(args: argparse.Namespace) -> int:
    from scheduler.plans.units import UnitDirectory
    from scheduler.store.bulkload import bulk_load_ledgers

    runtime = runtime_for(args)
    data_dir = Path(args.data)
    ledgers = _read_ledgers(data_dir)
    directory = UnitDirectory.load(data_dir / "units.yaml")
    gc.freeze()  # the ledgers live until the end: spare the collector walking them at every pass
    try:
        with runtime.store.session() as session, _load_bar(sum(len(x.tasks) for x in ledgers)) as advance:
            report = bulk_load_ledgers(
                session, ledgers, directory, runtime.config.heating_season_start, actor=args.by, progress=advance
            )
            session.commit()
    finally:
        gc.unfreeze()
    print(report.summary())
    for line in report.unresolved if args.verbose else []:
        print(f"  待协调：{line}")
    _say_missing_issuers(runtime.config.letter_issuers, ledgers)
    return 0


def _say_missing_issuers(issuers: Any, ledgers: list) -> None:
    """Name, once per plan, the loaded plans whose letters no configured office can number."""
    for line in issuers.missing((ledger.plan.id, ledger.plan.region or "") for ledger in ledgers):
        print(f"注意：{line}")


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
    result = runtime.sweep(as_of, dry_run=args.dry_run, full=args.full)
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


def level_key(text: str) -> str:
    """A level as written: 预警通知函 / 预警 / 约谈 / 提醒 / 催办, or its internal key."""
    from scheduler.glossary import TERMS

    levels = ("reminder", "urge", "warning", "interview")
    if text in levels:
        return text
    for key in levels:
        if text and TERMS[key].startswith(text):
            return key
    raise argparse.ArgumentTypeError(f"没有“{text}”这个级别，可选：{'、'.join(TERMS[k] for k in levels)}")


def queue_status(text: str) -> str:
    """A review status as a coordinator writes it: the Chinese word (待审核) or the internal key."""
    from scheduler.glossary import NOTICE_STATUSES

    if text in NOTICE_STATUSES or text == "all":
        return text
    for key, label in NOTICE_STATUSES.items():
        if text in (label, label.removeprefix("已")):
            return key
    if text in ("全部", "所有"):
        return "all"
    choices = "、".join(f"{label}" for label in NOTICE_STATUSES.values())
    raise argparse.ArgumentTypeError(f"没有“{text}”这种状态，可选：{choices}、全部")


@command("queue list")
def cmd_queue_list(args: argparse.Namespace) -> int:
    from scheduler.cli.preview import unit_name
    from scheduler.glossary import NOTICE_STATUSES, term
    from scheduler.ladder import REVIEWABLE_STATUSES
    from scheduler.store import notice_json, review_queue
    from scheduler.store.queue import QueueFilter, queue_items

    runtime = runtime_for(args)
    unit = unit_name(runtime.directory, args.unit) if args.unit else None
    chosen = args.status or []
    statuses = (tuple(NOTICE_STATUSES) if "all" in chosen else tuple(dict.fromkeys(chosen))
                or tuple(REVIEWABLE_STATUSES))
    with runtime.store.session() as session:
        if args.json:  # the machine-read contract: every field of the notice, internal keys kept
            emit_json([notice_json(n) for n in review_queue(session, plan=args.plan, level=args.level,
                                                             statuses=statuses)
                       if unit is None or n.unit == unit])
            return 0
        flt = QueueFilter(plan=args.plan or "", level=args.level or "",
                          units=None if unit is None else (unit,), statuses=statuses)
        items = queue_items(session, flt, 0, 1_000_000)
    for item in items:
        title = item.title or "（空气质量指标）"
        print(f"[{item.id}] {term(item.level)} {item.unit}：{title}"
              f"（时限 {zh_day(item.due)}；{NOTICE_STATUSES.get(item.status, item.status)}）")
    which = "、".join(NOTICE_STATUSES.get(s, s) for s in statuses)
    print(f"共 {len(items)} 项（{which}）。")
    return 0


def zh_day(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _decide(args: argparse.Namespace, decision: str) -> int:
    from scheduler.store import StoreError, decide_notices
    from scheduler.store.offices import approval_warnings

    if not args.all and not args.ids:
        print("请给出事项编号，或用 --all 处理全部待审事项", file=sys.stderr)
        return 2
    runtime = runtime_for(args)
    with runtime.store.session() as session:
        try:
            done = decide_notices(
                session, None if args.all else args.ids, decision, args.by, args.reason or "",
                arrangement=_arrangement(args),
            )
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        warnings = approval_warnings(session, [n.id for n in done], runtime.config.letter_issuers) \
            if decision == "approve" else []
        session.commit()
    labels = {"approve": "批准", "hold": "暂缓", "reject": "驳回"}
    print(f"已{labels[decision]} {len(done)} 项（{args.by}）。")
    for warning in warnings:  # approval stands: the office may be configured before delivery
        print(f"注意：{warning}")
    return 0


def _arrangement(args: argparse.Namespace) -> dict[str, str] | None:
    """Return an interview's time, place, attendees and contact as given on `queue approve`."""
    given = {k: getattr(args, k, None) for k in ("time", "place", "attendees", "contact")}
    return {k: v for k, v in given.items() if v} or None


def _decider(decision: str) -> Callable[[argparse.Namespace], int]:
    return lambda args: _decide(args, decision)


for _decision in ("approve", "hold", "reject"):
    register(f"queue {_decision}", _decider(_decision))


def _store_change(args: argparse.Namespace, change: Callable) -> int:
    """Run `change(session, today)` as one store change (scheduler.cli.main.store_change)."""
    from scheduler import clock

    return store_change(args, lambda session, runtime: change(session, clock.today()))


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
        ("data", {"nargs": "?", "default": "data", "help": "台账目录（默认 data）"}),
        ("--by", {"default": "system"}),
        ("--verbose", {"action": "store_true"}),
    ],
    "sweep": [
        ("--as-of", {"type": parse_day}),
        ("--dry-run", {"action": "store_true"}),
        ("--full", {"action": "store_true",
                    "help": "逐项重算全部任务（不用增量记录；结果与增量相同，用于核对或规则大改后）"}),
        ("--json", {"action": "store_true"}),
    ],
    "queue list": [
        ("--status", {"type": queue_status, "action": "append",
                      "help": "按状态筛选（可重复）：待审核、暂缓、已批准待发、已驳回、已发送……或 全部；"
                              "默认待审核与暂缓"}),
        ("--unit", {"help": "只看一个单位（全称、简称或别名，如 潞州区）"}),
        ("--plan", {}),
        ("--level", {"type": level_key, "help": "只看一个级别：预警通知函（warning）或 约谈（interview）"}),
        ("--json", {"action": "store_true"}),
    ],
    **{
        f"queue {d}": [
            ("ids", {"nargs": "*", "type": int, "help": "事项编号（queue list 中方括号内的数字），可给多个"}),
            ("--all", {"action": "store_true", "help": "处理全部待审事项"}),
            ("--by", {"required": True}),
            ("--reason", {}),
            *(INTERVIEW_OPTIONS if d == "approve" else []),
        ]
        for d in ("approve", "hold", "reject")
    },
    "progress report": [
        ("task", {"help": "任务编号，如 changzhi-2019/r017"}),
        ("--unit", {"required": True, "help": "报告进展的单位"}),
        ("--status", {"choices": ["in_progress", "done", "blocked"], "default": "in_progress",
                      "help": "in_progress 推进中（默认），done 已完成，blocked 受阻"}),
        ("--percent", {"type": int, "help": "完成百分比（0—100）"}),
        ("--note", {}),
        ("--by", {"required": True}),
        ("--on", {"type": parse_day}),
    ],
    "progress signoff": [
        ("task", {"help": "销号的任务编号"}),
        ("--by", {"required": True}),
        ("--note", {}),
        ("--on", {"type": parse_day}),
    ],
    "progress set-date": [
        ("task", {"help": "任务编号（方案未定时限的任务）"}),
        ("date", {"type": parse_day, "help": "协调员确定的完成时限（YYYY-MM-DD）"}),
        ("--by", {"required": True}),
        ("--reason", {}),
    ],
    "progress waive": [
        ("task", {"help": "免于督办的任务编号"}),
        ("--by", {"required": True}),
        ("--reason", {"required": True}),
    ],
    "notice ack": [("key", {"help": "通知编号（key）"}), ("--by", {"required": True}), ("--on", {"type": parse_day})],
})
