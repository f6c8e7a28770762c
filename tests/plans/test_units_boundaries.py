"""Units at their edges: the official division list read fresh (a municipality, a prefecture city,
a county-level city), and a unit table with blank lines before its header, Chinese and upper-case
headers, a GBK CSV, a workbook with empty cells, and one problem per bad cell at its row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from scheduler.plans.units import official_divisions
from scheduler.plans.units.divisions import CITY_LEVEL, Division, Divisions
from scheduler.plans.units.table import UnitRow, read_unit_table

# official_divisions() is cached per process; the uncached reader walks the package's list afresh.
read_divisions = official_divisions.__wrapped__


# --- the official division list -----------------------------------------------------------------

def test_a_municipality_is_its_own_city_and_province_and_holds_its_districts() -> None:
    divisions = read_divisions()
    assert divisions.find("北京市") == Division("11", "北京市", "直辖市", "北京市", "北京市")
    assert divisions.find("东城区") == Division("110101", "东城区", "市辖区", "北京市", "北京市")
    assert [d.name for d in divisions.counties("北京市")][:2] == ["东城区", "西城区"]


def test_a_prefecture_city_is_its_own_city_and_its_counties_lie_in_it_in_the_list_order() -> None:
    divisions = read_divisions()
    assert divisions.find("长治市") == Division("1404", "长治市", "地级市", "长治市", "山西省")
    assert divisions.find("长治") == divisions.find("长治市")
    assert divisions.find("阳高县") == Division("140221", "阳高县", "县", "大同市", "山西省")
    assert divisions.find("古交市") == Division("140181", "古交市", "县级市", "太原市", "山西省")
    assert [d.name for d in divisions.counties("长治市")] == [
        "潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县", "黎城县", "壶关县", "长子县", "武乡县", "沁县",
        "沁源县"]
    assert [d.name for d in divisions.counties("太原市", frozenset({"县级市"}))] == ["古交市"]
    assert divisions.counties("山西省") == []  # a province is not a city: nothing lies directly in it


def test_a_county_directly_under_its_province_is_its_own_city() -> None:
    assert read_divisions().find("济源市") == Division("419001", "济源市", "县级市", "济源市", "河南省")


def test_no_city_is_listed_among_counties_and_every_county_names_a_city_of_its_province() -> None:
    divisions = read_divisions()
    cities = {d.name: d for d in divisions._all if d.is_city}
    assert "长治市" in cities and "北京市" in cities
    for division in divisions._all:
        if division.is_city or division.city == division.name:  # 济源市 lies directly in 河南省
            assert division.city == division.name
        else:
            assert division.city in cities, division
            assert cities[division.city].province == division.province, division
    assert all(d.type not in CITY_LEVEL for city in cities for d in divisions.counties(city))


def test_a_name_two_cities_share_is_settled_only_by_the_city() -> None:
    divisions = read_divisions()
    assert divisions.find("城区") is None
    jincheng = divisions.find("城区", "晋城市")
    assert jincheng is not None and (jincheng.city, jincheng.province) == ("晋城市", "山西省")


def test_a_hand_made_list_keeps_its_order_and_groups_counties_by_city() -> None:
    divisions = Divisions([Division("1", "甲市", "地级市", "甲市", "某省"),
                           Division("11", "乙区", "市辖区", "甲市", "某省"),
                           Division("12", "丙县", "县", "甲市", "某省")])
    assert [d.name for d in divisions.counties("甲市")] == ["乙区", "丙县"]
    assert divisions.names() == frozenset({"甲市", "乙区", "丙县"})
    assert divisions.find("甲").code == "1"  # type: ignore[union-attr]


# --- the unit table ------------------------------------------------------------------------------

def read(tmp_path: Path, text: str, name: str = "units.csv", encoding: str = "utf-8",
         regions: frozenset[str] = frozenset({"长治市"})) -> tuple[list[UnitRow], list[tuple[int | None, str, str]]]:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    table = read_unit_table(path, official_divisions(), regions)
    assert table.file == str(path)
    assert all(p.file == str(path) for p in table.problems)
    return table.rows, [(p.line, p.where, p.message) for p in table.problems]


def test_a_table_with_blank_lines_above_its_chinese_header_reads_every_column(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "\n,,\n名称,地区,类型,邮箱,机器人,联系方式,别名,负责人职务\n"
                          "长治市气象局,长治市,其他,a@b.cn,https://x.cn/h,c@d.cn|https://y.cn,"
                          "气象局、长治市气象局，市气象局；气象局,首席\n\n长治市气象局,长治市,,,,,,\n")
    assert rows == [UnitRow(4, "长治市气象局", "长治市", "other", "首席", ["气象局", "市气象局"],
                            ["a@b.cn", "c@d.cn"], ["https://x.cn/h", "https://y.cn"])]
    assert problems == [(6, "第 1 列（名称）", "“长治市气象局”与第 4 行重复")]


def test_a_row_without_kind_or_head_title_gets_them_from_its_name(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "Name,REGION\n潞州区人民政府,潞州区\n市发改委,长治市\n")
    assert problems == []
    assert [(r.row, r.kind, r.head_title) for r in rows] == [
        (2, "county_government", "主要负责同志"), (3, "city_department", "主任")]


def test_each_bad_cell_is_one_problem_at_its_row_and_column_and_the_good_rows_still_come(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "name,region,kind\n,长治市,\n某单位,,\n某单位2,火星,\nB局,长治市,怪类\n"
                          "市发改委,长治市,\n")
    assert [r.name for r in rows] == ["市发改委"]
    assert problems == [
        (2, "第 1 列（name）", "单位名称为空"),
        (3, "第 2 列（region）", "地区为空（如 朔州市、山阴县）"),
        (4, "第 2 列（region）", "“火星”既不在单位名录的地区中，也不在国家行政区划中"),
        (5, "第 3 列（kind）", "单位类型“怪类”无法识别（可写 市直部门、县区政府、管委会、乡镇政府、企业、其他）"),
    ]


def test_a_region_of_the_official_list_is_accepted_though_the_directory_lacks_it(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "name,region\n阳高县生态环境局,阳高县\n", regions=frozenset())
    assert problems == [] and [r.region for r in rows] == ["阳高县"]


def test_a_contact_in_the_wrong_column_names_what_the_column_wants(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "name,region,email,webhook,contacts\n"
                          "A局,长治市,https://x.cn,a@b.cn,foo\nC局,长治市,a@b.cn；a@b.cn,,\n")
    assert problems == [
        (2, "第 3 列（email）", "“https://x.cn”不是电子邮箱"),
        (2, "第 4 列（webhook）", "“a@b.cn”不是以 http(s):// 开头的网址"),
        (2, "第 5 列（contacts）", "“foo”不是电子邮箱或网址"),
    ]
    assert [(r.name, r.email, r.webhook) for r in rows] == [("C局", ["a@b.cn"], [])]


def test_the_first_of_two_columns_with_one_meaning_wins(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, "名称,单位名称,地区\nA局,B局,长治市\n")
    assert [r.name for r in rows] == ["A局"]


def test_a_header_without_name_or_region_names_the_headers_it_would_take(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "\nkind\nx\n")
    assert rows == []
    assert problems == [(2, "表头", "表头缺少“名称”列（可写 name、名称、单位名称、单位、规范名称）"),
                        (2, "表头", "表头缺少“地区”列（可写 region、地区、所属地区、行政区划）")]


@pytest.mark.parametrize("text", ["", "\n\n", ",,\n , \n"])
def test_a_table_without_a_header_is_empty(tmp_path: Path, text: str) -> None:
    assert read(tmp_path, text) == ([], [(None, "", "单位表为空")])


def test_a_gbk_csv_saved_by_excel_reads_like_utf8(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "单位名称,所属地区\n长治市生态环境局,长治市\n", encoding="gb18030")
    assert problems == [] and [r.name for r in rows] == ["长治市生态环境局"]


def test_a_txt_table_and_an_upper_case_suffix_are_read(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, "name,region\nC局,长治市\n", name="units.TXT")
    assert [r.name for r in rows] == ["C局"]


def test_a_workbook_with_empty_and_numeric_cells_reads_them_as_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "地区", "别名", "负责人职务"])
    sheet.append(["长治市气象局", "长治市", None, 12])
    path = tmp_path / "units.XLSX"
    book.save(path)
    table = read_unit_table(path, official_divisions(), frozenset({"长治市"}))
    assert table.problems == []
    assert [(r.row, r.name, r.aliases, r.head_title) for r in table.rows] == [(2, "长治市气象局", [], "12")]


def test_a_file_of_another_kind_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    table = read_unit_table(tmp_path / "missing.docx", official_divisions(), frozenset())
    assert [(p.file, p.line, p.message) for p in table.problems] == [
        (str(tmp_path / "missing.docx"), None, "单位表应为 .csv 或 .xlsx 文件")]
    missing = read_unit_table(tmp_path / "missing.csv", official_divisions(), frozenset())
    assert [(p.line, p.message.split("：")[0]) for p in missing.problems] == [(None, "无法读取单位表")]


def test_a_macro_workbook_is_read_like_a_workbook_and_a_formula_is_no_value(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "地区", "负责人职务"])
    sheet.append(["长治市气象局", "长治市", '="台长"'])  # saved without a computed value
    path = tmp_path / "units.xlsm"
    book.save(path)
    table = read_unit_table(path, official_divisions(), frozenset({"长治市"}))
    assert table.problems == []
    assert [(r.name, r.head_title) for r in table.rows] == [("长治市气象局", "局长")]


def test_a_row_shorter_than_the_header_has_empty_cells_at_its_end(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "name,region,kind,email\n长治市气象局,长治市\n")
    assert problems == []
    assert [(r.name, r.kind, r.email) for r in rows] == [("长治市气象局", "city_department", [])]


def test_an_unreadable_table_names_its_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    table = read_unit_table(broken, official_divisions(), frozenset())
    assert [(p.file, p.line) for p in table.problems] == [(str(broken), None)]
    assert table.problems[0].message.startswith("无法读取单位表：")


def test_a_good_row_after_a_duplicate_still_comes_through(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "name,region\nA局,长治市\nA局,长治市\nB局,长治市\n")
    assert [(r.row, r.name) for r in rows] == [(2, "A局"), (4, "B局")]
    assert problems == [(3, "第 1 列（name）", "“A局”与第 2 行重复")]
