"""The bulk load leaves the store exactly as the row-by-row load does: every table, every row."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.plans.ledger import Ledger, load_ledger, load_ledgers
from scheduler.store import open_store
from scheduler.store import schema as m
from scheduler.store.bulkload import bulk_load_ledgers
from scheduler.store.unitoverrides import assign_units
from tests.store.builders import DIRECTORY, NOW, action, ledger, unit_name

ROOT = Path(__file__).resolve().parents[2]
NEW_REGION = ROOT / "tests" / "data" / "new_region" / "shuozhou-2024.yaml"


def synthetic(tasks: int = 300, seed: int = 7) -> Ledger:
    """A plan of 长治 with random deadline cells, milestones and units, like the load benchmark's."""
    rng = random.Random(seed)
    local = [u for u in DIRECTORY.units() if u.region == "长治市"]
    departments = [u.name for u in local if u.kind == "city_department"]
    counties = [u.name for u in local if u.kind in ("county_government", "zone_committee")]
    cells = ("2019年12月底前", "2020年1月15日前", "长期坚持", "2019年11月1日至2020年2月28日", "按省要求时限完成",
             "每月", "2019年采暖季前")
    rows = []
    for n in range(tasks):
        chosen = rng.sample(departments, 3)
        rows.append(dict(
            id=f"syn-2019/{n + 1}", title=f"第{n + 1}项：完成燃煤锅炉综合治理", deadline_text=rng.choice(cells),
            measures="逐一销号" + ("，2019年12月15日前完成主体工程" if rng.random() < 0.2 else "") + "。",
            lead_units=chosen[:1], cooperating_units=chosen[1:],
            responsible_units=rng.sample(counties, 4) + (["各县区政府"] if rng.random() < 0.1 else []),
            source=f"synthetic:{n + 1}"))
    return Ledger.model_validate(dict(
        plan=dict(id="syn-2019", title="合成方案", issuer="长治市", region="长治市", period_start="2019-10-01",
                  period_end="2020-03-31", plan_year=2019, source_file="synthetic"),
        tasks=rows))


def province() -> list[Ledger]:
    return [*load_ledgers(ROOT / "data"), load_ledger(NEW_REGION), synthetic(), ledger()]


