"""`duban units`: the units an office brings (`import FILE` into data/units.yaml) and the provisional
units a plan's unknown names became (`list`, `confirm`, `merge`, `rename`, each audited)."""

from __future__ import annotations

import argparse
from pathlib import Path

from scheduler.cli.main import add_arguments, command, emit_json, runtime_for

BY = ("--by", {"default": "协调员", "help": "操作人（写入操作记录）"})
REASON = ("--reason", {"default": "", "help": "依据（如单位来函、协调会议纪要）"})
KIND_HELP = "单位类型：city_department、county_government、zone_committee、town_government、enterprise、other"


def _data_dir(args: argparse.Namespace, runtime) -> Path:
    return Path(args.data) if args.data else runtime.config.path(runtime.config.data_dir)


@command("units import")
def cmd_units_import(args: argparse.Namespace) -> int:
    """Exit 0 when every row was added or already there, 1 when some rows were rejected."""
    from scheduler.plans.units import GLOBAL, UnitDirectory
    from scheduler.plans.units.directoryfile import SKELETON, add_units
    from scheduler.plans.units.table import read_unit_table

    runtime = runtime_for(args)
    target = _data_dir(args, runtime) / "units.yaml"
    if target.exists():
        directory, text = UnitDirectory.load(target), target.read_text(encoding="utf-8")
    else:  # a new office's first directory
        directory, text = UnitDirectory([], {}, {GLOBAL: {}}, {GLOBAL: []}), SKELETON
    table = read_unit_table(args.file, directory.divisions, frozenset(directory.regions()))
    edit = add_units(text, table.rows, directory, Path(args.file).name, str(target))
    problems = [*table.problems, *edit.problems]
    written = bool(edit.added) and not args.dry_run
    if written:
        target.write_text(edit.text, encoding="utf-8")
    if args.json:
        emit_json({"file": args.file, "directory": str(target), "dry_run": args.dry_run,
                   "added": [r.name for r in edit.added], "regions_added": edit.regions,
                   "skipped": [{"row": r.row, "name": r.name, "why": why} for r, why in edit.skipped],
                   "problems": [str(p) for p in problems]})
    else:
        verb = "将加入" if args.dry_run else "已加入"
        print(f"{args.file}：{verb} {target} {len(edit.added)} 个单位"
              + (f"（新地区：{'、'.join(edit.regions)}）" if edit.regions else "")
              + f"，已有 {len(edit.skipped)} 个，有误 {len(problems)} 处。")
        for row in edit.added:
            print(f"  + 第 {row.row} 行 {row.name}（{row.region}，{row.kind}）")
        for row, why in edit.skipped:
            print(f"  = 第 {row.row} 行 {why}")
        for problem in problems:
            print(f"  ! {problem}")
        if written:
            print("下一步：duban check 检查后运行 duban load，使台账按新名录重新对应单位。")
    return 1 if problems else 0


@command("units list")
def cmd_units_list(args: argparse.Namespace) -> int:
    from scheduler.store.provisional import provisional_units

    with runtime_for(args).store.session() as session:
        units = provisional_units(session, include_settled=args.all)
    if args.json:
        emit_json([{"name": u.name, "region": u.region, "kind": u.kind, "tasks": list(u.tasks), "into": u.into}
                   for u in units])
        return 0
    if not units:
        print("没有待确认的临时单位。")
        return 0
    for unit in units:
        state = {"provisional": "待确认", "merged": f"已并入 {unit.into}"}.get(unit.kind, f"已确认（{unit.kind}）")
        place = "" if unit.region in unit.name else f"（{unit.region}）"
        print(f"{unit.name}{place}[{state}] 任务 {len(unit.tasks)} 项：{'、'.join(unit.tasks[:5])}"
              + ("…" if len(unit.tasks) > 5 else ""))
    print("确认：duban units confirm 名称 [--kind 类型]；合并：duban units merge 名称 --into 单位 --reason 依据；"
          "改名：duban units rename 名称 --to 新名称 --reason 依据")
    return 0


def _decide(args: argparse.Namespace, act) -> int:
    from scheduler.store.repo import StoreError

    try:
        with runtime_for(args).store.session() as session:
            message = act(session)
            session.commit()
    except StoreError as exc:
        print(f"错误：{exc}")
        return 1
    print(message)
    return 0


@command("units confirm")
def cmd_units_confirm(args: argparse.Namespace) -> int:
    from scheduler.store.provisional import confirm_unit

    def act(session) -> str:
        kind = confirm_unit(session, args.name, args.by, args.kind or "", args.reason)
        return (f"已确认“{args.name}”为正式单位（{kind}）。如需长期保留联系方式，请在 data/units.yaml 中登记"
                "（或 duban units import）。")
    return _decide(args, act)


@command("units merge")
def cmd_units_merge(args: argparse.Namespace) -> int:
    from scheduler.store.provisional import merge_unit

    def act(session) -> str:
        moved = merge_unit(session, args.name, args.into, args.by, args.reason)
        return (f"已将临时单位“{args.name}”并入“{args.into}”：{moved} 项任务改由其承担，"
                "未发出的通知已取消，下次督办检查起重新生成。")
    return _decide(args, act)


@command("units rename")
def cmd_units_rename(args: argparse.Namespace) -> int:
    from scheduler.store.provisional import rename_unit

    def act(session) -> str:
        moved = rename_unit(session, args.name, args.to, args.by, args.reason, args.kind or "")
        return f"已将临时单位“{args.name}”改名为“{args.to}”：{moved} 项任务随之变更。"
    return _decide(args, act)


add_arguments({
    "units import": [
        ("file", {"help": "单位表 .csv 或 .xlsx：列 名称、别名、类型、地区、邮箱/webhook（表头中英文均可）"}),
        ("--data", {"help": "台账目录（默认配置中的 data_dir）"}),
        ("--dry-run", {"action": "store_true", "help": "只检查，不写入 units.yaml"}),
        ("--json", {"action": "store_true"}),
    ],
    "units list": [
        ("--all", {"action": "store_true", "help": "也列出已确认、已合并的"}),
        ("--json", {"action": "store_true"}),
    ],
    "units confirm": [("name", {"help": "临时单位名称"}), ("--kind", {"help": KIND_HELP}), BY, REASON],
    "units merge": [("name", {"help": "临时单位名称"}),
                    ("--into", {"required": True, "help": "并入的单位（规范名称）"}), BY, REASON],
    "units rename": [("name", {"help": "临时单位名称"}), ("--to", {"required": True, "help": "新名称"}),
                     ("--kind", {"help": KIND_HELP}), BY, REASON],
})
