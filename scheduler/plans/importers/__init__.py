"""Importers that turn plan documents into ledger data (see scheduler.plans.ledger)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler.errors import Problem
from scheduler.plans.ledger import Targets, Task


@dataclass
class ImportResult:
    """What an importer read: tasks and targets, plus every row it could not read."""

    tasks: list[Task] = field(default_factory=list)
    targets: Targets = field(default_factory=Targets)
    problems: list[Problem] = field(default_factory=list)
