"""`duban preview --from D --to D2 [--unit U] [--office O] [--json]`: what would go out, writing nothing."""

from __future__ import annotations

import argparse
import difflib

from scheduler.cli.main import add_arguments, command, emit_json, parse_day, runtime_for
from scheduler.errors import InputError


def unit_name(directory, written: str) -> str:
    """Return the canonical unit `written` names (a short name or an alias will do), or fail with
    the closest names in the directory."""
    found = directory.find(written)
    if found is not None:
        return str(found.name)
    hits = {u.name for region in directory.regions() for u in directory.resolve(written, region).units
            if directory.resolve(written, region).status == "unit"}
    if len(hits) == 1:
        return hits.pop()
    names = [u.name for u in directory.units()]
    spelled = {alias: u.name for u in directory.units() for alias in (u.name, *u.aliases)}
    close = sorted(set(hits) | {spelled[s] for s in difflib.get_close_matches(written, list(spelled), n=5, cutoff=0.5)}
                   | {n for n in names if written in n})
    hint = f"，是否指：{'、'.join(close[:8])}" if close else ""
    what = "可指多个单位" if len(hits) > 1 else "不能唯一确定单位"
    raise InputError.single("单位", None, f"“{written}”{what}{hint}")


@command("preview")
def cmd_preview(args: argparse.Namespace) -> int:
    from scheduler.preview import describe, preview, sweeper

    runtime = runtime_for(args)
    unit = unit_name(runtime.directory, args.unit) if args.unit else None
    offices = None
    if args.office:
        from scheduler.store.offices import office_names

        offices = office_names(runtime.config.letter_issuers, args.office)

    try:
        result = preview(runtime.store, sweeper(runtime), runtime.calendar.is_workday, args.start, args.end,
                         issuer_for=runtime.config.letter_issuers.for_region, unit=unit, offices=offices)
    except ValueError as exc:
        raise InputError.single("日期", None, str(exc)) from None
    if args.json:
        emit_json(result.to_json())
        return 0
    print(f"预览 {args.start} 至 {args.end}{'，' + unit if unit else ''}（如无进展、销号或审核变化；不写入数据库）")
    for line in describe(result):
        print(line)
    return 0


add_arguments({
    "preview": [
        ("--from", {"dest": "start", "type": parse_day, "required": True, "help": "起始日期（YYYY-MM-DD）"}),
        ("--to", {"dest": "end", "type": parse_day, "required": True, "help": "截止日期（YYYY-MM-DD，含当天）"}),
        ("--unit", {"help": "只看一个单位（全称、简称或别名）"}),
        ("--office", {"action": "append", "help": "只看这些发文机关的方案（可多次给出）"}),
        ("--json", {"action": "store_true"}),
    ],
})
