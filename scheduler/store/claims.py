"""Claiming delivery rows: a sender owns a row when its conditional UPDATE changed it, and reads
what the message carries at that moment (held, rejected or signed-off notices drop out).

A batch is claimed in one transaction with a handful of statements whatever its size: the rows'
keys; how many notices each digest would carry (the batch's budget counts them before anything is
claimed, so a province's thousand-item digests are not all read at once); one UPDATE … RETURNING
that claims the digests; then what they carry, one query per kind of thing for all of them
(notices, letters awaiting 签收 and their links' expiry, plan titles, contacts). Per-message
queries cost more than the rest of a digest's delivery on PostgreSQL (bench/RESULTS.md). A letter
is claimed and read on its own, since claiming one first gathers its group (a unit has a few a day
at most). Settling the rows, and what is due, is scheduler.store.deliveries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import BindParameter, ColumnElement, Date, Select, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from scheduler.ladder import ACK_LEVELS, LETTER_LEVELS
from scheduler.letters.digest import digest_day
from scheduler.store import schema as m
from scheduler.store.deliveries import (
    ACTOR,
    CLOSED_TASKS,
    DUE_STATUSES,
    due_where,
    unit_contacts,
    units_contacts,
    utc,
)
from scheduler.store.letters import notice_facts
from scheduler.store.notices import letter_facts
from scheduler.store.repo import audit, chunks

if TYPE_CHECKING:
    from scheduler.store import Store

_D, _N = cast(Table, m.Delivery.__table__), cast(Table, m.Notice.__table__)
_LETTERS = tuple(sorted(LETTER_LEVELS))
_ACKS = tuple(sorted(ACK_LEVELS))

@dataclass(frozen=True)
class Awaiting:
    """A sent letter its unit has not signed for yet, listed in the unit's digest."""

    facts: dict[str, Any]  # as a digest lists a notice, with the letter's number
    link_expires: date | None  # the last day of the link issued with it; None: none recorded


@dataclass
class ClaimedDelivery:
    """A delivery this sender owns until its lease ends: where it goes and what it carries."""

    delivery_id: int
    key: str
    channel: str
    address: str
    attempts: int  # this one included (the claim counted it)
    first_failed_at: datetime | None
    unit: str
    plan_id: str
    level: str
    notices: list[dict[str, Any]]  # re-read at the claim: held, rejected or signed-off ones dropped out
    contacts: tuple[tuple[str, str], ...] = ()  # the unit's (contact field, address); file outbox only
    awaiting: list[Awaiting] = field(default_factory=list)  # digests only

    @property
    def weight(self) -> int:
        """Notices carried or listed: what a batch's budget counts."""
        return len(self.notices) + len(self.awaiting)


@dataclass
class ClaimBatch:
    """What one claiming transaction did."""

    claimed: list[ClaimedDelivery]
    tried: int  # ids looked at; the rest wait for the next batch
    withheld: int  # claimed, but everything in it was held, rejected or signed off meanwhile



def _claimable(table: Any) -> ColumnElement[bool]:
    """Pending and due, or sending with an expired lease (its sender died)."""
    return or_(
        and_(table.c.status == "pending",
             or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= bindparam("stamp"))),
        and_(table.c.status == "sending", table.c.next_attempt_at <= bindparam("stamp")),
    )


_TAKE = {"status": "sending", "attempts": _D.c.attempts + 1, "next_attempt_at": bindparam("lease")}
_CLAIM = update(_D).where(_D.c.id == bindparam("did"), _claimable(_D)).values(_TAKE)
# Rows are locked in id order, skipping those another sender is claiming at this moment (PostgreSQL;
# SQLite has one writer anyway), so two senders whose batches overlap cannot deadlock.
_FREE = _D.alias("free")
_CLAIM_MANY = (
    update(_D)
    .where(_D.c.id.in_(select(_FREE.c.id).where(_FREE.c.id.in_(bindparam("ids", expanding=True)), _claimable(_FREE))
                       .order_by(_FREE.c.id).with_for_update(skip_locked=True)),
           _claimable(_D))
    .values(_TAKE)
    .returning(_D.c.id, _D.c.message_key, _D.c.channel, _D.c.address, _D.c.attempts, _D.c.first_failed_at)
)
_ROWS = select(_D.c.id, _D.c.message_key).where(_D.c.id.in_(bindparam("ids", expanding=True)))
_WITHHOLD = (update(_D).where(_D.c.id == bindparam("did"))
             .values(status="withheld", next_attempt_at=None, last_error="所含事项已暂缓、驳回、撤销或销号，未发送"))
