"""Duban (督办): deadline reminders and escalations for municipal air-pollution action plans."""

__version__ = "0.1.0"
