"""Names the directory lacks, one rule at a time: the kind and the addressed title a name implies,
the stable id of a provisional unit, the people's government of a county from the official list
(with its title, and its city when the name is shared), and the notes a provisional unit carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.plans.units import UnitDirectory, official_divisions
from scheduler.plans.units.model import Unit
from scheduler.plans.units.regional import confirm_hint, county_government, guess_kind, head_title, provisional_unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "kind"), [
    ("阳高县人民政府", "county_government"), ("平城区人民政府", "county_government"),
    ("古交市人民政府", "county_government"), ("土默特左旗人民政府", "county_government"),
    ("某某人民政府", "other"),  # 人民政府 after a name that is no county is not a county government
    ("西街镇人民政府", "town_government"), ("东关乡人民政府", "town_government"), ("北街街道办事处", "town_government"),
    ("高新区管委会", "zone_committee"), ("经济技术开发区管理委员会", "zone_committee"),
    ("某某公司", "enterprise"), ("某某厂", "enterprise"), ("某某集团", "enterprise"),
    ("市能源局", "city_department"), ("市发改委", "city_department"), ("市政府办", "city_department"),
    ("省生态环境厅", "city_department"), ("市安委会办公室", "city_department"), ("市编委员会", "city_department"),
    ("市政务服务中心", "city_department"), ("交警支队", "city_department"), ("交警大队", "city_department"),
    ("市气象台", "other"), ("", "other"),
])
def test_a_name_implies_its_kind(name: str, kind: str) -> None:
    assert guess_kind(name) == kind


@pytest.mark.parametrize(("name", "title"), [
    ("阳高县人民政府", "主要负责同志"), ("高新区管委会", "主任"), ("市安全生产委员会", "主任"), ("市能源局", "局长"),
    ("市发改委", "主任"), ("省生态环境厅", "厅长"), ("市政府办", "主任"), ("某某公司", "总经理"),
    ("交警支队", "支队长"), ("交警大队", "大队长"), ("市气象台", "主要负责同志"),
])
def test_a_name_implies_the_title_a_letter_addresses(name: str, title: str) -> None:
    assert head_title(name) == title


def test_a_provisional_unit_has_a_stable_id_from_its_name_alone() -> None:
    unit = provisional_unit("某某公司", "长治市", "待确认")
    assert unit == Unit("prov-0e40e0ef12", "某某公司", "provisional", "长治市", (), "总经理", note="待确认")
    assert provisional_unit("某某公司", "晋中市", "另一计划").id == unit.id
    assert unit.provisional


@pytest.mark.parametrize(("name", "within", "expected"), [
    ("阳高县", "", ("div-140221", "阳高县人民政府", "大同市", "县长")),
    ("潞州区", "", ("div-140403", "潞州区人民政府", "长治市", "区长")),
    ("古交市", "", ("div-140181", "古交市人民政府", "太原市", "市长")),
    ("土默特左旗", "", ("div-150121", "土默特左旗人民政府", "呼和浩特市", "旗长")),
    ("城区", "晋城市", ("div-140502", "晋城市城区人民政府", "晋城市", "区长")),  # a name two cities share
    ("城区", "阳泉市", ("div-140302", "阳泉市城区人民政府", "阳泉市", "区长")),
])
def test_a_county_government_from_the_official_list(name: str, within: str, expected: tuple[str, ...]) -> None:
    divisions = official_divisions()
    division = divisions.find(name, within)
    assert division is not None
    unit = county_government(division, divisions)
    assert (unit.id, unit.name, unit.region, unit.head_title) == expected
    assert (unit.kind, unit.aliases) == ("county_government", ())
    assert unit.note == f"据国家行政区划代码 {division.code}（单位名录未登记，无联系方式）"


def test_a_county_government_the_directory_declares_in_that_city_is_the_declared_unit() -> None:
    divisions = official_divisions()
    yanggao = divisions.find("阳高县")
    assert yanggao is not None
    declared = Unit("dt-yanggao", "阳高县人民政府", "county_government", "大同市", (), "县长")
    assert county_government(yanggao, divisions, {"阳高县人民政府": declared}.get) is declared
    in_the_county = Unit("yg-gov", "阳高县人民政府", "county_government", "阳高县", (), "县长")
    assert county_government(yanggao, divisions, {"阳高县人民政府": in_the_county}.get) is in_the_county


def test_a_declared_government_of_another_city_makes_the_name_carry_its_city() -> None:
    divisions = official_divisions()
    yanggao = divisions.find("阳高县")
    assert yanggao is not None
    elsewhere = Unit("x-gov", "阳高县人民政府", "county_government", "晋城市", (), "县长")
    unit = county_government(yanggao, divisions, {"阳高县人民政府": elsewhere}.get)
    assert (unit.id, unit.name, unit.region) == ("div-140221", "大同市阳高县人民政府", "大同市")
    qualified = Unit("dt-yg", "大同市阳高县人民政府", "county_government", "大同市", (), "县长")
    known = {"阳高县人民政府": elsewhere, "大同市阳高县人民政府": qualified}.get
    assert county_government(yanggao, divisions, known) is qualified
    wrong_city = Unit("jc-yg", "大同市阳高县人民政府", "county_government", "晋城市", (), "县长")
    known = {"阳高县人民政府": elsewhere, "大同市阳高县人民政府": wrong_city}.get
    assert county_government(yanggao, divisions, known).id == "div-140221"


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.load(ROOT / "data" / "units.yaml")


@pytest.mark.parametrize(("written", "region", "expected"), [
    ("市生态环境局", "大同市", ("大同市生态环境局", "大同市", "局长")),
    ("市生态环境局", "阳高县", ("大同市生态环境局", "大同市", "局长")),  # the city's bureau, owned by the city
    ("市生态环境局", "古交市", ("古交市生态环境局", "古交市", "局长")),  # a county-level city has its own
    ("县住建局", "阳高县", ("阳高县住建局", "阳高县", "局长")),
    ("区城管局", "平城区", ("平城区城管局", "平城区", "局长")),
])
def test_a_relative_name_is_read_against_the_plan_region(directory: UnitDirectory, written: str, region: str,
                                                          expected: tuple[str, str, str]) -> None:
    resolution = directory.resolve(written, region)
    (unit,) = resolution.units
    assert (resolution.written, resolution.status) == (written, "provisional")
    assert (unit.name, unit.region, unit.head_title) == expected
    assert resolution.note == unit.note == (f"“{written}”按计划地区推定为“{expected[0]}”，单位名录中尚无此单位，"
                                            f"提醒暂发协调办公室；{confirm_hint(expected[0])}")


@pytest.mark.parametrize(("written", "region", "name"), [
    ("县住建局", "大同市", "县住建局（大同市）"),  # a county's words in a city plan stay the city's own
    ("某某公司", "大同市", "某某公司（大同市）"),
    ("市生态环境局", "火星", "市生态环境局（火星）"),
    ("大同市某局", "大同市", "大同市某局"),
])
def test_a_name_that_cannot_be_placed_is_kept_with_its_region(directory: UnitDirectory, written: str, region: str,
                                                              name: str) -> None:
    resolution = directory.resolve(written, region)
    (unit,) = resolution.units
    assert (resolution.status, unit.name, unit.region) == ("provisional", name, region)
    key = written
    assert resolution.note == (f"单位名录中没有“{key}”（{region}），暂作临时单位“{name}”，提醒暂发协调办公室；"
                               f"{confirm_hint(name)}")


def test_a_county_government_of_a_new_city_is_a_unit_without_a_note(directory: UnitDirectory) -> None:
    resolution = directory.resolve("平城区政府", "大同市")
    assert (resolution.written, resolution.status, resolution.note) == ("平城区政府", "unit", "")
    assert [(u.id, u.name) for u in resolution.units] == [("div-140213", "平城区人民政府")]


def test_a_county_group_in_a_county_plan_is_no_group(directory: UnitDirectory) -> None:
    resolution = directory.resolve("各县区政府", "阳高县")
    assert resolution.status == "provisional"
    assert [u.name for u in resolution.units] == ["各县区人民政府（阳高县）"]


def test_a_relative_name_reaches_the_declared_unit_of_its_qualified_name() -> None:
    text = ("version: 1\nregions:\n  - name: 大同市\nunits:\n  - id: dt-eco\n    name: 大同市生态环境局\n"
            "    kind: city_department\n    region: 大同市\n    aliases: []\n    head_title: 局长\n")
    directory = UnitDirectory.from_yaml_text(text)
    resolution = directory.resolve("市生态环境局", "大同市")
    assert (resolution.written, resolution.status, resolution.note) == ("市生态环境局", "unit", "")
    assert [u.id for u in resolution.units] == ["dt-eco"]
