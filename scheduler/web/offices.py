"""Which plans a console user may see: those of the offices their account serves.

Coordinators and viewers belong to one or more issuing offices (scheduler.store.offices); an
account with none is provincial. The dashboard, the queue, the letters, the 通报 and the exports
ask here, so each office sees its own plans and units and no other office's.
"""

from __future__ import annotations

from fastapi import Request

from scheduler.issuers import Issuers
from scheduler.store.offices import account_offices, plans_of
from scheduler.store.session import Session
from scheduler.web.accounts import WebUser
from scheduler.web.core import web


def office_table(request: Request) -> Issuers:
    """Return the issuer table the app was configured with (config.yaml's `issuers:`)."""
    return web(request).config.letter_issuers


def user_offices(session: Session, user: WebUser) -> tuple[str, ...] | None:
    """Return the offices the user works for; None for a provincial account (or a unit user, whom
    their units scope instead)."""
    return None if user.role == "unit" else account_offices(session, user.id)


def user_plans(session: Session, user: WebUser, issuers: Issuers) -> list[str] | None:
    """Return the ids of the plans the user may see (their offices' by config.yaml's `issuers:`);
    None when every plan."""
    return plans_of(session, issuers, user_offices(session, user))
