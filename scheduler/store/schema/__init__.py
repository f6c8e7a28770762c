"""The store's tables by concept; every model is importable from here.

Importing this package registers every table on `Base.metadata` (migrations and the schema-drift
test rely on that).
"""

from scheduler.store.schema.accounts import ROLES, User, UserUnit, WebSession
from scheduler.store.schema.acks import AckLink
from scheduler.store.schema.audit import AuditEntry, SweepRun
from scheduler.store.schema.base import Base
from scheduler.store.schema.cursors import SweepCursor, SweepWorld
from scheduler.store.schema.ledger import Assignment, Contact, Plan, Task, Unit
from scheduler.store.schema.metrics import MetricImport, MetricValueRow
from scheduler.store.schema.notices import Delivery, Letter, Notice
from scheduler.store.schema.overrides import UnitOverride
from scheduler.store.schema.progress import DeadlineOverride, ExtensionRequest, ProgressReport, SignOff
from scheduler.store.schema.records import LetterFile, UserOffice
from scheduler.store.schema.timestamps import UtcDateTime

__all__ = [
    "ROLES", "AckLink", "Assignment", "AuditEntry", "Base", "Contact", "DeadlineOverride", "Delivery",
    "ExtensionRequest", "Letter", "LetterFile", "MetricImport", "MetricValueRow", "Notice", "Plan",
    "ProgressReport", "SignOff", "SweepCursor", "SweepRun", "SweepWorld", "Task", "Unit", "UnitOverride", "User",
    "UserOffice", "UserUnit", "WebSession", "UtcDateTime",
]
