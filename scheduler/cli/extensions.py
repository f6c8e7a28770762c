"""`duban extension request|decide|list`: a unit's request for a later date (申请延期) and the
coordinator's decision, which moves the date of the requesting unit (and of the units the decision
names) only. Unit arguments take canonical names, aliases and short names (scheduler.cli.unitnames)."""

from __future__ import annotations

import argparse
from typing import Any

from scheduler.cli.main import add_arguments, command, emit_json, parse_day, runtime_for, store_change


def _units(session: Any, runtime: Any, task_id: str, written: list[str]) -> list[str]:
    from scheduler.cli.unitnames import resolve_unit
    from scheduler.store.extensions import holders, task_region

    among = holders(session, task_id)
    region = task_region(session, task_id)
    return [resolve_unit(name, runtime.directory, region, among, what=f"任务 {task_id} 的单位") for name in written]


@command("extension request")
def cmd_extension_request(args: argparse.Namespace) -> int:
    from scheduler.store.extensions import request_extension

    def change(session: Any, runtime: Any) -> str:
        [unit] = _units(session, runtime, args.task, [args.unit])
        request = request_extension(session, args.task, unit, args.date, args.reason, args.by)
        return f"已提交延期申请第{request.id}号：{unit} 的任务 {args.task} 申请延至 {args.date}，待协调人审批。"

    return store_change(args, change)


@command("extension decide")
def cmd_extension_decide(args: argparse.Namespace) -> int:
    from scheduler.store import StoreError
    from scheduler.store.extensions import decide_extension, extension

    def change(session: Any, runtime: Any) -> str:
        request = extension(session, args.id)
        if request is None:
            raise StoreError(f"没有待审批的延期申请：第{args.id}号")
        also = _units(session, runtime, request.task_id, args.also or [])
        moved = decide_extension(session, args.id, args.decision == "approve", args.by, args.reason or "",
                                 units=also)
        if args.decision == "reject":
            return f"延期申请第{args.id}号已驳回。"
        return (f"延期申请第{args.id}号已批准：{'、'.join(moved)} 的任务 {request.task_id} 完成时限延至 "
                f"{request.requested_due}，其督办阶梯随之顺延；其他单位不受影响。")

    return store_change(args, change)


@command("extension list")
def cmd_extension_list(args: argparse.Namespace) -> int:
    from scheduler.store.extensions import list_extensions

    runtime = runtime_for(args)
    with runtime.store.session() as session:
        status = None if args.status == "all" else args.status
        found = list_extensions(session, status=status, plan_id=args.plan)
    if args.json:
        emit_json([item.to_json() for item in found])
        return 0
    if not found:
        print("没有延期申请。" if status is None else "没有符合条件的延期申请。")
        return 0
    for item in found:
        decided = f"；{item.decided_by}：{item.decision_reason}" if item.decided_by and item.decision_reason else ""
        print(f"第{item.id}号 [{item.status_label}] {item.task_id} {item.task_title} — {item.unit} 申请延至 "
              f"{item.requested_due}（{item.reason}；{item.by}）{decided}")
    return 0


add_arguments({
    "extension request": [("task", {"help": "任务编号，如 changzhi-2019/r017"}),
                          ("date", {"type": parse_day, "help": "申请延至的日期（YYYY-MM-DD）"}),
                          ("--unit", {"required": True, "help": "申请单位（全称、简称或别名）"}),
                          ("--reason", {"required": True}), ("--by", {"required": True})],
    "extension decide": [("id", {"type": int, "help": "延期申请编号（extension list 中方括号内的数字）"}),
                         ("decision", {"choices": ["approve", "reject"], "help": "approve 批准，reject 驳回"}),
                         ("--by", {"required": True}), ("--reason", {}),
                         ("--also", {"action": "append", "metavar": "UNIT",
                                     "help": "一并延期的其他单位（可重复；全称、简称或别名）"})],
    "extension list": [("--status", {"choices": ["pending", "approved", "rejected", "all"], "default": "all",
                                   "help": "按状态筛选：pending 待审，approved 已批准，rejected 已驳回，all 全部"}),
                       ("--plan", {}), ("--json", {"action": "store_true"})],
})
