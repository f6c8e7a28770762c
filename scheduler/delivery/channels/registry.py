"""The channel kinds delivery knows, and the factory that builds channels from the configuration.

Each kind says which contact of a unit it sends to, which section of config.delivery configures it
and how to build it (scheduler.delivery.channels.base.ChannelKind). Adding a channel, say SMS, is
one module in this folder that defines its Channel and its KIND, plus its line below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.config import DeliveryConfig
from scheduler.delivery.channels import fileoutbox, smtp, webhook
from scheduler.delivery.channels.base import Channel, ChannelKind, Clock, TransportError

FILE = fileoutbox.KIND.name  # the fallback: every unit can be written to the file outbox

CHANNELS: dict[str, ChannelKind] = {
    fileoutbox.KIND.name: fileoutbox.KIND,
    smtp.KIND.name: smtp.KIND,
    webhook.KIND.name: webhook.KIND,
}

ChannelFactory = Callable[[str, str], Channel]


def for_contact(contact: str) -> ChannelKind | None:
    """Return the kind that sends to a unit's `contact` field (email, webhook); None if none does."""
    return next((kind for kind in CHANNELS.values() if kind.contact == contact), None)


def settings_of(kind: ChannelKind, cfg: DeliveryConfig) -> Any:
    """Return the kind's section of config.delivery (None when absent or when it needs none)."""
    return getattr(cfg, kind.section, None) if kind.section else None


def is_configured(kind: ChannelKind, cfg: DeliveryConfig) -> bool:
    """Say whether the kind can send: it needs no settings, or its section is present."""
    return kind.section is None or settings_of(kind, cfg) is not None


def channel_factory(cfg: DeliveryConfig, now: Clock | None = None) -> ChannelFactory:
    """Build channels from the delivery settings, one per (kind, address), or one per kind for a
    shared kind (SMTP: one session per run); an unknown or unconfigured kind is a permanent error."""
    made: dict[tuple[str, str], Channel] = {}

    def make(channel: str, address: str) -> Channel:
        kind = CHANNELS.get(channel)
        if kind is None or not is_configured(kind, cfg):
            raise TransportError(f"发送渠道“{channel}”未配置", permanent=True)
        key = (channel, "" if kind.shared else address)
        if key not in made:
            made[key] = kind.make(settings_of(kind, cfg), address, now)
        return made[key]

    return make
