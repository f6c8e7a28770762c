"""When to send and when to give up: backoff, retries, leases, quiet hours, dead letters.

Nothing is lost to an outage: transient failures (refused or dropped connections, timeouts, 4xx)
are retried, the wait doubling from 5 minutes up to `retry_cap_minutes`, for as long as the run of
failures is younger than `max_age_days`; only permanent failures (5xx, bad credentials, no address)
or that age end in the dead-letter state a coordinator looks at. In quiet hours only the file
outbox is written; SMTP and webhooks wait for the next run after them. Pure: the time is an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scheduler.config import DeliveryConfig
from scheduler.delivery.channels.base import TransportError

if TYPE_CHECKING:
    from scheduler.config import Config

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=1)  # the default of delivery.retry_cap_minutes
LEASE = timedelta(minutes=15)  # a "sending" row older than this was left by a crashed sender


@dataclass(frozen=True)
class Failure:
    """What becomes of a failed send: retried at `retry_at`, or dead; `text` says why, for the log."""

    dead: bool
    text: str
    retry_at: datetime | None
    failing_since: datetime  # when the current run of failures began (UTC)


def backoff(attempts: int, cap: timedelta = BACKOFF_CAP) -> timedelta:
    """Wait 5 min after the first failure, doubling each time, at most `cap`."""
    return min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 20), cap)


def failure(error: TransportError | None, attempts: int, failing_since: datetime | None, now: datetime,
            cfg: DeliveryConfig) -> Failure:
    """Decide a failed send's fate from its error, its attempts (this one included) and how long
    it has been failing; an empty send (`error` None) is a permanent failure."""
    error = error or TransportError("没有可发送的内容", permanent=True)
    stamp = now.astimezone(UTC)
    first = failing_since or stamp
    age = stamp - first
    text = str(error)
    if error.permanent:
        dead = True
    elif cfg.max_attempts is not None and attempts >= cfg.max_attempts:
        dead, text = True, f"{text}（已尝试{attempts}次）"
    elif age >= timedelta(days=cfg.max_age_days):
        dead = True
        text = f"{text}（自首次失败起{_span(age)}内尝试{attempts}次仍未成功）"
    else:
        dead = False
    retry_at = None if dead else stamp + backoff(attempts, timedelta(minutes=cfg.retry_cap_minutes))
    return Failure(dead, text, retry_at, first)


def _span(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f}天" if hours >= 24 else f"{hours:.1f}小时"


def in_quiet_hours(config: Config, cfg: DeliveryConfig, now: datetime) -> bool:
    """Return whether `now` (any zone) falls in the configured quiet hours of config.timezone."""
    if cfg.quiet_hours is None:
        return False
    return cfg.quiet_hours.contains(now.astimezone(ZoneInfo(config.timezone)).time())


def quiet_reason(cfg: DeliveryConfig, held: int) -> str:
    """Say why `held` deliveries wait (for the run's report)."""
    q = cfg.quiet_hours
    span = f"（{q.start}—{q.end}）" if q is not None else ""
    return f"静默时段{span}内不发送邮件和即时消息，{held} 条留待静默时段结束后发送"


def delivery_settings(config: Config, settings: Mapping[str, Any] | DeliveryConfig | None = None) -> DeliveryConfig:
    """Return config.delivery, with `settings` (a DeliveryConfig or some of its fields) on top."""
    if isinstance(settings, DeliveryConfig):
        return settings
    if not settings:
        return config.delivery
    return DeliveryConfig.model_validate({**config.delivery.model_dump(), **settings})
