"""The unit directory (data/units.yaml) and the resolution of unit names as plans write them.

Plans name the same unit in many spellings ("市市场局" / "市市场监管局", "市生态环\\n境局",
"潞城区政府" / "潞城区人民政府") and name groups ("各县区政府") and titles ("各县区长") in the
same columns. Resolution maps a written name, in the region of its plan, to canonical units, or
says why it cannot: an ambiguous group or a title. A name the directory lacks is read against the
plan's region (scheduler.plans.units.regional): a county government from the official division
list, or a provisional unit. It is pure: the directory is indexed once at load and each lookup is
a few dictionary probes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType

from scheduler.errors import InputError, Problem
from scheduler.plans.units.divisions import Divisions, official_divisions
from scheduler.plans.units.model import GLOBAL, Resolution, Status, Unit, UnitsFile
from scheduler.plans.units.names import name_key as _key
from scheduler.plans.units.names import normalize_unit_name
from scheduler.plans.units.regional import RegionalNames, county_government
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text, validate

_Hit = tuple[Status, tuple[Unit, ...], str]


class UnitDirectory:
    """Every known unit, group and title, indexed by region for resolution."""

    def __init__(self, units: list[Unit], chains: dict[str, tuple[str, ...]],
                 index: dict[str, dict[str, _Hit]], spellings: dict[str, list[str]],
                 divisions: Divisions | None = None) -> None:
        self._units = units
        self._spellings = spellings
        self._by_id = {u.id: u for u in units}
        self._by_name = {_key(u.name): u for u in units}
        self._chains = chains
        self._chains_seen: dict[str, tuple[str, ...]] = {}  # undeclared regions, for reuse
        self._index = index
        # a region's name less its level: 晋中市工信局 = 晋中 + 市工信局, 沁县住建局 = 沁 + 县住建局
        self._stems = sorted(((r[:-1], r) for r in chains if len(r) >= 2),
                             key=lambda pair: -len(pair[0]))
        self._cache: dict[tuple[str, str], Resolution] = {}
        self._divisions = divisions
        self._regional: RegionalNames | None = None

    @property
    def divisions(self) -> Divisions:
        """The official division list (read on first use; a test may hand in its own)."""
        if self._divisions is None:
            self._divisions = official_divisions()
        return self._divisions

    @classmethod
    def load(cls, path: str | Path) -> UnitDirectory:
        """Read and check data/units.yaml; raise InputError naming file, line and field."""
        if not Path(path).exists():  # a new office's data folder: say how to start one
            raise InputError.single(str(path), None, "缺少单位目录 units.yaml：可用 duban units import 单位表.csv "
                                    "从本地的单位清单建立，名录中没有的单位名称载入时暂作临时单位")
        data, lines = load_yaml_file(path)
        return cls._build(data, str(path), lines)

    @classmethod
    def from_yaml_text(cls, text: str, filename: str = "units.yaml") -> UnitDirectory:
        """Build a directory from YAML text (for checks and tests)."""
        data, lines = load_yaml_text(text, filename)
        return cls._build(data, filename, lines)

    @classmethod
    def _build(cls, data: object, filename: str, lines: LineMap) -> UnitDirectory:
        doc = validate(UnitsFile, data, filename, lines)
        builder = _Builder(doc, filename, lines)
        return cls(*builder.build())

    # -- queries

    def resolve(self, written: str, region: str) -> Resolution:
        """Say which units `written` means in a plan of `region` (e.g. 长治市, 泽州县)."""
        cached = self._cache.get((written, region))
        if cached is not None:
            return cached
        chain = self._chain(region)
        key = _key(written)
        if not key:
            hit: _Hit | None = ("unknown", (), "单位名称为空")
        else:
            hit = self._lookup(key, chain)
        if hit is None:
            result = self._regional_names().resolve(written, key, region)
        else:
            result = Resolution(written, *hit)
        if len(self._cache) > 50_000:  # bound memory when fed arbitrary text
            self._cache.clear()
        self._cache[(written, region)] = result
        return result

    def recipients(self, written_names: Iterable[str],
                   region: str) -> tuple[list[Unit], list[Resolution]]:
        """Return the units named (groups expanded, deduplicated, in order) and what needs a
        coordinator: ambiguous groups, unknown names, titles, and resolutions carrying a note."""
        units: list[Unit] = []
        seen_units: set[str] = set()
        attention: list[Resolution] = []
        seen_attention: set[tuple[str, str]] = set()
        for written in written_names:
            if not _key(written):
                continue
            res = self.resolve(written, region)
            for unit in res.units:
                if unit.id not in seen_units:
                    seen_units.add(unit.id)
                    units.append(unit)
            if res.status in ("unit", "group") and not res.note:
                continue
            mark = (res.status, _key(written))
            if mark not in seen_attention:
                seen_attention.add(mark)
                attention.append(res)
        return units, attention

    def find(self, name: str) -> Unit | None:
        """Return the declared unit with this canonical name or id, or None."""
        return self._by_id.get(name) or self._by_name.get(_key(name))

    def get(self, name: str) -> Unit:
        """Return the unit with this canonical name or id."""
        unit = self._by_id.get(name) or self._by_name.get(_key(name))
        if unit is None:
            raise KeyError(f"单位名录中没有“{name}”")
        return unit

    def units(self) -> list[Unit]:
        """Return every unit in file order."""
        return list(self._units)

    def counties(self, region: str) -> list[Unit]:
        """Return the county/district governments of a city, in file order; for a city the file
        does not declare, those of the official division list."""
        if region in self._chains:
            return [u for u in self._units if u.kind == "county_government" and u.region == region]
        known = self.find
        return [county_government(d, self.divisions, known) for d in self.divisions.counties(region)]

    def spellings(self, region: str) -> list[str]:
        """Return every name known in `region`, longest first, so a clause splitter can keep
        names that contain "、" ("各县、区人民政府", "长治高新区、经开区管委会") whole."""
        names: dict[str, None] = {}
        for scope in (GLOBAL, *self._chain(region)):
            names.update(dict.fromkeys(self._spellings.get(scope, [])))
        return sorted(names, key=len, reverse=True)

    def regions(self) -> list[str]:
        """Return the declared regions."""
        return list(self._chains)

    # -- internals

    def _chain(self, region: str) -> tuple[str, ...]:
        """Return the region and the declared regions it lies in. A region the file does not
        declare takes its city from the division list (a county's "市" is its city's), so the
        city's short names still apply; an unknown place stands alone."""
        chain = self._chains.get(region) or self._chains_seen.get(region)
        if chain is not None:
            return chain
        here = self.divisions.find(region)
        if here is None or here.is_city or here.type == "县级市":
            chain = (region,)
        else:
            chain = (region, *self._chains.get(here.city, (here.city,)))
        self._chains_seen[region] = chain
        return chain

    def _regional_names(self) -> RegionalNames:
        if self._regional is None:
            self._regional = RegionalNames(self.divisions, self.find)
        return self._regional

    def _lookup(self, key: str, chain: tuple[str, ...]) -> _Hit | None:
        hit = self._index[GLOBAL].get(key)
        if hit is not None:
            return hit
        for scope in chain:
            hit = self._index.get(scope, {}).get(key)
            if hit is not None:
                return hit
        # "晋中市工信局" / "泽州县能源局": a region-qualified short form.
        for stem, named in self._stems:
            if key.startswith(stem) and len(key) > len(stem) + 1:
                rest = key[len(stem):]
                for scope in self._chains[named]:
                    hit = self._index.get(scope, {}).get(rest)
                    if hit is not None:
                        return hit
        return None


