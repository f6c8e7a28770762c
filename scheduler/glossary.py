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

# Audit log actions (scheduler.store.repo.audit) as the 操作记录 page names them.
AUDIT_ACTIONS: dict[str, str] = {
    "web.login": "登录控制台", "web.logout": "退出控制台", "web.login_failed": "登录失败",
    "web.login_locked": "登录被锁定", "user.create": "新建账号", "user.password": "修改密码",
    "user.enable": "启用账号", "user.disable": "停用账号", "user.offices": "设置所属办公室",
    "notice.approve": "批准", "notice.hold": "暂缓", "notice.reject": "驳回", "notice.cancel": "撤销通知",
    "notice.acknowledge": "签收", "extension.request": "申请延期", "extension.approve": "批准延期",
    "extension.reject": "驳回延期", "task.progress": "报送进展", "task.sign_off": "销号",
    "task.external_date": "补录时限", "task.extension": "延期改定时限", "task.waive": "免除任务",
    "task.assign_units": "指定单位", "task.create": "新增任务", "task.update": "更新任务", "task.remove": "删除任务",
    "unit.confirm": "确认正式单位", "unit.merge": "合并单位", "unit.rename": "单位改名",
    "letter.number": "编发文号", "letter.record": "存档公文", "delivery.sent": "发送成功",
    "delivery.retry": "发送失败，稍后重试", "delivery.dead": "发送失败，已停止重试",
    "delivery.withhold": "撤回未发消息", "delivery.retry_request": "要求重新发送",
    "metrics.import": "导入监测数据", "metrics.import_refused": "拒绝导入监测数据",
    "sweep.run": "每日督办检查", "calendar.replace": "更新工作日历",
}
# What an audit entry acted on.
AUDIT_OBJECTS: dict[str, str] = {
    "user": "账号", "address": "来源地址", "notice": "通知", "task": "任务", "unit": "单位", "letter": "公文",
    "delivery": "发送", "metric_import": "监测数据导入", "sweep": "督办检查", "calendar": "工作日历",
}
# The fields of an audit entry's detail, as the sentence shown for it names them.
AUDIT_FIELDS: dict[str, str] = {
    "from": "原状态", "to": "新状态", "reason": "理由", "on": "日期", "day": "日期", "due": "时限", "unit": "单位",
    "units": "单位", "status": "状态", "percent": "完成百分比", "note": "说明", "number": "文号", "issuer": "发文机关",
    "role": "角色", "offices": "所属办公室", "address": "地址", "channel": "渠道", "attempts": "尝试次数",
    "error": "错误", "kind": "类型", "into": "并入", "source": "出处", "changed": "变更内容", "id": "编号",
    "calendar": "工作日历", "api": "经接口", "arrangement": "约谈安排", "written": "原文", "title": "标题",
    "rows": "行数", "file": "文件", "created": "新建", "unchanged": "未变", "message": "消息", "level": "级别",
}


def audit_action(action: str) -> str:
    """An audit action in words; one this table lacks shows its family's noun and the raw verb,
    never silently, so a new action is noticed."""
    if action in AUDIT_ACTIONS:
        return AUDIT_ACTIONS[action]
    family, _, verb = action.partition(".")
    return f"{AUDIT_OBJECTS.get(family, family)}：{verb}"


def term(name: str) -> str:
    """Return the Chinese term for `name`; an unknown name is a programming error, so raise."""
    try:
        return TERMS[name]
    except KeyError:
        raise KeyError(f"glossary has no term for {name!r}") from None
