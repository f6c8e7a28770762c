"""Console accounts and sessions (issue: web console). Web feature owns this file."""

from __future__ import annotations

from scheduler.store.models import Base  # noqa: F401
