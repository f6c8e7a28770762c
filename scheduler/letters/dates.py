"""Dates as letters write them (2024年7月2日) and as notice facts carry them (date or ISO text)."""

from __future__ import annotations

from datetime import date
from typing import Any


def zh_date(day: date) -> str:
    """Write a date as letters do: Arabic numerals, no padding (2024年7月2日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def as_date(value: Any, what: str) -> date | None:
    """Read a date given as a date or ISO text; empty is None, anything else an error naming `what`."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what} 不是日期：{value!r}") from None
