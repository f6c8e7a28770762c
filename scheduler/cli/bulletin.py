"""`duban bulletin --month YYYY-MM`: draw up the monthly 通报 drafts for coordinators to sign off."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduler.cli.main import command, emit_json, parse_day, runtime_for


def _month(text: str):
    from scheduler.letters.bulletin import Period

    try:
        return Period.month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _offices(issuers, written: list[str] | None) -> list[str] | None:
    from scheduler.store.offices import office_names

    return office_names(issuers, written) if written else None


@command("bulletin", [
    ("--month", {"type": _month, "required": True, "help": "通报的月份，如 2019-12"}),
    ("--region", {"action": "append", "help": "只生成该地区（方案的 region，如 长治市）；可重复；默认全部"}),
    ("--office", {"action": "append", "help": "只生成该发文机关的地区（如 长治、晋城市大气办）；可重复"}),
    ("--out", {"type": Path, "help": "输出目录（默认 outbox/bulletins/YYYY-MM）"}),
    ("--date", {"type": parse_day, "help": "成文日期（默认该月之后的第一个工作日）"}),
    ("--number", {"default": "", "help": "已编定的发文字号；默认留空序号，作送审稿"}),
    ("--no-pdf", {"action": "store_true", "help": "不转换 PDF（不需要 LibreOffice）"}),
    ("--json", {"action": "store_true"}),
])
def cmd_bulletin(args: argparse.Namespace) -> int:
    from scheduler.errors import InputError
    from scheduler.letters.pdf import RenderError
    from scheduler.publish import publish_bulletins

    runtime = runtime_for(args)
    config = runtime.config
    out = args.out or config.path(config.outbox) / "bulletins" / args.month.key
    try:
        published = publish_bulletins(runtime.store, config, runtime.calendar, args.month, out,
                                      regions=args.region, issued=args.date, number=args.number,
                                      pdf=not args.no_pdf, offices=_offices(config.letter_issuers, args.office))
    except (LookupError, RenderError, InputError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    if args.json:
        emit_json([item.to_json() for item in published])
        return 0
    if not published:
        print(f"{args.month.label}没有执行中的方案，未生成通报。")
    for item in published:
        bulletin, totals = item.bulletin, item.bulletin.totals
        print(f"{bulletin.region} {bulletin.period.label}通报（{item.letter.number}，{item.letter.date}）："
              f"到期 {totals.due} 项，完成 {totals.done} 项，逾期未完成 {totals.overdue} 项；"
              f"函件 {totals.letters} 件，已签收 {totals.acknowledged} 件。")
        for label, rows, last in (("县区", bulletin.counties, bulletin.last_counties),
                                  ("市直单位", bulletin.units, bulletin.last_units)):
            if rows:
                behind = "、".join(s.name for s in last)
                print(f"  {label} {len(rows)} 个；第一名 {rows[0].name}" + (f"；排名靠后：{behind}" if behind else ""))
        for kind, path in item.files.items():
            print(f"  {kind}: {path}")
    return 0
