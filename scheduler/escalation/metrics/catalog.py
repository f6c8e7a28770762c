"""What a metric value may be and where it may come from: the closed metric vocabulary (names,
spellings, units, plausible ranges) and the regions values can be reported for.

Both are plain values: the importer checks rows against them and the rules read their labels, so a
spelling (细颗粒物, pm25, ug/m3) is understood in one place only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True)
class MetricSpec:
    """One metric: canonical name, Chinese label, unit, plausible range, daily or monthly."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    monthly: bool = False  # reported per month (dust fall, heavy-pollution days)
    integer: bool = False
    spellings: tuple[str, ...] = ()
    unit_spellings: tuple[str, ...] = ()


_UG = ("μg/m³", "μg/m3", "ug/m3", "ug/m³", "µg/m³", "µg/m3", "微克/立方米", "微克每立方米")
_MG = ("mg/m³", "mg/m3", "毫克/立方米", "毫克每立方米")

# Ranges are wide on purpose: they catch typos (a misplaced decimal point, a negative value, an
# AQI of 5000), not bad air. AQI beyond 500 is allowed because "爆表" days are what the plans
# name; CO is in mg/m³, every other pollutant in μg/m³.
METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("PM2.5", "PM2.5浓度", "μg/m³", 0, 1500, spellings=("pm25", "pm2.5", "pm₂.₅", "细颗粒物"),
                   unit_spellings=_UG),
        MetricSpec("PM10", "PM10浓度", "μg/m³", 0, 3000, spellings=("pm10", "pm₁₀", "可吸入颗粒物"),
                   unit_spellings=_UG),
        MetricSpec("SO2", "二氧化硫浓度", "μg/m³", 0, 2000, spellings=("so2", "so₂", "二氧化硫"),
                   unit_spellings=_UG),
        MetricSpec("NO2", "二氧化氮浓度", "μg/m³", 0, 1000, spellings=("no2", "no₂", "二氧化氮"),
                   unit_spellings=_UG),
        MetricSpec("CO", "一氧化碳浓度", "mg/m³", 0, 60, spellings=("co", "一氧化碳"), unit_spellings=_MG),
        MetricSpec("O3", "臭氧浓度", "μg/m³", 0, 1200, spellings=("o3", "o₃", "臭氧", "o3_8h"),
                   unit_spellings=_UG),
        MetricSpec("AQI", "空气质量指数", "", 0, 1500, integer=True, spellings=("aqi", "空气质量指数"),
                   unit_spellings=("", "无量纲")),
        MetricSpec("heavy_pollution_days", "重度及以上污染天数", "天", 0, 31, monthly=True, integer=True,
                   spellings=("heavy_days", "heavy_pollution_days", "重污染天数", "重度及以上污染天数"),
                   unit_spellings=("天", "d", "day", "days")),
        MetricSpec("dust_fall", "降尘量", "吨/月·平方公里", 0, 100, monthly=True,
                   spellings=("dust_fall", "dustfall", "降尘", "降尘量"),
                   unit_spellings=("吨/月·平方公里", "t/km2·month", "t/(km2·month)", "吨/平方公里·月",
                                   "t/km²/month", "t/km2/month", "吨/月/平方公里")),
    )
}
HEAVY_AQI = 200  # AQI above 200 is 重度污染 or worse (HJ 633-2012)
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", text).replace("．", ".").replace("／", "/").replace("µ", "μ").casefold()


_BY_SPELLING: dict[str, str] = {}
for _spec in METRICS.values():
    for _written in (_spec.name, *_spec.spellings):
        _BY_SPELLING[_norm(_written)] = _spec.name


def metric_spec(written: str) -> MetricSpec | None:
    """Return the metric a column or cell names (PM2.5, pm25, 细颗粒物 ...), or None."""
    name = _BY_SPELLING.get(_norm(written))
    return METRICS[name] if name else None


def unit_matches(spec: MetricSpec, written: str) -> bool:
    """Say whether a written unit is the metric's unit (μg/m3, ug/m³ and 微克/立方米 are one)."""
    return _norm(written) in {_norm(u) for u in (spec.unit, *spec.unit_spellings)}


RegionKind = Literal["city", "county", "area"]


class _Unit(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


class Directory(Protocol):
    """What regions are read from: the unit directory (scheduler.plans.units.UnitDirectory)."""

    def units(self) -> Sequence[_Unit]: ...

    def regions(self) -> list[str]: ...


@dataclass(frozen=True)
class Region:
    """A place values are reported for. A county's `government` is who receives its letters."""

    name: str  # 潞州区, 长治市, 主城区
    city: str  # the city it lies in (itself for a city)
    kind: RegionKind
    government: str | None = None  # canonical unit name, e.g. 潞州区人民政府


@dataclass
class Regions:
    """The regions values may name, with every spelling (潞州区, 潞州区人民政府, 潞州区政府)."""

    regions: dict[str, Region] = field(default_factory=dict)
    _spellings: dict[str, str] = field(default_factory=dict)

    def add(self, region: Region, spellings: Iterable[str] = ()) -> None:
        self.regions.setdefault(region.name, region)
        for written in (region.name, *spellings):
            self._spellings.setdefault(_norm(written), region.name)

    def resolve(self, written: str) -> Region | None:
        """Return the region a cell names, or None when it is not known."""
        name = self._spellings.get(_norm(written))
        if name is None and _norm(written).endswith("政府"):
            name = self._spellings.get(_norm(written).removesuffix("政府") + "人民政府")
        return self.regions.get(name) if name else None

    def get(self, name: str) -> Region:
        return self.regions[name]

    def counties(self, city: str) -> list[Region]:
        """Return the county-level regions of a city, in the directory's order."""
        return [r for r in self.regions.values() if r.kind == "county" and r.city == city]

    @classmethod
    def from_directory(cls, directory: Directory, areas: dict[str, str] | None = None) -> Regions:
        """Build from the unit directory: its regions are cities, its county governments counties.

        `areas` adds places that have targets but no government of their own (主城区 -> 长治市)."""
        regions = cls()
        counties = [u for u in directory.units() if u.kind == "county_government"]
        county_names = {u.name.removesuffix("人民政府") for u in counties}
        for name in directory.regions():
            if name not in county_names:  # a city is also written without 市 (长治)
                regions.add(Region(name, name, "city"), [name.removesuffix("市")] if name.endswith("市") else [])
        for unit in counties:
            short = unit.name.removesuffix("人民政府")
            regions.add(Region(short, unit.region, "county", unit.name),
                        (unit.name, *unit.aliases))
        for name, city in (areas or {}).items():
            regions.add(Region(name, city, "area"))
        return regions
