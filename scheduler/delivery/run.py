"""Deliver what is due: one digest per unit per day, one numbered letter per approved escalation.

Exactly once lives in the database. Each message gets a Delivery row per channel address, inserted
under its unique key (insert-or-nothing); a sender owns a row only when its conditional UPDATE
pending->sending changed exactly one row. Acceptance, the notices' sent state and the audit entry
commit together. A crash between a channel's acceptance and that commit leaves the row "sending"
until its lease ends; the resend carries the same Message-ID (derived from the key), so the
recipient sees one message.

Nothing is lost to an outage: transient failures (refused or dropped connections, timeouts, 4xx)
are retried, the wait doubling from 5 minutes up to `retry_cap_minutes`, for as long as the run of
failures is younger than `max_age_days` (deliveries.first_failed_at); only permanent failures (5xx,
bad credentials, no address) or that age end in the dead-letter state a coordinator looks at. Due
deliveries go oldest first. A server that cannot be reached at all is not tried again for the rest
of the run. In quiet hours only the file outbox is written; SMTP and webhooks wait for the next run
after them. Letters that must be signed for (预警通知函, 约谈通知) carry a signed 签收 link
(scheduler.delivery.acklinks), and each digest lists the unit's letters still awaiting 签收 with theirs.

A run streams: it claims a batch (at most CLAIM_BATCH rows, or NOTICE_BUDGET notices carried),
builds, sends and records it, then claims the next, so memory stays bounded by one batch at
province scale and a claim's lease starts when its batch is about to be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from scheduler.config import DeliveryConfig
from scheduler.delivery.acklinks import AckLinkError, ack_secret, ack_url, issue_link, sign_ack
from scheduler.delivery.channels.base import Channel, OutgoingMessage, Receipt, TransportError
from scheduler.letters.content import ACK_LEVELS, LetterContext, build_digest, build_letter, zh_date
from scheduler.letters.numbers import format_number
from scheduler.letters.render import Renderer, RenderError, render_letter_files
from scheduler.store import schema as m
from scheduler.store.repo import _insert, audit
from scheduler.store.schema import AckLink

if TYPE_CHECKING:
    from scheduler.config import Config
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.store import Store

log = logging.getLogger(__name__)

ACTOR = "督办系统"
LETTER_LEVELS = ("warning", "interview")  # each approved one becomes a numbered letter
DUE_STATUSES = ("queued", "approved")
CLOSED_TASKS = ("signed_off", "waived")
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=1)  # the default of delivery.retry_cap_minutes
LETTER_MESSAGE_HTML = "letters/message.html"
LEASE = timedelta(minutes=15)  # a "sending" row older than this was left by a crashed sender
ALLOCATION_TRIES = 50
CLAIM_BATCH = 200  # deliveries claimed per transaction
NOTICE_BUDGET = 5000  # notices a claim batch may carry: a run holds one batch, however big the day
CHUNK = 500
PAGE = 1000  # due delivery ids read per query


# Statements deliver() runs once or more per message, built once: building them per call cost more
# than executing them (bench/RESULTS.md); SQLAlchemy caches their compiled forms by structure.
_D, _N = m.Delivery.__table__, m.Notice.__table__
_CONTACTS = (select(m.Contact.channel, m.Contact.address).where(m.Contact.unit == bindparam("unit"))
             .order_by(m.Contact.id))
_CLAIM = (
    update(_D)
    .where(
        _D.c.id == bindparam("did"),
        or_(
            and_(_D.c.status == "pending",
                 or_(_D.c.next_attempt_at.is_(None), _D.c.next_attempt_at <= bindparam("stamp"))),
            and_(_D.c.status == "sending", _D.c.next_attempt_at <= bindparam("stamp")),
        ),
    )
    .values(status="sending", attempts=_D.c.attempts + 1, next_attempt_at=bindparam("lease"))
)
_SETTLE = (update(_D).where(_D.c.id == bindparam("did"), _D.c.status == "sending")
           .values(status="sent", next_attempt_at=None, message_id=bindparam("mid"), last_error="",
                   first_failed_at=None))
_NOTICES_SENT = (update(_N).where(_N.c.key.in_(bindparam("keys", expanding=True)), _N.c.status.in_(DUE_STATUSES))
                 .values(status="sent", sent_on=bindparam("sent_on"), version_id=_N.c.version_id + 1))
_AUDIT = insert(m.AuditEntry.__table__)


@dataclass(frozen=True)
class Issuer:
    """Who signs a region's letters and the 机关代字 of their numbers."""

    name: str
    prefix: str


