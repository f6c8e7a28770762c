"""A delivery run: one digest per unit per day, one numbered letter per unit and level per day.

A run prepares the day's delivery rows, then streams: it claims a batch (at most CLAIM_BATCH rows,
or NOTICE_BUDGET notices carried), numbers and renders its letters, renders and sends each message
and records its outcome (scheduler.delivery.sending), then claims the next, so memory stays bounded
by one batch at province scale and a claim's lease starts when its batch is about to be sent.
Exactly once lives in the store (scheduler.store.claims, scheduler.store.deliveries): a sender
owns a row only when its conditional claim changed it, and a send commits with its notices' sent
state and its audit entry before the next message can be accepted. A crash between a channel's
acceptance and that commit leaves the row "sending" until its lease ends; the resend carries the
same Message-ID (derived from the key), so the recipient sees one message.

Retries, quiet hours and dead letters are scheduler.delivery.policy; which contact each channel
uses is scheduler.delivery.targets; the channels are scheduler.delivery.channels. Letters that must
be signed for carry a signed 签收 link (scheduler.delivery.acklinks), and each digest lists the
unit's letters still awaiting 签收 with theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler import ladder
from scheduler.config import DeliveryConfig
from scheduler.delivery import policy
from scheduler.delivery.acklinks import AckLinkError, ack_expiry, ack_secret, ack_url, sign_ack, signed_link
from scheduler.delivery.channels.base import Channel, OutgoingMessage, Receipt, TransportError
from scheduler.delivery.channels.registry import ChannelFactory, channel_factory
from scheduler.delivery.policy import backoff, delivery_settings, in_quiet_hours
from scheduler.delivery.sending import send_all
from scheduler.delivery.targets import Target, recipients, route
from scheduler.letters.content import LetterContext, build_letter, needs_ack, zh_date
from scheduler.letters.digest import build_digest, digest_day, digest_key
from scheduler.letters.numbers import Issuer
from scheduler.letters.render import Renderer, RenderError, render_letter_files
from scheduler.store import acks, claims, deliveries, letters, notices
from scheduler.store.claims import Awaiting, ClaimedDelivery
from scheduler.store.letters import issue_day, notice_facts, plan_basis

if TYPE_CHECKING:
    from scheduler.config import Config
    from scheduler.escalation.calendar import WorkCalendar
    from scheduler.store import Store

__all__ = [
    "CLAIM_BATCH", "NOTICE_BUDGET", "DeliveryReport", "deliver",
    # Their homes are elsewhere; the console still imports them from here until it moves.
    "LETTER_LEVELS", "Issuer", "backoff", "digest_key", "issue_day",
    "notice_facts", "plan_basis",
]

log = logging.getLogger(__name__)

CLAIM_BATCH = 200  # deliveries claimed per transaction
NOTICE_BUDGET = 5000  # notices a claim batch may carry: a run holds one batch, however big the day
LETTER_MESSAGE_HTML = "letters/message.html"
LETTER_LEVELS = tuple(r.level for r in ladder.LADDER if r.is_letter)


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


@dataclass
class _Job:
    """A claimed delivery on its way: what to send, where, and which notices it settles."""

    claimed: ClaimedDelivery
    target: Target
    to: tuple[str, ...]
    digest_day: date | None
    awaiting: list[dict[str, Any]]  # letters awaiting 签收, listed in a digest, not carried
    message: OutgoingMessage | None = None
    letter: LetterContext | None = None
    letter_day: date | None = None
    error: TransportError | None = None

    @property
    def key(self) -> str:
        return self.claimed.key

    @property
    def unit(self) -> str:
        return self.claimed.unit

    @property
    def notice_keys(self) -> list[str]:
        return [n["key"] for n in self.claimed.notices]


class _Links:
    """The run's 签收 links: the secret is read once, and only when a letter needs it."""

    def __init__(self, store: Store, config: Config, cfg: DeliveryConfig) -> None:
        self.store, self.config, self.cfg = store, config, cfg
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

    def issue(self, notice_key: str, letter_date: date, now: datetime) -> str:
        """Sign and record the link of a letter dated `letter_date`."""
        token, link = signed_link(notice_key, ack_expiry(letter_date, self.cfg.ack_valid_days), self.secret())
        acks.record_links(self.store, [link], now)
        return ack_url(self.config.web.base_url, token)

    def awaiting(self, unit: str, items: Sequence[Awaiting], day: date, now: datetime) -> list[dict[str, Any]]:
        """Return the unit's letters awaiting 签收 as digest notices with their links: the link
        issued with the letter, or a new one when it ran out or none was recorded."""
        found, fresh = [], []
        for item in items:
            facts = dict(item.facts)
            try:
                if item.link_expires is None or item.link_expires < day:
                    token, link = signed_link(facts["key"], ack_expiry(day, self.cfg.ack_valid_days), self.secret())
                    fresh.append(link)
                else:
                    token = sign_ack(facts["key"], item.link_expires, self.secret())
                facts["ack_url"] = ack_url(self.config.web.base_url, token)
            except AckLinkError as exc:  # the digest goes out anyway, without links
                log.warning("no 签收 link in %s's digest: %s", unit, exc)
            found.append(facts)
        if fresh:
            acks.record_links(self.store, fresh, now)
        return found


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
    Letters are numbered by config.letter_issuers (config.yaml's `issuers:`) unless `issuer_for`
    is given.
    """
    report = DeliveryReport(day)
    if not calendar.is_workday(day):
        report.skipped_reason = f"{zh_date(day)}不是工作日，不发送督办事项"
        return report
    cfg = delivery_settings(config, settings)
    if max_attempts is not None:
        cfg = cfg.model_copy(update={"max_attempts": max_attempts})
    outbox = config.path(config.outbox)
    factory = channel_factory or _default_factory(cfg, now)
    renderer = renderer or Renderer(config.path(config.templates_dir))
    pick_issuer = issuer_for or config.letter_issuers.for_region  # config.yaml's issuers:, read once a run
    links = _Links(store, config, cfg)
    quiet = in_quiet_hours(config, cfg, now)

    def targets(unit: str, contacts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        found, why = route(contacts, cfg, outbox)
        if why:
            report.no_contact[unit] = why
        return [(t.channel, t.address) for t in found]

    report.superseded = deliveries.prepare_day(store, day, now, targets)
    if quiet:
        report.quiet_held = deliveries.held_count(store)
        if report.quiet_held:
            report.skipped_reason = policy.quiet_reason(cfg, report.quiet_held)
    used: dict[int, Channel] = {}
    down: dict[int, TransportError] = {}

    def record(job: _Job, receipt: Receipt | None, error: TransportError | None) -> None:
        _record(store, job, receipt, error, day, now, cfg, report)

    def render_digest(job: _Job) -> None:
        _render_digest(job, renderer, calendar.provisional_note)

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="duban-record") as recorder:
            for jobs in _batches(store, deliveries.due_ids(store, files_only=quiet), day, now, report, links):
                for job in jobs:
                    if job.digest_day is None:
                        _prepare_letter(store, job, day, now, pick_issuer, calendar, links,
                                        config.standing_basis_for)
                _render_letters(jobs, renderer, outbox, pdf, day)
                _keep_records(store, jobs, renderer, now)
                send_all(jobs, factory, used, down, record, recorder, prepare=render_digest)
    finally:
        for channel in used.values():
            close = getattr(channel, "close", None)
            if callable(close):
                close()
    return report


def _default_factory(cfg: DeliveryConfig, now: datetime) -> ChannelFactory:
    return channel_factory(cfg, lambda: now)


def _batches(store: Store, delivery_ids: Iterator[int], day: date, now: datetime, report: DeliveryReport,
             links: _Links) -> Iterator[list[_Job]]:
    """Yield claimed jobs a batch at a time: CLAIM_BATCH rows tried, or fewer once the jobs carry
    NOTICE_BUDGET notices (a province's digest can list thousands); the rest wait for the next."""
    waiting: list[int] = []
    while True:
        ids = waiting + list(islice(delivery_ids, CLAIM_BATCH - len(waiting)))  # read before claiming
        if not ids:
            return
        batch = claims.claim_batch(store, ids, day, now, now + policy.LEASE, NOTICE_BUDGET)
        report.withheld += batch.withheld
        waiting = ids[batch.tried:]
        if batch.claimed:
            yield [_job(claimed, now, links) for claimed in batch.claimed]


def _job(claimed: ClaimedDelivery, now: datetime, links: _Links) -> _Job:
    target = Target(claimed.channel, claimed.address)
    on = digest_day(claimed.key)
    awaiting = links.awaiting(claimed.unit, claimed.awaiting, on, now) if on is not None else []
    return _Job(claimed, target, recipients(target, claimed.contacts), on, awaiting)


def _prepare_letter(store: Store, job: _Job, day: date, now: datetime, pick_issuer: Callable[[str], Issuer],
                    calendar: WorkCalendar, links: _Links, standing_for: Callable[[str], str]) -> None:
    """Number the letter (keeping an earlier number), build its content and its 签收 link.

    One letter carries all the unit's notices of its level that are due: it cites the plans its
    tasks belong to (each by its own clause, else the office's standing basis) and addresses the
    unit by its kind."""
    claimed = job.claimed
    try:
        with store.session() as session:
            plan = letters.letter_plan(session, claimed.plan_id)
            plan_ids = dict.fromkeys([claimed.plan_id, *(str(n.get("plan_id") or "") for n in claimed.notices)])
            cited = [p for p in (letters.letter_plan(session, pid) for pid in plan_ids if pid) if p is not None]
            unit = notices.addressee(session, job.unit)
        issuer = pick_issuer(plan.region if plan else "")
        if plan is None:
            raise LookupError(f"没有方案 {claimed.plan_id}")
        numbered = letters.allocate_letter(store, claimed.key, issuer, day, now)
        job.letter_day = numbered.issued_on
        basis = {**plan.basis(issuer), "standing_basis": standing_for(plan.region),
                 "plans": [{"title": p.title, "number": p.number, "clause": p.clause} for p in cited],
                 "interview": _arrangement(claimed.notices)}
        job.letter = build_letter(claimed.level, claimed.notices, basis, unit, numbered.issued_on,
                                  numbered.number, add_workdays=calendar.add_workdays,
                                  workdays_between=calendar.workdays_between)
    except (LookupError, ValueError) as exc:  # no issuer, no plan: a coordinator must fix data
        job.error = TransportError(f"无法生成公文：{exc}", permanent=True)
        return
    if not needs_ack(claimed.level):
        return
    try:
        url = links.issue(claimed.key, numbered.issued_on, now)
    except AckLinkError as exc:  # e.g. DUBAN_SECRET too short: fixable, so retry later
        job.error = TransportError(f"无法生成签收链接：{exc}", permanent=False)
        return
    job.letter = replace(job.letter, ack_url=url)


def _arrangement(carried: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the interview arrangement the coordinator approved with the letter's notices (the
    latest approval's, when a letter carries several)."""
    found = [n["arrangement"] for n in carried if n.get("arrangement")]
    return dict(found[-1]) if found else {}


def _render_digest(job: _Job, renderer: Renderer, calendar_note: Callable[[date], str]) -> None:
    """Build a digest's message, just before it is sent: while the previous outcome commits, and
    holding one rendered digest at a time. `calendar_note(day)` is the footer's line while that
    day's year is provisional."""
    if job.digest_day is None or job.error is not None or job.message is not None:
        return
    # letters awaiting 签收 are listed, not carried: the digest does not settle them
    digest = build_digest({"name": job.unit}, job.claimed.notices + job.awaiting, job.digest_day,
                          calendar_note(job.digest_day))
    job.message = OutgoingMessage(
        key=job.key, day=job.digest_day, unit=job.unit,
        subject=f"督办事项汇总：{job.unit}（{zh_date(job.digest_day)}，共{digest.total}项）",
        text=renderer.digest_text(digest), html=renderer.digest_html(digest),
        to=job.to, extra={"kind": "digest"},
    )


def _render_letters(jobs: Sequence[_Job], renderer: Renderer, outbox: Path, pdf: bool, day: date) -> None:
    """Write the batch's letters as DOCX, convert them in one batch, and build their messages."""
    dated: dict[date, dict[str, LetterContext]] = {}
    for job in jobs:
        if job.error is None and job.letter is not None and job.letter_day is not None:
            dated.setdefault(job.letter_day, {})[job.key] = job.letter
    files: dict[str, tuple[Path, ...]] = {}
    failed: dict[str, TransportError] = {}
    for issued, contexts in dated.items():
        folder = outbox / "letters" / issued.isoformat()
        try:
            pairs = render_letter_files(renderer, list(contexts.values()), folder, pdf=pdf)
        except (RenderError, OSError, ValueError) as exc:  # e.g. LibreOffice busy or missing
            failed.update({k: TransportError(f"公文生成失败：{exc}", permanent=False) for k in contexts})
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
        attached = tuple(p.suffix.lstrip(".").lower() for p in files[job.key])
        job.message = OutgoingMessage(
            key=job.key, day=day, unit=job.unit,
            subject=f"{letter.title}（{letter.number}）",
            text=renderer.letter_message(letter, attached), html=_letter_html(renderer, letter, attached),
            to=job.to, attachments=files[job.key],
            extra={"kind": letter.kind, "number": letter.number,
                   **({"ack_url": letter.ack_url} if letter.ack_url else {})},
        )


def _keep_records(store: Store, jobs: Sequence[_Job], renderer: Renderer, now: datetime) -> None:
    """Keep each letter's files and web view as issued before it is sent (scheduler.store.letters):
    a resend then carries the kept bytes, and the console shows what went out."""
    for job in jobs:
        if job.letter is None or job.message is None or job.error is not None:
            continue
        try:
            letters.keep_letters_of_record(
                store, [(job.key, job.message.attachments, renderer.letter_html(job.letter))], now)
        except (OSError, RuntimeError) as exc:  # not kept, not sent: the next run tries again
            job.error = TransportError(f"公文存档失败：{exc}", permanent=False)


def _letter_html(renderer: Renderer, letter: LetterContext, attached: Sequence[str]) -> str | None:
    """Render the letter e-mail's HTML body; a templates folder without that template sends text only."""
    from jinja2 import TemplateNotFound

    try:
        template = renderer.env.get_template(LETTER_MESSAGE_HTML)
    except TemplateNotFound:
        return None
    return template.render(letter=letter, attached=tuple(attached))


def _record(store: Store, job: _Job, receipt: Receipt | None, error: TransportError | None,
            day: date, now: datetime, cfg: DeliveryConfig, report: DeliveryReport) -> None:
    """Record one outcome in its own transaction: sent with its notices, retry later, or dead.

    The acceptance commits together with its notices' sent state and its audit entry, before the
    next message is sent: a crash leaves at most this one row "sending" (until the lease ends) for
    a message the server already has, and the resend carries the same Message-ID. Batching these
    commits was faster on a fully synced SQLite, but widened that window to the whole batch."""
    where = {"channel": job.target.channel, "address": job.target.address}
    claimed = job.claimed
    if receipt is not None:
        keys = job.notice_keys
        detail: dict[str, Any] = {**where, "message_id": receipt.message_id, "notices": keys,
                                  "attempts": claimed.attempts, "detail": receipt.detail}
        if job.letter is not None:
            detail["number"] = job.letter.number
        if not deliveries.settle_sent(store, claimed.delivery_id, receipt.message_id, keys, day, now, detail,
                                      job.key):
            _settled_elsewhere(job)
        elif job.letter is not None:
            report.letters_sent += 1
            report.numbers.append(job.letter.number)
        else:
            report.digests_sent += 1
        return
    outcome = policy.failure(error, claimed.attempts, claimed.first_failed_at, now, cfg)
    permanent = error.permanent if error is not None else True
    detail = {**where, "error": outcome.text, "permanent": permanent, "attempts": claimed.attempts,
              "failing_since": outcome.failing_since.isoformat()}
    if not deliveries.settle_failed(store, claimed.delivery_id, dead=outcome.dead, retry_at=outcome.retry_at,
                                    error=outcome.text, failing_since=outcome.failing_since, now=now,
                                    object_id=job.key, detail=detail):
        _settled_elsewhere(job)
        return
    if outcome.dead:
        report.dead += 1
    else:
        report.retried += 1
    report.errors.append(f"{job.key} -> {job.target.channel}: {outcome.text}")


def _settled_elsewhere(job: _Job) -> None:
    """Our lease ran out and another sender settled the row: leave its outcome alone."""
    log.warning("delivery %s of %s was settled by another sender", job.claimed.delivery_id, job.key)
