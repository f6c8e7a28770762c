"""A units.yaml with cross-field mistakes: every mistake is reported at once, each with the file,
the line, the dotted field and a Chinese message a coordinator can act on."""

from __future__ import annotations

import pytest

from scheduler.errors import InputError, Problem
from scheduler.plans.units import UnitDirectory

HEAD = "version: 1\nregions:\n  - name: 甲市\n  - name: 乙县\n    parent: 甲市\n"
UNIT = """\
  - id: a-eco
    name: 甲市生态环境局
    kind: city_department
    region: 甲市
    aliases: [市生态环境局]
    head_title: 局长
"""


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        UnitDirectory.from_yaml_text(text, "bad-units.yaml")
    assert all(isinstance(p, Problem) and p.file == "bad-units.yaml" for p in info.value.problems)
    return [(p.line, p.where, p.message) for p in info.value.problems]


def test_a_region_declared_twice_is_named_at_its_second_line():
    text = HEAD + "  - name: 甲市\nunits:\n" + UNIT
    assert problems(text) == [(6, "regions.2.name", "地区“甲市”重复")]


def test_an_undeclared_parent_and_a_parent_cycle_are_both_reported_at_their_lines():
    text = ("version: 1\nregions:\n  - name: 甲市\n    parent: 丙省\n  - name: 乙县\n    parent: 丁县\n"
            "  - name: 丁县\n    parent: 乙县\nunits:\n" + UNIT)
    assert problems(text) == [
        (4, "regions.0.parent", "上级地区“丙省”未声明"),
        (6, "regions.1.parent", "地区“乙县”的上级形成循环"),
        (8, "regions.2.parent", "地区“丁县”的上级形成循环"),
    ]


def test_a_regions_chain_runs_through_every_declared_ancestor():
    text = ("version: 1\nregions:\n  - name: 甲省\n  - name: 甲市\n    parent: 甲省\n"
            "  - name: 乙县\n    parent: 甲市\nunits:\n" + UNIT.replace("region: 甲市", "region: 甲省"))
    directory = UnitDirectory.from_yaml_text(text, "units.yaml")
    # an alias declared for the province reaches a county two levels below it
    assert directory.resolve("市生态环境局", "乙县").units[0].id == "a-eco"


def test_every_bad_unit_is_reported_not_only_the_first():
    second = UNIT.replace("a-eco", "a-two").replace("甲市生态环境局", "甲市工信局").replace(
        "[市生态环境局]", "[市工信局]")
    text = (HEAD + "units:\n" + UNIT.replace("region: 甲市", "region: 丙市")
            + second.replace("region: 甲市", "region: 丁市") + UNIT + UNIT)
    assert problems(text) == [
        (10, "units.0.region", "地区“丙市”未在 regions 中声明"),
        (16, "units.1.region", "地区“丁市”未在 regions 中声明"),
        (25, "units.3.id", "单位编号“a-eco”重复"),
    ]


def test_a_doubtful_alias_that_clashes_is_named_at_its_written_field():
    other = UNIT.replace("a-eco", "a-other").replace("甲市生态环境局", "甲市环保局").replace(
        "    aliases: [市生态环境局]\n",
        "    doubtful_aliases:\n      - written: 市生态环境局\n        note: 原环保局\n")
    assert problems(HEAD + "units:\n" + UNIT + other) == [
        (18, "units.1.doubtful_aliases.0.written", "“市生态环境局”在甲市内已指单位“甲市生态环境局”")]


def test_an_alias_clashing_with_a_canonical_name_says_so():
    other = UNIT.replace("a-eco", "a-other").replace("甲市生态环境局", "甲市环保局").replace(
        "[市生态环境局]", "[甲市生态环境局]")
    assert problems(HEAD + "units:\n" + UNIT + other) == [
        (17, "units.1.aliases.0", "“甲市生态环境局”与单位“甲市生态环境局”的规范名称或称谓冲突")]


def test_bad_groups_are_all_reported_with_their_lines():
    groups = ("groups:\n"
              "  - name: 各局\n    region: 丙市\n    status: complete\n    members: [a-eco]\n"
              "  - name: 全部局\n    region: 甲市\n    status: complete\n    members: [a-eco, 甲市生态环境局]\n"
              "  - name: 各委局\n    region: 甲市\n    status: complete\n    members: [a-eco]\n"
              "    aliases: [市生态环境局]\n")
    assert problems(HEAD + "units:\n" + UNIT + groups) == [
        (15, "groups.0.region", "地区“丙市”未在 regions 中声明"),
        (21, "groups.1.members.1", "分组成员“甲市生态环境局”重复"),
        (26, "groups.2.aliases.0", "“市生态环境局”在甲市内已指单位“甲市生态环境局”"),
    ]


def test_a_group_name_that_clashes_is_named_at_its_name():
    groups = "groups:\n  - name: 市生态环境局\n    region: 甲市\n    status: complete\n    members: [a-eco]\n"
    assert problems(HEAD + "units:\n" + UNIT + groups) == [
        (14, "groups.0.name", "“市生态环境局”在甲市内已指单位“甲市生态环境局”")]


