"""The daily sweep: evaluate the pure rules for one business day and store the notices once.

Idempotence comes from the notices' unique occurrence keys (insert-or-nothing), not from
remembering what ran; a repeated sweep of the same day therefore creates nothing. After downtime,
the sweep passes the last swept day as `since`, so one catch-up run covers the missed days and
sends each pending reminder once (the latest one), not once per missed day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from scheduler.facts import Action


@dataclass
class SweepResult:
    """What one sweep did, in the shape of the `duban sweep --json` contract."""

    as_of: date
    created: list[Action] = field(default_factory=list)
    unchanged: int = 0
    since: date | None = None
    plans: list[str] = field(default_factory=list)
    skipped: str = ""  # why nothing was evaluated (e.g. 非工作日)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "created": [action.to_json() for action in self.created],
            "unchanged": self.unchanged,
            "since": self.since.isoformat() if self.since else None,
            "plans": self.plans,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }


def open_plan_ids(plans: list[tuple[str, date, date]], as_of: date, grace_days: int) -> list[str]:
    """Return the plans still swept on `as_of`: period not ended more than `grace_days` ago."""
    return [plan_id for plan_id, _start, end in plans if as_of <= end + timedelta(days=grace_days)]
