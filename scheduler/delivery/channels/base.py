"""The Channel protocol, the message every channel sends, and the one error type they raise.

A sender raises `TransportError(permanent=...)`; the delivery loop retries only non-permanent
errors (Healthchecks' rule). Message-IDs derive from the notice or digest key, so a resend after a
crash carries the same Message-ID and mail clients and the outbox see one message, not two.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import encode_rfc2231, format_datetime, formataddr
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


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


@runtime_checkable
class Staged(Protocol):
    """A message handed to its channel up to its last step: the recipient has it but has not
    accepted it yet (SMTP: all of DATA but the final dot)."""

    def complete(self) -> Receipt:
        """Take the last step: the recipient accepts the message; raise TransportError if not."""
        ...

    def abort(self) -> None:
        """Drop the message: the recipient discards what it was given (no QUIT mid-DATA)."""
        ...


@runtime_checkable
class Staging(Channel, Protocol):
    """A channel that can also stage a message, so the delivery loop hands over the next message
    while the previous outcome commits, and completes it only once that commit has landed."""

    def stage(self, message: OutgoingMessage) -> Staged:
        """Hand `message` over up to its last step; raise TransportError as send() does."""
        ...


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ChannelKind:
    """What delivery knows of one kind of channel; scheduler.delivery.channels.registry lists them.

    `make(settings, address, now)` builds a channel from the kind's section of config.delivery
    (None for a kind without one) for one address; `now` is the run's clock, or None for the
    channel's default."""

    name: str  # stored on delivery rows: file, smtp, webhook
    contact: str | None  # the unit directory's contact field it sends to; None: it needs no contact
    section: str | None  # the field of config.delivery that configures it; None: it needs no settings
    make: Callable[[Any, str, Clock | None], Channel]
    shared: bool = False  # one channel serves every address (SMTP: one session per run)
    addressed: bool = False  # the message's recipients are the target's address (e-mail)
    unconfigured: str = ""  # why a unit with only this kind of contact falls back to the file outbox


