"""One meaning for a stored moment on every database: UTC.

PostgreSQL keeps `timestamptz` as an instant; SQLite keeps text and drops the offset, so a Shanghai
09:00 and a UTC 01:00 written by different callers would read back as different naive times, sort
wrongly against each other and display eight hours off. Every timestamp column uses `UtcDateTime`:
aware values are converted to UTC before they are stored, and what comes back is aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """A timezone-aware timestamp stored as UTC; a naive value is taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
