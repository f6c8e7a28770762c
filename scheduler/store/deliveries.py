"""Delivery rows: what is due, claimed by one sender, settled exactly once.

Exactly once lives here. Each message gets a row per channel address, inserted under its unique
key (insert-or-nothing); a sender owns a row only when its conditional UPDATE pending->sending
changed exactly one row (scheduler.store.claims), and it settles the row with another conditional
UPDATE (sending->sent, or back to pending / dead), so a sender whose lease ran out cannot overwrite
the outcome of the one that took over. A sent row, its notices' sent state and its audit entry
commit together.

The statements run once or more per message, so they are built once: building them per call cost
more than executing them (bench/RESULTS.md); SQLAlchemy caches their compiled forms by structure.
Callers get plain values (ClaimedDelivery), never ORM rows; the delivery log as coordinators read it
is scheduler.store.deliverylog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from scheduler.ladder import LETTER_LEVELS
from scheduler.letters.content import zh_date
from scheduler.letters.digest import digest_day, digest_key
from scheduler.store import schema as m
from scheduler.store.repo import chunks, insert_for

if TYPE_CHECKING:
    from scheduler.store import Store

ACTOR = "督办系统"
DUE_STATUSES = ("queued", "approved")
CLOSED_TASKS = ("signed_off", "waived")
PAGE = 1000  # due delivery ids read per query
_LETTERS = tuple(sorted(LETTER_LEVELS))  # a unit's approved ones of one level go out as one numbered letter

Route = Callable[[str, Sequence[tuple[str, str]]], Sequence[tuple[str, str]]]

_D, _N = cast(Table, m.Delivery.__table__), cast(Table, m.Notice.__table__)
_Q = TypeVar("_Q", bound=Select)
_CONTACTS = (select(m.Contact.channel, m.Contact.address).where(m.Contact.unit == bindparam("unit"))
             .order_by(m.Contact.id))
_CONTACTS_OF = (select(m.Contact.unit, m.Contact.channel, m.Contact.address)
                .where(m.Contact.unit.in_(bindparam("units", expanding=True))).order_by(m.Contact.id))
_SETTLE = (update(_D).where(_D.c.id == bindparam("did"), _D.c.status == "sending")
           .values(status="sent", next_attempt_at=None, message_id=bindparam("mid"), last_error="",
                   first_failed_at=None))
_FAIL = (update(_D).where(_D.c.id == bindparam("did"), _D.c.status == "sending")
         .values(status=bindparam("outcome"), next_attempt_at=bindparam("retry_at"), last_error=bindparam("error"),
                 first_failed_at=bindparam("failing_since")))
_NOTICES_SENT = (update(_N).where(_N.c.key.in_(bindparam("keys", expanding=True)), _N.c.status.in_(DUE_STATUSES))
                 .values(status="sent", sent_on=bindparam("sent_on"), version_id=_N.c.version_id + 1))
_AUDIT = insert(cast(Table, m.AuditEntry.__table__))
# PostgreSQL settles a send in one statement (each statement is a round trip to the server): the
# notices and the audit entry follow only if the conditional UPDATE took the row.
_A = cast(Table, m.AuditEntry.__table__)
_SETTLED = _SETTLE.returning(_D.c.id).cte("settled")
_SETTLE_ONCE = select(func.count()).select_from(_SETTLED).add_cte(
    _NOTICES_SENT.where(select(_SETTLED.c.id).exists()).cte("sent_notices"),
    insert(_A).from_select(
        ["at", "actor", "action", "object_type", "object_id", "detail"],
        select(bindparam("at", type_=_A.c.at.type), literal(ACTOR), literal("delivery.sent"), literal("delivery"),
               bindparam("object_id", type_=_A.c.object_id.type), bindparam("detail", type_=_A.c.detail.type))
        .select_from(_SETTLED),
    ).cte("audited"),
)


def utc(moment: datetime) -> datetime:
    """Store times in UTC so SQLite's text comparison orders them like PostgreSQL does."""
    if moment.tzinfo is None:
        raise ValueError("now 必须带时区")
    return moment.astimezone(UTC)


# --- what is due ----------------------------------------------------------------------------------


def due_where(query: _Q, day: date | BindParameter[date]) -> _Q:
    return query.outerjoin(m.Task, m.Task.id == m.Notice.task_id).where(
        m.Notice.created_on <= day,
        or_(m.Task.id.is_(None), m.Task.status.not_in(CLOSED_TASKS)),
    )


def _due_messages(session: Session, day: date) -> dict[str, str]:
    """Return message key -> unit for what is due on `day`, in the order of each message's first
    notice; reads keys only (not the notices), since a province's day is ~100k of them."""
    due = m.Notice.status.in_(DUE_STATUSES)
    digests = session.execute(
        due_where(select(func.min(m.Notice.id), m.Notice.unit), day)
        .where(due, m.Notice.level.not_in(_LETTERS)).group_by(m.Notice.unit)
    ).all()
    letters = session.execute(
        due_where(select(m.Notice.id, m.Notice.key, m.Notice.unit, m.Notice.level, m.Notice.letter_key), day)
        .where(due, m.Notice.level.in_(_LETTERS)).order_by(m.Notice.id)
    ).all()
    # One letter per unit and level: a notice not yet in a letter joins the one its unit's
    # earliest such notice leads; one already in a letter (a retry) stays in it.
    leads: dict[tuple[str, str], tuple[int, str]] = {}
    grouped: dict[str, tuple[int, str]] = {}
    for first, key, unit, level, letter_key in letters:
        if letter_key:
            grouped.setdefault(letter_key, (first, unit))
        else:
            lead = leads.setdefault((unit, level), (first, key))
            grouped.setdefault(lead[1], (lead[0], unit))
    entries = sorted([(first, digest_key(unit, day), unit) for first, unit in digests]
                     + [(first, key, unit) for key, (first, unit) in grouped.items()])
    return {key: unit for _first, key, unit in entries}


