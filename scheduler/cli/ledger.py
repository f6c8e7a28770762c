"""`duban deadline|clause parse` and `duban ledger ...`: the plans as data, before any store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduler.cli.main import add_arguments, command, config_for, emit_json, parse_day

# --- deadlines and clauses ---------------------------------------------------------------


@command("deadline parse")
def cmd_deadline_parse(args: argparse.Namespace) -> int:
    from scheduler.plans.deadlines import DeadlineContext, parse_deadline

    context = DeadlineContext(plan_year=args.plan_year) if args.plan_year else None
    deadline = parse_deadline(args.text, context)
    if args.json:
        emit_json(deadline.to_json())
        return 0
    from scheduler.cli.tables import deadline_table

    print(deadline_table([deadline]))
    return 0


@command("clause parse")
def cmd_clause_parse(args: argparse.Namespace) -> int:
    from scheduler.plans.clauses import parse_clause

    clause = parse_clause(args.text)
    if args.json:
        emit_json(clause.to_json())
        return 0
    print(f"牵头单位：{'、'.join(clause.lead_units) or '—'}")
    print(f"配合单位：{'、'.join(clause.cooperating_units) or '—'}")
    print(f"责任单位：{'、'.join(clause.responsible_units) or '—'}")
    print(f"适用于其后各项任务：{'是' if clause.applies_to_later_tasks else '否'}")
    return 0


# --- ledger --------------------------------------------------------------------------------



def _data_dir(args: argparse.Namespace, config) -> Path:
    return Path(args.data) if getattr(args, "data", None) else config.path(config.data_dir)


@command("ledger export")
def cmd_ledger_export(args: argparse.Namespace) -> int:
    from scheduler.plans.views import export_rows

    config = config_for(args)
    rows = export_rows(_data_dir(args, config), config)
    if args.office:
        rows = _of_offices(rows, _data_dir(args, config), config.letter_issuers, args.office)
    if args.format == "json":
        emit_json(rows)
        return 0
    if not args.output:
        print("导出 xlsx 需要 --output 文件名", file=sys.stderr)
        return 2
    from scheduler import clock
    from scheduler.exports.xlsx import export_ledger_xlsx
    from scheduler.plans.ledger import load_ledgers

    as_of = args.as_of or clock.today()
    views = None
    if args.db or args.with_store:
        from scheduler.store import open_store
        from scheduler.store.ledgerview import task_activity

        store = open_store(args.db or config.database)
        with store.session() as session:
            views = task_activity(session, as_of)
        store.dispose()
    titles = {ledger.plan.id: ledger.plan.title for ledger in load_ledgers(_data_dir(args, config))}
    export_ledger_xlsx(rows, Path(args.output), as_of, views, titles)
    print(f"已导出 {len(rows)} 项任务到 {args.output}（截至 {as_of}{'，含进展与通知' if views else ''}）")
    return 0


@command("ledger check")
def cmd_ledger_check(args: argparse.Namespace) -> int:
    from scheduler.plans.views import open_points

    config = config_for(args)
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

    config = config_for(args)
    print(show_plan(_data_dir(args, config), config, args.plan))
    return 0


@command("ledger build-seeds")
def cmd_ledger_build_seeds(args: argparse.Namespace) -> int:
    from scheduler.plans.importers.seeds import write_seed_ledgers

    for target, ledger, problems in write_seed_ledgers(Path(args.seeds), Path(args.out)):
        print(f"{target}: {len(ledger.tasks)} 项任务")
        for problem in problems:
            print(f"  需人工核对：{problem}")
    return 0


add_arguments({
    "deadline parse": [
        ("text", {"help": "完成时限原文，如 2019年12月底前"}),
        ("--plan-year", {"type": int, "help": "方案年度（原文未写年份时用）"}),
        ("--json", {"action": "store_true"}),
    ],
    "clause parse": [("text", {"help": "责任分工原文，如（市发展改革委牵头，……负责落实）"}),
                     ("--json", {"action": "store_true"})],
    "ledger export": [
        ("--format", {"choices": ["json", "xlsx"], "default": "json", "help": "json（供程序读取）或 xlsx（台账）"}),
        ("--output", {}),
        ("--data", {}),
        ("--as-of", {"type": parse_day}),
        ("--db", {"help": "读取进展、通知与函件的数据库（SQLAlchemy URL）"}),
        ("--with-store", {"action": "store_true", "help": "从配置的数据库（DUBAN_DB 或 config.yaml）读取进展"}),
        ("--office", {"action": "append", "help": "只导出该发文机关的方案（如 长治、晋城市大气办）；可重复"}),
    ],
    "ledger check": [("--json", {"action": "store_true"}), ("--data", {})],
    "ledger show": [("plan", {"help": "方案编号，如 changzhi-2019"}), ("--data", {})],
    "ledger build-seeds": [
        ("--seeds", {"default": "data/sources", "help": "种子文件目录（默认 data/sources）"}),
        ("--out", {"default": "data", "help": "台账输出目录（默认 data）"}),
    ],
})


def _of_offices(rows: list, data_dir: Path, issuers, written: list[str]) -> list:
    """Keep the rows of the plans the named offices issue (an office exports its own 台账)."""
    from scheduler.plans.ledger import load_ledgers
    from scheduler.store.offices import office_names

    offices = office_names(issuers, written)
    if offices is None:
        return rows
    regions = {ledger.plan.id: ledger.plan.region or "" for ledger in load_ledgers(data_dir)}
    return [row for row in rows if issuers.office_of(regions.get(row["plan"], "")) in offices]


def show_plan(data_dir: Path, config, plan_id: str) -> str:
    """Return a readable table of one plan's tasks."""
    from scheduler.cli.tables import task_table
    from scheduler.plans.ledger import load_ledgers

    for ledger in load_ledgers(data_dir):
        if ledger.plan.id == plan_id:
            context = ledger.deadline_context(config.heating_season_start(ledger.plan.region))
            return task_table(ledger, context)
    known = "、".join(ledger.plan.id for ledger in load_ledgers(data_dir))
    raise SystemExit(f"没有计划 {plan_id}；已有：{known}")
