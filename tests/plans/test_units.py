from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.plans.units import UnitDirectory, normalize_unit_name

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "data" / "units.yaml"
SEEDS = ROOT / "data" / "sources"

CHANGZHI_COUNTIES = [
    "潞州区人民政府", "上党区人民政府", "潞城区人民政府", "屯留区人民政府", "长子县人民政府",
    "壶关县人民政府", "平顺县人民政府", "黎城县人民政府", "襄垣县人民政府", "武乡县人民政府",
    "沁县人民政府", "沁源县人民政府",
]
JINCHENG_COUNTIES = [
    "晋城市城区人民政府", "泽州县人民政府", "高平市人民政府", "阳城县人民政府", "陵川县人民政府",
    "沁水县人民政府",
]
JINZHONG_COUNTIES = [
    "榆次区人民政府", "太谷区人民政府", "介休市人民政府", "灵石县人民政府", "平遥县人民政府",
    "祁县人民政府", "寿阳县人民政府", "昔阳县人民政府", "和顺县人民政府", "左权县人民政府",
    "榆社县人民政府",
]


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.load(UNITS)


def names(resolution) -> list[str]:
    return [unit.name for unit in resolution.units]


# Spellings as they stand in the seeds, with the canonical unit written by hand.
CHANGZHI_SPELLINGS = [
    ("市能源局", "长治市能源局"),
    ("市工信局", "长治市工业和信息化局"),
    ("市生态环境局", "长治市生态环境局"),
    ("市生态环\n境局", "长治市生态环境局"),
    ("市规划和自然资源局", "长治市规划和自然资源局"),
    ("市市场监管局", "长治市市场监督管理局"),
    ("市市场局", "长治市市场监督管理局"),
    ("市应急局", "长治市应急管理局"),
    ("市公安局", "长治市公安局"),
    ("市发改委", "长治市发展和改革委员会"),
    ("市发展改革委", "长治市发展和改革委员会"),
    ("市交通局", "长治市交通运输局"),
    ("市交通运输局", "长治市交通运输局"),
    ("市住建局", "长治市住房和城乡建设局"),
    ("市农业农村局", "长治市农业农村局"),
    ("市商务局", "长治市商务局"),
    ("市城市管理局", "长治市城市管理局"),
    ("市公安交警支队", "长治市公安局交通警察支队"),
    ("市行政审批局", "长治市行政审批服务管理局"),
    ("市财政局", "长治市财政局"),
    ("市水利局", "长治市水利局"),
    ("市公路分局", "长治市公路分局"),
    ("市气象局", "长治市气象局"),
    ("潞城区政府", "潞城区人民政府"),
    ("潞州区政府", "潞州区人民政府"),
    ("襄垣县政府", "襄垣县人民政府"),
    ("武乡县政府", "武乡县人民政府"),
    ("黎城县政府", "黎城县人民政府"),
    ("壶关县政府", "壶关县人民政府"),
    ("屯留区政府", "屯留区人民政府"),
    ("沁源县政府", "沁源县人民政府"),
    ("上党区人民政府", "上党区人民政府"),
    ("沁县人民政府", "沁县人民政府"),
    ("高新区管委会", "长治高新区管委会"),
    ("长治高新区", "长治高新区管委会"),
    ("经开区管委会", "长治经开区管委会"),
    ("长治机场", "长治机场"),
    ("长治市大气污染防治工作领导组办公室", "长治市大气污染防治工作领导组办公室"),
    ("市大气污染防治领导组办公室", "长治市大气污染防治工作领导组办公室"),
]

