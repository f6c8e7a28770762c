"""Delivery channels: file outbox (default), SMTP and webhooks, all behind `Channel.send`."""

from __future__ import annotations

from scheduler.delivery.channels.base import (
    Channel,
    OutgoingMessage,
    Receipt,
    TransportError,
    build_email,
    email_bytes,
    message_id,
)

__all__ = ["Channel", "OutgoingMessage", "Receipt", "TransportError", "build_email", "email_bytes",
           "message_id"]
