"""The store edge of the metrics feature: save checked values (insert or update in place, with a
record of the import and an audit entry) and read them back as plain MetricValues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.escalation.metrics.prorata import Series
from scheduler.escalation.metrics.values import ImportReport, MetricValue
from scheduler.store.repo import audit, chunks
from scheduler.store.schema import MetricImport, MetricValueRow


def save_import(session: Session, report: ImportReport, by: str, now: datetime | None = None) -> ImportReport:
    """Store the report's good values (a corrected value replaces the stored one) and record the import.

    Fills the report's inserted/updated/unchanged counts; the caller commits."""
    now = now or clock.now()
    record = MetricImport(file=report.file, at=now, by=by, rows_read=report.rows_read, bad_rows=report.bad_rows,
                          inserted=0, updated=0, unchanged=0, report={})
    session.add(record)
    session.flush()
    wanted = {(v.region, v.metric, v.monthly, v.day): v for v in report.values}
    existing: dict[tuple[str, str, bool, date], MetricValueRow] = {}
    pairs = sorted({(v.region, v.metric) for v in report.values})
    for region, metric in pairs:
        for row in session.scalars(select(MetricValueRow).where(MetricValueRow.region == region,
                                                                MetricValueRow.metric == metric)):
            key = (row.region, row.metric, row.monthly, row.day)
            if key in wanted:
                existing[key] = row
    new_rows: list[MetricValueRow] = []
    for key, value in wanted.items():
        found = existing.get(key)
        if found is None:
            new_rows.append(MetricValueRow(region=value.region, metric=value.metric, monthly=value.monthly,
                                           day=value.day, value=value.value, source=value.source,
                                           import_id=record.id))
        elif found.value != value.value:
            found.value, found.source, found.import_id = value.value, value.source, record.id
            report.updated += 1
        else:
            report.unchanged += 1
    for chunk in chunks(new_rows):
        session.add_all(chunk)
        session.flush()
    report.inserted = len(new_rows)
    record.inserted, record.updated, record.unchanged = report.inserted, report.updated, report.unchanged
    record.report = {"problems": [p.to_json() for p in report.problems],
                     "gaps": report.to_json()["gaps"]}
    audit(session, by, "metrics.import", "metric_import", str(record.id),
          {"file": report.file, "inserted": report.inserted, "updated": report.updated,
           "bad_rows": report.bad_rows}, now)
    return report


def read_values(session: Session, until: date | None = None, regions: Sequence[str] | None = None) -> list[MetricValue]:
    """Return the stored values (up to `until`, of `regions`) as plain values."""
    query = select(MetricValueRow.region, MetricValueRow.metric, MetricValueRow.day, MetricValueRow.value,
                   MetricValueRow.monthly, MetricValueRow.source)
    if until is not None:
        query = query.where(MetricValueRow.day <= until)
    if regions is not None:
        query = query.where(MetricValueRow.region.in_(list(regions)))
    return [MetricValue(*row) for row in session.execute(query)]


def read_series(session: Session, as_of: date) -> Series:
    """Return the stored values up to `as_of` as the series the metric rules evaluate."""
    return Series(read_values(session, until=as_of))
