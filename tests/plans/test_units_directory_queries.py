"""The unit directory's questions at their edges: a missing or broken file named in the problem,
recipients deduplicated with only what needs a coordinator set aside (once each), lookups by id and
by name, the county governments of a declared and of an undeclared city, and spellings longest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[2]
CHANGZHI_COUNTIES = ["cz-luzhou", "cz-shangdang", "cz-lucheng", "cz-tunliu", "cz-zhangzi", "cz-huguan",
                     "cz-pingshun", "cz-licheng", "cz-xiangyuan", "cz-wuxiang", "cz-qinxian", "cz-qinyuan"]
BROKEN = "version: 1\nregions:\n  - name: 长治市\nunits:\n  - id: x\n    nme: 长治市能源局\n"  # line 6 misspells name


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.load(ROOT / "data" / "units.yaml")


def test_a_missing_directory_says_how_to_start_one(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    with pytest.raises(InputError) as info:
        UnitDirectory.load(path)
    assert [(p.file, p.line, p.message) for p in info.value.problems] == [
        (str(path), None, "缺少单位目录 units.yaml：可用 duban units import 单位表.csv "
                          "从本地的单位清单建立，名录中没有的单位名称载入时暂作临时单位")]


def test_a_broken_directory_file_is_named_with_the_line_of_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as info:
        UnitDirectory.load(path)
    assert {(p.file, p.line) for p in info.value.problems} >= {(str(path), 6)}


def test_a_directory_text_is_named_units_yaml_unless_told_otherwise() -> None:
    text = BROKEN
    for filename, args in (("units.yaml", ()), ("data/units.yaml", ("data/units.yaml",))):
        with pytest.raises(InputError) as info:
            UnitDirectory.from_yaml_text(text, *args)
        assert {(p.file, p.line) for p in info.value.problems} >= {(filename, 6)}


def test_recipients_are_deduplicated_in_order_and_what_needs_a_coordinator_is_set_aside_once(
        directory: UnitDirectory) -> None:
    written = ["市能源局", "长治市能源局", "  ", "各县区政府", "相关县区政府", "相关县区政府", "某某公司", "某某公司",
               "各县区长", "市生态环境局"]
    units, attention = directory.recipients(written, "长治市")
    assert [u.id for u in units][:13] == ["cz-energy", *CHANGZHI_COUNTIES]
    assert [u.id for u in units][-1] == "cz-eco"
    assert len(units) == 15 and units[13].provisional
    assert [(r.written, r.status) for r in attention] == [
        ("相关县区政府", "ambiguous"), ("某某公司", "provisional"), ("各县区长", "title")]


def test_a_doubtful_alias_reaches_its_unit_and_is_still_shown_to_a_coordinator(directory: UnitDirectory) -> None:
    units, attention = directory.recipients(["市大气污染防工作领导组办公室", "市大气办"], "晋城市")
    assert [u.id for u in units] == ["jc-air-office"]
    assert [(r.written, r.status) for r in attention] == [("市大气污染防工作领导组办公室", "unit")]
    assert "原文漏“治”字" in attention[0].note


def test_a_unit_is_found_by_id_or_by_name_and_a_missing_one_is_named(directory: UnitDirectory) -> None:
    assert directory.get("cz-energy").name == "长治市能源局"
    assert directory.get("长治市能源局").id == "cz-energy"
    assert directory.get(" 长治市 能源局").id == "cz-energy"
    assert directory.find("火星局") is None
    with pytest.raises(KeyError, match="单位名录中没有“火星局”"):
        directory.get("火星局")


def test_units_come_in_file_order_and_a_caller_cannot_change_them(directory: UnitDirectory) -> None:
    units = directory.units()
    assert units[0].id == "cz-energy"
    units.clear()
    assert directory.units()[0].id == "cz-energy"


def test_the_counties_of_a_declared_city_are_its_declared_governments_only(directory: UnitDirectory) -> None:
    assert [u.id for u in directory.counties("长治市")] == CHANGZHI_COUNTIES
    jincheng = directory.counties("晋城市")
    assert jincheng and {(u.kind, u.region) for u in jincheng} == {("county_government", "晋城市")}


def test_the_counties_of_an_undeclared_city_come_from_the_official_list(directory: UnitDirectory) -> None:
    datong = directory.counties("大同市")
    assert [(u.id, u.name) for u in datong][:2] == [("div-140212", "新荣区人民政府"), ("div-140213", "平城区人民政府")]
    assert len(datong) == 10


def test_a_county_government_the_directory_declares_is_reused_for_an_undeclared_parent() -> None:
    text = ("version: 1\nregions:\n  - name: 阳高县\nunits:\n  - id: yg-gov\n    name: 阳高县人民政府\n"
            "    kind: county_government\n    region: 阳高县\n    aliases: []\n    head_title: 县长\n")
    directory = UnitDirectory.from_yaml_text(text)
    assert [u.id for u in directory.counties("大同市") if u.name == "阳高县人民政府"] == ["yg-gov"]


def test_spellings_come_longest_first(directory: UnitDirectory) -> None:
    spellings = directory.spellings("泽州县")
    assert [len(s) for s in spellings] == sorted((len(s) for s in spellings), reverse=True)
    assert "县发展和改革局" in spellings and "市大气办" in spellings  # its own and its city's
    assert spellings[-1] == "城区"
