"""The one mapping from English identifiers to the Chinese terms the plans and letters use."""

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


def term(name: str) -> str:
    """Return the Chinese term for `name`; an unknown name is a programming error, so raise."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(f"glossary has no term for {name!r}") from None
