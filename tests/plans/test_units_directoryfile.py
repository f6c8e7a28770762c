"""Adding units to the text of data/units.yaml: where each line goes, what a coordinator's comments
and the blocks after `units:` keep, which regions come with a unit, and what is refused (a unit
already there, a name or alias that already means another unit, a file that would not load)."""

from __future__ import annotations

from scheduler.errors import Problem
from scheduler.plans.units import UnitDirectory
from scheduler.plans.units.directoryfile import add_units
from scheduler.plans.units.table import UnitRow

TEXT = """\
# 单位名录
version: 1

regions:
  - name: 长治市
  # 以下为县区

units:
  - id: cz-energy
    name: 长治市能源局
    kind: city_department
    region: 长治市
    aliases: [市能源局]
    head_title: 局长
    contacts: {email: [], webhook: []}
  # 以上为市直部门

groups:
  - name: 各县区人民政府
    region: 长治市
    aliases: [各县区政府]
    status: ambiguous
    note: 需协调人指明
"""


def row(n: int, name: str, region: str, kind: str = "city_department", aliases: tuple[str, ...] = (),
        email: tuple[str, ...] = (), webhook: tuple[str, ...] = ()) -> UnitRow:
    return UnitRow(n, name, region, kind, "局长", list(aliases), list(email), list(webhook))


def test_new_units_go_after_the_last_unit_and_their_regions_after_the_last_region() -> None:
    directory = UnitDirectory.from_yaml_text(TEXT)
    edit = add_units(TEXT, [
        row(2, "长治市能源局", "长治市"),
        row(3, "长治市气象局", "长治市", "other", ("气象局",), ("qx@cz.cn",), ("https://h.cn/x",)),
        row(4, "潞州区发改局", "潞州区"),
        row(5, "长治市新局", "长治市", aliases=("市能源局",)),
        row(6, "县区统筹办", "长治市", aliases=("各县区政府",)),
        row(7, "火星局", "火星市"),
    ], directory, "units.csv")
    assert edit.text == TEXT.replace("  # 以下为县区\n", """\
  - name: "潞州区"
    parent: "长治市"
  - name: "火星市"
  # 以下为县区
""").replace("  # 以上为市直部门\n", """\
  # 由 duban units import 自 units.csv 导入
  - id: u-1404-200c980b
    name: "长治市气象局"
    kind: other
    region: "长治市"
    aliases: ["气象局"]
    head_title: "局长"
    contacts: {email: ["qx@cz.cn"], webhook: ["https://h.cn/x"]}
  - id: u-140403-f7173235
    name: "潞州区发改局"
    kind: city_department
    region: "潞州区"
    aliases: []
    head_title: "局长"
    contacts: {email: [], webhook: []}
  - id: u-x-de405173
    name: "火星局"
    kind: city_department
    region: "火星市"
    aliases: []
    head_title: "局长"
    contacts: {email: [], webhook: []}
  # 以上为市直部门
""")
    assert [r.row for r in edit.added] == [3, 4, 7]
    assert [(r.row, why) for r, why in edit.skipped] == [(2, "“长治市能源局”已在单位名录中（cz-energy），未改动")]
    assert edit.regions == ["潞州区", "火星市"]
    assert edit.problems == [Problem("units.csv", 5, "“市能源局”在长治市已指长治市能源局", "名称或别名"),
                             Problem("units.csv", 6, "“各县区政府”在长治市已指ambiguous", "名称或别名")]
    reloaded = UnitDirectory.from_yaml_text(edit.text)
    assert reloaded.find("潞州区发改局") is not None and reloaded.find("火星局") is not None


def test_a_county_of_an_undeclared_city_brings_the_city_first_and_each_region_once() -> None:
    edit = add_units(TEXT, [row(2, "阳高县发改局", "阳高县"), row(3, "阳高县工信局", "阳高县")],
                     UnitDirectory.from_yaml_text(TEXT), "县区.csv")
    assert edit.problems == []
    assert edit.regions == ["大同市", "阳高县"]
    assert edit.text.count('  - name: "阳高县"\n    parent: "大同市"\n') == 1
    assert '  - name: "大同市"\n  - name: "阳高县"' in edit.text
    assert "  # 由 duban units import 自 县区.csv 导入\n  - id: u-140221-" in edit.text
    reloaded = UnitDirectory.from_yaml_text(edit.text)
    assert [u.region for u in reloaded.units() if u.name.startswith("阳高县")] == ["阳高县", "阳高县"]
    assert reloaded.regions()[-2:] == ["大同市", "阳高县"]


