"""The handle the console and the CLI pass to store functions without querying through it.

Web routes and commands hold a session for one request or command and hand it to the store's
functions; naming its type here keeps SQLAlchemy out of every module above the store.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["Session"]
