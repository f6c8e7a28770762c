"""`duban calendar export` and `duban calendar link`: a unit's deadlines as an .ics file, and the
subscription URL the web console serves it under. (`ledger import --format docx|xlsx` and
`ledger export --format xlsx` live with the other ledger commands in scheduler/cli/main.py.)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from scheduler.cli.main import command, parse_day, runtime_for


def _unit(runtime, args: argparse.Namespace) -> str | None:
    """Return the canonical name of --unit (a canonical name, an id, or an alias in --region)."""
    directory = runtime.directory
    try:
        return directory.get(args.unit).name
    except KeyError:
        pass
    if args.region:
        found = directory.resolve(args.unit, args.region)
        if len(found.units) == 1:
            return found.units[0].name
        print(f"「{args.unit}」在{args.region}对应 {len(found.units)} 个单位，请写全称：{found.note}", file=sys.stderr)
        return None
    print(f"单位目录中没有「{args.unit}」；写全称（如 长治市生态环境局），或用 --region 指明地区以识别简称",
          file=sys.stderr)
    return None


@command("calendar export", [
    ("--unit", {"required": True, "help": "单位全称（或编号；配合 --region 可用简称）"}),
    ("--output", {"required": True, "help": "输出的 .ics 文件"}),
    ("--as-of", {"type": parse_day, "help": "截至日期（默认今天）"}),
    ("--region", {"help": "识别简称所用的地区，如 长治市"}),
])
def cmd_calendar_export(args: argparse.Namespace) -> int:
    from scheduler import clock
    from scheduler.exports.ics import unit_calendar

    runtime = runtime_for(args)
    unit = _unit(runtime, args)
    if unit is None:
        return 1
    as_of = args.as_of or clock.today()
    with runtime.store.session() as session:
        ics = unit_calendar(session, unit, as_of, rulebook=runtime.rulebook, calendar=runtime.calendar,
                            heating=runtime.config.heating_season_start)
    Path(args.output).write_bytes(ics)
    events = ics.count(b"BEGIN:VEVENT")
    print(f"已导出 {unit} 的 {events} 个日历事件到 {args.output}（截至 {as_of}）")
    return 0


@command("calendar link", [
    ("--unit", {"required": True, "help": "单位全称（或编号；配合 --region 可用简称）"}),
    ("--region", {"help": "识别简称所用的地区，如 长治市"}),
])
def cmd_calendar_link(args: argparse.Namespace) -> int:
    from scheduler.delivery.acklinks import AckLinkError, ack_secret
    from scheduler.exports.ics import feed_token

    runtime = runtime_for(args)
    unit = _unit(runtime, args)
    if unit is None:
        return 1
    web = runtime.config.web
    try:  # the same secret the console checks feed tokens with: $DUBAN_SECRET, else .duban-secret
        secret = ack_secret(runtime.config)
    except AckLinkError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    token = feed_token(unit, secret)
    print(f"{web.base_url.rstrip('/')}/feeds/{quote(unit)}.ics?token={token}")
    return 0
