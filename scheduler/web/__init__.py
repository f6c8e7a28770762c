"""The coordinators' web console and the units' portal (`duban web`); see docs/web.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scheduler.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """Import the app only when asked for: the command line reads the console's labels
    (scheduler.web.labels) on every start and must not pay for FastAPI and the routes."""
    if name == "create_app":
        from scheduler.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