def key_digest(key: str, length: int = 32) -> str:
    """Hash a key to a stable, ASCII-only token."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]


def message_id(key: str, domain: str = "duban.local") -> str:
    """Derive the RFC 5322 Message-ID from the key: the same key always gives the same ID."""
    return f"<{key_digest(key)}@{domain}>"


def email_bytes(
    message: OutgoingMessage, sender: str, now: datetime, *, domain: str = "duban.local",
    sender_name: str = "督办系统",
) -> bytes:
    """Serialise the RFC 5322/MIME message (CRLF lines, ASCII only): UTF-8 headers as encoded
    words, text and HTML as multipart/alternative in base64, files attached after them.

    Headers go through the standard library's header registry (_header); the body is written
    directly rather than through email.message.EmailMessage, whose generator costs several ms a
    message (more than the SMTP exchange): this structure is fixed, so the output is the same
    MIME. Boundaries derive from the key (a resend is byte-identical but for Date) and contain
    "_", which base64 bodies never do.
    """
    token = key_digest(message.key, 24)
    to = ", ".join(message.to) if message.to else formataddr((message.unit, f"undisclosed@{domain}"), "utf-8")
    lines = [
        f"Message-ID: {message_id(message.key, domain)}",
        f"Date: {format_datetime(now)}",
        _header("From", formataddr((sender_name, sender), "utf-8")),
        _header("To", to),
        *([_header("Cc", ", ".join(message.cc))] if message.cc else []),
        _header("Subject", message.subject),
        _header("X-Duban-Key", message.key),
        _header("X-Duban-Unit", message.unit),
        "MIME-Version: 1.0",
    ]
    body = _text_part("plain", message.text)
    if message.html:
        body = _multipart("alternative", f"=_alt_{token}", [body, _text_part("html", message.html)])
    if message.attachments:
        body = _multipart("mixed", f"=_mix_{token}", [body, *map(_attachment, message.attachments)])
    return "\r\n".join(lines).encode("ascii") + b"\r\n" + body


def build_email(
    message: OutgoingMessage, sender: str, now: datetime, *, domain: str = "duban.local",
    sender_name: str = "督办系统",
) -> EmailMessage:
    """Return the message of email_bytes() parsed back, for callers that want an EmailMessage."""
    raw = email_bytes(message, sender, now, domain=domain, sender_name=sender_name)
    return message_from_bytes(raw, policy=policy.default)


# Characters that end a line for a mail reader or the email package (CR, LF, NEL, U+2028…) or are
# not text at all: inside a header value they could start a header of their own (Bcc:).
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


_UNSTRUCTURED = frozenset({"Subject", "X-Duban-Key", "X-Duban-Unit"})
_WORD_BYTES = 39  # UTF-8 bytes per encoded word: 52 base64 characters, a line of at most 78 with the name


@lru_cache(maxsize=4096)  # From, To, Cc and unit repeat across a run's messages
def _header(name: str, value: str) -> str:
    """Return `Name: value` folded for SMTP (CRLF, 78 columns, non-ASCII as RFC 2047 encoded words).

    A subject, a unit name or an address is one line: control characters become one space first,
    and addresses go through the standard library's header registry, which refuses any that
    remain, so no value can add a header. Text headers are encoded here: the registry's folding
    cost more than the rest of the message (~1 ms each)."""
    value = _BREAKS.sub(" ", value).strip()
    if name in _UNSTRUCTURED:
        return f"{name}: {_words(value)}"
    _, header = SMTP.header_store_parse(name, value)
    return SMTP.fold(name, header).removesuffix("\r\n")


def _words(text: str) -> str:
    """Return unstructured header text as is when it is short ASCII, else as UTF-8 base64 encoded
    words, one per line, never splitting a character (readers join adjacent words, RFC 2047 6.2)."""
    if text.isascii() and len(text) <= 60 and "=?" not in text:
        return text
    pieces: list[str] = []
    piece: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > _WORD_BYTES:
            pieces.append("".join(piece))
            piece, size = [], 0
        piece.append(char)
        size += width
    pieces.append("".join(piece))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(p.encode('utf-8')).decode('ascii')}?=" for p in pieces)


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _text_part(subtype: str, text: str) -> bytes:
    return (f"Content-Type: text/{subtype}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii") + _b64(text.encode("utf-8"))


def _multipart(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode("ascii")
    mark = f"--{boundary}".encode("ascii")
    chunks = [head]
    for part in parts:
        chunks += [mark, b"\r\n", part, b"" if part.endswith(b"\r\n") else b"\r\n"]
    chunks += [mark, b"--\r\n"]
    return b"".join(chunks)


def _attachment(path: Path) -> bytes:
    ctype, _ = mimetypes.guess_type(path.name)
    if path.suffix == ".docx":
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ctype = ctype or "application/octet-stream"
    head = (f"Content-Type: {ctype}\r\n"
            f"Content-Disposition: attachment;{_filename(path.name)}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n")
    return head.encode("ascii") + _b64(path.read_bytes())


def _filename(name: str) -> str:
    """Return the filename parameter, a non-ASCII name as RFC 2231 continuations of short lines."""
    name = _BREAKS.sub(" ", name)
    if name.isascii() and len(name) < 50 and '"' not in name and "\\" not in name:
        return f' filename="{name}"'
    encoded = encode_rfc2231(name, "utf-8")
    pieces, cut = [], 0
    while cut < len(encoded):
        end = min(cut + 60, len(encoded))
        while end < len(encoded) and "%" in encoded[end - 2 : end]:  # never split a %XX triplet
            end -= 1
        pieces.append(encoded[cut:end])
        cut = end
    return ";".join(f"\r\n filename*{i}*={piece}" for i, piece in enumerate(pieces))