def unit_contacts(session: Session, unit: str) -> tuple[tuple[str, str], ...]:
    """Return the unit's (contact field, address) pairs in the directory's order."""
    return tuple((c, a) for c, a in session.execute(_CONTACTS, {"unit": unit}))


def units_contacts(session: Session, units: Sequence[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Return unit_contacts() of many units, a query per chunk of them rather than per unit."""
    found: dict[str, list[tuple[str, str]]] = {}
    for part in chunks(sorted(set(units))):
        for unit, channel, address in session.execute(_CONTACTS_OF, {"units": list(part)}):
            found.setdefault(unit, []).append((channel, address))
    return {unit: tuple(found.get(unit, ())) for unit in units}


def prepare_day(store: Store, day: date, now: datetime, route: Route) -> int:
    """Insert a delivery row for every message due on `day` (nothing on conflict) and supersede
    earlier days' unsent digests, whose notices are still queued and so in today's digest.

    `route(unit, contacts)` returns the (channel, address) targets of a unit's messages.
    Returns how many digests were superseded."""
    with store.session() as session:
        keys = _due_messages(session, day)  # message key -> unit
        contacts = units_contacts(session, list(dict.fromkeys(keys.values())))
        targets: dict[str, Sequence[tuple[str, str]]] = {}
        values = []
        for key, unit in keys.items():
            if unit not in targets:
                targets[unit] = route(unit, contacts[unit])
            values += [dict(message_key=key, channel=channel, address=address, status="pending", attempts=0,
                            last_error="", message_id="") for channel, address in targets[unit]]
        for part in chunks(values):  # SQLite caps the bound parameters per statement
            session.execute(insert_for(session, _D).values(list(part))
                            .on_conflict_do_nothing(index_elements=["message_key", "channel", "address"]))
        for part in chunks(list(keys)):  # withheld once, due again (held, then approved)
            session.execute(
                update(m.Delivery)
                .where(m.Delivery.status == "withheld", m.Delivery.message_key.in_(part))
                .values(status="pending", next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
        superseded = 0
        for delivery in session.scalars(
            select(m.Delivery).where(
                m.Delivery.message_key.like("digest|%"),
                or_(
                    m.Delivery.status == "pending",  # a crashed sender's expired lease counts too
                    and_(m.Delivery.status == "sending", m.Delivery.next_attempt_at <= utc(now)),
                ),
            )
        ):
            old = digest_day(delivery.message_key)
            if old is not None and old < day:
                delivery.status = "superseded"
                delivery.last_error = f"未发出的事项已并入{zh_date(day)}的汇总"
                superseded += 1
        session.commit()
    return superseded


def due_ids(store: Store, files_only: bool) -> Iterator[int]:
    """Yield the ids of deliveries pending or sending, oldest first (a backlog goes out in the
    order it arose), a page per query; with `files_only`, only the file outbox's."""
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


def held_count(store: Store) -> int:
    """Count deliveries waiting that go through a channel other than the file outbox."""
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(m.Delivery).where(
            m.Delivery.status.in_(("pending", "sending")), m.Delivery.channel != "file")) or 0


# --- settling ---------------------------------------------------------------------------------------


def settle_sent(store: Store, delivery_id: int, message_id: str, notice_keys: Sequence[str], day: date,
                now: datetime, detail: dict[str, Any], object_id: str) -> bool:
    """Record a send: the row sent (if this sender still owns it), its notices sent on `day`, one
    audit entry; one transaction on a bare connection. False when another sender settled it."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            return conn.execute(_SETTLE_ONCE, {"did": delivery_id, "mid": message_id, "keys": list(notice_keys),
                                               "sent_on": day, "at": now, "object_id": object_id,
                                               "detail": detail}).scalar_one() == 1
        if conn.execute(_SETTLE, {"did": delivery_id, "mid": message_id}).rowcount != 1:
            return False
        if notice_keys:
            conn.execute(_NOTICES_SENT, {"keys": list(notice_keys), "sent_on": day})
        conn.execute(_AUDIT, {"at": now, "actor": ACTOR, "action": "delivery.sent", "object_type": "delivery",
                              "object_id": object_id, "detail": detail})
    return True


def settle_failed(store: Store, delivery_id: int, *, dead: bool, retry_at: datetime | None, error: str,
                  failing_since: datetime, now: datetime, object_id: str, detail: dict[str, Any]) -> bool:
    """Record a failed send: back to pending until `retry_at`, or dead; with its audit entry.
    False when another sender settled the row meanwhile."""
    with store.engine.begin() as conn:
        changed = conn.execute(_FAIL, {
            "did": delivery_id, "outcome": "dead" if dead else "pending",
            "retry_at": None if dead or retry_at is None else utc(retry_at), "error": error,
            "failing_since": utc(failing_since)}).rowcount
        if changed != 1:
            return False
        conn.execute(_AUDIT, {"at": now, "actor": ACTOR, "action": "delivery.dead" if dead else "delivery.retry",
                              "object_type": "delivery", "object_id": object_id, "detail": detail})
    return True
