"""The ledger (台账) as an Excel workbook: the file a coordinator sends up the chain.

One sheet per plan with a frozen header and filters, a status column coloured 红/黄/绿, and, when
the store is given, each task's progress, its latest notice and its latest letter (文号). A first
sheet "汇总" counts the colours per plan. The colour is the one 红黄绿 rule the console and the 通报
ask (scheduler.escalation.status.standing), worked out from the row and `as_of`; the store only adds
what happened (progress, sign-off, a coordinator's date, urges, notices, letters).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, cast

from scheduler.display import progress
from scheduler.escalation.facts import TaskFacts
from scheduler.escalation.status import LAMP_NAMES, STATE_NAMES, Lamp, Standing, standing
from scheduler.glossary import NOTICE_STATUSES, PROGRESS_STATUSES, TERMS
from scheduler.plans.deadlines import Deadline, Milestone
from scheduler.store.ledgerview import TaskActivity

RED: Lamp = "red"
YELLOW: Lamp = "yellow"
GREEN: Lamp = "green"
SUMMARY_HEADS = {RED: STATE_NAMES["overdue"], YELLOW: STATE_NAMES["at_risk"],
                 GREEN: f"{STATE_NAMES['on_track']}或{STATE_NAMES['closed']}"}
_FILLS: dict[Lamp, tuple[str, str]] = {"red": ("FFC7CE", "9C0006"), "yellow": ("FFEB9C", "9C5700"),
                                       "green": ("C6EFCE", "006100")}

# (key, header, width in characters): widths sized so that a plan sheet fits an A4 landscape page
# width at a readable scale; the long texts wrap inside their cells.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", "任务编号", 11), ("category", "类别", 9), ("key_work", "重点工作", 10), ("title", "主要任务", 16),
    ("measures", "工程措施", 32), ("deadline_text", "完成时限", 11), ("due", "到期日", 11),
    ("lead_units", "牵头单位", 13), ("cooperating_units", "配合单位", 13), ("responsible_units", "责任单位", 13),
    ("responsible_persons", "责任人", 8), ("status", "状态", 11), ("progress", "进展", 18),
    ("last_notice", "最近通知", 18), ("last_letter", "函件", 24), ("remarks", "备注", 10),
    ("source", "来源", 20),
)
PAPER_A4 = 9  # the paperSize code of A4 in SpreadsheetML


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def row_facts(row: dict[str, Any], activity: TaskActivity | None = None) -> TaskFacts:
    """Return a ledger row (`ledger export --format json` object) as the facts the status rule reads;
    with the store's activity, its status and a coordinator's date apply as they do in the console."""
    cell = row["deadline"]
    deadline = Deadline(text=cell.get("text") or row.get("deadline_text", ""), kind=cast(Any, cell["kind"]),
                        due=tuple(date.fromisoformat(d) for d in cell.get("due") or ()),
                        start=_day(cell.get("start")), end=_day(cell.get("end")))
    if activity is not None and activity.due is not None:
        deadline = Deadline(text=deadline.text, kind="due", due=(activity.due,))
    milestones = tuple(Milestone(date.fromisoformat(ms["due"]), ms.get("phrase", ""), ms.get("text", ""))
                       for ms in row.get("milestones") or ())
    status = activity.status if activity is not None else "open"
    return TaskFacts(task_id=row["id"], plan_id=row["plan"], title=row.get("title", ""), deadline=deadline,
                     milestones=milestones, status=cast(Any, status))


def row_standing(row: dict[str, Any], as_of: date, activity: TaskActivity | None = None) -> Standing:
    """Return how the row's task stands on `as_of`, by the one rule (scheduler.escalation.status)."""
    return standing(row_facts(row, activity), as_of, activity.urged if activity is not None else False)


def status_cell(found: Standing) -> str:
    """The 状态 column: the lamp's colour and the reason, e.g. 红：逾期50天."""
    return f"{LAMP_NAMES[found.lamp]}：{found.reason}"


def progress_text(activity: TaskActivity) -> str:
    report = activity.report
    if report is None:
        return ""
    share = f" {report.percent}%" if report.percent is not None else ""
    note = f"：{report.note}" if report.note else ""
    return f"{report.on.isoformat()} {report.unit} {PROGRESS_STATUSES.get(report.status, report.status)}{share}{note}"


def notice_text(activity: TaskActivity) -> str:
    notice = activity.notice
    if notice is None:
        return ""
    return (f"{notice.created_on.isoformat()} {TERMS.get(notice.level, notice.level)} {notice.unit}"
            f"（{NOTICE_STATUSES.get(notice.status, notice.status)}）")


def letter_text(activity: TaskActivity) -> str:
    """The 函件 column: every letter about the task, one line each, oldest first."""
    letters = activity.letters or ((activity.letter,) if activity.letter is not None else ())
    lines = []
    for letter in letters:
        signed = f"，{letter.acknowledged_on.isoformat()} 已签收" if letter.acknowledged_on else "，未签收"
        lines.append(f"{letter.number}（{letter.sent_on.isoformat() if letter.sent_on else '未发出'}{signed}）")
    return "\n".join(lines)


