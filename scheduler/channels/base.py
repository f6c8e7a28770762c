"""The Channel protocol, the message every channel sends, and the one error type they raise.

A sender raises `TransportError(permanent=...)`; the delivery loop retries only non-permanent
errors (Healthchecks' rule). Message-IDs derive from the notice or digest key, so a resend after a
crash carries the same Message-ID and mail clients and the outbox see one message, not two.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol, runtime_checkable


class TransportError(Exception):
    """Raised when a channel cannot deliver; `permanent` says whether a retry can help."""

    def __init__(self, message: str, *, permanent: bool, unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable  # the server could not be reached at all: skip it this run

    def __repr__(self) -> str:
        return f"TransportError({str(self)!r}, permanent={self.permanent})"


@dataclass(frozen=True)
class OutgoingMessage:
    """One delivery: a digest or a letter's cover text for one unit, with its files."""

    key: str  # the notice or digest key; the Message-ID and file names derive from it
    day: date  # the delivery day; the file outbox files messages under it
    unit: str  # recipient unit (canonical name)
    subject: str
    text: str
    html: str | None = None
    to: tuple[str, ...] = ()  # e-mail addresses; the file outbox records them, SMTP needs them
    cc: tuple[str, ...] = ()
    attachments: tuple[Path, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)  # e.g. document number, for webhooks


@dataclass(frozen=True)
class Receipt:
    """What a channel reports after a delivery, for the delivery log."""

    channel: str
    message_id: str
    detail: str = ""


@runtime_checkable
class Channel(Protocol):
    """Anything that can deliver an OutgoingMessage or say why not."""

    name: str

    def send(self, message: OutgoingMessage) -> Receipt:
        """Deliver `message`; raise TransportError(permanent=...) on failure."""
        ...


def key_digest(key: str, length: int = 32) -> str:
    """Hash a key to a stable, ASCII-only token."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]


def message_id(key: str, domain: str = "duban.local") -> str:
    """Derive the RFC 5322 Message-ID from the key: the same key always gives the same ID."""
    return f"<{key_digest(key)}@{domain}>"


def build_email(
    message: OutgoingMessage, sender: str, now: datetime, *, domain: str = "duban.local",
    sender_name: str = "督办系统",
) -> EmailMessage:
    """Build the RFC 5322 message (UTF-8 headers, text + HTML alternatives, files attached)."""
    mail = EmailMessage()
    mail["Message-ID"] = message_id(message.key, domain)
    mail["Date"] = format_datetime(now)
    mail["From"] = formataddr((sender_name, sender))
    if message.to:
        mail["To"] = ", ".join(message.to)
    else:  # a file-outbox message for a unit without an address still names its unit
        mail["To"] = formataddr((message.unit, f"undisclosed@{domain}"))
    if message.cc:
        mail["Cc"] = ", ".join(message.cc)
    mail["Subject"] = message.subject
    mail["X-Duban-Key"] = message.key
    mail["X-Duban-Unit"] = message.unit
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    for path in message.attachments:
        ctype, _ = mimetypes.guess_type(path.name)
        if path.suffix == ".docx":
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                            filename=path.name)
    return mail
