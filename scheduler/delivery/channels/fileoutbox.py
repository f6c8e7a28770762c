"""The default channel: write each delivery as a real .eml file plus its letters into a folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scheduler import clock
from scheduler.delivery.channels.base import (
    ChannelKind,
    Clock,
    OutgoingMessage,
    Receipt,
    TransportError,
    email_bytes,
    key_digest,
    message_id,
)

_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')
MAX_STEM = 120  # bytes-safe length for file names on common file systems


def file_stem(key: str) -> str:
    """Turn a key into a file name: readable, no path characters, stable, hashed when long."""
    stem = _UNSAFE.sub("_", key).strip("._") or "message"
    if len(stem.encode("utf-8")) > MAX_STEM:
        stem = stem[:30].rstrip("_") + "_" + key_digest(key, 16)
    return stem


class FileOutbox:
    """Write <root>/<day>/<key>.eml and copy the attachments beside it."""

    name = "file"

    def __init__(self, root: Path | str, *, sender: str = "duban@localhost",
                 domain: str = "duban.local", now: Callable[[], datetime] = clock.now) -> None:
        self.root = Path(root)
        self.sender = sender
        self.domain = domain
        self.now = now

    def path_for(self, message: OutgoingMessage) -> Path:
        """Return where `message` is (or will be) written."""
        return self.root / message.day.isoformat() / f"{file_stem(message.key)}.eml"

    def send(self, message: OutgoingMessage) -> Receipt:
        """Write the message atomically; writing the same key again replaces the same file."""
        target = self.path_for(message)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for source in message.attachments:
                copy = target.parent / source.name
                if source.resolve() != copy.resolve():
                    shutil.copyfile(source, copy)
            mail = email_bytes(message, self.sender, self.now(), domain=self.domain)
            partial = target.with_suffix(".eml.part")
            partial.write_bytes(mail)
            os.replace(partial, target)  # readers never see half a message
        except FileNotFoundError as exc:
            raise TransportError(f"附件不存在：{exc.filename}", permanent=True) from None
        except OSError as exc:  # disk full, permissions: an operator can fix it, so retry later
            raise TransportError(f"写入发件箱失败：{exc}", permanent=False) from None
        return Receipt(self.name, message_id(message.key, self.domain), str(target))


def _make(settings: object, address: str, now: Clock | None) -> FileOutbox:
    return FileOutbox(address, now=now) if now else FileOutbox(address)


KIND = ChannelKind("file", contact=None, section=None, make=_make)
