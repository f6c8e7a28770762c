"""Names the directory lacks, read against the plan's region: generic names ("市生态环境局",
"各县（市、区）政府", "各区政府") through the official division list, and everything else as a
provisional unit a coordinator confirms, merges or renames later.

A plan of a city Duban has never seen thus still has somebody to remind for every task; nothing
is invented silently, because every provisional unit is an open point with its note.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from scheduler.plans.units.divisions import COUNTY, COUNTY_CITY, DISTRICT, Division, Divisions
from scheduler.plans.units.model import PROVISIONAL, Resolution, Unit


def confirm_hint(name: str) -> str:
    """Say how a coordinator settles a provisional unit, with the commands spelled out."""
    return (f"载入后可用 duban units confirm {name}（确认）、duban units merge {name} --into 单位（合并）"
            f"或 duban units rename {name} --to 新名称（改名），也可在控制台“待协调事项”中处理")

# 各县（市、区）人民政府, 各县区政府, 各区政府, 各县（市）, 各县市区: the letters name the types meant
_GROUP = re.compile(r"^各(?P<kinds>[县市区旗（）、]{1,8}?)(?:人民政府|党委和人民政府|党委、人民政府)?"
                    r"(?P<zones>（(?:管委会|管理委员会)）)?$")  # "各县、区人民政府（管委会）"
_KINDS = {"区": DISTRICT, "县": COUNTY, "旗": COUNTY, "市": COUNTY_CITY}
_GOVERNMENT = re.compile(r"^(?P<place>.{1,12}?(?:区|县|市|旗))(?:人民政府)?$")
# a department written relative to the plan's own level: 市生态环境局, 县住建局, 区城管局
_RELATIVE = re.compile(r"^(?P<level>[市县区旗])(?!辖区|场)(?P<body>.{2,})$")  # 市场监管局 is no 市 + 场…
# a department written without any place ("市发展和改革局、工业和信息化局"): the plan region's own
_BARE_DEPARTMENT = re.compile(r"^(?!各|有关|相关|其他|其它)[^省市州县区旗]{2,}(?:局|委|委员会|办|办公室|厅)$")
_HEADS = (("人民政府", "主要负责同志"), ("管委会", "主任"), ("委员会", "主任"), ("局", "局长"),
          ("委", "主任"), ("厅", "厅长"), ("办", "主任"), ("公司", "总经理"), ("支队", "支队长"),
          ("大队", "大队长"))


def head_title(name: str) -> str:
    """Guess the title a letter addresses from the unit's name (局 -> 局长)."""
    return next((title for suffix, title in _HEADS if name.endswith(suffix)), "主要负责同志")


def guess_kind(name: str) -> str:
    """Return the kind a unit name most likely has (for a confirmation or an import that does not say)."""
    if name.endswith("人民政府") and name[:-4].endswith(("县", "区", "市", "旗")):
        return "county_government"
    if name.endswith(("镇人民政府", "乡人民政府", "街道办事处")):
        return "town_government"
    if name.endswith(("管委会", "管理委员会")):
        return "zone_committee"
    if name.endswith(("公司", "厂", "集团")):
        return "enterprise"
    if name.endswith(("局", "委", "办", "厅", "委员会", "办公室", "中心", "支队", "大队")):
        return "city_department"
    return "other"


def provisional_unit(name: str, region: str, note: str) -> Unit:
    """Return the provisional unit called `name`; its id is stable, so two plans share it."""
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    return Unit(f"prov-{digest}", name, PROVISIONAL, region, (), head_title(name), note=note)