JINZHONG_SPELLINGS = [
    ("市工信局", "晋中市工业和信息化局"),
    ("市生态环境局", "晋中市生态环境局"),
    ("市住建局", "晋中市住房和城乡建设局"),
    ("市交警支队", "晋中市公安局交通警察支队"),
    ("市商务局", "晋中市商务局"),
    ("市能源局", "晋中市能源局"),
    ("市气象局", "晋中市气象局"),
    ("市城市管理局", "晋中市城市管理局"),
    ("市发展改革委", "晋中市发展和改革委员会"),
    ("市市场监管局", "晋中市市场监督管理局"),
    ("市农业农村局", "晋中市农业农村局"),
    ("市规划和自然资源局", "晋中市规划和自然资源局"),
    ("市应急局", "晋中市应急管理局"),
    ("市公安局", "晋中市公安局"),
    ("市交通局", "晋中市交通运输局"),
    ("晋中供电分公司", "晋中供电分公司"),
    ("介休市人民政府", "介休市人民政府"),
    ("晋中开发区管委会", "晋中开发区管委会"),
    ("开发区管委会", "晋中开发区管委会"),
]

JINCHENG_SPELLINGS = [
    ("市生态环境局", "晋城市生态环境局"),
    ("市 生 态 环 境 局", "晋城市生态环境局"),
    ("市生 态环境局", "晋城市生态环境局"),
    ("市工\n\n信局", "晋城市工业和信息化局"),
    ("市气象局", "晋城市气象局"),
    ("市发展改革委", "晋城市发展和改革委员会"),
    ("市能源局", "晋城市能源局"),
    ("市市场监管局", "晋城市市场监督管理局"),
    ("市农业农村局", "晋城市农业农村局"),
    ("市交通局", "晋城市交通运输局"),
    ("市交警支队", "晋城市公安局交通警察支队"),
    ("市商务局", "晋城市商务局"),
    ("市住\n\n建局", "晋城市住房和城乡建设局"),
    ("市财政局", "晋城市财政局"),
    ("市应急局", "晋城市应急管理局"),
    ("市城市管理局", "晋城市城市管理局"),
    ("市规划\n和自然资源局", "晋城市规划和自然资源局"),
    ("开发区管委会J", "晋城开发区管委会"),
    ("城区人民政府", "晋城市城区人民政府"),
    ("城区人民政\n府", "晋城市城区人民政府"),
    ("泽州县人民政府", "泽州县人民政府"),
    ("高平市人民政府", "高平市人民政府"),
    ("阳城县人民政府", "阳城县人民政府"),
    ("陵川\n\n县人民政府", "陵川县人民政府"),
    ("沁水县人民政府J", "沁水县人民政府"),
    ("市大气办", "晋城市大气污染防治工作领导组办公室"),
]

ZEZHOU_SPELLINGS = [
    ("县发展和改革局", "泽州县发展和改革局"),
    ("县工业和信息化局", "泽州县工业和信息化局"),
    ("县行政审批服务管理局", "泽州县行政审批服务管理局"),
    ("县能源局", "泽州县能源局"),
    ("市生态环境局泽州分局", "晋城市生态环境局泽州分局"),
    ("县市场监督管理局", "泽州县市场监督管理局"),
    ("县公安交警大队", "泽州县公安局交通警察大队"),
    ("县公安局", "泽州县公安局"),
    ("县交通运输局", "泽州县交通运输局"),
    ("县住房和城乡建设管理局", "泽州县住房和城乡建设管理局"),
    ("县农业农村局", "泽州县农业农村局"),
    ("巴公镇人民政府", "巴公镇人民政府"),
    ("高都镇人民政府", "高都镇人民政府"),
    ("北石店镇人民政府", "北石店镇人民政府"),
    ("下村镇人民政府", "下村镇人民政府"),
    ("大东沟镇人民政府", "大东沟镇人民政府"),
    ("金村镇人民政府", "金村镇人民政府"),
    ("山西兰花科技创业股份有限公司", "山西兰花科技创业股份有限公司"),
    ("市生态环境局", "晋城市生态环境局"),  # 泽州县 lies in 晋城市
]


@pytest.mark.parametrize(("region", "written", "canonical"), [
    *(("长治市", w, c) for w, c in CHANGZHI_SPELLINGS),
    *(("晋中市", w, c) for w, c in JINZHONG_SPELLINGS),
    *(("晋城市", w, c) for w, c in JINCHENG_SPELLINGS),
    *(("泽州县", w, c) for w, c in ZEZHOU_SPELLINGS),
])
def test_it_resolves_every_seed_spelling_to_its_canonical_unit(directory, region, written,
                                                                canonical):
    resolution = directory.resolve(written, region)
    assert (resolution.status, names(resolution), resolution.note) == ("unit", [canonical], "")
    assert resolution.written == written


