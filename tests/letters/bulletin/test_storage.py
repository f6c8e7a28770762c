"""通报 facts read from a store: a small one counted by hand, and the real 长治 ledger after a season."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.escalation.calendar import WorkCalendar
from scheduler.letters.bulletin.ranking import compute_bulletin
from scheduler.store import open_store
from scheduler.store.bulletin import bulletin_facts
from scheduler.store.extensions import decide_extension, request_extension
from tests.letters.bulletin.builders import DECEMBER, ECO, LUCHENG, MIIT, ROOT, XIANGYUAN
from tests.store.builders import DIRECTORY, NOW


def test_the_bulletin_of_a_small_store_matches_the_hand_count(small_store):
    with small_store.session() as session:
        tasks, letters, kinds, plans = bulletin_facts(session, "长治市", DECEMBER)
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, letters, kinds, plans)
    rows = {s.name: (s.rank, s.due, s.done, s.overdue, s.days_overdue, s.letters, s.acknowledged, s.mean_ack_days)
            for s in bulletin.counties + bulletin.units}
    assert rows[MIIT] == (2, 1, 0, 2, 63, 1, 0, None)
    assert rows[ECO] == (1, 1, 1, 0, 0, 0, 0, None)
    assert rows[LUCHENG] == (11, 1, 1, 0, 0, 1, 1, 7.0)
    assert rows[XIANGYUAN] == (12, 2, 1, 2, 63, 2, 1, 2.0)
    assert len(bulletin.counties) == 12
    assert [s.rank for s in bulletin.counties[:10]] == [1] * 10
    assert all(s.due == s.overdue == s.letters == 0 for s in bulletin.counties[:10])
    assert [s.name for s in bulletin.units] == [ECO, MIIT]
    assert [s.name for s in bulletin.last_counties] == [XIANGYUAN]
    assert [s.name for s in bulletin.last_units] == [MIIT]
    t = bulletin.totals
    assert (t.due, t.done, t.overdue, t.days_overdue, t.letters, t.acknowledged, t.mean_ack_days) == (
        2, 1, 2, 63, 4, 2, 4.5)
    assert [(o.task_id, o.days, set(o.units), o.progress) for o in bulletin.overdue] == [
        ("b-2019/7", 62, {MIIT, XIANGYUAN}, "未报送进展"), ("b-2019/3", 1, {MIIT, XIANGYUAN}, "已完成60%")]
    assert [p.citation for p in bulletin.plans] == ["《长治市测试方案》（长政办发〔2019〕1号）"]


def test_a_unit_with_its_own_extension_is_counted_at_its_new_date_and_the_others_are_not(small_store):
    # b-2019/7 (due 10-31, 市工信局 and 襄垣县, never done): 襄垣县 is granted 2020-01-31 in November
    with small_store.session() as session:
        asked = request_extension(session, "b-2019/7", XIANGYUAN, date(2020, 1, 31), "设备到货延迟", XIANGYUAN,
                                  now=datetime(2019, 11, 18, 9, tzinfo=UTC))
        decide_extension(session, asked.id, True, "王协调", "同意", now=datetime(2019, 11, 20, 9, tzinfo=UTC))
        session.commit()
        tasks, letters, kinds, plans = bulletin_facts(session, "长治市", DECEMBER)
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, letters, kinds, plans)
    rows = {s.name: (s.due, s.done, s.overdue, s.days_overdue) for s in bulletin.counties + bulletin.units}
    assert rows[XIANGYUAN] == (2, 1, 1, 1)  # only b/3 is late for it now (was 2 tasks, 63 days)
    assert rows[MIIT] == (1, 0, 2, 63)  # the lead's date did not move
    assert [(o.task_id, o.days, set(o.units)) for o in bulletin.overdue] == [
        ("b-2019/7", 62, {MIIT}), ("b-2019/3", 1, {MIIT, XIANGYUAN})]
    t = bulletin.totals  # each task once: b/7 is still late (for 市工信局)
    assert (t.due, t.done, t.overdue, t.days_overdue) == (2, 1, 2, 63)


# --- golden: the real 长治 ledger after the simulated season ---------------------------------
# scheduler/demo/simulate.py decides from a hash of each task id when it is done (60% on time, 25% a
# week or more late, 15% two months late); this runs it from 1 October to the end of December with
# no sweeps (so no letters) and compares the December bulletin with the file below. Regenerate it
# only when the simulation or the ledger changes on purpose: DUBAN_REGOLD=1 pytest -k golden.
GOLDEN = ROOT / "tests" / "data" / "bulletin_changzhi_2019-12.json"


@pytest.fixture(scope="module")
def season_store(tmp_path_factory):
    from scheduler.demo.simulate import events_for_day
    from scheduler.plans.ledger import load_ledgers
    from scheduler.store.taskfacts import task_facts

    config = load_config(ROOT / "config.yaml")
    calendar = WorkCalendar.load(config.path(config.calendar_dir))
    url = f"sqlite:///{tmp_path_factory.mktemp('season') / 'duban.db'}"
    store = open_store(url)
    with store.session() as session:
        repo.load_ledgers(session, load_ledgers(ROOT / "data"), DIRECTORY, config.heating_season_start, actor="测试")
        session.commit()
    day = date(2019, 10, 1)
    while day <= DECEMBER.end:
        if calendar.is_workday(day):
            with store.session() as session:
                facts = task_facts(session, day, ["changzhi-2019"], config.heating_season_start)
                for event in events_for_day(facts, day):
                    if event.kind == "report":
                        repo.report_progress(session, event.task_id, event.unit, event.status, event.percent,
                                             event.note, event.unit, day)
                    else:
                        repo.sign_off(session, event.task_id, "测试", day, event.note, now=NOW)
                session.commit()
        day = date.fromordinal(day.toordinal() + 1)
    yield store, config
    store.dispose()


def test_golden_december_bulletin_of_the_changzhi_season(season_store):
    import os

    store, config = season_store
    with store.session() as session:
        tasks, letters, kinds, plans = bulletin_facts(session, "长治市", DECEMBER, config.heating_season_start)
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, letters, kinds, plans)
    found = bulletin.to_json()
    if os.environ.get("DUBAN_REGOLD"):
        GOLDEN.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert found == json.loads(GOLDEN.read_text(encoding="utf-8"))
    # Cross-checks that do not come from the bulletin code: December's due tasks, counted from the ledger.
    december = [t for t in tasks if t.due and DECEMBER.start <= t.due <= DECEMBER.end and not t.waived]
    assert found["totals"]["due"] == len(december) > 0
    assert len(found["counties"]) == 13  # 12 counties and districts of 长治 and its high-tech zone
    assert [c["rank"] for c in found["counties"]] == sorted(c["rank"] for c in found["counties"])
    assert found["totals"]["letters"] == 0  # no sweeps ran: no letters
