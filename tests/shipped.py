"""What the repository ships, loaded once for the tests that sweep it: the configuration, the rule
files, the working-day calendar, the unit directory and the 长治 2019-20 ledger (the seed the sweep
tests live a season on)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.ruleset import RuleBook, load_rulebook
from scheduler.plans.ledger import load_ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store import Store, open_store
from scheduler.sweep import SweepResult, run_sweep

ROOT = Path(__file__).resolve().parents[1]
CONFIG = load_config(ROOT / "config.yaml")
RULES = load_rulebook(ROOT / "rules")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
CHANGZHI_2019 = load_ledger(ROOT / "data" / "changzhi-2019.yaml")


def changzhi_store(url: str, now: datetime | None = None) -> Store:
    """Open `url` with the 长治 2019-20 ledger loaded (at `now`, else at the clock's now)."""
    store = open_store(url)
    with store.session() as session:
        repo.load_ledgers(session, [CHANGZHI_2019], DIRECTORY, CONFIG.heating_season_start, now=now)
        session.commit()
    return store


def sweep(store: Store, day: date, rules: RuleBook = RULES, **options: Any) -> SweepResult:
    """Sweep `day` with the shipped calendar and heating seasons."""
    return run_sweep(store, rules, CALENDAR, day, heating=CONFIG.heating_season_start, **options)