def test_a_group_member_may_be_named_by_id_or_by_canonical_name():
    groups = ("groups:\n  - name: 各局\n    region: 甲市\n    status: complete\n"
              "    members: [甲市生态环境局]\n"
              "  - name: 有关局\n    region: 甲市\n    status: incomplete\n    note: 名单待补\n"
              "    members: [a-eco]\n")
    directory = UnitDirectory.from_yaml_text(HEAD + "units:\n" + UNIT + groups, "units.yaml")
    complete = directory.resolve("各局", "甲市")
    assert (complete.status, [u.id for u in complete.units], complete.note) == ("group", ["a-eco"], "")
    incomplete = directory.resolve("有关局", "乙县")
    assert (incomplete.status, [u.id for u in incomplete.units]) == ("group", ["a-eco"])
    assert incomplete.note == "“有关局”成员不全：名单待补"


def test_a_title_without_a_note_is_explained_and_one_with_a_note_keeps_it():
    titles = "titles:\n  - name: 各县区长\n  - name: 分管副市长\n    note: 请写明所分管的单位\n"
    directory = UnitDirectory.from_yaml_text(HEAD + "units:\n" + UNIT + titles, "units.yaml")
    plain = directory.resolve("各县区长", "甲市")
    assert (plain.status, plain.units, plain.note) == ("title", (), "“各县区长”是职务称谓，不是单位")
    assert directory.resolve("分管副市长", "乙县").note == "请写明所分管的单位"


def test_a_units_note_reaches_the_unit():
    text = HEAD + "units:\n" + UNIT + "    note: 2019年机构改革后新设\n"
    directory = UnitDirectory.from_yaml_text(text, "units.yaml")
    assert directory.get("a-eco").note == "2019年机构改革后新设"
    assert directory.find("a-eco") is directory.find("甲市生态环境局") is directory.get("a-eco")


def test_an_empty_name_is_unknown_and_says_why():
    directory = UnitDirectory.from_yaml_text(HEAD + "units:\n" + UNIT, "units.yaml")
    got = directory.resolve("  ", "甲市")
    assert (got.status, got.units, got.note) == ("unknown", (), "单位名称为空")


def test_a_yaml_mistake_in_text_names_the_file_it_came_from():
    with pytest.raises(InputError) as info:
        UnitDirectory.from_yaml_text(HEAD + "units: [\n", "mine.yaml")
    assert [p.file for p in info.value.problems] == ["mine.yaml"]


def test_a_title_named_like_a_unit_says_the_name_is_taken_province_wide():
    titles = "titles:\n  - name: 甲市生态环境局\n"
    assert problems(HEAD + "units:\n" + UNIT + titles) == [
        (14, "titles.0.name", "“甲市生态环境局”在全省内已指单位“甲市生态环境局”")]


def test_a_unit_named_like_another_units_alias_is_named_at_its_name_and_the_units_after_it_are_read():
    second = UNIT.replace("a-eco", "a-two").replace("name: 甲市生态环境局", "name: 市生态环境局").replace(
        "[市生态环境局]", "[]")
    third = UNIT.replace("a-eco", "a-three").replace("region: 甲市", "region: 丙市")
    assert problems(HEAD + "units:\n" + UNIT + UNIT + second + third) == [
        (13, "units.1.id", "单位编号“a-eco”重复"),
        (20, "units.2.name", "“市生态环境局”在全省内已指单位“甲市生态环境局”"),
        (28, "units.3.region", "地区“丙市”未在 regions 中声明"),
    ]


def test_a_name_clashing_with_a_doubtful_alias_or_a_group_names_who_holds_it():
    first = UNIT.replace("    aliases: [市生态环境局]\n",
                         "    doubtful_aliases:\n      - written: 市环保局\n        note: 原环保局\n")
    second = UNIT.replace("a-eco", "a-two").replace("甲市生态环境局", "甲市环境局").replace(
        "[市生态环境局]", "[市环保局]")
    groups = "groups:\n  - name: 各局\n    region: 甲市\n    status: complete\n    members: [a-eco]\n"
    titles = "titles:\n  - name: 各局\n"
    assert problems(HEAD + "units:\n" + first + second + groups + titles) == [
        (19, "units.1.aliases.0", "“市环保局”在甲市内已指单位“甲市生态环境局”"),
        (27, "titles.0.name", "“各局”在全省内已指分组“各局”"),
    ]


def test_two_units_with_one_name_are_refused_at_the_second_name() -> None:
    twin = UNIT.replace("a-eco", "a-twin").replace("[市生态环境局]", "[]")
    spaced = UNIT.replace("a-eco", "a-spaced").replace("name: 甲市生态环境局", "name: 甲市 生态环境局").replace(
        "[市生态环境局]", "[]")
    later = UNIT.replace("a-eco", "a-later").replace("region: 甲市", "region: 丙市")
    assert problems(HEAD + "units:\n" + UNIT + twin + later) == [  # and the units after it are still read
        (14, "units.1.name", "单位名称“甲市生态环境局”已由单位编号“a-eco”使用，名称须唯一"),
        (22, "units.2.region", "地区“丙市”未在 regions 中声明")]
    assert [p[1:] for p in problems(HEAD + "units:\n" + UNIT + spaced)] == [
        ("units.1.name", "单位名称“甲市 生态环境局”已由单位编号“a-eco”使用，名称须唯一")]