# Region (as the plan names it) -> issuing office. 泽州县 is a county of 晋城市, whose office writes.
ISSUERS: tuple[tuple[str, Issuer], ...] = (
    ("长治", Issuer("长治市大气污染防治工作领导组办公室", "长大气办函")),
    ("晋中", Issuer("晋中市大气污染防治工作领导组办公室", "晋中大气办函")),
    ("晋城", Issuer("晋城市大气污染防治工作领导组办公室", "晋城大气办函")),
    ("泽州", Issuer("晋城市大气污染防治工作领导组办公室", "晋城大气办函")),
)


def issuer_for_region(region: str) -> Issuer:
    """Return the office that issues letters for a plan of `region`; unknown regions are errors."""
    for needle, issuer in ISSUERS:
        if needle in region:
            return issuer
    raise LookupError(f"没有为地区“{region}”配置发文机关，无法编发文号")


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    day: date
    digests_sent: int = 0
    letters_sent: int = 0
    retried: int = 0  # failed this run, scheduled for a later attempt
    dead: int = 0  # moved to the dead-letter state this run
    skipped_reason: str = ""
    quiet_held: int = 0  # SMTP/webhook deliveries due but held back by quiet hours
    no_contact: dict[str, str] = field(default_factory=dict)  # unit -> why it went to the file outbox
    withheld: int = 0  # claimed, but everything in it was held, rejected or signed off meanwhile
    superseded: int = 0  # earlier days' unsent digests folded into today's
    numbers: list[str] = field(default_factory=list)  # document numbers of the letters sent
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "digests_sent": self.digests_sent,
            "letters_sent": self.letters_sent,
            "retried": self.retried,
            "dead": self.dead,
            "skipped_reason": self.skipped_reason,
            "quiet_held": self.quiet_held,
            "no_contact": [{"unit": unit, "reason": why} for unit, why in sorted(self.no_contact.items())],
            "withheld": self.withheld,
            "superseded": self.superseded,
            "numbers": self.numbers,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Target:
    """One place a unit's messages go: channel name (file, smtp, webhook) and address."""

    channel: str
    address: str


ChannelFactory = Callable[[str, str], Channel]


def digest_key(unit: str, day: date) -> str:
    return f"digest|{unit}|{day.isoformat()}"


def _digest_day(key: str) -> date | None:
    try:
        return date.fromisoformat(key.rsplit("|", 1)[1]) if key.startswith("digest|") else None
    except (IndexError, ValueError):
        return None


def backoff(attempts: int, cap: timedelta = BACKOFF_CAP) -> timedelta:
    """Wait 5 min after the first failure, doubling each time, at most `cap`."""
    return min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 20), cap)


def delivery_settings(config: Config, settings: Mapping[str, Any] | DeliveryConfig | None = None) -> DeliveryConfig:
    """Return config.delivery, with `settings` (a DeliveryConfig or some of its fields) on top."""
    if isinstance(settings, DeliveryConfig):
        return settings
    if not settings:
        return config.delivery
    return DeliveryConfig.model_validate({**config.delivery.model_dump(), **settings})


def _as_delivery(settings: Mapping[str, Any] | DeliveryConfig | None) -> DeliveryConfig:
    if isinstance(settings, DeliveryConfig):
        return settings
    return DeliveryConfig.model_validate(dict(settings or {}))


def _utc(moment: datetime) -> datetime:
    """Store times in UTC so SQLite's text comparison orders them like PostgreSQL does."""
    if moment.tzinfo is None:
        raise ValueError("now 必须带时区")
    return moment.astimezone(UTC)


def default_channel_factory(
    settings: Mapping[str, Any] | DeliveryConfig | None = None, now: Callable[[], datetime] | None = None
) -> ChannelFactory:
    """Build channels from the delivery settings; the file outbox needs none. One SMTP channel
    serves every address (one session per run); one webhook channel per URL."""
    from scheduler.delivery.channels.fileoutbox import FileOutbox
    from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings
    from scheduler.delivery.channels.webhook import WebhookChannel, WebhookSettings, format_for

    cfg = _as_delivery(settings)
    extra: dict[str, Any] = {"now": now} if now else {}
    made: dict[tuple[str, str], Channel] = {}

    def make(channel: str, address: str) -> Channel:
        key = (channel, "" if channel == "smtp" else address)
        if key in made:
            return made[key]
        if channel == "file":
            made[key] = FileOutbox(address, **extra)
        elif channel == "smtp" and cfg.smtp is not None:
            made[key] = SmtpChannel(SmtpSettings(**cfg.smtp.model_dump()), **extra)
        elif channel == "webhook":
            hook = cfg.webhook
            made[key] = WebhookChannel(WebhookSettings(
                url=address, format=format_for(address, hook.format),  # type: ignore[arg-type]
                secret_env=hook.secret_env, timeout=hook.timeout), **extra)
        else:
            raise TransportError(f"发送渠道“{channel}”未配置", permanent=True)
        return made[key]

    return make