def test_the_same_short_name_means_the_bureau_of_the_plans_city(directory):
    assert names(directory.resolve("市生态环境局", "长治市")) == ["长治市生态环境局"]
    assert names(directory.resolve("市生态环境局", "晋中市")) == ["晋中市生态环境局"]
    assert names(directory.resolve("市生态环境局", "晋城市")) == ["晋城市生态环境局"]


def test_a_canonical_name_resolves_in_any_region(directory):
    assert names(directory.resolve("长治市生态环境局", "晋城市")) == ["长治市生态环境局"]
    assert names(directory.resolve("潞城区人民政府", "泽州县")) == ["潞城区人民政府"]


def test_a_city_qualified_short_form_resolves_in_that_city(directory):
    assert names(directory.resolve("晋中市工信局", "长治市")) == ["晋中市工业和信息化局"]
    assert names(directory.resolve("泽州县能源局", "晋城市")) == ["泽州县能源局"]


def test_a_county_short_form_is_not_known_in_the_city_above(directory):
    resolution = directory.resolve("县能源局", "晋城市")
    assert resolution.status == "provisional"
    assert names(resolution) == ["县能源局（晋城市）"]  # which county is meant is not guessed


@pytest.mark.parametrize("written", ["巴镇人民政府", "巴镇政府"])
def test_a_typo_resolves_but_carries_a_note_for_the_coordinator(directory, written):
    resolution = directory.resolve(written, "泽州县")
    assert (resolution.status, names(resolution)) == ("unit", ["巴公镇人民政府"])
    assert "巴公供热站" in resolution.note


def test_the_other_doubtful_spellings_of_zezhou_carry_notes(directory):
    beishi = directory.resolve("北石镇人民政府", "泽州县")
    assert names(beishi) == ["北石店镇人民政府"] and "请确认" in beishi.note
    ndrc = directory.resolve("县发展和改革委员会", "泽州县")
    assert names(ndrc) == ["泽州县发展和改革局"] and "第27项" in ndrc.note


@pytest.mark.parametrize("written", ["各县区政府", "各县、区人民政府", "各县区", "各县（区）",
                                     "各县(区)人民政府", "各县、区\n人民政府"])
def test_changzhi_counties_group_expands_to_the_twelve_governments(directory, written):
    resolution = directory.resolve(written, "长治市")
    assert (resolution.status, names(resolution), resolution.note) == (
        "group", CHANGZHI_COUNTIES, "")


def test_changzhi_counties_group_leaves_out_the_zones(directory):
    members = names(directory.resolve("各县区政府", "长治市"))
    assert "长治高新区管委会" not in members and "长治经开区管委会" not in members


def test_the_two_changzhi_zones_are_one_group_as_seed_001_writes_them(directory):
    resolution = directory.resolve("长治高新区、经开区管委会", "长治市")
    assert names(resolution) == ["长治高新区管委会", "长治经开区管委会"]


@pytest.mark.parametrize("written", [
    "各县（市、区）人民政府", "各县（市、 区）人民政府J", "各\n\n县（市、 区）人民政府J",
    "各县(市、区)政府", "各县（市、区）"])
def test_jincheng_counties_group_expands_to_its_six_governments(directory, written):
    assert names(directory.resolve(written, "晋城市")) == JINCHENG_COUNTIES


def test_jincheng_counties_with_the_zone_add_the_development_zone(directory):
    resolution = directory.resolve("各县（市、区）人民政府、开发区管委会", "晋城市")
    assert names(resolution) == JINCHENG_COUNTIES + ["晋城开发区管委会"]


def test_jinzhong_counties_group_expands_to_its_eleven_governments(directory):
    assert names(directory.resolve("各县（区、市）人民政府", "晋中市")) == JINZHONG_COUNTIES
    with_zone = directory.resolve("各县（区、市）人民政府、晋中开发区管委会", "晋中市")
    assert names(with_zone) == JINZHONG_COUNTIES + ["晋中开发区管委会"]


