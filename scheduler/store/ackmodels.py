"""Signed 签收 links and their use (issue: delivery). Delivery feature owns this file."""

from __future__ import annotations

from scheduler.store.models import Base  # noqa: F401
