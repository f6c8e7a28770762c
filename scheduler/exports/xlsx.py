"""The ledger (台账) as an Excel workbook: the file a coordinator sends up the chain.

One sheet per plan with a frozen header and filters, a status column coloured 红/黄/绿, and, when
the store is given, each task's progress, its latest notice and its latest letter (文号). A first
sheet "汇总" counts the colours per plan. The status is worked out from the rows and `as_of`
alone (pure); the store only adds what happened (progress, sign-off, notices, letters).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scheduler.display import progress

RED, YELLOW, GREEN = "red", "yellow", "green"
COLOUR_NAMES = {RED: "红", YELLOW: "黄", GREEN: "绿"}
_FILLS = {RED: ("FFC7CE", "9C0006"), YELLOW: ("FFEB9C", "9C5700"), GREEN: ("C6EFCE", "006100")}
SOON_DAYS = 30  # a due date this close turns a task yellow
LEVEL_NAMES = {"reminder": "提醒", "urge": "催办", "warning": "预警通知函", "interview": "约谈"}
NOTICE_STATUS = {"pending_review": "待审核", "approved": "已批准", "held": "暂缓", "rejected": "已驳回",
                 "queued": "待发送", "sent": "已发送", "cancelled": "已撤销", "folded": "已并入约谈"}
PROGRESS_STATUS = {"in_progress": "推进中", "done": "已完成", "blocked": "受阻"}

COLUMNS: tuple[tuple[str, str, int], ...] = (  # (key, header, width)
    ("id", "任务编号", 20), ("category", "类别", 14), ("key_work", "重点工作", 16), ("title", "主要任务", 22),
    ("measures", "工程措施", 48), ("deadline_text", "完成时限", 16), ("due", "到期日", 12),
    ("lead_units", "牵头单位", 18), ("cooperating_units", "配合单位", 18), ("responsible_units", "责任单位", 18),
    ("responsible_persons", "责任人", 12), ("status", "状态", 14), ("progress", "进展", 28),
    ("last_notice", "最近通知", 28), ("last_letter", "最近函件", 26), ("remarks", "备注", 16),
    ("source", "来源", 24),
)


@dataclass(frozen=True)
class StoreView:
    """What the store knows about one task, as the workbook shows it."""

    status: str = "open"  # open, reported_done, signed_off, waived
    percent: int | None = None
    progress: str = ""  # latest progress report, e.g. "2019-11-20 市工信局 推进中 60%：已关停1家"
    due: date | None = None  # a coordinator date or an approved extension
    last_notice: str = ""
    last_letter: str = ""


def task_colour(deadline: dict[str, Any], status: str, as_of: date,
                override: date | None = None) -> tuple[str, str]:
    """Return (colour, 中文状态) of a task on `as_of`: green when done or on track, yellow when a date
    is near, passed for a milestone only, or still unset, red when overdue or its window is over."""
    if status in ("signed_off", "waived", "reported_done"):
        return GREEN, {"signed_off": "已销号", "waived": "免于督办", "reported_done": "已报完成"}[status]
    dues = [override] if override else [date.fromisoformat(d) for d in deadline.get("due") or []]
    kind = deadline.get("kind")
    if kind == "window" and deadline.get("end") and not override:
        end, start = date.fromisoformat(deadline["end"]), date.fromisoformat(deadline["start"])
        if as_of > end:
            return RED, "时段已过"
        return (YELLOW, "实施时段内") if as_of >= start else (GREEN, "时段未开始")
    if not dues:
        if kind in ("external", "unknown", "season"):
            return YELLOW, "时限待定"
        return GREEN, "持续推进"
    final = max(dues)
    if final < as_of:
        return RED, f"逾期{(as_of - final).days}天"
    if any(d < as_of for d in dues):
        return YELLOW, "阶段节点已过"
    if final - as_of <= timedelta(days=SOON_DAYS):
        return YELLOW, f"临近到期（{(final - as_of).days}天）"
    return GREEN, "正常推进"


def store_views(session, as_of: date) -> dict[str, StoreView]:
    """Read each task's status, latest progress, date override, latest notice and letter up to `as_of`."""
    from sqlalchemy import select

    from scheduler.store import schema as m
    from scheduler.store.taskfacts import latest_overrides

    tasks = {tid: (status, percent) for tid, status, percent in session.execute(
        select(m.Task.id, m.Task.status, m.Task.percent).where(m.Task.removed.is_(False)))}
    reports: dict[str, str] = {}
    for task_id, on, unit, status, percent, note in session.execute(
            select(m.ProgressReport.task_id, m.ProgressReport.on, m.ProgressReport.unit, m.ProgressReport.status,
                   m.ProgressReport.percent, m.ProgressReport.note)
            .where(m.ProgressReport.on <= as_of).order_by(m.ProgressReport.on, m.ProgressReport.id)):
        share = f" {percent}%" if percent is not None else ""
        reports[task_id] = f"{on.isoformat()} {unit} {PROGRESS_STATUS.get(status, status)}{share}" + (
            f"：{note}" if note else "")
    notices: dict[str, str] = {}
    for task_id, level, unit, created_on, status in session.execute(
            select(m.Notice.task_id, m.Notice.level, m.Notice.unit, m.Notice.created_on, m.Notice.status)
            .where(m.Notice.task_id.is_not(None), m.Notice.created_on <= as_of)
            .order_by(m.Notice.created_on, m.Notice.id)):
        notices[task_id] = (f"{created_on.isoformat()} {LEVEL_NAMES.get(level, level)} {unit}"
                            f"（{NOTICE_STATUS.get(status, status)}）")
    letters: dict[str, str] = {}
    found = session.execute(
        select(m.Notice.task_id, m.Letter.number, m.Notice.sent_on, m.Notice.acknowledged_on, m.Letter.id)
        .join(m.Letter, m.Letter.notice_key == m.Notice.key)
        .where(m.Notice.task_id.is_not(None), m.Notice.created_on <= as_of)).all()
    # a numbered letter not sent yet is the newest; sorted here because databases place NULLs differently
    for task_id, number, sent_on, acknowledged_on, _ in sorted(
            found, key=lambda r: (r.sent_on is None, r.sent_on or date.min, r.id)):
        if sent_on is not None and sent_on > as_of:
            continue
        signed = f"，{acknowledged_on.isoformat()} 已签收" if acknowledged_on else "，未签收"
        letters[task_id] = f"{number}（{sent_on.isoformat() if sent_on else '未发出'}{signed}）"
    overrides: dict[str, date] = {}
    for (plan_id,) in session.execute(select(m.Plan.id)):
        overrides.update({tid: due for tid, (due, _, _) in latest_overrides(session, plan_id).items()})
    return {tid: StoreView(status=status, percent=percent, progress=reports.get(tid, ""), due=overrides.get(tid),
                           last_notice=notices.get(tid, ""), last_letter=letters.get(tid, ""))
            for tid, (status, percent) in tasks.items()}


