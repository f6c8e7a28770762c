"""Air-quality and progress metrics with their targets (issue: metrics). Metrics feature owns this file."""

from __future__ import annotations

from scheduler.store.models import Base  # noqa: F401
