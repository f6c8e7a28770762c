"""The values a deadline cell becomes: its plan context, the parsed deadline, a milestone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

Kind = Literal["due", "ongoing", "year_long", "external", "window", "from", "recurring",
               "season", "unknown"]
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True)
class DeadlineContext:
    """What a cell needs from its plan to become dates."""

    plan_year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    heating_season_start: tuple[int, int] = (11, 1)  # (month, day) for the plan's region


NO_CONTEXT = DeadlineContext()


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline cell. `due` holds every milestone date, earliest first."""

    text: str
    kind: Kind
    due: tuple[date, ...] = ()
    start: date | None = None
    end: date | None = None
    rrule: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """Return the JSON object of the command-line contract (DESIGN.md)."""
        return {
            "text": self.text,
            "kind": self.kind,
            "due": [d.isoformat() for d in self.due],
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "rrule": self.rrule,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Milestone:
    """A date found inside measure text, with the phrase it governs."""

    due: date
    phrase: str
    text: str  # the date expression as written
    notes: tuple[str, ...] = field(default=())
