"""The ledger as .xlsx: a sheet per plan, frozen header, filters, 红黄绿 status, store facts, and a file
LibreOffice opens."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from scheduler import store as repo
from scheduler.cli.main import main
from scheduler.exports.xlsx import (
    GREEN,
    RED,
    YELLOW,
    letter_text,
    notice_text,
    progress_text,
    row_standing,
    status_cell,
)
from scheduler.plans.ledger import dump_ledger
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.ledgerview import TaskActivity, task_activity
from tests.store.builders import DIRECTORY, NOW, action, ledger, unit_name

ROOT = Path(__file__).resolve().parents[2]


def row(*days: str, kind: str = "due", milestones: tuple[str, ...] = (), start=None, end=None) -> dict:
    return {"id": "t", "plan": "p", "title": "t",
            "deadline": {"kind": kind, "due": list(days), "start": start, "end": end},
            "milestones": [{"due": d, "phrase": "", "text": ""} for d in milestones]}


@pytest.mark.parametrize("ledger_row, status, expected", [
    (row("2019-12-31"), "open", (YELLOW, "黄：临近到期（11天）")),
    (row("2020-01-15"), "open", (GREEN, "绿：正常推进")),  # 26 days ahead: outside the 14-day window
    (row("2020-03-31"), "open", (GREEN, "绿：正常推进")),
    (row("2019-10-31"), "open", (RED, "红：逾期50天")),
    (row("2019-10-31"), "signed_off", (GREEN, "绿：已销号")),
    (row("2019-10-31"), "waived", (GREEN, "绿：免于督办")),
    (row("2019-10-31"), "reported_done", (GREEN, "绿：已报完成待销号")),
    (row("2019-11-30", "2020-06-30"), "open", (RED, "红：逾期20天")),  # each due date counts
    (row("2020-06-30", milestones=("2019-11-30",)), "open", (YELLOW, "黄：阶段节点已过")),
    (row(kind="external"), "open", (YELLOW, "黄：时限待定")),
    (row(kind="ongoing"), "open", (GREEN, "绿：持续推进")),
    (row(kind="window", start="2019-10-01", end="2019-12-15"), "open", (RED, "红：实施时段已过")),
    (row(kind="window", start="2019-12-01", end="2020-02-29"), "open", (YELLOW, "黄：实施时段内")),
])
def test_the_status_column_on_20_december_2019(ledger_row, status, expected):
    found = row_standing(ledger_row, date(2019, 12, 20), TaskActivity(status=status))
    assert (found.lamp, status_cell(found)) == expected


def test_a_coordinator_date_decides_the_colour_of_an_external_deadline():
    found = row_standing(row(kind="external"), date(2019, 12, 20), TaskActivity(due=date(2019, 12, 1)))
    assert status_cell(found) == "红：逾期19天"


def test_a_recent_urge_turns_a_calm_task_yellow_as_on_the_dashboard():
    found = row_standing(row("2020-03-31"), date(2019, 12, 20), TaskActivity(urged=True))
    assert status_cell(found) == "黄：近期受督办"


@pytest.fixture(scope="module")
def shipped_xlsx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "台账.xlsx"
    assert main(["ledger", "export", "--format", "xlsx", "--output", str(out), "--data", str(ROOT / "data"),
                 "--as-of", "2019-12-20"]) == 0
    return out


def test_every_plan_gets_a_sheet_with_frozen_header_filters_and_colours(shipped_xlsx):
    workbook = openpyxl.load_workbook(shipped_xlsx)
    assert workbook.sheetnames == ["汇总", "长治市2019-2020年秋冬季方案", "长治市2022－2023年行动计划",
                                   "晋城市2020-2021年秋冬季方案", "晋中市2020-2021年秋冬季方案", "泽州县2023年行动计划"]
    sheet = workbook["长治市2019-2020年秋冬季方案"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:Q82"  # 81 tasks under the header, 17 columns
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["任务编号", "类别", "重点工作", "主要任务", "工程措施", "完成时限"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    status = header.index("状态")
    r001, r016 = rows["changzhi-2019/r001"], rows["changzhi-2019/r016"]
    assert r001[status].value == "黄：临近到期（11天）"  # 2019年12月底前
    assert r001[status].fill.fgColor.rgb.endswith("FFEB9C")
    assert r016[status].value == "红：逾期50天"  # 2019年10月底前
    assert r016[status].fill.fgColor.rgb.endswith("FFC7CE")
    assert r001[header.index("到期日")].value == "2019-12-31"
    assert r001[header.index("牵头单位")].value == "市能源局"
    summary = workbook["汇总"]
    assert summary["A1"].value == "督办台账（截至 2019-12-20）"
    assert [c.value for c in summary[2]][:2] == ["方案", "方案全称"]
    changzhi = next(r for r in summary.iter_rows(min_row=3, values_only=True) if r[0] == "长治市2019-2020年秋冬季方案")
    assert changzhi[1] == "长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解"
    assert changzhi[2] == 81 and sum(changzhi[3:]) == 81


def test_every_sheet_is_set_up_to_print_a4_landscape_one_page_wide_with_repeated_headers(shipped_xlsx):
    workbook = openpyxl.load_workbook(shipped_xlsx)
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9, sheet.title  # 9: A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0  # one page wide, pages down as needed
        assert sheet.print_title_rows == ("$1:$2" if sheet.title == "汇总" else "$1:$1")
        assert sheet.oddHeader.center.text and "&P" in sheet.oddFooter.center.text
    widths = [workbook.worksheets[1].column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQ"]
    assert all(8 <= w <= 32 for w in widths) and sum(widths) < 260  # readable when fitted to A4 width


def _pdf_page_widths(pdf: Path) -> list[float]:
    """The width in points of every page of a PDF (pdfinfo -f 1 -l N)."""
    text = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [float(line.split()[3]) for line in text.splitlines() if line.startswith("Page") and "size:" in line]


@pytest.mark.office
def test_libreoffice_prints_the_summary_on_one_page_and_a_plan_one_page_wide(shipped_xlsx, tmp_path):
    """The summary alone (a copy of the workbook with only it) converts to one landscape A4 page."""
    workbook = openpyxl.load_workbook(shipped_xlsx)
    for name in workbook.sheetnames[2:]:
        del workbook[name]
    only = tmp_path / "汇总.xlsx"
    workbook.save(only)
    completed = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    widths = _pdf_page_widths(tmp_path / "汇总.pdf")
    # the summary is one page; the 81 tasks of 长治 run down the pages but never across: every page
    # is A4 landscape (842 pt wide), and the 长治 sheet takes far fewer pages than its 51 before
    assert widths and all(abs(w - 842) < 2 for w in widths)
    assert len(widths) < 30


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice is installed by scripts/os-deps.sh")
    return found


@pytest.mark.office
def test_libreoffice_opens_the_export_and_prints_it_to_pdf(shipped_xlsx, tmp_path):
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(shipped_xlsx)],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "Error" not in completed.stderr
    pdf = tmp_path / "台账.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 20_000


def test_progress_notices_and_letters_come_from_the_store(store_url, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "t-2019.yaml").write_text(dump_ledger(ledger()), encoding="utf-8")
    shutil.copy(ROOT / "data" / "units.yaml", data / "units.yaml")
    url = store_url  # SQLite and PostgreSQL
    store = open_store(url)
    with store.session() as session:
        repo.load_ledgers(session, [ledger()], DIRECTORY, now=NOW)
        repo.report_progress(session, "t-2019/1", unit_name("潞城区政府"), "in_progress", 60, "已关停1家", "张三",
                             date(2019, 12, 2), now=NOW)
        repo.insert_notices(session, [action("k-urge", level="urge", kind="overdue")], date(2019, 12, 3), now=NOW)
        repo.insert_notices(session, [action("k-warn")], date(2019, 12, 10), now=NOW)
        session.add(m.Letter(notice_key="k-warn", issuer="长治市大气办", year=2019, serial=7,
                             number="长大气办函〔2019〕7号"))
        warning = repo.notice_by_key(session, "k-warn")
        warning.status, warning.sent_on = "sent", date(2019, 12, 11)
        session.commit()
    with store.session() as session:
        views = task_activity(session, date(2019, 12, 20))
        repo.insert_notices(session, [action("k-warn-2", unit=unit_name("襄垣县政府"))], date(2019, 12, 21), now=NOW)
        session.add(m.Letter(notice_key="k-warn-2", issuer="长治市大气办", year=2019, serial=8,
                             number="长大气办函〔2019〕8号"))
        session.commit()
        later = task_activity(session, date(2019, 12, 22))["t-2019/1"]
    # every letter of the task, oldest first; the numbered one not yet sent is the newest
    assert letter_text(later) == "长大气办函〔2019〕7号（2019-12-11，未签收）\n长大气办函〔2019〕8号（未发出，未签收）"
    assert notice_text(later) == f"2019-12-21 预警通知函 {unit_name('襄垣县政府')}（待审核）"
    store.dispose()
    first = views["t-2019/1"]
    luchen = unit_name("潞城区政府")
    assert first.percent == 60
    assert progress_text(first) == f"2019-12-02 {luchen} 推进中 60%：已关停1家"
    assert notice_text(first) == f"2019-12-10 预警通知函 {luchen}（已发送）"
    assert letter_text(first) == "长大气办函〔2019〕7号（2019-12-11，未签收）"
    assert notice_text(views["t-2019/2"]) == ""

    out = tmp_path / "台账.xlsx"
    monkeypatch.setenv("DUBAN_DB", url)
    assert main(["ledger", "export", "--format", "xlsx", "--output", str(out), "--data", str(data),
                 "--as-of", "2019-12-20", "--with-store"]) == 0
    sheet = openpyxl.load_workbook(out)["测试方案"]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("进展")] == f"60%\n2019-12-02 {luchen} 推进中 60%：已关停1家"
    assert row[header.index("函件")] == "长大气办函〔2019〕7号（2019-12-11，未签收）"
    assert row[header.index("状态")] == "黄：临近到期（11天）"


@pytest.mark.office
def test_the_coordinator_path_docx_in_xlsx_out_opens_in_libreoffice(tmp_path):
    """Seed 000 as a Word table with merged cells -> `ledger import` -> `ledger export --format xlsx` -> PDF."""
    from scheduler.plans.importers.seeds import SEED_PLANS
    from tests.plans.importers.seed_tables import seed_000_tables, write_docx

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "units.yaml", data / "units.yaml")
    source = write_docx(seed_000_tables(), tmp_path / "changzhi-2019.docx")
    meta = SEED_PLANS[0].meta
    assert main(["ledger", "import", str(source), "--format", "docx", "--plan-id", meta["id"], "--title", meta["title"],
                 "--issuer", meta["issuer"], "--region", meta["region"], "--start", "2019-10-01",
                 "--end", "2020-03-31", "--output", str(data / "changzhi-2019.yaml")]) == 0
    out = tmp_path / "changzhi.xlsx"
    assert main(["ledger", "export", "--format", "xlsx", "--output", str(out), "--data", str(data),
                 "--as-of", "2019-12-20"]) == 0
    sheet = openpyxl.load_workbook(out)["长治市2019-2020年秋冬季方案"]
    assert sheet.max_row == 82 and sheet["A2"].value == "changzhi-2019/r001"
    assert sheet["Q2"].value == "changzhi-2019.docx#附件3:2"
    completed = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0 and "Error" not in completed.stderr, completed.stderr
    assert (tmp_path / "changzhi.pdf").read_bytes()[:5] == b"%PDF-"
