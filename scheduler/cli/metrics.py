"""`duban metrics import FILE` loads air-quality values (bad rows reported in place, good rows loaded);
`duban metrics status` shows targets, cumulative values, pro-rata gaps and ranks on a day."""

from __future__ import annotations

import argparse

from scheduler.cli.main import command, emit_json, parse_day, runtime_for
from scheduler.store.metrics import read_series


@command("metrics import", [
    ("file", {"help": "CSV 或 .xlsx：表头 date,region,metric,value（或每个指标一列）"}),
    ("--by", {"default": "协调员", "help": "导入人（写入审计日志）"}),
    ("--dry-run", {"action": "store_true", "help": "只检查，不写入数据库"}),
    ("--json", {"action": "store_true"}),
])
def cmd_metrics_import(args: argparse.Namespace) -> int:
    """Exit 0 when every row loaded, 1 when some rows were rejected (the good ones are loaded)."""
    from scheduler.escalation.metrics import regions_from
    from scheduler.escalation.metrics.values import import_file
    from scheduler.store.metrics import save_import

    runtime = runtime_for(args)
    report = import_file(args.file, regions_from(runtime.directory))
    if not args.dry_run and report.values:
        with runtime.store.session() as session:
            save_import(session, report, args.by)
            session.commit()
    if args.json:
        emit_json({**report.to_json(), "dry_run": args.dry_run})
    else:
        print(report.summary() + ("（试运行，未写入）" if args.dry_run else ""))
    return 1 if report.problems else 0


@command("metrics status", [
    ("--as-of", {"type": parse_day, "help": "截至日期（默认今天）"}),
    ("--region", {"help": "只看一个县区，如 潞城区"}),
    ("--plan", {"action": "append", "help": "计划编号（可重复）；默认为考核期内的计划"}),
    ("--json", {"action": "store_true"}),
])
def cmd_metrics_status(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.escalation.metrics.status import plan_status, status_lines

    runtime = runtime_for(args)
    as_of = args.as_of or clock.today()
    setup = runtime.metrics
    if args.region and setup.regions.resolve(args.region) is None:
        print(f"未知的县区：{args.region}")
        return 2
    with runtime.store.session() as session:
        series = read_series(session, as_of)
    statuses = plan_status(setup.targets, series, setup.regions, as_of, args.plan, args.region)
    if args.json:
        emit_json({"as_of": as_of.isoformat(), "plans": [s.to_json() for s in statuses]})
    else:
        print("\n".join(status_lines(statuses, as_of)))
    return 0
