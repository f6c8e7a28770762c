"""Re-key the visible rows of the corpus's flattened tables into .docx and .xlsx, as an office holds them.

The stored pages give a table's cells as one run-on line (a PDF text layer) or one cell per line; a
coordinator receives the same table as a Word or Excel file with merged cells. Run once with
`.venv/bin/python tests/data/plans/rekey_tables.py`; the outputs are committed next to each source.
Only text visible in the stored page is keyed in: nothing is added from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt
from docx.table import Table
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent

Row = list[str]

BEIJING_TITLE = "附件1　大气污染防治2021年行动计划"
BEIJING_HEADER: Row = ["序号", "重点任务", "工作措施", "牵头部门", "主责单位", "协办单位", "完成时限"]
# A str row is a category row spanning the whole table.
BEIJING_ROWS: list[Row | str] = [
    "一、空气质量目标",
    ["1", "目标任务",
     "在完成国家目标任务基础上，全市及各区尽最大努力巩固改善空气质量，细颗粒物（PM2.5）浓度、"
     "重污染天数力争继续下降。",
     "市生态环境局", "各区政府（含北京经济技术开发区管委会）",
     "市交通委、市城市管理委、市经济和信息化局、市住房城乡建设委等部门", "年底前"],
    "二、实施挥发性有机物（VOCs）专项治理行动",
    ["2", "完善VOCs环境监测网络",
     "完善覆盖街道（乡镇）、主要工业园区等VOCs高密度监测网；研究利用大数据分析、卫星遥感监测等"
     "技术手段，探索建设VOCs热点网格系统，有效识别VOCs高值区。",
     "市生态环境局", "各区政府（含北京经济技术开发区管委会）", "市经济和信息化局", "年底前"],
]

PUTUO_TITLE = "普陀区第七轮（2018-2020年）环境保护和建设三年行动计划2018年任务清单"
# Two header rows: 责任单位 spans 牵头部门 / 配合部门; every other header cell spans both rows.
PUTUO_HEADER_TOP: Row = ["领域", "序号", "项目名称", "主要内容", "计划节点", "责任单位", "", "2018年计划"]
PUTUO_HEADER_SUB: Row = ["", "", "", "", "", "牵头部门", "配合部门", ""]
PUTUO_ROWS: list[Row] = [
    ["水环境保护", "1", "完成本区水环境质量考核目标",
     "根据市政府分年度考核要求，辖区内桃浦河、朝阳河、中槎浦、大场浦、新槎浦、北张泾、西虬江、"
     "南北厅、真如港、曹杨环浜10条市政府考核河道断面达到分阶段水质目标。其中，201",
     "", "", "", ""],
]


def _docx_table(doc: DocxDocument, columns: int, rows: int) -> Table:
    table = doc.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    return table


def beijing_docx(path: Path) -> None:
    doc = Document()
    doc.add_paragraph(BEIJING_TITLE).runs[0].font.size = Pt(14)
    table = _docx_table(doc, len(BEIJING_HEADER), 1 + len(BEIJING_ROWS))
    for col, text in enumerate(BEIJING_HEADER):
        table.cell(0, col).text = text
    for index, row in enumerate(BEIJING_ROWS, start=1):
        if isinstance(row, str):
            merged = table.cell(index, 0).merge(table.cell(index, len(BEIJING_HEADER) - 1))
            merged.text = row
            continue
        for col, text in enumerate(row):
            table.cell(index, col).text = text
    doc.save(str(path))


def beijing_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "任务表"
    width = len(BEIJING_HEADER)
    sheet.append([BEIJING_TITLE] + [None] * (width - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(BEIJING_HEADER)
    for row in BEIJING_ROWS:
        if isinstance(row, str):
            sheet.append([row] + [None] * (width - 1))
            line = sheet.max_row
            sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
            sheet.cell(line, 1).font = Font(bold=True)
        else:
            sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    book.save(str(path))


def putuo_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "附件1"
    width = len(PUTUO_HEADER_TOP)
    sheet.append([PUTUO_TITLE] + [None] * (width - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append([text or None for text in PUTUO_HEADER_TOP])
    sheet.append([text or None for text in PUTUO_HEADER_SUB])
    sheet.merge_cells(start_row=2, start_column=6, end_row=2, end_column=7)  # 责任单位
    for col in (1, 2, 3, 4, 5, 8):
        sheet.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for row in PUTUO_ROWS:
        sheet.append([text or None for text in row])
    book.save(str(path))


def putuo_docx(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("附件1")
    doc.add_paragraph(PUTUO_TITLE)
    width = len(PUTUO_HEADER_TOP)
    table = _docx_table(doc, width, 2 + len(PUTUO_ROWS))
    for col, text in enumerate(PUTUO_HEADER_TOP):
        if text:
            table.cell(0, col).text = text
    for col, text in enumerate(PUTUO_HEADER_SUB):
        if text:
            table.cell(1, col).text = text
    table.cell(0, 5).merge(table.cell(0, 6))
    for col in (0, 1, 2, 3, 4, 7):
        table.cell(0, col).merge(table.cell(1, col))
    for index, row in enumerate(PUTUO_ROWS, start=2):
        for col, text in enumerate(row):
            table.cell(index, col).text = text
    doc.save(str(path))


def main() -> None:
    beijing_docx(HERE / "beijing-2021-table" / "rekeyed.docx")
    beijing_xlsx(HERE / "beijing-2021-table" / "rekeyed.xlsx")
    putuo_xlsx(HERE / "putuo-2018" / "rekeyed.xlsx")
    putuo_docx(HERE / "putuo-2018" / "rekeyed.docx")


if __name__ == "__main__":
    main()
