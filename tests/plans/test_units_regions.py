"""Names of plans from regions data/units.yaml does not declare: generic names by the plan's region,
county lists from the official division list, provisional units for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.plans.units import Resolution, UnitDirectory, official_divisions

ROOT = Path(__file__).resolve().parents[2]
DATONG_COUNTIES = ["新荣区人民政府", "平城区人民政府", "云冈区人民政府", "云州区人民政府", "阳高县人民政府",
                   "天镇县人民政府", "广灵县人民政府", "灵丘县人民政府", "浑源县人民政府", "左云县人民政府"]


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.load(ROOT / "data" / "units.yaml")


def names(resolution: Resolution) -> list[str]:
    return [unit.name for unit in resolution.units]


def test_the_division_list_covers_every_city_and_county_of_shanxi():
    divisions = official_divisions()
    cities = ["太原市", "大同市", "阳泉市", "长治市", "晋城市", "朔州市", "晋中市", "运城市", "忻州市", "临汾市",
              "吕梁市"]
    assert all(divisions.find(city) is not None and divisions.find(city).is_city for city in cities)
    assert sum(len(divisions.counties(city)) for city in cities) == 117
    assert [d.name for d in divisions.counties("长治市")][:2] == ["潞州区", "上党区"]  # after the 2019 reform


def test_the_division_list_reaches_other_provinces():
    divisions = official_divisions()
    assert [d.name for d in divisions.counties("石家庄市", frozenset({"县级市"}))] == ["辛集市", "晋州市", "新乐市"]
    assert divisions.find("海淀区").city == "北京市"
    assert divisions.find("城区") is None  # 阳泉 and 晋城 both have one
    assert divisions.find("城区", within="晋城市").code == "140502"


@pytest.mark.parametrize(("written", "expected"), [
    ("各县（市、区）政府", DATONG_COUNTIES),
    ("各县（市、区）人民政府", DATONG_COUNTIES),
    ("各县区政府", DATONG_COUNTIES),
    ("各区政府", DATONG_COUNTIES[:4]),
    ("各县人民政府", DATONG_COUNTIES[4:]),
])
def test_a_county_group_of_a_new_city_expands_from_the_division_list(directory, written, expected):
    resolution = directory.resolve(written, "大同市")
    assert (resolution.status, names(resolution)) == ("group", expected)
    assert {u.kind for u in resolution.units} == {"county_government"}
    assert all(u.id.startswith("div-1402") for u in resolution.units)  # the official codes of 大同


def test_a_county_government_of_a_new_city_resolves_by_its_official_name(directory):
    for written in ("阳高县政府", "阳高县人民政府", "阳高县"):
        assert names(directory.resolve(written, "大同市")) == ["阳高县人民政府"]
    assert directory.resolve("阳高县政府", "太原市").status == "provisional"  # not a county of 太原


def test_a_city_department_of_a_new_city_is_a_provisional_unit_named_with_the_city(directory):
    resolution = directory.resolve("市生态环境局", "大同市")
    assert resolution.status == "provisional"
    unit = resolution.units[0]
    assert (unit.name, unit.kind, unit.region, unit.head_title) == ("大同市生态环境局", "provisional", "大同市", "局长")
    assert unit.id == directory.resolve("大同市生态环境局", "阳高县").units[0].id  # the same unit either way


def test_a_county_plan_reads_shi_as_its_city_and_xian_as_itself(directory):
    assert names(directory.resolve("市生态环境局", "阳高县")) == ["大同市生态环境局"]
    assert directory.resolve("市生态环境局", "阳高县").units[0].region == "大同市"  # the city's bureau
    assert names(directory.resolve("县住建局", "阳高县")) == ["阳高县住建局"]
    assert directory.resolve("县住建局", "阳高县").units[0].region == "阳高县"


def test_a_county_of_a_declared_city_keeps_the_citys_short_names(directory):
    # 高平市 is not declared, but "市生态环境局" in a plan of a county of 长治 still means 长治's
    assert names(directory.resolve("市生态环境局", "襄垣县")) == ["长治市生态环境局"]


def test_a_name_without_a_place_keeps_its_region_so_two_cities_do_not_share_it(directory):
    assert names(directory.resolve("电力公司", "大同市")) == ["电力公司（大同市）"]
    assert names(directory.resolve("电力公司", "朔州市")) == ["电力公司（朔州市）"]
    assert names(directory.resolve("国网大同供电公司", "大同市")) == ["国网大同供电公司"]


def test_a_region_nobody_knows_still_resolves_every_name_to_something(directory):
    resolution = directory.resolve("各县（市、区）政府", "某某市")
    assert resolution.status == "provisional"
    units, attention = directory.recipients(["市生态环境局", "各县（市、区）政府"], "某某市")
    assert len(units) == 2 and all(u.provisional for u in units)
    assert [r.status for r in attention] == ["provisional", "provisional"]


def test_new_city_helpers_answer_without_a_key_error(directory):
    assert [u.name for u in directory.counties("大同市")] == DATONG_COUNTIES
    spellings = directory.spellings("大同市")
    assert "各县区长" in spellings and "长治市生态环境局" in spellings  # titles and canonical names apply
    assert "市生态环境局" not in spellings  # 长治's short name does not
    assert directory.counties("某某市") == []


ALPHABET = list("市县区各（）、政府人民局委办生态环境阳高朔州镇 \n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=st.text(alphabet=st.sampled_from(ALPHABET), max_size=14),
       region=st.sampled_from(["大同市", "阳高县", "长治市", "泽州县", "某某市", "城区", ""]))
def test_any_name_in_any_region_resolves_without_raising(directory, written, region):
    resolution = directory.resolve(written, region)
    assert resolution.status in ("unit", "group", "ambiguous", "unknown", "title", "provisional")
    if resolution.status == "provisional":
        assert len(resolution.units) == 1 and resolution.units[0].kind == "provisional"
        assert resolution.units[0].name.strip() and "\n" not in resolution.units[0].name


def test_a_county_name_several_cities_share_carries_its_city(directory):
    yangquan = directory.resolve("各县（区）人民政府", "阳泉市")
    assert names(yangquan)[:3] == ["阳泉市城区人民政府", "矿区人民政府", "阳泉市郊区人民政府"]
    assert all(u.region == "阳泉市" for u in yangquan.units)
    assert names(directory.resolve("城区政府", "阳泉市")) == ["阳泉市城区人民政府"]
    assert directory.resolve("城区政府", "晋城市").units[0].id == "jc-chengqu"  # the declared one stays


def test_a_missing_directory_says_how_to_start_one(tmp_path):
    from scheduler.errors import InputError

    with pytest.raises(InputError) as info:
        UnitDirectory.load(tmp_path / "units.yaml")
    assert "duban units import" in str(info.value.problems[0])
