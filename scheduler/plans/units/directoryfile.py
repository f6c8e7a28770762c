"""Add units to the text of data/units.yaml without disturbing it: new entries go at the end of the
`units:` list (regions they need at the end of `regions:`), comments and order stay as the
coordinators wrote them, and the result is checked by loading it before anyone writes it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from scheduler.errors import InputError, Problem
from scheduler.plans.units.directory import UnitDirectory
from scheduler.plans.units.table import UnitRow

_TOP_KEY = re.compile(r"^[A-Za-z_]+:")
_EMPTY_LIST = re.compile(r"^(?P<key>regions|units):\s*\[\s*\]\s*(#.*)?$", re.MULTILINE)
SKELETON = "# Unit directory (单位名录), started by duban units import.\nversion: 1\n\nregions:\n\nunits:\n"


@dataclass
class DirectoryEdit:
    """The new file text and what it changed."""

    text: str
    added: list[UnitRow] = field(default_factory=list)
    skipped: list[tuple[UnitRow, str]] = field(default_factory=list)  # already there, and why
    regions: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _unit_yaml(row: UnitRow, code: str, dash: str = "  ") -> str:
    """Write one unit entry, its `- ` at the indentation `dash` the file's own list items use."""
    digest = hashlib.sha1(f"{row.region}/{row.name}".encode()).hexdigest()[:8]
    key = dash + "  "
    return (f"{dash}- id: u-{code}-{digest}\n{key}name: {_q(row.name)}\n{key}kind: {row.kind}\n"
            f"{key}region: {_q(row.region)}\n{key}aliases: [{', '.join(_q(a) for a in row.aliases)}]\n"
            f"{key}head_title: {_q(row.head_title)}\n"
            f"{key}contacts: {{email: [{', '.join(_q(e) for e in row.email)}], "
            f"webhook: [{', '.join(_q(w) for w in row.webhook)}]}}\n")


def _region_yaml(region: str, parent: str | None, dash: str = "  ") -> str:
    return f"{dash}- name: {_q(region)}\n" + (f"{dash}  parent: {_q(parent)}\n" if parent else "")


def _dash(lines: list[str], key: str) -> str:
    """Return the indentation of the list items under a top-level key: YAML allows `- ` at the key's
    own column as well as indented, and an entry added at the other one would not load."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{key}:"), None)
    if start is not None:
        for line in lines[start + 1:]:
            if _TOP_KEY.match(line):
                break
            stripped = line.lstrip(" ")
            if stripped.startswith("- ") or stripped.rstrip() == "-":
                return line[: len(line) - len(stripped)]
    return "  "


def _block_start(lines: list[str], key: str, filename: str) -> int:
    """Return the index of a top-level key that opens a block list; an InputError naming its line when
    the list is written another way (`units: [{…}]`), which an edit by lines cannot extend. A file
    that loaded as a directory has both keys (`key: []` was turned into `key:` before)."""
    for i, line in enumerate(lines):
        if line.rstrip() == f"{key}:":
            return i
    where = next(i + 1 for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    raise InputError.single(filename, where, f"{key} 不是逐行书写的列表（如 {key}: 后换行、每项以“- ”开头），"
                                             f"无法自动添加；请改为逐行列表后再导入，或手工添加")


def _block_end(lines: list[str], key: str, filename: str) -> int:
    """Return the index after the last indented line of a top-level block (`regions:`)."""
    start = _block_start(lines, key, filename)
    end = start + 1
    for i in range(start + 1, len(lines)):
        if _TOP_KEY.match(lines[i]):
            break
        if lines[i].startswith((" ", "-")) and lines[i].strip() and not lines[i].lstrip().startswith("#"):
            end = i + 1
    return end


def add_units(text: str, rows: list[UnitRow], directory: UnitDirectory, source: str,
              filename: str = "units.yaml") -> DirectoryEdit:
    """Return `text` with the rows added; a row already in the directory is skipped, one whose
    name or alias means another unit in its region is a problem naming the sheet row."""
    edit = DirectoryEdit(text)
    declared = set(directory.regions())
    region_lines: list[tuple[str, str | None]] = []
    unit_lines: list[tuple[UnitRow, str]] = []
    for row in rows:
        existing = directory.find(row.name)
        if existing is not None:
            edit.skipped.append((row, f"“{row.name}”已在单位名录中（{existing.id}），未改动"))
            continue
        clash = ""
        for written in (row.name, *row.aliases):
            found = directory.resolve(written, row.region) if row.region in declared else None
            declared_unit = found is not None and found.status == "unit" and \
                any(directory.find(u.name) is not None for u in found.units)
            if found is not None and (declared_unit or found.status in ("group", "ambiguous", "title")):
                clash = f"“{written}”在{row.region}已指{'、'.join(u.name for u in found.units) or found.status}"
                break
        if clash:
            edit.problems.append(Problem(source, row.row, clash, "名称或别名"))
            continue
        here = directory.divisions.find(row.region)
        for region, parent in ((here.city, None), (row.region, here.city)) if here and not here.is_city \
                else ((row.region, None),):
            if region not in declared:
                declared.add(region)
                edit.regions.append(region)
                region_lines.append((region, parent))
        unit_lines.append((row, here.code if here else "x"))
        edit.added.append(row)
    if not unit_lines:
        return edit
    lines = _EMPTY_LIST.sub(lambda m: f"{m['key']}:", text).splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    try:
        dash = _dash(lines, "units")
        at_units = _block_end(lines, "units", filename)
        lines[at_units:at_units] = [f"{dash}# 由 duban units import 自 {source} 导入\n",
                                    *(_unit_yaml(row, code, dash) for row, code in unit_lines)]
        if region_lines:
            dash = _dash(lines, "regions")
            at_regions = _block_end(lines, "regions", filename)
            lines[at_regions:at_regions] = [_region_yaml(region, parent, dash) for region, parent in region_lines]
        edit.text = "".join(lines)
        UnitDirectory.from_yaml_text(edit.text, filename)
    except InputError as exc:  # a list an edit by lines cannot extend, or a clash the row checks did not
        edit.problems.extend(exc.problems)  # see (a name valid province-wide): nothing is written
        edit.added, edit.regions, edit.text = [], [], text
    return edit
