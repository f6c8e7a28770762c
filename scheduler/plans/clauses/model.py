"""The parsed responsibility clause: who leads, cooperates, carries out, and who answers for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    """Who leads, cooperates and carries out one task, names as written (whitespace removed).

    `open_roles` lists the roles whose list ended in "等" / "等部门" / "相关部门": the names
    not written out are for a coordinator to add. `later_units` are the units a statement such
    as "以下各项任务均需……负责落实，不再列出" gives every later task, within `later_scope`
    ("plan": the rest of the plan; "chapter": until the next chapter).
    """

    lead_units: tuple[str, ...] = ()
    cooperating_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    applies_to_later_tasks: bool = False
    responsible_persons: tuple[str, ...] = ()
    open_roles: tuple[str, ...] = ()
    later_units: tuple[str, ...] = ()
    later_scope: str = ""

    @property
    def open_list(self) -> bool:
        """Tell whether some list of the clause was left open ("等部门")."""
        return bool(self.open_roles)

    def to_json(self) -> dict[str, object]:
        """Return the clause as a JSON object (the first four keys are the stable contract)."""
        return {
            "lead_units": list(self.lead_units),
            "cooperating_units": list(self.cooperating_units),
            "responsible_units": list(self.responsible_units),
            "applies_to_later_tasks": self.applies_to_later_tasks,
            "responsible_persons": list(self.responsible_persons),
            "open_list": self.open_list,
            "open_roles": list(self.open_roles),
            "later_units": list(self.later_units),
            "later_scope": self.later_scope,
        }

    def is_empty(self) -> bool:
        """Tell whether the clause names no unit at all."""
        return not (self.lead_units or self.cooperating_units or self.responsible_units)