def targets_for(
    session: Session, unit: str, outbox: Path, settings: Mapping[str, Any] | DeliveryConfig | None
) -> tuple[list[Target], tuple[str, ...]]:
    """Return where `unit`'s messages go and its e-mail addresses; no usable contact: the outbox."""
    targets, emails, _why = _targets(session, unit, outbox, _has_smtp(settings))
    return targets, emails


def _has_smtp(settings: Mapping[str, Any] | DeliveryConfig | None) -> bool:
    if isinstance(settings, DeliveryConfig):
        return settings.smtp is not None
    return bool((settings or {}).get("smtp"))


def _targets(session: Session, unit: str, outbox: Path, smtp: bool) -> tuple[list[Target], tuple[str, ...], str]:
    """Return the unit's targets, e-mail addresses, and why it fell back to the file outbox ("" if not)."""
    contacts = session.execute(_CONTACTS, {"unit": unit}).all()
    emails = tuple(a for c, a in contacts if c == "email")
    targets = [
        Target("smtp" if c == "email" else "webhook", a)
        for c, a in contacts
        if (c == "email" and smtp) or c == "webhook"
    ]
    if targets:
        return targets, emails, ""
    why = "仅有邮箱地址，但未配置 SMTP" if emails else "单位名录中没有联系方式"
    return [Target("file", str(outbox))], emails, why


def dead_letters(session: Session) -> list[m.Delivery]:
    """Return the deliveries that gave up, oldest first, for a coordinator to resolve."""
    return list(
        session.scalars(select(m.Delivery).where(m.Delivery.status == "dead").order_by(m.Delivery.id))
    )


# --- what is due ----------------------------------------------------------------------------


def _due_query(day: date):
    return _due_where(select(m.Notice, m.Task), day).order_by(m.Notice.id)


def _due_where(query, day: date):
    return query.outerjoin(m.Task, m.Task.id == m.Notice.task_id).where(
        m.Notice.created_on <= day,
        or_(m.Task.id.is_(None), m.Task.status.not_in(CLOSED_TASKS)),
    )


def _due_messages(session: Session, day: date) -> dict[str, str]:
    """Return message key -> unit for what is due on `day`, in the order of each message's first
    notice; reads keys only (not the notices), since a province's day is ~100k of them."""
    due = m.Notice.status.in_(DUE_STATUSES)
    digests = session.execute(
        _due_where(select(func.min(m.Notice.id), m.Notice.unit), day)
        .where(due, m.Notice.level.not_in(LETTER_LEVELS)).group_by(m.Notice.unit)
    ).all()
    letters = session.execute(
        _due_where(select(m.Notice.id, m.Notice.key, m.Notice.unit), day)
        .where(due, m.Notice.level.in_(LETTER_LEVELS))
    ).all()
    entries = sorted([(first, digest_key(unit, day), unit) for first, unit in digests] + [tuple(r) for r in letters])
    return {key: unit for _first, key, unit in entries}


