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


def command(name: str, arguments: list[tuple[str, dict]] | None = None
            ) -> Callable[[Callable[[argparse.Namespace], int]], Callable]:
    """Register a command; `arguments` (flag, add_argument options) may sit here or in COMMAND_SPECS."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = func
        if arguments is not None:
            EXTRA_SPECS[name] = arguments
        return func

    return register


EXTRA_SPECS: dict[str, list[tuple[str, dict]]] = {}


def _load_command_modules() -> None:
    """Import every module of scheduler.commands so that each feature registers its own commands."""
    import importlib
    import pkgutil

    import scheduler.commands as package

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
    from scheduler import clock
    from scheduler.ledger import load_ledgers
    from scheduler.ledgerxlsx import export_ledger_xlsx, store_views

    as_of = args.as_of or clock.today()
    views = None
    if args.db or args.with_store:
        from scheduler.store import open_store

        store = open_store(args.db or config.database)
        with store.session() as session:
            views = store_views(session, as_of)
        store.dispose()
    titles = {ledger.plan.id: ledger.plan.title for ledger in load_ledgers(_data_dir(args, config))}
    export_ledger_xlsx(rows, Path(args.output), as_of, views, titles)
    print(f"已导出 {len(rows)} 项任务到 {args.output}（截至 {as_of}{'，含进展与通知' if views else ''}）")
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


# --- store, sweep, review queue, progress -------------------------------------------------


def _runtime(args: argparse.Namespace):
    from scheduler.runtime import Runtime

    return Runtime(_config(args))


@command("load")
def cmd_load(args: argparse.Namespace) -> int:
    from scheduler.ledger import load_ledgers
    from scheduler.store import load_ledgers as load
    from scheduler.units import UnitDirectory

    runtime = _runtime(args)
    data_dir = Path(args.data)
    ledgers = load_ledgers(data_dir)
    directory = UnitDirectory.load(data_dir / "units.yaml")
    with runtime.store.session() as session:
        report = load(
            session, ledgers, directory, runtime.config.heating_season_start, actor=args.by
        )
        session.commit()
    print(report.summary())
    for line in report.unresolved if args.verbose else []:
        print(f"  待协调：{line}")
    return 0


@command("sweep")
def cmd_sweep(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.sweep import run_sweep

    runtime = _runtime(args)
    as_of = args.as_of or clock.today()
    result = run_sweep(
        runtime.store,
        runtime.rulebook,
        runtime.calendar,
        as_of,
        dry_run=args.dry_run,
        grace_days=runtime.config.service.closed_plan_grace_days,
        heating=runtime.config.heating_season_start,
        metrics=runtime.metrics,
    )
    result.warnings.extend(runtime.calendar.warnings(as_of))
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

    with _runtime(args).store.session() as session:
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
    with _runtime(args).store.session() as session:
        try:
            done = decide_notices(
                session, None if args.all else args.ids, decision, args.by, args.reason or ""
            )
        except StoreError as exc:
            print(f"未执行：{exc}", file=sys.stderr)
            return 1
        session.commit()
    labels = {"approve": "批准", "hold": "暂缓", "reject": "驳回"}
    print(f"已{labels[decision]} {len(done)} 项（{args.by}）。")
    return 0


for _decision in ("approve", "hold", "reject"):
    COMMANDS[f"queue {_decision}"] = lambda args, d=_decision: _decide(args, d)


@command("explain")
def cmd_explain(args: argparse.Namespace) -> int:
    from scheduler.store import notice_by_key, notice_json

    with _runtime(args).store.session() as session:
        notice = notice_by_key(session, args.key)
        if notice is None:
            print(f"没有此通知：{args.key}", file=sys.stderr)
            return 1
        data = notice_json(notice)
    if args.json:
        emit_json(data)
        return 0
    print(data["explanation"])
    print(f"依据：{data['clause']}")
    print(f"规则：{data['rule']}（{data['ruleset']}）")
    for name, value in data["facts"].items():
        print(f"  {name}: {value}")
    return 0


def _store_change(args: argparse.Namespace, change: Callable) -> int:
    from scheduler import clock
    from scheduler.store import StoreError

    with _runtime(args).store.session() as session:
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


@command("extension request")
def cmd_extension_request(args: argparse.Namespace) -> int:
    from scheduler.store import request_extension

    def change(session, today):
        request = request_extension(session, args.task, args.unit, args.date, args.reason, args.by)
        return f"已提交延期申请 {request.id}：{args.task} 延至 {args.date}，待协调人审批。"

    return _store_change(args, change)


@command("extension decide")
def cmd_extension_decide(args: argparse.Namespace) -> int:
    from scheduler.store import decide_extension

    def change(session, today):
        decide_extension(session, args.id, args.decision == "approve", args.by, args.reason or "")
        verdict = "批准，完成时限与督办阶梯已顺延" if args.decision == "approve" else "驳回"
        return f"延期申请 {args.id} 已{verdict}。"

    return _store_change(args, change)


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from scheduler import clock
    from scheduler.check import check_all
    from scheduler.service import serve
    from scheduler.sweep import run_sweep

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime = _runtime(args)
    problems, warnings = check_all(runtime.config, today=clock.today())
    for warning in warnings:
        logging.warning(warning)
    if problems:
        for problem in problems:
            print(f"错误：{problem}", file=sys.stderr)
        print("配置、规则或数据有误，服务未启动。", file=sys.stderr)
        return 1

    def sweep(day):
        return run_sweep(
            runtime.store,
            runtime.rulebook,
            runtime.calendar,
            day,
            instance=args.instance,
            grace_days=runtime.config.service.closed_plan_grace_days,
            heating=runtime.config.heating_season_start,
            metrics=runtime.metrics,
        ).to_json()["unchanged"]

    def deliver(day):
        from scheduler.delivery import deliver as send

        return send(runtime.store, runtime.config, runtime.calendar, day, now=clock.now()).to_json()

    console = None
    if runtime.config.web.with_serve:  # web.with_serve: the console runs beside the scheduler
        from scheduler.web.server import start_in_thread

        console = start_in_thread(runtime.config, runtime.store)
    try:
        serve(runtime.config, sweep, deliver)
    finally:
        if console is not None:
            console.stop()
    return 0


@command("deliver")
def cmd_deliver(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.delivery import deliver

    runtime = _runtime(args)
    day = args.as_of or clock.today()
    report = deliver(runtime.store, runtime.config, runtime.calendar, day, now=clock.now(), pdf=not args.no_pdf)
    if args.json:
        emit_json(report.to_json())
        return 0
    if report.skipped_reason:
        print(report.skipped_reason)
    print(f"{day}：发送日报 {report.digests_sent} 份、函件 {report.letters_sent} 份；待重试 {report.retried}，"
          f"转入死信 {report.dead}。输出目录：{runtime.config.path(runtime.config.outbox)}")
    for number in report.numbers:
        print(f"  文号：{number}")
    for error in report.errors:
        print(f"  错误：{error}", file=sys.stderr)
    if report.no_contact:  # the file outbox is the coordinators' queue for these units
        print("以下单位没有可用的联系方式，消息已放入文件发件箱，请协调员转交：")
        for unit, why in sorted(report.no_contact.items()):
            print(f"  {unit}（{why}）")
    return 0


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from scheduler.demo import run_demo

    print(run_demo(_config(args), Path(args.out)))
    return 0


@command("ledger import")
def cmd_ledger_import(args: argparse.Namespace) -> int:
    from scheduler.importers.seeds import import_plan
    from scheduler.ledger import dump_ledger

    meta = {"id": args.plan_id, "title": args.title, "issuer": args.issuer, "region": args.region,
            "document_number": args.number or "", "period_start": args.start, "period_end": args.end,
            "plan_year": args.year or args.start.year}
    ledger, problems = import_plan(Path(args.file), args.format, meta)
    Path(args.output).write_text(dump_ledger(ledger), encoding="utf-8")
    print(f"已导入 {len(ledger.tasks)} 项任务到 {args.output}")
    for problem in problems:
        print(f"  需人工核对：{problem}")
    return 0


COMMAND_SPECS = {
    "check": [],
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
    "extension request": [("task", {}), ("date", {"type": parse_day}), ("--unit", {"required": True}),
                          ("--reason", {"required": True}), ("--by", {"required": True})],
    "extension decide": [("id", {"type": int}), ("decision", {"choices": ["approve", "reject"]}),
                         ("--by", {"required": True}), ("--reason", {})],
    "serve": [("--instance", {"default": "serve"})],
    "deliver": [("--as-of", {"type": parse_day}), ("--json", {"action": "store_true"}),
                ("--no-pdf", {"action": "store_true"})],
    "demo": [("--out", {"default": "out/demo"})],
    "deadline parse": [
        ("text", {}),
        ("--plan-year", {"type": int}),
        ("--json", {"action": "store_true"}),
    ],
    "clause parse": [("text", {}), ("--json", {"action": "store_true"})],
    "ledger export": [
        ("--format", {"choices": ["json", "xlsx"], "default": "json"}),
        ("--output", {}),
        ("--data", {}),
        ("--as-of", {"type": parse_day}),
        ("--db", {"help": "读取进展、通知与函件的数据库（SQLAlchemy URL）"}),
        ("--with-store", {"action": "store_true", "help": "从配置的数据库（DUBAN_DB 或 config.yaml）读取进展"}),
    ],
    "ledger check": [("--json", {"action": "store_true"}), ("--data", {})],
    "ledger show": [("plan", {}), ("--data", {})],
    "ledger import": [("file", {}), ("--format", {"choices": ["table", "markdown", "narrative", "docx", "xlsx"],
                                                         "required": True}),
                      ("--plan-id", {"required": True}), ("--title", {"required": True}),
                      ("--issuer", {"required": True}), ("--region", {"required": True}), ("--number", {}),
                      ("--start", {"type": parse_day, "required": True}),
                      ("--end", {"type": parse_day, "required": True}), ("--year", {"type": int}),
                      ("--output", {"required": True})],
    "ledger build-seeds": [
        ("--seeds", {"default": "../shared/seeds"}),
        ("--out", {"default": "data"}),
    ],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duban", description="督办：大气污染防治行动计划的时限提醒与督办升级"
    )
    parser.add_argument("--config", help="配置文件（默认 config.yaml 或 DUBAN_CONFIG）")
    groups = parser.add_subparsers(dest="group", required=True)
    subgroups: dict[str, argparse._SubParsersAction] = {}
    _load_command_modules()
    for name, arguments in {**COMMAND_SPECS, **EXTRA_SPECS}.items():
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
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print("输入有误：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
