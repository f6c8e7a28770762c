"""The one place that reads the wall clock; everything else takes `today` or `now`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Return the current time in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


def local_day(moment: datetime) -> date:
    """Return the Shanghai business day of an aware moment (the store gives them back in UTC)."""
    return moment.astimezone(SHANGHAI).date()


def today() -> date:
    """Return today's date in Asia/Shanghai (the plans' business day)."""
    return now().date()