def _prepare(session: Session, day: date, now: datetime, outbox: Path,
             settings: Mapping[str, Any] | DeliveryConfig | None,
             no_contact: dict[str, str] | None = None) -> int:
    """Insert a Delivery row for every message due today (nothing on conflict); supersede
    earlier days' unsent digests, whose notices are still queued and so in today's digest.
    Units that fall back to the file outbox for want of a contact are added to `no_contact`."""
    keys = _due_messages(session, day)  # message key -> unit
    targets: dict[str, list[Target]] = {}
    values = []
    smtp = _has_smtp(settings)
    for key, unit in keys.items():
        if unit not in targets:
            targets[unit], _emails, why = _targets(session, unit, outbox, smtp)
            if why and no_contact is not None:
                no_contact[unit] = why
        values += [
            dict(message_key=key, channel=t.channel, address=t.address, status="pending",
                 attempts=0, last_error="", message_id="")
            for t in targets[unit]
        ]
    for start in range(0, len(values), CHUNK):  # SQLite caps the bound parameters per statement
        session.execute(
            _insert(session, m.Delivery.__table__)
            .values(values[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["message_key", "channel", "address"])
        )
    keys_list = list(keys)
    for start in range(0, len(keys_list), CHUNK):  # withheld once, due again (held, then approved)
        session.execute(
            update(m.Delivery)
            .where(m.Delivery.status == "withheld",
                   m.Delivery.message_key.in_(keys_list[start : start + CHUNK]))
            .values(status="pending", next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
    superseded = 0
    for delivery in session.scalars(
        select(m.Delivery).where(
            m.Delivery.message_key.like("digest|%"),
            or_(
                m.Delivery.status == "pending",  # a crashed sender's expired lease counts too
                and_(m.Delivery.status == "sending", m.Delivery.next_attempt_at <= _utc(now)),
            ),
        )
    ):
        old = _digest_day(delivery.message_key)
        if old is not None and old < day:
            delivery.status = "superseded"
            delivery.last_error = f"未发出的事项已并入{zh_date(day)}的汇总"
            superseded += 1
    return superseded


_LIVE_LETTER = _due_query(bindparam("day", type_=Date)).where(
    m.Notice.key == bindparam("key"), m.Notice.status.in_((*DUE_STATUSES, "sent")))
_LIVE_DIGEST = _due_query(bindparam("day", type_=Date)).where(
    m.Notice.unit == bindparam("unit"),
    m.Notice.created_on <= bindparam("digest_day", type_=Date),
    m.Notice.level.not_in(LETTER_LEVELS),
    or_(
        m.Notice.status.in_(DUE_STATUSES),
        and_(m.Notice.status == "sent", m.Notice.sent_on == bindparam("digest_day", type_=Date)),
    ),
)
_AWAITING = (
    select(m.Notice, m.Task, m.Letter.number)
    .outerjoin(m.Task, m.Task.id == m.Notice.task_id)
    .outerjoin(m.Letter, m.Letter.notice_key == m.Notice.key)
    .where(m.Notice.unit == bindparam("unit"), m.Notice.level.in_(ACK_LEVELS), m.Notice.status == "sent",
           m.Notice.acknowledged_on.is_(None), m.Notice.sent_on <= bindparam("day", type_=Date),
           or_(m.Task.id.is_(None), m.Task.status.not_in(CLOSED_TASKS)))
    .order_by(m.Notice.sent_on, m.Notice.id)
)
_LINK_EXPIRES = (select(AckLink.expires_on).where(AckLink.notice_key == bindparam("key"))
                 .order_by(AckLink.expires_on.desc()).limit(1))


def _claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take the row: pending and due, or sending with an expired lease; True for one caller."""
    stamp = _utc(now)
    result = session.connection().execute(_CLAIM, {"did": delivery_id, "stamp": stamp, "lease": stamp + LEASE})
    return result.rowcount == 1


def _live_notices(session: Session, key: str, day: date) -> list[tuple[m.Notice, m.Task | None]]:
    """Return the notices a message carries, re-read now: held, rejected, cancelled or
    signed-off ones drop out. Notices an earlier target already sent today stay in."""
    digest_day = _digest_day(key)
    if digest_day is None:
        rows = session.execute(_LIVE_LETTER, {"day": day, "key": key})
    else:
        unit = key.split("|", 1)[1].rsplit("|", 1)[0]
        rows = session.execute(_LIVE_DIGEST, {"day": day, "unit": unit, "digest_day": digest_day})
    return [(row[0], row[1]) for row in rows]


def notice_facts(notice: m.Notice, task: m.Task | None) -> dict[str, Any]:
    """The facts of one notice a letter lists; the console's preview uses the same ones."""
    percent = task.percent if task is not None else None
    return {
        "key": notice.key,
        "level": notice.level,
        "kind": notice.kind,
        "task_id": notice.task_id or "",
        "task_title": task.title if task is not None else "",
        "unit": notice.unit,
        "due": notice.due,
        "explanation": notice.explanation,
        "clause": notice.clause,
        "facts": notice.facts or {},
        "acknowledged_on": notice.acknowledged_on,
        "progress": f"已完成{percent}%" if percent is not None else "",
    }


# --- letters --------------------------------------------------------------------------------


def allocate_letter(
    store: Store, notice_key: str, issuer: Issuer, day: date, now: datetime
) -> tuple[m.Letter, date]:
    """Give the notice its letter: the one it has, else serial max+1 for (issuer, year).

    Two processes may pick the same serial; the unique constraint lets one win and the other
    tries again with the next, so numbers stay unique and gapless. Returns the letter and the
    date it was issued on (its first allocation), so a re-run prints the same letter.
    """
    for _ in range(ALLOCATION_TRIES):
        with store.session() as session:
            letter = session.scalar(select(m.Letter).where(m.Letter.notice_key == notice_key))
            if letter is not None:
                return letter, issue_day(session, letter, day)
            serial = 1 + (
                session.scalar(
                    select(func.max(m.Letter.serial)).where(
                        m.Letter.issuer == issuer.name, m.Letter.year == day.year
                    )
                )
                or 0
            )
            number = format_number(issuer.prefix, day.year, serial)
            letter = m.Letter(notice_key=notice_key, issuer=issuer.name, year=day.year,
                              serial=serial, number=number)
            session.add(letter)
            audit(session, ACTOR, "letter.number", "notice", notice_key,
                  {"number": number, "issuer": issuer.name, "day": day.isoformat()}, now)
            try:
                session.commit()
            except (IntegrityError, OperationalError):  # lost the race (or SQLite's snapshot)
                session.rollback()
                continue
            return letter, day
    raise RuntimeError(f"{ALLOCATION_TRIES} 次仍未能为 {notice_key} 分配发文字号")


def issue_day(session: Session, letter: m.Letter, fallback: date) -> date:
    """The day a number was issued (from its audit entry), so a re-rendered letter keeps its date."""
    details = session.scalars(
        select(m.AuditEntry.detail).where(
            m.AuditEntry.action == "letter.number", m.AuditEntry.object_id == letter.notice_key
        )
    ).all()
    for detail in details:
        if detail.get("number") == letter.number and detail.get("day"):
            return date.fromisoformat(detail["day"])
    return fallback if fallback.year == letter.year else date(letter.year, 12, 31)


def plan_basis(session: Session, plan_id: str, issuer: Issuer) -> dict[str, Any]:
    """The plan a letter rests on: title, document number and clause, for its opening paragraph."""
    plan = session.get(m.Plan, plan_id)
    if plan is None:
        raise LookupError(f"没有方案 {plan_id}")
    meta = plan.meta or {}
    return {
        "title": plan.title,
        "number": meta.get("document_number", ""),
        "clause": meta.get("assessment_clause", ""),
        "issuer": issuer.name,
        "contact": meta.get("contact", ""),
    }


# --- one run --------------------------------------------------------------------------------


class _AckLinks:
    """The run's 签收 links: the secret is read once, and only when a letter needs it."""

    def __init__(self, config: Config, cfg: DeliveryConfig) -> None:
        self.config, self.cfg = config, cfg
        self._secret: bytes | None = None
        self._error: AckLinkError | None = None

    def secret(self) -> bytes:
        if self._secret is None and self._error is None:
            try:
                self._secret = ack_secret(self.config)
            except AckLinkError as exc:
                self._error = exc
        if self._error is not None:
            raise self._error
        assert self._secret is not None
        return self._secret

    def issue(self, session: Session, notice_key: str, letter_date: date, now: datetime) -> str:
        """Sign and record the link of a letter dated `letter_date`."""
        return issue_link(session, notice_key, letter_date, secret=self.secret(),
                          base_url=self.config.web.base_url, valid_days=self.cfg.ack_valid_days, now=now)

    def awaiting(self, session: Session, unit: str, day: date, now: datetime) -> list[dict[str, Any]]:
        """Return the unit's sent letters not yet signed for, as digest notices with their links."""
        rows = session.execute(_AWAITING, {"unit": unit, "day": day}).all()
        found = []
        for notice, task, number in rows:
            item = {**notice_facts(notice, task), "number": number or ""}
            try:
                item["ack_url"] = self._link_again(session, notice.key, day, now)
            except AckLinkError as exc:  # the digest goes out anyway, without links
                log.warning("no 签收 link in %s's digest: %s", unit, exc)
            found.append(item)
        return found

    def _link_again(self, session: Session, notice_key: str, day: date, now: datetime) -> str:
        expires = session.scalar(_LINK_EXPIRES, {"key": notice_key})
        if expires is None or expires < day:  # sent before links existed, or the link ran out
            return self.issue(session, notice_key, day, now)
        return ack_url(self.config.web.base_url, sign_ack(notice_key, expires, self.secret()))


@dataclass
class _Job:
    """A claimed delivery on its way: what to send, where, and which notices it settles."""

    delivery_id: int
    key: str
    target: Target
    unit: str
    plan_id: str
    level: str
    notices: list[dict[str, Any]]
    to: tuple[str, ...] = ()
    digest_day: date | None = None
    message: OutgoingMessage | None = None
    letter: LetterContext | None = None
    letter_day: date | None = None
    error: TransportError | None = None
    awaiting: list[dict[str, Any]] = field(default_factory=list)  # letters awaiting 签收, shown only
    attempts: int = 0  # this one included (the claim counted it)

    @property
    def notice_keys(self) -> list[str]:
        return [n["key"] for n in self.notices]


def in_quiet_hours(config: Config, cfg: DeliveryConfig, now: datetime) -> bool:
    """Return whether `now` (any zone) falls in the configured quiet hours of config.timezone."""
    if cfg.quiet_hours is None:
        return False
    return cfg.quiet_hours.contains(now.astimezone(ZoneInfo(config.timezone)).time())


def deliver(
    store: Store,
    config: Config,
    calendar: WorkCalendar,
    day: date,
    *,
    now: datetime,
    channel_factory: ChannelFactory | None = None,
    pdf: bool = True,
    issuer_for: Callable[[str], Issuer] | None = None,
    settings: Mapping[str, Any] | DeliveryConfig | None = None,
    renderer: Renderer | None = None,
    max_attempts: int | None = None,
) -> DeliveryReport:
    """Send `day`'s digests and letters, and retry earlier failures that are due by `now`.

    Channels and retry limits come from config.delivery; `settings` (a DeliveryConfig, or some of
    its fields such as {"smtp": {...}}) replaces parts of it. Without SMTP, units with only e-mail
    contacts get the file outbox (config.outbox). `channel_factory(channel, address)` replaces how
    channels are made (tests, other transports); channels with a close() are closed at the end.
    """
    report = DeliveryReport(day)
    if not calendar.is_workday(day):
        report.skipped_reason = f"{zh_date(day)}不是工作日，不发送督办事项"
        return report
    cfg = delivery_settings(config, settings)
    if max_attempts is not None:
        cfg = cfg.model_copy(update={"max_attempts": max_attempts})
    outbox = config.path(config.outbox)
    factory = channel_factory or default_channel_factory(cfg, lambda: now)
    renderer = renderer or Renderer(config.path(config.templates_dir))
    pick_issuer = issuer_for or issuer_for_region
    links = _AckLinks(config, cfg)
    quiet = in_quiet_hours(config, cfg, now)
    with store.session() as session:
        report.superseded = _prepare(session, day, now, outbox, cfg, report.no_contact)
        session.commit()
    if quiet:
        with store.session() as session:
            held = session.scalar(select(func.count()).select_from(m.Delivery).where(
                m.Delivery.status.in_(("pending", "sending")), m.Delivery.channel != "file"))
        report.quiet_held = held or 0
        if held:
            q = cfg.quiet_hours
            report.skipped_reason = (f"静默时段（{q.start}—{q.end}）内不发送邮件和即时消息，"
                                     f"{held} 条留待静默时段结束后发送")
    used: dict[int, Channel] = {}
    down: dict[int, TransportError] = {}
    try:
        for jobs in _batches(store, _due_ids(store, files_only=quiet), day, now, outbox, cfg, report, links):
            for job in jobs:
                if job.digest_day is None:
                    _prepare_letter(store, job, day, now, pick_issuer, calendar, links)
            _render(jobs, renderer, outbox, pdf, day, calendar.provisional_note)
            for job in jobs:  # each outcome commits before the next send: a crash resends at most one
                receipt, error = _send(job, factory, used, down)
                job.message = None  # sent: the batch keeps only what recording needs
                _record(store, job, receipt, error, day, now, cfg, report)
    finally:
        for channel in used.values():
            close = getattr(channel, "close", None)
            if callable(close):
                close()
    return report


def _due_ids(store: Store, files_only: bool) -> Iterator[int]:
    """Yield the ids of deliveries pending or sending, oldest first (a backlog goes out in the
    order it arose), a page per query; in quiet hours only the file outbox's."""
    last = 0
    while True:
        query = (select(m.Delivery.id)
                 .where(m.Delivery.status.in_(("pending", "sending")), m.Delivery.id > last)
                 .order_by(m.Delivery.id).limit(PAGE))
        if files_only:
            query = query.where(m.Delivery.channel == "file")
        with store.session() as session:
            page = session.scalars(query).all()
        if not page:
            return
        yield from page
        last = page[-1]


def _batches(store: Store, delivery_ids: Iterator[int], day: date, now: datetime, outbox: Path,
             cfg: DeliveryConfig, report: DeliveryReport, links: _AckLinks) -> Iterator[list[_Job]]:
    """Yield claimed jobs a batch at a time: CLAIM_BATCH rows tried, or fewer once the jobs carry
    NOTICE_BUDGET notices (a province's digest can list thousands); the rest wait for the next."""
    waiting: list[int] = []
    while True:
        ids = waiting + list(islice(delivery_ids, CLAIM_BATCH - len(waiting)))  # read before claiming
        if not ids:
            return
        jobs: list[_Job] = []
        tried = weight = 0
        with store.session() as session:
            for delivery_id in ids:
                tried += 1
                if _claim(session, delivery_id, now):
                    job = _start_one(session, delivery_id, day, now, outbox, cfg, report, links)
                    if job is not None:
                        jobs.append(job)
                        weight += len(job.notices) + len(job.awaiting)
                if weight >= NOTICE_BUDGET:
                    break
            session.commit()
        waiting = ids[tried:]
        if jobs:
            yield jobs


def _start_one(session: Session, delivery_id: int, day: date, now: datetime, outbox: Path,
               cfg: DeliveryConfig, report: DeliveryReport, links: _AckLinks) -> _Job | None:
    delivery = session.get(m.Delivery, delivery_id)
    live = _live_notices(session, delivery.message_key, day)
    if not live:
        delivery.status, delivery.next_attempt_at = "withheld", None
        delivery.last_error = "所含事项已暂缓、驳回、撤销或销号，未发送"
        audit(session, ACTOR, "delivery.withhold", "delivery", delivery.message_key,
              {"channel": delivery.channel, "address": delivery.address}, now)
        report.withheld += 1
        return None
    first = live[0][0]
    # only the file outbox lists the unit's e-mail addresses; a channel target has its own
    emails = _targets(session, first.unit, outbox, cfg.smtp is not None)[1] if delivery.channel == "file" else ()
    digest_day = _digest_day(delivery.message_key)
    awaiting = links.awaiting(session, first.unit, digest_day, now) if digest_day is not None else []
    return _Job(
        delivery_id=delivery_id,
        key=delivery.message_key,
        target=Target(delivery.channel, delivery.address),
        unit=first.unit,
        plan_id=first.plan_id,
        level=first.level,
        notices=[notice_facts(n, t) for n, t in live],
        to={"smtp": (delivery.address,), "file": emails}.get(delivery.channel, ()),
        digest_day=digest_day,
        awaiting=awaiting,
        attempts=delivery.attempts,
    )


def _prepare_letter(store: Store, job: _Job, day: date, now: datetime,
                    pick_issuer: Callable[[str], Issuer], calendar: WorkCalendar,
                    links: _AckLinks) -> None:
    """Number the letter (keeping an earlier number), build its content and its 签收 link."""
    try:
        with store.session() as session:
            plan = session.get(m.Plan, job.plan_id)
            issuer = pick_issuer(plan.region if plan else "")
            basis = plan_basis(session, job.plan_id, issuer)
        letter, issued = allocate_letter(store, job.key, issuer, day, now)
        job.letter_day = issued
        job.letter = build_letter(job.level, job.notices, basis, {"name": job.unit}, issued,
                                  letter.number, add_workdays=calendar.add_workdays)
    except (LookupError, ValueError) as exc:  # no issuer, no clause: a coordinator must fix data
        job.error = TransportError(f"无法生成公文：{exc}", permanent=True)
        return
    if job.level not in ACK_LEVELS:
        return
    try:
        with store.session() as session:
            url = links.issue(session, job.key, issued, now)
            session.commit()
    except AckLinkError as exc:  # e.g. DUBAN_SECRET too short: fixable, so retry later
        job.error = TransportError(f"无法生成签收链接：{exc}", permanent=False)
        return
    job.letter = replace(job.letter, ack_url=url)


def _render(jobs: Sequence[_Job], renderer: Renderer, outbox: Path, pdf: bool, day: date,
            calendar_note: Callable[[date], str] = lambda day: "") -> None:
    """Build every message; write the run's letters as DOCX and convert them in one batch.
    `calendar_note(day)` is the digest footer's line while that day's year is provisional."""
    letters: dict[date, dict[str, LetterContext]] = {}
    for job in jobs:
        if job.error is not None:
            continue
        if job.digest_day is not None:
            # letters awaiting 签收 are listed, not carried: the digest does not settle them
            digest = build_digest({"name": job.unit}, job.notices + job.awaiting, job.digest_day,
                                  calendar_note(job.digest_day))
            job.message = OutgoingMessage(
                key=job.key, day=job.digest_day, unit=job.unit,
                subject=f"督办事项汇总：{job.unit}（{zh_date(job.digest_day)}，共{digest.total}项）",
                text=renderer.digest_text(digest), html=renderer.digest_html(digest),
                to=job.to, extra={"kind": "digest"},
            )
        elif job.letter is not None and job.letter_day is not None:
            letters.setdefault(job.letter_day, {})[job.key] = job.letter
    files: dict[str, tuple[Path, ...]] = {}
    failed: dict[str, TransportError] = {}
    for issued, contexts in letters.items():
        folder = outbox / "letters" / issued.isoformat()
        try:
            pairs = render_letter_files(renderer, list(contexts.values()), folder, pdf=pdf)
        except (RenderError, OSError, ValueError) as exc:  # e.g. LibreOffice busy or missing
            failed.update({k: TransportError(f"公文生成失败：{exc}", permanent=False)
                           for k in contexts})
            continue
        for key, pair in zip(contexts, pairs):
            files[key] = tuple(p for p in pair if p is not None)
    for job in jobs:
        if job.letter is None or job.error is not None:
            continue
        if job.key in failed:
            job.error = failed[job.key]
            continue
        letter = job.letter
        job.message = OutgoingMessage(
            key=job.key, day=day, unit=job.unit,
            subject=f"{letter.title}（{letter.number}）",
            text=renderer.letter_message(letter), html=_letter_html(renderer, letter),
            to=job.to, attachments=files[job.key],
            extra={"kind": letter.kind, "number": letter.number,
                   **({"ack_url": letter.ack_url} if letter.ack_url else {})},
        )


def _letter_html(renderer: Renderer, letter: LetterContext) -> str | None:
    """Render the letter e-mail's HTML body; a templates folder without that template sends text only."""
    from jinja2 import TemplateNotFound

    try:
        template = renderer.env.get_template(LETTER_MESSAGE_HTML)
    except TemplateNotFound:
        return None
    return template.render(letter=letter)


def _send(job: _Job, factory: ChannelFactory, used: dict[int, Channel],
          down: dict[int, TransportError]) -> tuple[Receipt | None, TransportError | None]:
    """Hand the message to its channel; return the receipt or the error."""
    if job.error is not None or job.message is None:
        return None, job.error
    channel: Channel | None = None
    try:
        channel = factory(job.target.channel, job.target.address)
        used[id(channel)] = channel
        if id(channel) in down:  # unreachable earlier in this run: do not wait for it again
            raise TransportError(f"{down[id(channel)]}（本轮不再尝试）", permanent=False)
        return channel.send(job.message), None
    except TransportError as exc:
        if exc.unreachable and channel is not None:
            down[id(channel)] = exc
        return None, exc
    except Exception as exc:  # noqa: BLE001 - a broken channel must not stop the others
        log.exception("channel %s failed on %s", job.target.channel, job.key)
        return None, TransportError(f"{type(exc).__name__}: {exc}", permanent=False)


def _record(store: Store, job: _Job, receipt: Receipt | None, error: TransportError | None,
            day: date, now: datetime, cfg: DeliveryConfig, report: DeliveryReport) -> None:
    """Record one outcome in its own transaction: sent with its notices, retry later, or dead.

    The acceptance commits together with its notices' sent state and its audit entry, before the
    next message is sent: a crash leaves at most this one row "sending" (until the lease ends) for
    a message the server already has, and the resend carries the same Message-ID. Batching these
    commits was faster on a fully synced SQLite, but widened that window to the whole batch; a sent
    message is settled with prebuilt Core statements, whose cost is the commit, not building them."""
    if receipt is not None:  # the common case: prebuilt Core statements on a bare connection
        with store.engine.begin() as conn:
            _record_sent(conn, job, receipt, day, now, report)
        return
    with store.session() as session:
        _record_failure(session, job, error, day, now, cfg, report)
        session.commit()


def _record_sent(conn: Connection, job: _Job, receipt: Receipt, day: date, now: datetime,
                 report: DeliveryReport) -> None:
    """Settle a sent delivery: conditional UPDATE of its row, its notices sent, one audit row."""
    if conn.execute(_SETTLE, {"did": job.delivery_id, "mid": receipt.message_id}).rowcount != 1:
        _settled_elsewhere(job)
        return
    keys = job.notice_keys
    if keys:
        conn.execute(_NOTICES_SENT, {"keys": keys, "sent_on": day})
    detail = {"channel": job.target.channel, "address": job.target.address, "message_id": receipt.message_id,
              "notices": keys, "attempts": job.attempts, "detail": receipt.detail}
    if job.letter is not None:
        detail["number"] = job.letter.number
        report.letters_sent += 1
        report.numbers.append(job.letter.number)
    else:
        report.digests_sent += 1
    conn.execute(_AUDIT, {"at": now, "actor": ACTOR, "action": "delivery.sent", "object_type": "delivery",
                          "object_id": job.key, "detail": detail})


def _record_failure(session: Session, job: _Job, error: TransportError | None,
                    day: date, now: datetime, cfg: DeliveryConfig, report: DeliveryReport) -> None:
    """Record a failed (or empty) send: retry later with backoff, or dead."""
    where = {"channel": job.target.channel, "address": job.target.address}
    delivery = session.get(m.Delivery, job.delivery_id)
    if delivery.status != "sending":
        _settled_elsewhere(job)
        return
    error = error or TransportError("没有可发送的内容", permanent=True)
    stamp = _utc(now)
    first = delivery.first_failed_at or stamp
    delivery.first_failed_at = first
    age = stamp - first
    text = str(error)
    if error.permanent:
        dead = True
    elif cfg.max_attempts is not None and delivery.attempts >= cfg.max_attempts:
        dead, text = True, f"{text}（已尝试{delivery.attempts}次）"
    elif age >= timedelta(days=cfg.max_age_days):
        dead = True
        text = f"{text}（自首次失败起{_span(age)}内尝试{delivery.attempts}次仍未成功）"
    else:
        dead = False
    delivery.last_error = text
    if dead:
        delivery.status, delivery.next_attempt_at = "dead", None
        report.dead += 1
        action = "delivery.dead"
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = stamp + backoff(delivery.attempts, timedelta(minutes=cfg.retry_cap_minutes))
        report.retried += 1
        action = "delivery.retry"
    report.errors.append(f"{job.key} -> {job.target.channel}: {text}")
    audit(session, ACTOR, action, "delivery", job.key,
          {**where, "error": text, "permanent": error.permanent,
           "attempts": delivery.attempts, "failing_since": first.isoformat()}, now)


def _settled_elsewhere(job: _Job) -> None:
    """Our lease ran out and another sender settled the row: leave its outcome alone."""
    log.warning("delivery %s of %s was settled by another sender", job.delivery_id, job.key)


def _span(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f}天" if hours >= 24 else f"{hours:.1f}小时"
