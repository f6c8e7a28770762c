"""The one table of user-facing labels: English identifiers to the Chinese terms coordinators read.

Levels, notice and delivery statuses, deadline kinds, roles and task states are named here once;
the console, the CLI, the 台账 and the letters all read these tables.
"""

from __future__ import annotations

TERMS: dict[str, str] = {
    # notice levels
    "reminder": "提醒",
    "urge": "催办",
    "warning": "预警通知函",
    "interview": "约谈",
    # actions of people
    "sign_off": "销号",
    "acknowledge": "签收",
    "approve": "审核通过",
    "hold": "暂缓",
    "reject": "驳回",
    "progress_report": "进展报送",
    # roles of a unit in a task
    "lead": "牵头单位",
    "cooperating": "配合单位",
    "responsible": "责任单位",
    # notice kinds (triggers)
    "before_due": "到期提醒",
    "progress_request": "进展报送提醒",
    "progress_missing": "进展未报催办",
    "window_start": "时段开始提醒",
    "window_end": "时段结束提醒",
    "overdue": "逾期",
    "warning_unresolved": "预警后仍未完成",
    "serious_delay": "严重滞后",
    "ack_missing": "函件未签收催办",
    # task states
    "open": "办理中",
    "reported_done": "已报完成",
    "signed_off": "已销号",
    "waived": "已免除",
    # periods
    "week": "周",
    "month": "月",
    "quarter": "季度",
}


# The statuses a notice passes through (review queue, delivery, inhibition).
NOTICE_STATUSES: dict[str, str] = {
    "pending_review": "待审核", "approved": "已批准待发", "held": "暂缓", "rejected": "已驳回",
    "queued": "待发送", "sent": "已发送", "cancelled": "已撤销", "folded": "已并入约谈",
}
# A message's delivery, per channel.
DELIVERY_STATUSES: dict[str, str] = {
    "pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "死信（已停止重试）",
    "withheld": "未发送（事项已撤回）", "superseded": "已并入后续汇总",
}
# Progress reports a unit files.
PROGRESS_STATUSES: dict[str, str] = {"in_progress": "推进中", "done": "已报完成", "blocked": "受阻"}
# Deadline classes (DESIGN.md); an external deadline waits for a coordinator to date it.
DEADLINE_KINDS: dict[str, str] = {
    "due": "明确时限", "ongoing": "长期坚持", "year_long": "全年", "external": "时限待定",
    "window": "时段", "from": "自某日起", "recurring": "周期性", "season": "采暖季前", "unknown": "无法识别",
    "standing": "常态化工作",
}


def term(name: str) -> str:
    """Return the Chinese term for `name`; an unknown name is a programming error, so raise."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(f"glossary has no term for {name!r}") from None