def _cell_value(row: dict[str, Any], key: str, view: TaskActivity | None) -> Any:
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
        return "\n".join(part for part in (share, progress_text(view)) if part)
    if key == "last_notice":
        return notice_text(view) if view else ""
    if key == "last_letter":
        return letter_text(view) if view else ""
    return row.get(key, "")


def export_ledger_xlsx(rows: list[dict[str, Any]], output: str | Path, as_of: date,
                       views: dict[str, TaskActivity] | None = None, plan_titles: dict[str, str] | None = None) -> Path:
    """Write the ledger rows (`ledger export --format json` objects) to `output`, one sheet per plan.

    `views` (scheduler.store.ledgerview.task_activity) adds status, progress, urges, notices and letters
    from the store; without it every task counts as open and only dates decide its colour."""
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
        sheet = workbook.create_sheet(_sheet_name(_short((plan_titles or {}).get(plan_id), plan_id),
                                                  workbook.sheetnames))
        for index, (_, header, width) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(1, index, header)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, Alignment(horizontal="center")
            sheet.column_dimensions[get_column_letter(index)].width = width
        status_col = [k for k, _, _ in COLUMNS].index("status") + 1
        counts[plan_id] = Counter()
        for r, row in enumerate(progress(plan_rows, f"导出「{sheet.title}」"), start=2):
            view = (views or {}).get(row["id"])
            found = row_standing(row, as_of, view)
            counts[plan_id][found.lamp] += 1
            for c, (key, _, _) in enumerate(COLUMNS, start=1):
                value = status_cell(found) if key == "status" else _cell_value(row, key, view)
                sheet.cell(r, c, value).alignment = wrap
            fill, font = fills[found.lamp]
            sheet.cell(r, status_col).fill, sheet.cell(r, status_col).font = fill, font
            sheet.row_dimensions[r].height = _row_height(sheet, r)
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(plan_rows) + 1}"
        _print_setup(sheet, header_rows="1:1", title=(plan_titles or {}).get(plan_id) or sheet.title)
    summary.append([f"督办台账（截至 {as_of.isoformat()}）"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["方案", "方案全称", "任务数",
                    *(f"{LAMP_NAMES[lamp]}（{SUMMARY_HEADS[lamp]}）" for lamp in (RED, YELLOW, GREEN))])
    for cell in summary[2]:
        cell.font, cell.fill = header_font, header_fill
    for plan_id, counter in counts.items():
        summary.append([_short((plan_titles or {}).get(plan_id), plan_id), (plan_titles or {}).get(plan_id, ""),
                        sum(counter.values()),
                        counter[RED], counter[YELLOW], counter[GREEN]])
    for column, width in zip("ABCDEF", (26, 56, 8, 10, 14, 14)):
        summary.column_dimensions[column].width = width
    for row in summary.iter_rows(min_row=3):
        row[1].alignment = wrap
    summary.freeze_panes = "A3"
    _print_setup(summary, header_rows="1:2", title=f"督办台账汇总（截至 {as_of.isoformat()}）")
    for sheet in workbook.worksheets:
        _as_text(sheet)
    workbook.save(output)
    return output


# A cell starting with one of these is read as a formula by Excel or LibreOffice (a leading tab or
# CR by some CSV importers): text from plan documents must never run as =HYPERLINK("…"&B2).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(sheet: Any) -> None:
    """Store every formula-like string as a string cell with Excel's quote prefix, so it shows as
    typed and stays text when someone edits the cell; the export writes no formulas of its own."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def _row_height(sheet: Any, row: int) -> float:
    """The height in points that shows every wrapped line of the row: spreadsheet programs do not
    grow a row for wrapped text written by another program, so the printout would cut it off.
    A CJK character takes two units of column width."""
    lines = 1
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        value = sheet.cell(row, index).value
        if isinstance(value, str) and value:
            units = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in part) for part in value.split("\n")]
            lines = max(lines, sum(max(1, -(-n // max(width - 1, 1))) for n in units))
    return min(15.0 * lines, 409.0)  # 409 pt: the tallest row Excel allows


def _print_setup(sheet: Any, header_rows: str, title: str) -> None:
    """Ready to print as offices file it: A4 landscape, one page wide (as many pages down as the rows
    need), the header rows repeated on every page, the title in the page header and 第N页 共M页."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = header_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _short(title: str | None, plan_id: str) -> str:
    """A plan's short title (长治市2019-2020年秋冬季方案) as a sheet name; its id when it has no title."""
    from scheduler.letters.digest import plan_short_title

    return plan_short_title(title) if title else plan_id


def _sheet_name(plan_id: str, taken: list[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in plan_id)[:31]
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]}~{n}"
        n += 1
    return name