def county_government(division: Division, divisions: Divisions,
                      known: Callable[[str], Unit | None] = lambda name: None) -> Unit:
    """Return the people's government of a county-level division of the official list: the
    directory's unit when it holds that government of that city, else one named from the list.
    A name several cities share (城区, 郊区, 矿区) carries its city (阳泉市城区人民政府), so it never
    becomes the declared 城区人民政府 of another city."""
    declared = known(division.government)
    if declared is not None and declared.region in (division.city, division.name):
        return declared
    shared = divisions.find(division.name) is None or declared is not None
    name = f"{division.city}{division.government}" if shared else division.government
    qualified = known(name) if shared else None
    if qualified is not None and qualified.region == division.city:
        return qualified
    title = {"区": "区长", "县": "县长", "市": "市长", "旗": "旗长"}.get(division.name[-1], "主要负责同志")
    return Unit(f"div-{division.code}", name, "county_government", division.city, (),
                title, note=f"据国家行政区划代码 {division.code}（单位名录未登记，无联系方式）")


class RegionalNames:
    """Resolve a normalised key in one region when the directory has no entry for it."""

    def __init__(self, divisions: Divisions, known: Callable[[str], Unit | None]) -> None:
        self.divisions = divisions
        self.known = known  # canonical name -> the directory's unit, so a derived name reuses it
        self.places = divisions.names()

    def resolve(self, written: str, key: str, region: str) -> Resolution:
        here = self.divisions.find(region)
        city = (here.name if here.is_city else here.city) if here else ""
        group = _GROUP.match(key)
        if group and here is not None and here.is_city:
            types = frozenset().union(*(_KINDS[c] for c in group["kinds"] if c in _KINDS))
            members = tuple(self._government(d) for d in self.divisions.counties(city, types))
            if members:
                note = (f"“{written.strip()}”按行政区划名录读作{'、'.join(unit.name for unit in members)}；"
                        f"其中的管委会（功能区）不在名录中，未列入，"
                        f"如需提醒请在 data/units.yaml 中登记该地区的管委会和分组" if group["zones"] else "")
                return Resolution(written, "group", members, note)
        government = _GOVERNMENT.match(key)
        if government and city:
            division = self.divisions.find(government["place"], within=city)
            if division is not None and not division.is_city and division.city == city:
                return Resolution(written, "unit", (self._government(division),))
        name = self._qualified(key, region, here)
        unit = self.known(name)
        if unit is not None:  # 市生态环境局 in 长治 when only 长治市生态环境局 is declared
            return Resolution(written, "unit", (unit,))
        if name != key and not name.endswith(f"（{region}）"):
            note = (f"“{written.strip()}”按计划地区推定为“{name}”，单位名录中尚无此单位，"
                    f"提醒暂发协调办公室；{confirm_hint(name)}")
        else:
            note = (f"单位名录中没有“{key}”（{region}），暂作临时单位“{name}”，提醒暂发协调办公室；"
                    f"{confirm_hint(name)}")
        # a county plan's 市生态环境局 is its city's bureau, and belongs to the city
        owner = city if here is not None and not here.is_city and name.startswith(city) else region
        return Resolution(written, "provisional", (provisional_unit(name, owner, note),), note)

    def _government(self, division: Division) -> Unit:
        return county_government(division, self.divisions, self.known)

    def _qualified(self, key: str, region: str, here: Division | None) -> str:
        """Return the name with its place: 市生态环境局 in 大同市 -> 大同市生态环境局. A name that
        already starts with a place keeps it; one whose level does not match the region is kept
        with the region after it, so the same words in two regions stay two units."""
        short = region.removesuffix("市") if len(region) > 2 else region
        if short in key or self._starts_with_place(key):
            return key
        relative = _RELATIVE.match(key)
        if relative and here is not None:
            level, body = relative["level"], relative["body"]
            if level == "市" and (here.is_city or here.type in COUNTY_CITY):
                return here.name + body
            if level == "市":
                return here.city + body
            if not here.is_city and here.name.endswith(level):
                return here.name + body
        if here is not None and relative is None and _BARE_DEPARTMENT.match(key.replace("市场", "")):
            return here.name + key
        return f"{key}（{region}）"

    def _starts_with_place(self, key: str) -> bool:
        return any(key[:n] in self.places or key[:n] + "市" in self.places
                   for n in range(2, min(len(key) - 1, 8) + 1))