def test_zezhou_towns_group_expands_to_the_listed_towns_and_asks_for_the_rest(directory):
    resolution = directory.resolve("各乡镇人民政府", "泽州县")
    assert resolution.status == "group"
    assert names(resolution) == ["巴公镇人民政府", "高都镇人民政府", "北石店镇人民政府",
                                 "下村镇人民政府", "大东沟镇人民政府", "金村镇人民政府",
                                 "北义城镇人民政府", "大阳镇人民政府"]
    assert "补全" in resolution.note


@pytest.mark.parametrize(("written", "region"), [
    ("相关县区政府", "长治市"), ("相关县区", "长治市"), ("市直各有关单位", "长治市"),
    ("市直各相关单位", "长治市"), ("市清洁取暖领导小组成员单位", "长治市"),
    ("市清洁取暖工作领导小组其他成员单位", "长治市"), ("相关县（区、市）", "晋中市"),
    ("其他成员单位", "晋中市"), ("市直有关单位", "晋中市"), ("市直各相关单位", "晋城市"),
    ("市人民政府各委、办、局", "晋城市"), ("各有关乡镇人民政府", "泽州县"),
])
def test_an_ambiguous_group_is_reported_and_never_expanded(directory, written, region):
    resolution = directory.resolve(written, region)
    assert (resolution.status, resolution.units) == ("ambiguous", ())
    assert "协调员" in resolution.note


@pytest.mark.parametrize("written", ["各县区长", "管委会主任", "相关县区长", "县长"])
def test_titles_in_the_responsible_person_column_are_recognised_as_titles(directory, written):
    resolution = directory.resolve(written, "长治市")
    assert (resolution.status, resolution.units) == ("title", ())
    assert "职务" in resolution.note


def test_an_unknown_name_becomes_a_provisional_unit_of_its_region(directory):
    resolution = directory.resolve("市环保局", "长治市")
    assert resolution.status == "provisional"
    assert [(u.name, u.kind, u.region) for u in resolution.units] == [("长治市环保局", "provisional", "长治市")]
    assert "市环保局" in resolution.note and "长治市环保局" in resolution.note
    assert "duban units confirm" in resolution.note


def test_a_name_of_another_city_is_unknown_in_a_city_without_it(directory):
    assert directory.resolve("晋中开发区管委会", "长治市").status == "unit"  # canonical
    assert directory.resolve("市交警支队", "长治市").status == "unit"
    assert directory.resolve("县公安交警大队", "长治市").status == "provisional"


def test_an_unknown_region_resolves_against_the_division_list(directory):
    assert names(directory.resolve("市生态环境局", "太原市")) == ["太原市生态环境局"]
    assert directory.resolve("市生态环境局", "太原市").status == "provisional"


def test_recipients_expand_groups_keep_order_and_drop_duplicates(directory):
    written = ["市工信局", "潞城区政府", "各县区政府", "相关县区政府", "各县区长", "市环保局",
               "潞城区人民政府", "", "市工信局"]
    units, attention = directory.recipients(written, "长治市")
    assert [u.name for u in units] == (
        ["长治市工业和信息化局", "潞城区人民政府"]
        + [name for name in CHANGZHI_COUNTIES if name != "潞城区人民政府"] + ["长治市环保局"])
    assert [(r.written, r.status) for r in attention] == [
        ("相关县区政府", "ambiguous"), ("各县区长", "title"), ("市环保局", "provisional")]


def test_recipients_report_a_doubtful_spelling_once_and_still_deliver(directory):
    units, attention = directory.recipients(["巴镇人民政府", "下村镇人民政府", "巴镇人民政府"],
                                            "泽州县")
    assert [u.name for u in units] == ["巴公镇人民政府", "下村镇人民政府"]
    assert [(r.written, r.status) for r in attention] == [("巴镇人民政府", "unit")]


def test_spellings_list_the_names_of_a_region_longest_first(directory):
    spellings = directory.spellings("泽州县")
    assert "各县、区人民政府" not in spellings  # 长治 only
    assert {"市生态环境局泽州分局", "县能源局", "市生态环境局", "晋城市生态环境局",
            "长治市生态环境局", "各县区长"} <= set(spellings)
    assert [len(s) for s in spellings] == sorted((len(s) for s in spellings), reverse=True)
    assert {"各县、区人民政府", "长治高新区、经开区管委会"} <= set(directory.spellings("长治市"))


