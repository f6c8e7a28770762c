"""Stored metric imports as the console shows them: what each upload read, loaded and rejected.

Saving the values is scheduler.store.metrics.save_import; this module hands back the record an
import made and reads earlier ones, as plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.escalation.metrics.values import ImportReport
from scheduler.store.metrics import save_import
from scheduler.store.schema import MetricImport


@dataclass(frozen=True)
class ImportRecord:
    """One run of `duban metrics import` or one console upload."""

    id: int
    file: str
    at: datetime
    by: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    bad_rows: int
    report: dict[str, Any] = field(default_factory=dict)  # problems and gaps as JSON


def _record(row: MetricImport) -> ImportRecord:
    return ImportRecord(row.id, row.file, row.at, row.by, row.rows_read, row.inserted, row.updated, row.unchanged,
                        row.bad_rows, dict(row.report or {}))


def save_import_record(session: Session, report: ImportReport, by: str, now: datetime) -> int:
    """Store the report's values as save_import does and return the id of the import it recorded."""
    before = {id(o) for o in session.identity_map.values()}
    save_import(session, report, by, now=now)
    # save_import adds one record to this session; take that one, not "the newest row", which
    # another coordinator's import may have become meanwhile
    record = next(o for o in session.identity_map.values() if isinstance(o, MetricImport) and id(o) not in before)
    if report.problems_omitted or report.gaps_omitted:  # the report lists MAX_LISTED; say how many more
        record.report = {**(record.report or {}), "problems_omitted": report.problems_omitted,
                         "gaps_omitted": report.gaps_omitted}
    return record.id


def import_record(session: Session, import_id: int) -> ImportRecord | None:
    row = session.get(MetricImport, import_id)
    return _record(row) if row is not None else None


def recent_import_records(session: Session, limit: int) -> list[ImportRecord]:
    """Return the latest imports, newest first."""
    return [_record(r) for r in session.scalars(select(MetricImport).order_by(MetricImport.id.desc()).limit(limit))]