def test_lists_written_empty_are_opened_and_a_missing_last_newline_is_added() -> None:
    text = "version: 1\nregions:\n  - name: 长治市\nunits: []  # none yet"
    edit = add_units(text, [row(2, "长治市气象局", "长治市")], UnitDirectory.from_yaml_text(text), "u.csv")
    assert edit.problems == []
    assert edit.text.startswith("version: 1\nregions:\n  - name: 长治市\nunits:\n  # 由 duban units import 自 u.csv")
    assert edit.text.endswith('contacts: {email: [], webhook: []}\n')


def test_nothing_new_leaves_the_text_as_it_was() -> None:
    edit = add_units(TEXT, [row(2, "长治市能源局", "长治市")], UnitDirectory.from_yaml_text(TEXT), "u.csv")
    assert edit.text == TEXT and edit.added == [] and edit.regions == []


def test_a_result_that_would_not_load_is_refused_whole() -> None:
    twice = [row(2, "长治市气象局", "长治市"), row(3, "长治市气象局", "长治市")]
    edit = add_units(TEXT, twice, UnitDirectory.from_yaml_text(TEXT), "u.csv", "data/units.yaml")
    assert edit.text == TEXT and edit.added == []
    assert edit.problems and all(p.file == "data/units.yaml" for p in edit.problems)


TWO_UNITS = """\
version: 1
regions:
  - name: 长治市
units:
  - id: cz-a
    name: 长治市甲局
    kind: city_department
    region: 长治市
    aliases: []
    head_title: 局长
  - id: cz-b
    name: 长治市乙局
    kind: city_department
    region: 长治市
    aliases: []
    head_title: 局长
groups:
  - name: 甲乙两局
    region: 长治市
    aliases: []
    status: complete
    members: [cz-a, cz-b]
titles:
  - name: 县区长
    note: 职务称谓
"""


def test_an_alias_naming_a_group_or_a_title_is_refused_with_what_it_already_means() -> None:
    edit = add_units(TWO_UNITS, [row(2, "长治市丙局", "长治市", aliases=("甲乙两局",)),
                                 row(3, "长治市丁局", "长治市", aliases=("县区长",))],
                     UnitDirectory.from_yaml_text(TWO_UNITS), "u.csv")
    assert edit.added == [] and edit.text == TWO_UNITS
    assert edit.problems == [Problem("u.csv", 2, "“甲乙两局”在长治市已指长治市甲局、长治市乙局", "名称或别名"),
                             Problem("u.csv", 3, "“县区长”在长治市已指title", "名称或别名")]


def test_several_aliases_and_contacts_are_written_as_one_flow_list_each() -> None:
    edit = add_units(TWO_UNITS, [row(4, "长治市戊局", "长治市", aliases=("戊局", "市戊局"), email=("a@x.cn", "b@x.cn"),
                                     webhook=("https://a.cn", "https://b.cn"))],
                     UnitDirectory.from_yaml_text(TWO_UNITS), "u.csv")
    assert '    aliases: ["戊局", "市戊局"]\n' in edit.text
    assert '    contacts: {email: ["a@x.cn", "b@x.cn"], webhook: ["https://a.cn", "https://b.cn"]}\n' in edit.text
    unit = UnitDirectory.from_yaml_text(edit.text).find("长治市戊局")
    assert unit is not None and unit.aliases == ("戊局", "市戊局")


def test_an_empty_unit_list_followed_by_another_block_gets_its_units_right_below_it() -> None:
    text = "version: 1\nregions:\n  - name: 长治市\nunits: []\ntitles:\n  - name: 县区长\n    note: 职务称谓\n"
    edit = add_units(text, [row(2, "长治市丙局", "长治市")], UnitDirectory.from_yaml_text(text), "u.csv")
    assert edit.problems == []
    assert edit.text.startswith("version: 1\nregions:\n  - name: 长治市\nunits:\n"
                                "  # 由 duban units import 自 u.csv 导入\n")
    assert edit.text.endswith('    contacts: {email: [], webhook: []}\ntitles:\n  - name: 县区长\n    note: 职务称谓\n')


def test_a_unit_of_a_region_the_directory_does_not_declare_has_no_names_to_clash_with() -> None:
    directory = UnitDirectory.from_yaml_text(TWO_UNITS)
    edit = add_units(TWO_UNITS, [row(2, "大同市统筹办", "大同市", aliases=("各县区政府",))], directory, "u.csv")
    assert edit.problems == [] and [r.name for r in edit.added] == ["大同市统筹办"]


