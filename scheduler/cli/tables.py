"""Readable terminal tables (rich) for coordinators; machines use the --json forms."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from scheduler.display import render
from scheduler.plans.deadlines import Deadline, DeadlineContext, parse_deadline
from scheduler.plans.ledger import Ledger

KIND_LABELS = {
    "due": "限期", "ongoing": "长期", "year_long": "全年", "external": "时限待定",
    "window": "时段", "from": "起始", "recurring": "周期", "season": "采暖季前", "unknown": "无法识别",
}


def _dates(deadline: Deadline) -> str:
    parts = [d.isoformat() for d in deadline.due]
    if deadline.start or deadline.end:
        parts.append(f"{deadline.start or ''}…{deadline.end or ''}")
    if deadline.rrule:
        parts.append(deadline.rrule)
    return "，".join(parts) or "—"


def deadline_table(deadlines: Iterable[Deadline]) -> str:
    table = Table("原文", "类别", "日期", "说明")
    for d in deadlines:
        table.add_row(d.text, KIND_LABELS.get(d.kind, d.kind), _dates(d), "；".join(d.notes))
    return render(table)


def task_table(ledger: Ledger, context: DeadlineContext) -> str:
    table = Table("编号", "主要任务", "完成时限", "日期", "牵头单位", "责任单位", title=ledger.plan.title)
    for task in ledger.tasks:
        deadline = parse_deadline(task.deadline_text, context)
        table.add_row(task.id, task.title[:30], task.deadline_text, _dates(deadline),
                      "、".join(task.lead_units), "、".join(task.responsible_units))
    return render(table)