def edited() -> list[Ledger]:
    """The province after a coordinator's edits: a date moved, a unit dropped, a task removed, two
    tasks inserted at the front (every later position moves), a task of the test plan removed."""
    ledgers = province()
    plan = ledgers[-2]
    plan.tasks[0].deadline_text = "2020年2月底前"
    plan.tasks[1].responsible_units = plan.tasks[1].responsible_units[:1]
    del plan.tasks[2]
    for n in (1, 2):  # two in, one out: every later task moves down a place
        plan.tasks.insert(0, plan.tasks[5].model_copy(update={"id": f"syn-2019/new{n}", "source": f"new:{n}"}))
    ledgers[-1] = ledger("2020年1月底前", ("潞城区政府",), extra_task=False)
    return ledgers


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    store = open_store(url, migrate=False)
    found = {}
    with store.engine.connect() as connection:
        for table in m.Base.metadata.sorted_tables:
            found[table.name] = [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
    store.dispose()
    return found


def run(url: str, loader) -> list[str]:
    """Load, add notices, load the edits, load them again; return each load's summary."""
    store = open_store(url)
    summaries = []
    luzhou = unit_name("潞城区政府")
    dropped = synthetic().tasks[1].responsible_units[1]
    with store.session() as session:
        summaries.append(loader(session, province(), DIRECTORY, now=NOW).summary())
        repo.insert_notices(session, [
            action("a", luzhou, level="reminder"), action("x", unit_name("襄垣县政府"), level="reminder"),
            action("s", luzhou, level="reminder", task="syn-2019/3"),
            action("c", dropped, level="reminder", task="syn-2019/2"),
        ], date(2019, 11, 20), now=NOW)
        # a coordinator keeps the unit the edit below drops from the ledger: its notice must survive
        assign_units(session, "syn-2019/2", dropped, [dropped], by="王五", reason="协调会议纪要", now=NOW)
        session.commit()
    for _ in range(2):
        with store.session() as session:
            summaries.append(loader(session, edited(), DIRECTORY, now=NOW).summary())
            session.commit()
    store.dispose()
    return summaries


@pytest.fixture
def second_url(store_url, tmp_path, request):
    """A second empty database of the same kind as `store_url`."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'bulk.db'}"
        return
    server = request.getfixturevalue("postgres")
    url = server.create_database()
    yield url
    server.drop_database(url.rsplit("/", 1)[1])


@pytest.mark.slow
def test_the_bulk_load_and_the_row_by_row_load_leave_identical_stores(store_url, second_url):
    reference = run(store_url, repo.load_ledgers)
    bulk = run(second_url, bulk_load_ledgers)
    assert bulk == reference
    assert "未变" in reference[2] and "新增 0 项、更新 0 项" in reference[2]
    expected, found = dump(store_url), dump(second_url)
    assert sum(len(rows) for rows in found.values()) > 3000
    for table in expected:
        assert found[table] == expected[table], table
    store = open_store(second_url, migrate=False)
    with store.session() as session:
        notices = dict(session.execute(select(m.Notice.key, m.Notice.status)).all())
    store.dispose()
    assert notices == {"a": "cancelled", "x": "cancelled", "s": "cancelled", "c": "queued"}


def test_a_second_bulk_load_of_the_same_ledgers_changes_nothing_and_says_so(store_url):
    store = open_store(store_url)
    with store.session() as session:
        bulk_load_ledgers(session, [synthetic(50)], DIRECTORY, now=NOW)
        session.commit()
        entries = session.query(m.AuditEntry).count()
        report = bulk_load_ledgers(session, [synthetic(50)], DIRECTORY, now=NOW)
        session.commit()
        assert (report.tasks_created, report.tasks_updated, report.tasks_unchanged) == (0, 0, 50)
        assert "新增 0 项、更新 0 项、未变 50 项、移出 0 项" in report.summary()
        assert report.summary().endswith("台账与存储一致，未作任何改动")
        assert session.query(m.AuditEntry).count() == entries
        versions = set(session.scalars(select(m.Task.version_id)))
    store.dispose()
    assert versions == {1}


def test_the_bulk_load_audits_every_created_updated_and_removed_task(store_url):
    store = open_store(store_url)
    with store.session() as session:
        bulk_load_ledgers(session, [synthetic(20)], DIRECTORY, actor="张三", now=NOW)
        changed = synthetic(20)
        changed.tasks[4].title = "改写的标题"
        del changed.tasks[7]
        report = bulk_load_ledgers(session, [changed], DIRECTORY, actor="李四", now=NOW)
        session.commit()
        entries = session.execute(select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.object_id,
                                         m.AuditEntry.detail).order_by(m.AuditEntry.id)).all()
        removed = session.get(m.Task, "syn-2019/8")
    store.dispose()
    assert (report.tasks_updated, report.tasks_removed, report.tasks_unchanged) == (1, 1, 18)
    assert [e.object_id for e in entries[:20]] == [f"syn-2019/{n}" for n in range(1, 21)]
    assert {(e.actor, e.action) for e in entries[:20]} == {("张三", "task.create")}
    assert entries[0].detail == {"source": "synthetic:1", "changed": []}
    assert [(e.actor, e.action, e.object_id, e.detail) for e in entries[20:]] == [
        ("李四", "task.update", "syn-2019/5", {"source": "synthetic:5", "changed": ["title"]}),
        ("李四", "task.remove", "syn-2019/8", {}),
    ]
    assert removed is not None and (removed.removed, removed.status) == (True, "waived")
