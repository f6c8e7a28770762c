"""The coordinators' web console and the units' portal (`duban web`); see docs/web.md."""

from scheduler.web.app import create_app

__all__ = ["create_app"]
