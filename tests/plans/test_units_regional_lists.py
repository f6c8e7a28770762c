"""Names as a new city's clause lists write them: a second department without the shared 市, the
market regulator whose name starts with 市场, and the county governments "（管委会）" follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.load(ROOT / "data" / "units.yaml")


def names(directory: UnitDirectory, written: str, region: str) -> tuple[str, list[str]]:
    resolution = directory.resolve(written, region)
    return resolution.status, [unit.name for unit in resolution.units]


def test_a_department_written_without_its_place_is_the_plan_regions_own(directory: UnitDirectory) -> None:
    # "市发展和改革局、工业和信息化局": the second name dropped the 市 the list shares
    assert names(directory, "工业和信息化局", "潮州市") == ("provisional", ["潮州市工业和信息化局"])
    assert names(directory, "市工业和信息化局", "潮州市") == ("provisional", ["潮州市工业和信息化局"])
    assert names(directory, "住建局", "阳高县") == ("provisional", ["阳高县住建局"])
    note = directory.resolve("工业和信息化局", "潮州市").note
    assert note.startswith("“工业和信息化局”按计划地区推定为“潮州市工业和信息化局”")


def test_the_same_bureau_written_with_and_without_市_is_one_unit(directory: UnitDirectory) -> None:
    with_place = directory.resolve("市发展和改革局", "潮州市").units
    without = directory.resolve("发展和改革局", "潮州市").units
    assert [u.id for u in with_place] == [u.id for u in without]


def test_the_market_regulator_is_no_市_before_场监管局(directory: UnitDirectory) -> None:
    assert names(directory, "市场监管局", "潮州市") == ("provisional", ["潮州市市场监管局"])
    assert names(directory, "市市场监管局", "潮州市") == ("provisional", ["潮州市市场监管局"])
    assert names(directory, "市场监管局", "阳高县") == ("provisional", ["阳高县市场监管局"])


@pytest.mark.parametrize(("written", "region", "name"), [
    ("县住建局", "大同市", "县住建局（大同市）"),  # a county's words in a city plan: which county is not guessed
    ("有关部门", "潮州市", "有关部门（潮州市）"),  # no department
    ("各相关局", "潮州市", "各相关局（潮州市）"),  # a group, not one bureau
    ("团市委", "潮州市", "团市委（潮州市）"),  # a place inside the name: not prefixed again
    ("某某公司", "潮州市", "某某公司（潮州市）"),  # no department
])
def test_names_that_are_no_bare_department_keep_their_region_after_them(directory: UnitDirectory, written: str,
                                                                        region: str, name: str) -> None:
    assert names(directory, written, region) == ("provisional", [name])


def test_the_county_governments_with_管委会_in_brackets_are_the_citys_counties(directory: UnitDirectory) -> None:
    resolution = directory.resolve("各县、区人民政府(管委会)", "潮州市")
    assert resolution.status == "group"
    assert [u.name for u in resolution.units] == ["湘桥区人民政府", "潮安区人民政府", "饶平县人民政府"]
    # the zones' committees are not in the division list: said, not invented
    assert "管委会" in resolution.note and "未列入" in resolution.note
    assert "湘桥区人民政府、潮安区人民政府、饶平县人民政府" in resolution.note


def test_a_county_group_without_管委会_still_needs_no_note(directory: UnitDirectory) -> None:
    resolution = directory.resolve("各县、区人民政府", "潮州市")
    assert resolution.status == "group" and resolution.note == ""
    assert [u.name for u in resolution.units] == ["湘桥区人民政府", "潮安区人民政府", "饶平县人民政府"]


def test_declared_names_are_read_from_the_directory_first(directory: UnitDirectory) -> None:
    status, units = names(directory, "各县、区人民政府", "长治市")
    assert status == "group" and len(units) == 12
