"""Where a unit's messages go: which of its contacts each configured channel uses.

A unit gets one target per contact whose channel kind is configured (e-mail needs SMTP; a webhook
URL is its own configuration). A unit with no usable contact is written to the file outbox, the
coordinators' folder, and the run says why so that somebody forwards it. Pure: contacts in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scheduler.config import DeliveryConfig
from scheduler.delivery.channels.registry import CHANNELS, FILE, for_contact, is_configured

NO_CONTACT = "单位名录中没有联系方式"
EMAIL = "email"  # the contact field the file outbox addresses its .eml files to, for forwarding


@dataclass(frozen=True)
class Target:
    """One place a unit's messages go: channel kind (file, smtp, webhook) and address."""

    channel: str
    address: str


def route(contacts: Sequence[tuple[str, str]], cfg: DeliveryConfig, outbox: Path) -> tuple[list[Target], str]:
    """Return a unit's targets from its (contact field, address) pairs, and why it fell back to
    the file outbox ("" when it did not)."""
    targets: list[Target] = []
    unconfigured = ""
    for contact, address in contacts:
        kind = for_contact(contact)
        if kind is None:
            continue
        if is_configured(kind, cfg):
            targets.append(Target(kind.name, address))
        elif not unconfigured:
            unconfigured = kind.unconfigured
    if targets:
        return targets, ""
    return [Target(FILE, str(outbox))], unconfigured or NO_CONTACT


def recipients(target: Target, contacts: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Return the addresses a message names: the target's own for an addressed kind (e-mail), the
    unit's e-mail addresses in the file outbox, none otherwise (a webhook has its URL)."""
    kind = CHANNELS.get(target.channel)
    if kind is not None and kind.addressed:
        return (target.address,)
    if target.channel == FILE:
        return tuple(address for contact, address in contacts if contact == EMAIL)
    return ()
