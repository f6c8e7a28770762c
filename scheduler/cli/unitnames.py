"""Unit names as a coordinator types them on the command line: a canonical name, an alias or a
short name (潞州区 → 潞州区人民政府), read in the plan's region through the unit directory; a name
that fits no unit fails with a Chinese message listing the close ones, never a database error."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from scheduler.errors import InputError
from scheduler.plans.units import UnitDirectory


def _spellings(directory: UnitDirectory, among: Sequence[str]) -> dict[str, str]:
    """Return every spelling of the candidate units (name and aliases) -> canonical name."""
    found: dict[str, str] = {}
    for name in among:
        found.setdefault(name, name)
        unit = directory.find(name)
        for alias in unit.aliases if unit is not None else ():
            found.setdefault(alias, name)
    return found


def resolve_unit(written: str, directory: UnitDirectory, region: str, among: Sequence[str],
                 what: str = "单位") -> str:
    """Return the canonical name among `among` that `written` means, or raise InputError naming close matches."""
    text = written.strip()
    if text in among:
        return text
    resolution = directory.resolve(text, region) if text else None
    if resolution is not None and resolution.status == "group":
        raise InputError.single("单位", None, f"“{text}”是单位组，请写其中一个具体单位：{'、'.join(among)}")
    if resolution is not None and len(resolution.units) == 1 and resolution.units[0].name in among:
        return resolution.units[0].name
    spellings = _spellings(directory, among)
    if text in spellings:
        return spellings[text]
    partial = {name for spelling, name in spellings.items() if text and text in spelling}
    if len(partial) == 1:
        return partial.pop()
    close = list(dict.fromkeys(spellings[s] for s in difflib.get_close_matches(text, list(spellings), n=5,
                                                                              cutoff=0.4)))
    close += sorted(partial - set(close))
    hint = f"相近的有：{'、'.join(close)}" if close else f"可选：{'、'.join(among) or '（无）'}"
    raise InputError.single("单位", None, f"找不到{what}“{text}”；{hint}")