def test_get_finds_a_unit_by_canonical_name_or_id(directory):
    assert directory.get("长治市生态环境局").id == "cz-eco"
    assert directory.get("zz-bagong").name == "巴公镇人民政府"
    with pytest.raises(KeyError):
        directory.get("市生态环境局")


def test_counties_lists_the_county_governments_of_a_city(directory):
    assert [u.name for u in directory.counties("长治市")] == CHANGZHI_COUNTIES
    assert [u.name for u in directory.counties("晋城市")] == JINCHENG_COUNTIES
    assert [u.head_title for u in directory.counties("晋城市")] == ["区长", "县长", "市长", "县长",
                                                                    "县长", "县长"]
    assert directory.counties("泽州县") == []


def test_every_unit_has_a_head_title_and_empty_contact_lists(directory):
    for unit in directory.units():
        assert unit.head_title
        assert dict(unit.contacts) == {"email": (), "webhook": ()}
    assert len({u.id for u in directory.units()}) == len(directory.units())


def test_normalize_unit_name_squeezes_spaces_and_fixes_brackets_and_ocr():
    assert normalize_unit_name(" 市生态环\n境局 ") == "市生态环境局"
    assert normalize_unit_name("各县(市, 区)人民政府J") == "各县（市、区）人民政府"
    assert normalize_unit_name("市\u3000工信局、") == "市工信局"
    assert normalize_unit_name("［市生态环境局］") == "市生态环境局"


def test_every_lead_unit_of_the_zezhou_ledger_is_known():
    directory = UnitDirectory.load(UNITS)
    written = set()
    for line in (SEEDS / "004_2c352a127e1e31b3.txt").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) == 8 and cells[2].isdigit() and cells[5]:
            written.update(cells[5].split("、"))
    assert written == {
        "县发展和改革局", "县发展和改革委员会", "县工业和信息化局", "县行政审批服务管理局",
        "县能源局", "市生态环境局泽州分局", "巴公镇人民政府", "巴镇人民政府",
        "山西兰花科技创业股份有限公司", "高都镇人民政府", "北石店镇人民政府", "北石镇人民政府",
        "下村镇人民政府", "大东沟镇人民政府",
        "金村镇人民政府", "县市场监督管理局", "县公安交警大队", "县公安局", "县交通运输局",
        "县住房和城乡建设管理局", "县农业农村局", "各乡镇人民政府", "各有关乡镇人民政府"}
    unknown = [w for w in written if directory.resolve(w, "泽州县").status == "unknown"]
    assert unknown == []


