"""Importing values: good rows load, every bad one is reported with file, (sheet,) row and column,
and nothing a file contains can crash the import."""

from __future__ import annotations

from datetime import date

from scheduler.escalation.metrics.values import MetricValue, check_rows, import_file, parse_date
from tests.escalation.metrics.builders import REGIONS

CSV = """\
date,region,metric,value
2019-10-01,潞城区,PM2.5,70
2019-10-02,潞城区人民政府,pm25,68
2019-10-03,潞城区,PM2.5,-5
2019-10-03,火星县,PM2.5,60
2019-10-04,潞城区,PM2.5,七十
2019-10-02,潞城区,PM2.5,69
2019-10-06,潞城区,PM2.5,
2019-10-07,潞城区,PM2.5,5000
2019-13-01,潞城区,PM2.5,60
2019-10-08,潞城区,PM3,60
2019-10-09,潞城区,AQI,101.5
2019-10,潞城区,降尘,9.5
,,,
2019-10-10,潞城区,PM2.5,66
"""


def _problems(report):
    return [(p.row, p.column, p.message) for p in report.problems]


def test_bad_rows_are_reported_in_place_and_good_rows_load(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text(CSV, encoding="utf-8")
    report = import_file(path, REGIONS)
    assert _problems(report) == [
        (4, "value", "PM2.5（μg/m³） 数值为负：-5"),
        (5, "region", "未知的县区：“火星县”（单位名录中没有）"),
        (6, "value", "PM2.5（μg/m³） 数值不是数字：“七十”"),
        (7, "value", "重复：潞城区 PM2.5 2019-10-02 已见于第3行（数值不同：68 与 69），保留先出现的一行"),
        (8, "value", "PM2.5（μg/m³） 数值为空"),
        (9, "value", "PM2.5（μg/m³） 数值 5000 超出合理范围 0–1500"),
        (10, "date", "日期无法识别：“2019-13-01”（应为 2019-10-01 或 2019-10）"),
        (11, "metric",
         "未知的指标：“PM3”（可用：PM2.5、PM10、SO2、NO2、CO、O3、AQI、heavy_pollution_days、dust_fall）"),
        (12, "value", "AQI 应为整数：101.5"),
    ]
    assert report.rows_read == 13 and report.bad_rows == 9  # the blank line is not a row
    assert report.values == [
        MetricValue("潞城区", "PM2.5", date(2019, 10, 1), 70, False, "values.csv:2"),
        MetricValue("潞城区", "PM2.5", date(2019, 10, 2), 68, False, "values.csv:3"),
        MetricValue("潞城区", "dust_fall", date(2019, 10, 1), 9.5, True, "values.csv:13"),
        MetricValue("潞城区", "PM2.5", date(2019, 10, 10), 66, False, "values.csv:15"),
    ]
    # 10-03 .. 10-09 have no PM2.5 value that loaded
    assert [str(g) for g in report.gaps] == ["潞城区 PM2.5 缺 2019-10-03 至 2019-10-09（7天）"]
    text = report.summary()
    assert f"{path} 第4行 value列：PM2.5（μg/m³） 数值为负：-5" in text
    assert "问题 9 行（未导入）" in text


def test_xlsx_problems_name_sheet_row_and_column_letter(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "十月"
    first.append(["日期", "县区", "指标", "数值"])
    first.append([date(2019, 10, 1), "黎城县", "PM2.5", 55])
    first.append([date(2019, 10, 2), "黎城县", "PM2.5", "n/a"])
    second = book.create_sheet("十一月")
    second.append(["date", "region", "PM2.5", "AQI"])  # one column per metric
    second.append(["2019-11-01", "黎城县", 60, 82])
    second.append(["2019-11-02", "黎城县", -1, 80])
    second.append(["2019-10-01", "黎城县", 56, None])  # the same day as sheet 十月, row 2
    path = tmp_path / "values.xlsx"
    book.save(path)
    report = import_file(path, REGIONS)
    assert [(p.sheet, p.row, p.column, p.letter) for p in report.problems] == [
        ("十月", 3, "数值", "D"), ("十一月", 3, "PM2.5", "C"), ("十一月", 4, "PM2.5", "C")]
    assert "已见于工作表“十月”第2行" in report.problems[2].message
    assert str(report.problems[1]).endswith("工作表“十一月”第3行 PM2.5（C列）：PM2.5（μg/m³） 数值为负：-1")
    assert {(v.metric, v.day, v.value) for v in report.values} == {
        ("PM2.5", date(2019, 10, 1), 55), ("PM2.5", date(2019, 11, 1), 60), ("AQI", date(2019, 11, 1), 82),
        ("AQI", date(2019, 11, 2), 80)}


def test_a_unit_column_is_checked_against_the_metric(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("date,region,metric,value,unit\n2019-10-01,潞城区,PM2.5,70,ug/m3\n"
                    "2019-10-02,潞城区,CO,1.2,μg/m³\n2019-10-03,潞城区,CO,1.2,mg/m3\n", encoding="utf-8")
    report = import_file(path, REGIONS)
    assert _problems(report) == [(3, "unit", "CO 的单位应为 mg/m³，不是“μg/m³”")]
    assert len(report.values) == 2


def test_gbk_csv_from_excel_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("日期,县区,指标,数值\n2019-10-01,沁县,细颗粒物,50\n".encode("gb18030"))
    report = import_file(path, REGIONS)
    assert report.problems == [] and report.values[0].region == "沁县"


def test_nothing_crashes_the_import(tmp_path):
    garbage = tmp_path / "broken.xlsx"
    garbage.write_bytes(b"\x00\x01not a workbook")
    report = import_file(garbage, REGIONS)
    assert len(report.problems) == 1 and report.problems[0].message.startswith("无法读取文件")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert import_file(empty, REGIONS).problems[0].message.startswith("表头缺少列")
    headless = tmp_path / "headless.csv"
    headless.write_text("2019-10-01,潞城区,PM2.5,70\n", encoding="utf-8")
    assert import_file(headless, REGIONS).problems[0].row == 1
    other = tmp_path / "values.json"
    other.write_text("{}", encoding="utf-8")
    assert import_file(other, REGIONS).problems[0].message == "只支持 .csv 与 .xlsx 文件"
    missing = import_file(tmp_path / "nope.csv", REGIONS)
    assert missing.problems[0].message.startswith("无法读取文件")
    ragged = check_rows("r.csv", [(["date", "region", "metric", "value"], [], None)], REGIONS)
    assert ragged.values == [] and ragged.problems == []


def test_short_rows_report_the_missing_cells():
    from scheduler.escalation.metrics.values import RawRow

    report = check_rows("s.csv", [(["date", "region", "metric", "value"], [RawRow(2, ("2019-10-01", "潞城区"))],
                                   None)], REGIONS)
    assert [(p.column, p.message) for p in report.problems] == [("metric", "指标为空")]


def test_dates_by_day_or_by_month():
    assert parse_date("2019-10-01") == (date(2019, 10, 1), False)
    assert parse_date("2019/10/1") == (date(2019, 10, 1), False)
    assert parse_date("2019年10月1日") == (date(2019, 10, 1), False)
    assert parse_date("2019-10") == (date(2019, 10, 1), True)
    assert parse_date("2019年10月") == (date(2019, 10, 1), True)
    assert parse_date("2020-02-30") is None
    assert parse_date("十月") is None