_UNITS: BindParameter[Any] = bindparam("units", expanding=True)


def _digested(*columns: Any) -> Select[Any]:
    """What the digests of some units (`units`) of one day (`digest_day`) carry: their due notices of
    levels without a letter created by then, and those an earlier target already sent that day."""
    return due_where(select(*columns), bindparam("day", type_=Date)).where(
        m.Notice.unit.in_(_UNITS),
        m.Notice.created_on <= bindparam("digest_day", type_=Date),
        m.Notice.level.not_in(_LETTERS),
        or_(
            m.Notice.status.in_(DUE_STATUSES),
            and_(m.Notice.status == "sent", m.Notice.sent_on == bindparam("digest_day", type_=Date)),
        ),
    )


def _awaited(*columns: Any) -> Select[Any]:
    """The letters of some units (`units`) sent by `day` and not yet signed for, one line per letter."""
    return (
        select(*columns)
        .outerjoin(m.Task, m.Task.id == m.Notice.task_id)
        .outerjoin(m.Letter, m.Letter.notice_key == m.Notice.key)
        .where(m.Notice.unit.in_(_UNITS), m.Notice.level.in_(_ACKS), m.Notice.status == "sent",
               m.Notice.acknowledged_on.is_(None), m.Notice.sent_on <= bindparam("day", type_=Date),
               or_(m.Notice.letter_key.is_(None), m.Notice.letter_key == m.Notice.key),
               or_(m.Task.id.is_(None), m.Task.status.not_in(CLOSED_TASKS)))
    )


_DIGESTED = _digested(m.Notice, m.Task).order_by(m.Notice.id)
_DIGESTED_COUNT = _digested(m.Notice.unit, func.count()).group_by(m.Notice.unit)
_AWAITED = _awaited(m.Notice, m.Task, m.Letter.number).order_by(m.Notice.sent_on, m.Notice.id)
_AWAITED_COUNT = _awaited(m.Notice.unit, func.count()).group_by(m.Notice.unit)
_LINKS_EXPIRE = (select(m.AckLink.notice_key, func.max(m.AckLink.expires_on))
                 .where(m.AckLink.notice_key.in_(bindparam("keys", expanding=True))).group_by(m.AckLink.notice_key))
_PLAN_TITLES = select(m.Plan.id, m.Plan.title).where(m.Plan.id.in_(bindparam("ids", expanding=True)))
_LIVE_LETTER = due_where(select(m.Notice, m.Task), bindparam("day", type_=Date)).where(
    m.Notice.key == bindparam("key"), m.Notice.status.in_((*DUE_STATUSES, "sent"))).order_by(m.Notice.id)
_LIVE_GROUP = due_where(select(m.Notice, m.Task), bindparam("day", type_=Date)).where(
    m.Notice.letter_key == bindparam("key"), m.Notice.status.in_((*DUE_STATUSES, "sent"))).order_by(m.Notice.id)
# A letter's lead takes in the unit's other due notices of its level not yet in a letter.
_JOIN_GROUP = (
    update(_N)
    .where(_N.c.unit == bindparam("g_unit"), _N.c.level == bindparam("g_level"), _N.c.letter_key.is_(None),
           _N.c.status.in_(DUE_STATUSES), _N.c.created_on <= bindparam("g_day", type_=Date),
           or_(_N.c.task_id.is_(None), _N.c.task_id.not_in(
               select(m.Task.id).where(m.Task.status.in_(CLOSED_TASKS)).scalar_subquery())))
    .values(letter_key=bindparam("lead"), version_id=_N.c.version_id + 1)
)


