"""Units: the directory of data/units.yaml, name normalisation, the official division list, and
the reading of names the directory lacks (generic names by region, provisional units)."""

from scheduler.plans.units.directory import UnitDirectory
from scheduler.plans.units.divisions import Division, Divisions, official_divisions
from scheduler.plans.units.model import (
    GLOBAL,
    PROVISIONAL,
    ContactsModel,
    GroupModel,
    RegionModel,
    Resolution,
    Status,
    TitleModel,
    Unit,
    UnitKind,
    UnitModel,
    UnitsFile,
)
from scheduler.plans.units.names import name_key, normalize_unit_name
from scheduler.plans.units.regional import provisional_unit

__all__ = [
    "GLOBAL", "PROVISIONAL", "ContactsModel", "Division", "Divisions", "GroupModel", "RegionModel",
    "Resolution", "Status", "TitleModel", "Unit", "UnitDirectory", "UnitKind", "UnitModel",
    "UnitsFile", "name_key", "normalize_unit_name", "official_divisions", "provisional_unit",
]
