"""The incremental sweep equals the full one: random seasons on the 长治 2019-20 ledger — progress
reports, sign-offs, waivers, extensions, dates set, reviews, deliveries, 签收, a rule edit mid-season,
days missed — swept day by day in two stores built the same way, one incrementally and one with
`full=True`, must create the same notices (keys and content) every day, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from scheduler import store as repo
from scheduler.escalation.ruleset import load_rulebook
from scheduler.store import schema as m
from scheduler.store.extensions import decide_extension, request_extension
from tests.shipped import ROOT, RULES, changzhi_store, sweep

SEASON = date(2019, 10, 8)
BY = "协调员"
NOTICE_EVENTS = ("approve", "deliver", "ack", "hold")
EVENTS = ("report", "signoff", "extension", "set_date", "approve", "deliver", "ack", "waive", "hold")


def edited_rules(folder: Path):
    """Return the rule book with the default ladder edited: sooner urges, warnings and reminders."""
    shutil.copytree(ROOT / "rules", folder, dirs_exist_ok=True)
    path = folder / "default.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (("after_workdays: 10}", "after_workdays: 4}"),
                     ("progress_missing, after_workdays: 5", "progress_missing, after_workdays: 2"),
                     ("after_workdays: 15, ack_grace", "after_workdays: 6, ack_grace")):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text.replace('version: "', 'version: "9', 1), encoding="utf-8")
    return load_rulebook(folder)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the same day


def apply(store, event: tuple[str, int, int], day: date, chooser, key: str | None) -> None:
    """Apply one event to a store; `chooser` picks its task and unit, `key` its notice (both chosen once
    for both stores)."""
    kind, a, b = event
    task_id, unit = chooser.task(a), chooser.unit(a, b)
    with store.session() as session:
        if kind == "report":
            repo.report_progress(session, task_id, unit, ("in_progress", "done", "blocked", "in_progress")[b % 4],
                                 (b * 7) % 101, "", BY, day, now=at(day))
        elif kind == "signoff" and session.get(m.Task, task_id).status != "signed_off":
            repo.sign_off(session, task_id, BY, day, now=at(day))
        elif kind == "waive":
            repo.waive(session, task_id, BY, "测试", now=at(day))
        elif kind == "extension" and chooser.units.get(task_id):  # a task without units has nobody to ask
            request = request_extension(session, task_id, unit, day + timedelta(days=5 + b % 40), "理由", BY,
                                        now=at(day))
            session.flush()
            decide_extension(session, request.id, True, BY, now=at(day))
        elif kind == "set_date":
            repo.set_deadline(session, task_id, day + timedelta(days=b % 50 - 10), BY, "补录", now=at(day))
        else:
            notice = session.scalar(select(m.Notice).where(m.Notice.key == key)) if key else None
            if notice is not None:
                if kind == "approve":
                    notice.status, notice.reviewed_by, notice.reviewed_at = "approved", BY, at(day)
                elif kind == "hold":
                    notice.status = "held"
                elif kind == "deliver":
                    notice.status, notice.sent_on = "sent", day
                else:
                    notice.acknowledged_on = day
        session.commit()


class Chooser:
    """Picks an event's task, unit and notice from one store, by index."""

    def __init__(self, store) -> None:
        self.store = store
        with store.session() as session:
            self.tasks = list(session.scalars(select(m.Task.id).order_by(m.Task.position)))
            self.units: dict[str, list[str]] = {}
            for task_id, unit in session.execute(select(m.Assignment.task_id, m.Assignment.unit)
                                                 .order_by(m.Assignment.id)):
                self.units.setdefault(task_id, []).append(unit)

    def task(self, a: int) -> str:
        return self.tasks[a % len(self.tasks)]

    def unit(self, a: int, b: int) -> str:
        units = self.units.get(self.task(a)) or ["长治市生态环境局"]
        return units[b % len(units)]

    def notice(self, kind: str, b: int) -> str | None:
        wanted = {"approve": ("pending_review",), "hold": ("pending_review",), "deliver": ("queued", "approved"),
                  "ack": ("sent",)}[kind]
        with self.store.session() as session:
            query = select(m.Notice.key).where(m.Notice.status.in_(wanted)).order_by(m.Notice.key)
            if kind == "ack":
                query = query.where(m.Notice.level.in_(("warning", "interview")), m.Notice.acknowledged_on.is_(None))
            keys = list(session.scalars(query))
        return keys[b % len(keys)] if keys else None


def notices(result) -> list[dict]:
    return sorted(({**a.to_json(), "snapshot": a.rule_snapshot, "version": a.ruleset_version} for a in result.created),
                  key=lambda n: n["key"])


def season(urls: tuple[str, str], days: int, skipped: set[int], events: list[tuple[int, tuple[str, int, int]]],
           edit_on: int | None, start: int, folder: Path) -> None:
    stores = [changzhi_store(url, at(SEASON)) for url in urls]
    try:
        chooser = Chooser(stores[0])
        edited = edited_rules(folder) if edit_on is not None else None
        for n in range(days):
            day = SEASON + timedelta(days=start + n)
            for when, event in events:
                if when == n:
                    key = chooser.notice(event[0], event[2]) if event[0] in NOTICE_EVENTS else None
                    for store in stores:
                        apply(store, event, day, chooser, key)
            if n in skipped:
                continue
            rules = edited if edited is not None and edit_on is not None and n >= edit_on else RULES
            incremental, full = (sweep(store, day, rules, full=flag)
                                 for store, flag in zip(stores, (False, True), strict=True))
            mine, reference = notices(incremental), notices(full)
            assert mine == reference, (day, [n for n in mine if n not in reference][:3],
                                       [n for n in reference if n not in mine][:3])
            assert (incremental.unchanged, incremental.warnings, incremental.since) == (
                full.unchanged, full.warnings, full.since), day
    finally:
        for store in stores:
            store.dispose()


EVENT = st.tuples(st.integers(0, 59), st.tuples(st.sampled_from(EVENTS), st.integers(0, 200), st.integers(0, 200)))
# A season takes seconds: shrinking one takes many minutes, and the failing season printed is enough.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
SEASONS = dict(days=st.integers(20, 60), skipped=st.sets(st.integers(0, 59), max_size=8),
               events=st.lists(EVENT, max_size=30), edit_on=st.none() | st.integers(0, 59),
               start=st.integers(0, 120))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**SEASONS)
def test_an_incremental_season_creates_what_the_full_sweep_creates_on_sqlite(days, skipped, events, edit_on, start):
    folder = Path(tempfile.mkdtemp(prefix="duban-incremental-"))
    try:
        season((f"sqlite:///{folder / 'a.db'}", f"sqlite:///{folder / 'b.db'}"), days, skipped, events, edit_on,
               start, folder / "rules")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=4, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**SEASONS)
def test_an_incremental_season_creates_what_the_full_sweep_creates_on_postgresql(postgres, days, skipped, events,
                                                                                 edit_on, start):
    folder = Path(tempfile.mkdtemp(prefix="duban-incremental-"))
    urls = (postgres.create_database(), postgres.create_database())
    try:
        season(urls, days, skipped, events, edit_on, start, folder / "rules")
    finally:
        for url in urls:
            postgres.drop_database(url.rsplit("/", 1)[1])
        shutil.rmtree(folder, ignore_errors=True)
