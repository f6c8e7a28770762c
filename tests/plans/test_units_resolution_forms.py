"""How a written name finds its unit through the regions: a county's plan reads its city's names,
a county-level city's plan reads its own, a region-qualified short form ("晋城城区", "沁县住建局")
reaches the region's unit, and a name the directory lacks keeps the place written in it."""

from __future__ import annotations

from pathlib import Path

from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[2]


def seeds() -> UnitDirectory:
    # built per test: each test reads the directory as it is built, not a copy another test warmed
    return UnitDirectory.load(ROOT / "data" / "units.yaml")


def names(written: str, region: str, directory: UnitDirectory | None = None) -> tuple[str, list[str]]:
    got = (directory or seeds()).resolve(written, region)
    return got.status, [u.name for u in got.units]


def test_a_district_the_file_does_not_declare_reads_its_citys_aliases():
    assert names("市工信局", "潞城区") == ("unit", ["长治市工业和信息化局"])


def test_a_county_level_citys_plan_means_its_own_bureau_not_its_prefectures():
    assert names("市生态环境局", "介休市") == ("provisional", ["介休市生态环境局"])
    assert names("市生态环境局", "晋中市") == ("unit", ["晋中市生态环境局"])


def test_a_region_qualified_short_form_reaches_the_regions_unit():
    assert names("晋城城区", "晋城市") == ("unit", ["晋城市城区人民政府"])
    assert names("晋中市工信局", "长治市") == ("unit", ["晋中市工业和信息化局"])


def test_a_two_character_county_has_its_qualified_short_forms_too():
    text = """\
version: 1
regions:
  - name: 长治市
  - name: 沁县
    parent: 长治市
units:
  - id: qx-zj
    name: 沁县住房和城乡建设局
    kind: city_department
    region: 沁县
    aliases: [县住建局]
    head_title: 局长
"""
    directory = UnitDirectory.from_yaml_text(text)
    assert names("沁县住建局", "长治市", directory) == ("unit", ["沁县住房和城乡建设局"])


def test_a_county_the_file_does_not_declare_reads_every_declared_region_above_its_city():
    text = """\
version: 1
regions:
  - name: 山西省
  - name: 长治市
    parent: 山西省
units:
  - id: sx-eco
    name: 山西省生态环境厅
    kind: city_department
    region: 山西省
    aliases: [省生态环境厅]
    head_title: 厅长
"""
    directory = UnitDirectory.from_yaml_text(text)
    assert names("省生态环境厅", "潞城区", directory) == ("unit", ["山西省生态环境厅"])


def test_a_name_that_starts_with_a_place_keeps_it_and_gets_no_region_after_it():
    assert names("沁县委", "长治市") == ("provisional", ["沁县委"])
    assert names("沁县环保局", "长治市") == ("provisional", ["沁县环保局"])
    assert names("晋城环保局", "长治市") == ("provisional", ["晋城环保局"])
    assert names("壶关县某某化工有限责任公司", "长治市") == ("provisional", ["壶关县某某化工有限责任公司"])


def test_a_bare_place_outside_the_plans_city_is_a_unit_of_the_plans_region():
    assert names("阳城县", "长治市") == ("provisional", ["阳城县（长治市）"])


def test_a_county_plans_district_bureau_is_not_taken_for_its_own():
    # 区住建局 in a county's plan names no level the county has: kept with the region after it
    assert names("区住建局", "泽州县") == ("provisional", ["区住建局（泽州县）"])
    assert names("县住建局", "泽州县") == ("unit", ["泽州县住房和城乡建设管理局"])


def test_a_county_group_of_an_undeclared_city_keeps_the_text_as_written():
    got = seeds().resolve("各区政府", "大同市")
    assert (got.written, got.status) == ("各区政府", "group")
    assert [u.name for u in got.units] == ["新荣区人民政府", "平城区人民政府", "云冈区人民政府", "云州区人民政府"]


def test_a_county_group_reaches_the_county_governments_the_file_declares():
    text = """\
version: 1
regions:
  - name: 大同市
units:
  - id: dt-pc
    name: 平城区人民政府
    kind: county_government
    region: 大同市
    head_title: 区长
    contacts: {email: [pc@example.cn], webhook: []}
"""
    got = UnitDirectory.from_yaml_text(text).resolve("各区政府", "大同市")
    assert got.status == "group"
    assert [u.id for u in got.units if u.name == "平城区人民政府"] == ["dt-pc"]


def test_a_county_group_with_its_zones_keeps_the_text_as_written_and_says_the_zones_are_left_out():
    got = seeds().resolve("各县、区人民政府（管委会）", "大同市")
    assert (got.written, got.status, len(got.units)) == ("各县、区人民政府（管委会）", "group", 10)
    assert "管委会（功能区）不在名录中" in got.note