def _cell_value(row: dict[str, Any], key: str, view: StoreView | None, as_of: date) -> Any:
    if key in ("lead_units", "cooperating_units", "responsible_units", "responsible_persons"):
        return "\n".join(row.get(key) or [])
    if key == "due":
        due = view.due if view and view.due else None
        dues = [due.isoformat()] if due else list(row["deadline"].get("due") or [])
        if not dues and row["deadline"].get("end"):
            return f"{row['deadline']['start']}至{row['deadline']['end']}"
        return "\n".join(dues)
    if key == "progress":
        if view is None:
            return ""
        share = f"{view.percent}%" if view.percent is not None else ""
        return "\n".join(part for part in (share, view.progress) if part)
    if key in ("last_notice", "last_letter"):
        return getattr(view, key) if view else ""
    return row.get(key, "")


def export_ledger_xlsx(rows: list[dict[str, Any]], output: str | Path, as_of: date,
                       views: dict[str, StoreView] | None = None, plan_titles: dict[str, str] | None = None) -> Path:
    """Write the ledger rows (`ledger export --format json` objects) to `output`, one sheet per plan.

    `views` (from `store_views`) adds status, progress, notices and letters from the store; without
    it every task counts as open and only dates decide its colour."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    output = Path(output)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    plans: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        plans.setdefault(row["plan"], []).append(row)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {c: (PatternFill("solid", fgColor=bg), Font(color=fg, bold=True)) for c, (bg, fg) in _FILLS.items()}
    counts: dict[str, Counter] = {}
    for plan_id, plan_rows in plans.items():
        sheet = workbook.create_sheet(_sheet_name(plan_id, workbook.sheetnames))
        for index, (_, header, width) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(1, index, header)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, Alignment(horizontal="center")
            sheet.column_dimensions[get_column_letter(index)].width = width
        status_col = [k for k, _, _ in COLUMNS].index("status") + 1
        counts[plan_id] = Counter()
        for r, row in enumerate(progress(plan_rows, f"导出「{plan_id}」"), start=2):
            view = (views or {}).get(row["id"])
            colour, label = task_colour(row["deadline"], view.status if view else "open", as_of,
                                        view.due if view else None)
            counts[plan_id][colour] += 1
            for c, (key, _, _) in enumerate(COLUMNS, start=1):
                value = f"{COLOUR_NAMES[colour]}：{label}" if key == "status" else _cell_value(row, key, view, as_of)
                sheet.cell(r, c, value).alignment = wrap
            fill, font = fills[colour]
            sheet.cell(r, status_col).fill, sheet.cell(r, status_col).font = fill, font
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(plan_rows) + 1}"
    summary.append([f"督办台账（截至 {as_of.isoformat()}）"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["计划编号", "计划名称", "任务数", "红（逾期）", "黄（临近/待定）", "绿（正常/完成）"])
    for cell in summary[2]:
        cell.font, cell.fill = header_font, header_fill
    for plan_id, counter in counts.items():
        summary.append([plan_id, (plan_titles or {}).get(plan_id, ""), sum(counter.values()),
                        counter[RED], counter[YELLOW], counter[GREEN]])
    for column, width in zip("ABCDEF", (18, 56, 10, 12, 16, 16)):
        summary.column_dimensions[column].width = width
    summary.freeze_panes = "A3"
    workbook.save(output)
    return output


def _sheet_name(plan_id: str, taken: list[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in plan_id)[:31]
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]}~{n}"
        n += 1
    return name