class _Builder:
    """Turn a validated file into units and an index, collecting every cross-field problem."""

    def __init__(self, doc: UnitsFile, filename: str, lines: LineMap) -> None:
        self.doc = doc
        self.filename = filename
        self.lines = lines
        self.problems: list[Problem] = []
        self.index: dict[str, dict[str, _Hit]] = {GLOBAL: {}}
        self.owner: dict[tuple[str, str], str] = {}  # (scope, key) -> owner label
        self.spellings: dict[str, list[str]] = {GLOBAL: []}

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        where = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.filename, self.lines.line_of(path), message, where))

    def build(self) -> tuple[list[Unit], dict[str, tuple[str, ...]], dict[str, dict[str, _Hit]],
                             dict[str, list[str]]]:
        chains = self._regions()
        units = self._units(chains)
        self._groups(chains, units)
        self._titles()
        if self.problems:
            raise InputError(self.problems)
        return list(units.values()), chains, self.index, self.spellings

    def _regions(self) -> dict[str, tuple[str, ...]]:
        parents: dict[str, str | None] = {}
        for i, region in enumerate(self.doc.regions):
            if region.name in parents:
                self.problem(("regions", i, "name"), f"地区“{region.name}”重复")
            parents[region.name] = region.parent
        chains: dict[str, tuple[str, ...]] = {}
        for i, region in enumerate(self.doc.regions):
            chain = [region.name]
            parent = region.parent
            while parent is not None:
                if parent not in parents:
                    self.problem(("regions", i, "parent"), f"上级地区“{parent}”未声明")
                    break
                if parent in chain:
                    self.problem(("regions", i, "parent"), f"地区“{region.name}”的上级形成循环")
                    break
                chain.append(parent)
                parent = parents[parent]
            chains[region.name] = tuple(chain)
        for name in chains:
            self.index.setdefault(name, {})
            self.spellings.setdefault(name, [])
        return chains

    def _claim(self, scope: str, name: str, hit: _Hit, owner: str,
               path: tuple[str | int, ...]) -> None:
        key = _key(name)
        if scope != GLOBAL and self.owner.get((GLOBAL, key), owner) != owner:
            self.problem(path, f"“{name}”与{self.owner[(GLOBAL, key)]}的规范名称或称谓冲突")
            return
        if scope == GLOBAL:
            clashes = [o for (s, k), o in self.owner.items() if k == key and o != owner]
        else:
            clashes = [o for o in [self.owner.get((scope, key))] if o is not None and o != owner]
        if clashes:
            where = "全省" if scope == GLOBAL else scope
            self.problem(path, f"“{name}”在{where}内已指{clashes[0]}")
            return
        self.owner.setdefault((scope, key), owner)
        self.index[scope].setdefault(key, hit)
        self.spellings[scope].append(normalize_unit_name(name))

    def _units(self, chains: dict[str, tuple[str, ...]]) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        named: dict[str, str] = {}  # canonical name (as resolved) -> the id that has it
        for i, model in enumerate(self.doc.units):
            base = ("units", i)
            if model.id in units:
                self.problem(base + ("id",), f"单位编号“{model.id}”重复")
                continue
            if model.region not in chains:
                self.problem(base + ("region",), f"地区“{model.region}”未在 regions 中声明")
                continue
            holder = named.setdefault(_key(model.name), model.id)
            if holder != model.id:  # resolving would give one of them, finding the other
                self.problem(base + ("name",), f"单位名称“{model.name}”已由单位编号“{holder}”使用，名称须唯一")
                continue
            contacts = MappingProxyType({"email": tuple(model.contacts.email),
                                         "webhook": tuple(model.contacts.webhook)})
            unit = Unit(model.id, model.name, model.kind, model.region, tuple(model.aliases),
                        model.head_title, contacts, model.note)
            units[model.id] = unit
            owner = f"单位“{model.name}”"
            self._claim(GLOBAL, model.name, ("unit", (unit,), ""), owner, base + ("name",))
            for j, alias in enumerate(model.aliases):
                self._claim(model.region, alias, ("unit", (unit,), ""), owner,
                            base + ("aliases", j))
            for j, doubtful in enumerate(model.doubtful_aliases):
                note = f"“{doubtful.written}”按{model.name}处理：{doubtful.note}"
                self._claim(model.region, doubtful.written, ("unit", (unit,), note), owner,
                            base + ("doubtful_aliases", j, "written"))
        return units

    def _groups(self, chains: dict[str, tuple[str, ...]], units: dict[str, Unit]) -> None:
        by_name = {_key(u.name): u for u in units.values()}
        for i, group in enumerate(self.doc.groups):
            base = ("groups", i)
            if group.region not in chains:
                self.problem(base + ("region",), f"地区“{group.region}”未在 regions 中声明")
                continue
            members: list[Unit] = []
            for j, member in enumerate(group.members):
                unit = units.get(member) or by_name.get(_key(member))
                if unit is None:
                    self.problem(base + ("members", j), f"分组成员“{member}”不在单位名录中")
                elif unit in members:
                    self.problem(base + ("members", j), f"分组成员“{member}”重复")
                else:
                    members.append(unit)
            if group.status == "ambiguous":
                hit: _Hit = ("ambiguous", (), f"“{group.name}”含义不明：{group.note}")
            elif group.status == "incomplete":
                hit = ("group", tuple(members), f"“{group.name}”成员不全：{group.note}")
            else:
                hit = ("group", tuple(members), "")
            owner = f"分组“{group.name}”"
            self._claim(group.region, group.name, hit, owner, base + ("name",))
            for j, alias in enumerate(group.aliases):
                self._claim(group.region, alias, hit, owner, base + ("aliases", j))

    def _titles(self) -> None:
        for i, title in enumerate(self.doc.titles):
            note = title.note or f"“{title.name}”是职务称谓，不是单位"
            self._claim(GLOBAL, title.name, ("title", (), note), f"称谓“{title.name}”",
                        ("titles", i, "name"))
