"""The one place that reads the wall clock; everything else takes `today` or `now`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Return the current time in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


def today() -> date:
    """Return today's date in Asia/Shanghai (the plans' business day)."""
    return now().date()