def split_outside_brackets(clause: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in clause:
        depth += {"（": 1, "）": -1}.get(char, 0)
        if char in "，、" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def test_every_unit_in_the_jinzhong_responsibility_brackets_is_known():
    directory = UnitDirectory.load(UNITS)
    text = (SEEDS / "002_4f45dafb854d9093.txt").read_text(encoding="utf-8")
    written = set()
    for clause in re.findall(r"\[([^\[\]]*?负责落实)[\]）]", text):
        for part in split_outside_brackets(clause):
            part = re.sub(r"(按职责分工分别负责|按职责分别负责|牵头|配合|负责落实)$", "", part)
            part = re.sub(r"(等相关单位|等单位)$", "", part)
            if part:
                written.add(part)
    assert {"市交警支队", "晋中开发区管委会", "各县（区、市）人民政府", "其他成员单位",
            "晋中供电分公司", "市规划和自然资源局"} <= written
    unknown = sorted(w for w in written if directory.resolve(w, "晋中市").status == "unknown")
    assert unknown == []


# ---------------------------------------------------------------- malformed files

GOOD_UNIT = """\
  - id: a-eco
    name: 甲市生态环境局
    kind: city_department
    region: 甲市
    aliases: [市生态环境局]
    head_title: 局长
"""


def build(units: str, extra: str = "") -> UnitDirectory:
    text = "version: 1\nregions:\n  - name: 甲市\n  - name: 乙县\n    parent: 甲市\nunits:\n"
    return UnitDirectory.from_yaml_text(text + units + extra, "bad-units.yaml")


def only_problem(units: str, extra: str = ""):
    with pytest.raises(InputError) as info:
        build(units, extra)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_a_minimal_directory_builds():
    directory = build(GOOD_UNIT)
    assert directory.resolve("市生态环境局", "乙县").units[0].name == "甲市生态环境局"


def test_a_bad_kind_names_its_line():
    problem = only_problem(GOOD_UNIT.replace("city_department", "bureau"))
    assert (problem.file, problem.line, problem.where) == ("bad-units.yaml", 9, "units.0.kind")


def test_a_missing_field_names_the_units_line():
    problem = only_problem(GOOD_UNIT.replace("    head_title: 局长\n", ""))
    assert (problem.line, problem.where) == (7, "units.0.head_title")


def test_an_unknown_field_is_refused():
    problem = only_problem(GOOD_UNIT + "    phone: '123'\n")
    assert (problem.line, problem.where) == (13, "units.0.phone")


def test_a_duplicate_alias_in_one_region_names_the_second_line():
    second = GOOD_UNIT.replace("a-eco", "a-eco2").replace("甲市生态环境局", "甲市环保局")
    problem = only_problem(GOOD_UNIT + second)
    assert (problem.line, problem.where) == (17, "units.1.aliases.0")
    assert "市生态环境局" in problem.message and "甲市生态环境局" in problem.message


def test_the_same_alias_in_a_nested_region_is_allowed_and_wins_there():
    nested = (GOOD_UNIT.replace("a-eco", "b-eco").replace("甲市生态环境局", "乙县生态环境局")
              .replace("region: 甲市", "region: 乙县"))
    directory = build(GOOD_UNIT + nested)
    assert directory.resolve("市生态环境局", "乙县").units[0].name == "乙县生态环境局"
    assert directory.resolve("市生态环境局", "甲市").units[0].name == "甲市生态环境局"


def test_an_alias_equal_to_another_units_name_is_refused():
    other = GOOD_UNIT.replace("a-eco", "a-other").replace("甲市生态环境局", "甲市其他局").replace(
        "[市生态环境局]", "[甲市生态环境局]")
    problem = only_problem(GOOD_UNIT + other)
    assert problem.where == "units.1.aliases.0"


def test_a_duplicate_id_is_refused():
    problem = only_problem(GOOD_UNIT + GOOD_UNIT.replace("[市生态环境局]", "[]").replace(
        "甲市生态环境局", "甲市别的局"))
    assert (problem.line, problem.where) == (13, "units.1.id")


def test_an_undeclared_region_is_refused():
    problem = only_problem(GOOD_UNIT.replace("region: 甲市", "region: 丙市"))
    assert (problem.line, problem.where) == (10, "units.0.region")


def test_an_unknown_group_member_names_its_line():
    groups = "groups:\n  - name: 各局\n    region: 甲市\n    status: complete\n" \
             "    members: [a-eco, a-missing]\n"
    problem = only_problem(GOOD_UNIT, groups)
    assert (problem.line, problem.where) == (17, "groups.0.members.1")
    assert "a-missing" in problem.message


def test_an_ambiguous_group_with_members_is_refused():
    groups = "groups:\n  - name: 相关局\n    region: 甲市\n    status: ambiguous\n" \
             "    note: 待定\n    members: [a-eco]\n"
    problem = only_problem(GOOD_UNIT, groups)
    assert (problem.line, problem.where) == (14, "groups.0")


def test_a_bad_email_address_names_its_line():
    problem = only_problem(GOOD_UNIT + "    contacts: {email: [not-an-address], webhook: []}\n")
    assert (problem.line, problem.where) == (13, "units.0.contacts.email.0")


def test_a_title_that_clashes_with_an_alias_is_refused():
    problem = only_problem(GOOD_UNIT, "titles:\n  - name: 市生态环境局\n")
    assert problem.where == "titles.0.name"