def claim(session: Session, delivery_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take the row: pending and due, or sending with an expired lease; True for one caller only."""
    stamp = utc(now)
    result = session.connection().execute(_CLAIM, {"did": delivery_id, "stamp": stamp, "lease": utc(lease_until)})
    return result.rowcount == 1


def claim_batch(store: Store, delivery_ids: Sequence[int], day: date, now: datetime, lease_until: datetime,
                budget: int) -> ClaimBatch:
    """Claim the rows of `delivery_ids` in one transaction, in order, until the rows looked at carry
    `budget` notices (a digest's counted before claiming, a letter's once claimed); read what each
    claimed one carries. A row whose notices all dropped out is withheld. A row another sender
    holds is skipped, not waited for; its weight still counts, so the batch is at most `budget`."""
    batch = ClaimBatch([], 0, 0)
    with store.session() as session:
        keys: dict[int, str] = {i: k for i, k in session.execute(_ROWS, {"ids": list(delivery_ids)})}
        weights = _digest_weights(session, {i: k for i, k in keys.items() if digest_day(k) is not None}, day)
        taken: dict[int, ClaimedDelivery | None] = {}  # claimed rows; None: withheld
        wanted: list[int] = []
        weight = 0
        for delivery_id in delivery_ids:
            batch.tried += 1
            if delivery_id in weights:
                wanted.append(delivery_id)
                weight += weights[delivery_id]
            elif delivery_id in keys and claim(session, delivery_id, now, lease_until):
                taken[delivery_id] = claimed = _read_letter(session, delivery_id, day, now)
                weight += claimed.weight if claimed is not None else 0
            if weight >= budget:
                break
        if wanted:
            taken.update(_claim_digests(session, wanted, day, now, lease_until))
        session.commit()
    for delivery_id in delivery_ids[:batch.tried]:
        if delivery_id in taken:
            claimed = taken[delivery_id]
            if claimed is None:
                batch.withheld += 1
            else:
                batch.claimed.append(claimed)
    return batch


def _digest_unit(key: str) -> str:
    return key.split("|", 1)[1].rsplit("|", 1)[0]


def _by_day(keys: Iterable[str]) -> dict[date, list[str]]:
    """Group digest keys' units by their day (a batch's digests are nearly always of one day)."""
    grouped: dict[date, list[str]] = {}
    for key in keys:
        on = digest_day(key)
        assert on is not None
        grouped.setdefault(on, []).append(_digest_unit(key))
    return grouped


def _digest_weights(session: Session, keys: Mapping[int, str], day: date) -> dict[int, int]:
    """Return, per delivery id of a digest, how many notices it would carry and list: counted
    before claiming, so a batch never reads more than its budget."""
    counts: dict[tuple[str, date], int] = {}
    for on, units in _by_day(keys.values()).items():
        for statement in (_DIGESTED_COUNT, _AWAITED_COUNT):
            for part in chunks(units):
                values = {"day": day, "digest_day": on} if statement is _DIGESTED_COUNT else {"day": on}
                for unit, count in session.execute(statement, {**values, "units": list(part)}):
                    counts[unit, on] = counts.get((unit, on), 0) + count
    return {i: counts.get((_digest_unit(k), digest_day(k) or day), 0) for i, k in keys.items()}


def _claim_digests(session: Session, delivery_ids: Sequence[int], day: date, now: datetime,
                   lease_until: datetime) -> dict[int, ClaimedDelivery | None]:
    """Claim the digests' rows with one statement and read what the claimed ones carry, a query per
    kind of thing for all of them; return them by delivery id (None: withheld)."""
    rows = session.connection().execute(_CLAIM_MANY, {"ids": list(delivery_ids), "stamp": utc(now),
                                                      "lease": utc(lease_until)}).all()
    if not rows:
        return {}
    live: dict[tuple[str, date], list[tuple[m.Notice, m.Task | None]]] = {}
    awaiting: dict[tuple[str, date], list[tuple[m.Notice, m.Task | None, str | None]]] = {}
    for on, units in _by_day(row.message_key for row in rows).items():
        for part in chunks(units):
            for notice, task in session.execute(_DIGESTED, {"day": day, "digest_day": on, "units": list(part)}):
                live.setdefault((notice.unit, on), []).append((notice, task))
            for notice, task, number in session.execute(_AWAITED, {"day": on, "units": list(part)}):
                awaiting.setdefault((notice.unit, on), []).append((notice, task, number))
    plan_ids = sorted({n.plan_id for found in live.values() for n, _t in found})
    titles = {pid: title for pid, title in session.execute(_PLAN_TITLES, {"ids": plan_ids})} if plan_ids else {}
    letter_keys = sorted({n.key for found in awaiting.values() for n, _t, _no in found})
    expiry: dict[str, date] = {}
    for part in chunks(letter_keys):
        expiry.update({key: last for key, last in session.execute(_LINKS_EXPIRE, {"keys": list(part)}) if last})
    contacts = units_contacts(session, [_digest_unit(row.message_key) for row in rows if row.channel == "file"])
    claimed: dict[int, ClaimedDelivery | None] = {}
    for row in rows:
        unit, row_day = _digest_unit(row.message_key), digest_day(row.message_key) or day
        carried = live.get((unit, row_day), [])
        if not carried:
            _withhold(session, row.id, row.message_key, row.channel, row.address, now)
            claimed[row.id] = None
            continue
        first = carried[0][0]
        claimed[row.id] = ClaimedDelivery(
            delivery_id=row.id, key=row.message_key, channel=row.channel, address=row.address,
            attempts=row.attempts, first_failed_at=row.first_failed_at, unit=first.unit, plan_id=first.plan_id,
            level=first.level,
            notices=[letter_facts(session, n, t, notice_facts(n, t), titles) for n, t in carried],
            contacts=contacts.get(unit, ()),
            awaiting=[Awaiting({**notice_facts(n, t), "number": number or ""}, expiry.get(n.key))
                      for n, t, number in awaiting.get((unit, row_day), [])],
        )
    return claimed


def _withhold(session: Session, delivery_id: int, key: str, channel: str, address: str, now: datetime) -> None:
    """Set aside a claimed row whose notices all dropped out (audited); prepare_day brings it back
    if they become due again."""
    session.connection().execute(_WITHHOLD, {"did": delivery_id})
    audit(session, ACTOR, "delivery.withhold", "delivery", key, {"channel": channel, "address": address}, now)


def _read_letter(session: Session, delivery_id: int, day: date, now: datetime) -> ClaimedDelivery | None:
    """Read what a claimed letter carries, gathering its group first; None: withheld."""
    delivery = session.get_one(m.Delivery, delivery_id)
    rows = session.execute(_letter_query(session, delivery.message_key, day), {"day": day,
                                                                               "key": delivery.message_key})
    live = [(row[0], row[1]) for row in rows]
    if not live:
        _withhold(session, delivery_id, delivery.message_key, delivery.channel, delivery.address, now)
        return None
    first = live[0][0]
    return ClaimedDelivery(
        delivery_id=delivery_id,
        key=delivery.message_key,
        channel=delivery.channel,
        address=delivery.address,
        attempts=delivery.attempts,
        first_failed_at=delivery.first_failed_at,
        unit=first.unit,
        plan_id=first.plan_id,
        level=first.level,
        notices=[letter_facts(session, n, t, notice_facts(n, t)) for n, t in live],
        contacts=unit_contacts(session, first.unit) if delivery.channel == "file" else (),
    )


def _letter_query(session: Session, key: str, day: date) -> Select[m.Notice, m.Task]:
    """Return the query of the notices a letter carries, first gathering its group: the lead and
    the unit's other due notices of its level. A lead no longer due before it was ever grouped
    carries nothing (its group forms anew under another lead); a letter sent before letters were
    grouped carries its one notice."""
    lead = session.scalar(select(m.Notice).where(m.Notice.key == key))
    if lead is None:
        return _LIVE_LETTER
    if lead.letter_key is None and lead.status in DUE_STATUSES:
        session.connection().execute(_JOIN_GROUP, {"g_unit": lead.unit, "g_level": lead.level, "g_day": day,
                                                    "lead": key})
        session.expire(lead)
        return _LIVE_GROUP
    return _LIVE_LETTER if lead.letter_key is None else _LIVE_GROUP  # in another letter: nothing here