def test_a_refused_edit_names_units_yaml_unless_told_otherwise() -> None:
    twice = [row(2, "长治市气象局", "长治市"), row(3, "长治市气象局", "长治市")]
    edit = add_units(TEXT, twice, UnitDirectory.from_yaml_text(TEXT), "u.csv")
    assert edit.problems and {p.file for p in edit.problems} == {"units.yaml"}


def test_a_file_whose_lists_start_at_the_keys_column_gets_entries_at_that_column() -> None:
    flush = """\
version: 1
regions:
- name: 长治市
units:
- id: cz-energy
  name: 长治市能源局
  kind: city_department
  region: 长治市
  aliases: [市能源局]
  head_title: 局长
  contacts: {email: [], webhook: []}
"""
    directory = UnitDirectory.from_yaml_text(flush)
    edit = add_units(flush, [row(2, "长治市气象局", "长治市"), row(3, "潞州区发改局", "潞州区")], directory, "u.csv")
    assert edit.problems == []
    assert [r.name for r in edit.added] == ["长治市气象局", "潞州区发改局"]
    assert '- name: "潞州区"\n  parent: "长治市"\nunits:' in edit.text
    assert '\n- id: u-' in edit.text and '\n  name: "长治市气象局"\n' in edit.text
    loaded = UnitDirectory.from_yaml_text(edit.text)
    assert loaded.find("长治市气象局") is not None and loaded.find("潞州区发改局") is not None
    assert loaded.find("长治市能源局") is not None


def test_a_file_whose_lists_are_indented_four_spaces_gets_entries_at_four_spaces() -> None:
    # a blank line and a comment may come before the first item; neither sets the indentation
    wide = """\
version: 1
regions:

    # 市
    - name: 长治市
units:
    # 市直部门
    - id: cz-energy
      name: 长治市能源局
      kind: city_department
      region: 长治市
      aliases: [市能源局]
      head_title: 局长
"""
    edit = add_units(wide, [row(2, "潞州区发改局", "潞州区")], UnitDirectory.from_yaml_text(wide), "u.csv")
    assert edit.problems == []
    assert '\n    - name: "潞州区"\n      parent: "长治市"\nunits:' in edit.text
    assert '\n    - id: u-' in edit.text and '\n      name: "潞州区发改局"\n' in edit.text
    assert UnitDirectory.from_yaml_text(edit.text).find("潞州区发改局") is not None


def test_a_file_whose_items_start_with_a_dash_alone_on_its_line_gets_entries_at_that_column() -> None:
    bare = """\
version: 1
regions:
-
  name: 长治市
units:
-
  id: cz-energy
  name: 长治市能源局
  kind: city_department
  region: 长治市
  head_title: 局长
"""
    edit = add_units(bare, [row(2, "长治市气象局", "长治市")], UnitDirectory.from_yaml_text(bare), "u.csv")
    assert edit.problems == []
    assert '\n- id: u-' in edit.text
    assert UnitDirectory.from_yaml_text(edit.text).find("长治市气象局") is not None


def test_a_file_whose_units_are_a_flow_list_is_refused_with_its_line_and_left_as_it_was() -> None:
    flow = """\
version: 1
regions:
  - name: 长治市
units: [{id: cz-energy, name: 长治市能源局, kind: city_department, region: 长治市, aliases: [市能源局],
         head_title: 局长, contacts: {email: [], webhook: []}}]
"""
    directory = UnitDirectory.from_yaml_text(flow)
    edit = add_units(flow, [row(2, "长治市气象局", "长治市")], directory, "u.csv", "mine.yaml")
    assert edit.text == flow and edit.added == [] and edit.regions == []
    [problem] = edit.problems
    assert (problem.file, problem.line) == ("mine.yaml", 4)
    assert "units 不是逐行书写的列表" in problem.message


def test_a_file_whose_regions_are_a_flow_list_is_refused_when_a_region_must_be_added() -> None:
    flow = """\
version: 1
regions: [{name: 长治市}]
units:
  - id: cz-energy
    name: 长治市能源局
    kind: city_department
    region: 长治市
    head_title: 局长
"""
    directory = UnitDirectory.from_yaml_text(flow)
    same_region = add_units(flow, [row(2, "长治市气象局", "长治市")], directory, "u.csv", "mine.yaml")
    assert same_region.problems == [] and [r.name for r in same_region.added] == ["长治市气象局"]
    edit = add_units(flow, [row(3, "潞州区发改局", "潞州区")], directory, "u.csv", "mine.yaml")
    assert edit.text == flow and edit.added == [] and edit.regions == []
    assert [(p.file, p.line) for p in edit.problems] == [("mine.yaml", 2)]
    assert "regions 不是逐行书写的列表" in edit.problems[0].message

