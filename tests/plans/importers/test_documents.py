"""Plans in every format an office circulates, read into the same tasks; damaged files named, never a
traceback."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image

from scheduler.errors import InputError
from scheduler.plans.importers.documents import read_document
from scheduler.plans.importers.plan_import import read_draft

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")

ROWS = [
    ["序号", "重点任务", "完成时限", "责任单位", ""],
    ["", "", "", "牵头单位", "配合单位"],
    ["（一）钢铁行业", "", "", "", ""],
    ["1", "完成钢铁企业超低排放改造", "2024年6月底前", "市生态环境局", "市工信局、市发改委"],
    ["2", "淘汰燃煤锅炉", "2024年10月底前", "市工信局牵头，市发改委配合", ""],
    ["3", "开展VOCs治理", "长期坚持", "", "市住建局"],
]
# header cells merged down over two rows, 责任单位 across its two parts, the category row across the
# table, and task 2's lead cell down over task 3
MERGES = [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 1, 5), (3, 1, 3, 5), (5, 4, 6, 4)]


def write_docx(path: Path) -> Path:
    document = docx.Document()
    for line in ("某某市人民政府办公室", "关于印发《某某市2024年大气污染防治重点任务清单》的通知",
                 "某政办发〔2024〕7号", "一、工业污染治理"):
        document.add_paragraph(line)
    table = document.add_table(rows=len(ROWS), cols=5)
    table.style = "Table Grid"
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    for top, left, bottom, right in MERGES:
        keep = table.cell(top - 1, left - 1).text
        merged = table.cell(top - 1, left - 1).merge(table.cell(bottom - 1, right - 1))
        merged.text = keep
    document.add_paragraph("某某市人民政府办公室")
    document.add_paragraph("2024年3月1日")
    document.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务清单"
    sheet.append(["某某市2024年大气污染防治重点任务清单"])
    for row in ROWS:
        sheet.append(row)
    sheet.merge_cells("A1:E1")
    for top, left, bottom, right in MERGES:
        sheet.merge_cells(start_row=top + 1, start_column=left, end_row=bottom + 1, end_column=right)
    workbook.save(path)
    return path


def check_tasks(draft) -> None:
    tasks = {t.id.split("/", 1)[1]: t for t in draft.result.tasks}
    assert list(tasks) == ["1", "2", "3"], draft.report()
    assert tasks["1"].lead_units == ["市生态环境局"]
    assert tasks["1"].cooperating_units == ["市工信局", "市发改委"]
    assert tasks["2"].lead_units == ["市工信局"] and tasks["2"].cooperating_units == ["市发改委"]
    assert tasks["3"].lead_units == ["市工信局"]  # merged down from task 2
    assert "市住建局" in tasks["3"].cooperating_units
    assert {t.category for t in tasks.values()} == {"（一）钢铁行业"}
    assert draft.facts.region == "某某市" and draft.facts.plan_year == 2024


def test_a_word_table_with_cells_merged_both_ways(tmp_path):
    draft = read_draft(write_docx(tmp_path / "plan.docx"))
    check_tasks(draft)
    assert draft.facts.issuer == "某某市人民政府办公室"
    assert draft.facts.document_number == "某政办发〔2024〕7号"


def test_an_excel_sheet_with_cells_merged_both_ways(tmp_path):
    check_tasks(read_draft(write_xlsx(tmp_path / "plan.xlsx")))


def test_an_excel_formula_without_a_saved_value_is_named_not_imported_as_blank(tmp_path):
    path = write_xlsx(tmp_path / "plan.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["任务清单"]["B5"] = "=A1"  # task 1's title, as a program writes it: no computed value
    workbook.save(path)
    draft = read_draft(path)
    problem = next(p for p in draft.result.problems if p.where == "任务清单!B5")
    assert "公式没有保存计算结果" in problem.message
    assert "1" not in {t.id.split("/", 1)[1] for t in draft.result.tasks}


def test_a_web_page_with_rowspan_and_colspan(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(
        "<html><body><table><tr><td><p>某某市人民政府办公室关于印发某某市2024年空气质量改善行动方案的通知</p>"
        "<table border=1><tr><th rowspan=2>序号</th><th rowspan=2>工作内容</th><th rowspan=2>时间节点</th>"
        "<th colspan=2>责任单位</th></tr><tr><th>牵头</th><th>配合</th></tr>"
        "<tr><td colspan=5>一、产业结构</td></tr>"
        "<tr><td>1</td><td>淘汰落后产能<br>关停小锅炉</td><td>2024年9月底前</td><td rowspan=2>市工信局</td>"
        "<td>市发改委</td></tr><tr><td>2</td><td>开展绩效分级</td><td>每年5月底前</td><td>市生态环境局</td></tr>"
        "</table></td></tr></table></body></html>", encoding="utf-8")
    draft = read_draft(path)
    tasks = {t.id.split("/", 1)[1]: t for t in draft.result.tasks}
    assert tasks["1"].title == "淘汰落后产能" and tasks["2"].lead_units == ["市工信局"]
    assert tasks["2"].cooperating_units == ["市生态环境局"] and tasks["1"].category == "一、产业结构"
    assert draft.facts.title == "某某市2024年空气质量改善行动方案"
    assert draft.facts.issuer == "某某市人民政府办公室"


def test_markdown_tables_of_any_header(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("# 某某县2024年重点任务\n\n| 序号 | 具体措施 | 完成时限 | 责任单位 |\n|---|---|---|---|\n"
                    "| 1 | 治理扬尘 | 2024年6月底前 | 县住建局牵头，县交通局配合 |\n"
                    "| 2 | 清洁取暖 | 2024年10月底前 | 各乡镇人民政府 |\n", encoding="utf-8")
    draft = read_draft(path)
    assert [t.lead_units for t in draft.result.tasks] == [["县住建局"], []]
    assert draft.result.tasks[1].responsible_units == ["各乡镇人民政府"]
    assert draft.facts.title == "某某县2024年重点任务"


def test_a_gbk_text_file_is_read(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("序号\t工作任务\t完成时间\t责任部门\n1\t整治燃煤锅炉\t2024年6月底前\t市生态环境局\n".encode("gbk"))
    assert [t.title for t in read_draft(path).result.tasks] == ["整治燃煤锅炉"]


@pytest.mark.parametrize("name, content, says", [
    ("bad.docx", b"PK\x03\x04 not really a zip", "无法作为 Word"),
    ("bad.xlsx", b"\x00\x01garbage" * 50, "无法作为 Excel"),
    ("bad.pdf", b"%PDF-1.4\n garbage", "无法作为 PDF"),
    ("bad.bin", bytes(range(256)) * 8, "不是可识别的文档格式"),
])
def test_a_damaged_file_is_a_clear_message_naming_it(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_document(path)
    assert raised.value.problems[0].file == name
    assert says in raised.value.problems[0].message


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_a_corrupt_content_types_part_is_a_clear_message(tmp_path, suffix):
    good = write_docx(tmp_path / "good.docx") if suffix == "docx" else write_xlsx(tmp_path / "good.xlsx")
    bad = tmp_path / f"bad.{suffix}"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, b"<Types><broken" if info.filename == "[Content_Types].xml" else data)
    with pytest.raises(InputError) as raised:
        read_document(bad)
    assert raised.value.problems[0].file == f"bad.{suffix}"


def test_a_scanned_pdf_says_it_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 100), "white").save(path)
    with pytest.raises(InputError) as raised:
        read_document(path)
    assert "扫描件" in raised.value.problems[0].message


def test_an_old_format_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as raised:
        read_document(path)
    assert "LibreOffice" in raised.value.problems[0].message and raised.value.problems[0].file == "plan.doc"


def _convert(source: Path, target: str, out: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                    "--convert-to", target, "--outdir", str(out), str(source)], check=True, capture_output=True,
                   timeout=180)
    return out / f"{source.stem}.{target}"


@needs_office
def test_a_ruled_pdf_table_reads_with_its_merged_cells(tmp_path):
    pdf = _convert(write_docx(tmp_path / "plan.docx"), "pdf", tmp_path / "pdf")
    check_tasks(read_draft(pdf))


@needs_office
def test_old_word_and_excel_files_are_converted_first(tmp_path):
    doc = _convert(write_docx(tmp_path / "plan.docx"), "doc", tmp_path / "doc")
    wps = doc.with_suffix(".wps")
    shutil.copyfile(doc, wps)
    xls = _convert(write_xlsx(tmp_path / "plan.xlsx"), "xls", tmp_path / "xls")
    for path in (doc, wps, xls):
        draft = read_draft(path)
        check_tasks(draft)
        assert any("LibreOffice" in note for note in draft.document.notes)


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_damaged_bytes_anywhere_give_a_message_or_tasks_never_a_traceback(tmp_path, suffix):
    import random

    good = write_docx(tmp_path / "good.docx") if suffix == "docx" else write_xlsx(tmp_path / "good.xlsx")
    data = good.read_bytes()
    rng = random.Random(7)
    for case in range(30):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / f"case{case}.{suffix}"
        path.write_bytes(bytes(damaged) if case % 2 else data[:rng.randrange(len(data))])
        try:
            read_draft(path)
        except InputError as exc:
            assert exc.problems[0].file == path.name
