"""The console, the 台账 export, the dashboard and the monthly 通报 read one status rule.

A made-up plan of 长治 holds one task per state, each with its own county, loaded into a real store
with progress, a sign-off and a waiver recorded the way coordinators record them. Each consumer
then reads the store through its own path, and all four must agree on every task: the same state
(console, 台账, dashboard) and the same overdue list (通报 of the month that ended the day before).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from scheduler.config import load_config
from scheduler.escalation.status import standing
from scheduler.exports.xlsx import row_standing
from scheduler.letters.bulletin.ranking import Period, compute_bulletin
from scheduler.plans.ledger import load_ledgers
from scheduler.plans.units import UnitDirectory
from scheduler.plans.views import export_rows
from scheduler.store import load_ledgers as load_into_store
from scheduler.store import open_store, report_progress, sign_off, task_facts, waive
from scheduler.store.bulletin import bulletin_facts
from scheduler.store.ledgerview import task_activity
from scheduler.web.ledger import task_standing
from scheduler.web.status import lights

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2020, 1, 1)  # the console's day; the 通报 covers December, the month that just ended
NOW = datetime(2019, 12, 31, 10, 0)

# task number -> (county government, deadline cell, milestone text in the measure, what the unit did)
TASKS = {
    "on-time": ("潞州区政府", "2020年3月底前", "", None),
    "due-soon": ("上党区政府", "2020年1月10日前", "", None),
    "milestone-passed": ("屯留区政府", "2020年3月底前", "2019年12月15日前完成方案制定。", None),
    "overdue": ("潞城区政府", "2019年11月底前", "", None),
    "reported-done": ("襄垣县政府", "2019年11月底前", "", "report"),
    "signed-off": ("平顺县政府", "2019年11月底前", "", "sign_off"),
    "waived": ("黎城县政府", "2019年11月底前", "", "waive"),
    "external": ("壶关县政府", "按国家、省规定完成时限", "", None),
}
EXPECTED = {
    "on-time": "on_track", "due-soon": "at_risk", "milestone-passed": "at_risk", "overdue": "overdue",
    "reported-done": "on_track", "signed-off": "closed", "waived": "closed", "external": "at_risk",
}


def write_plan(data: Path) -> None:
    """A data folder as `duban load` reads it: the shipped units and one made-up 长治 plan."""
    data.mkdir()
    (data / "units.yaml").write_text((ROOT / "data" / "units.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    plan = {
        "plan": {"id": "agree-2019", "title": "长治市状态一致性测试方案", "issuer": "长治市人民政府",
                 "document_number": "", "issue_date": None, "region": "长治市", "period_start": "2019-10-01",
                 "period_end": "2020-03-31", "plan_year": 2019, "source_file": "made-up.txt",
                 "assessment_clause": "", "assessment_source": ""},
        "targets": {"county": [], "period_caps": [], "monthly": []},
        "tasks": [
            {"id": f"agree-2019/{name}", "category": "测试", "key_work": "测试", "title": f"任务{name}",
             "measures": f"推进治理工作。{milestone}", "deadline_text": cell, "lead_units": [unit],
             "cooperating_units": [], "responsible_units": [unit], "responsible_persons": [],
             "standing": False, "remarks": "", "source": f"made-up.txt:{i}", "notes": []}
            for i, (name, (unit, cell, milestone, _)) in enumerate(TASKS.items(), start=1)
        ],
    }
    (data / "agree-2019.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")


@pytest.fixture
def world(tmp_path):
    data = tmp_path / "data"
    write_plan(data)
    config = load_config(ROOT / "config.yaml")
    store = open_store(f"sqlite:///{tmp_path / 'duban.db'}")
    directory = UnitDirectory.load(data / "units.yaml")
    with store.session() as session:
        load_into_store(session, load_ledgers(data), directory, config.heating_season_start, now=NOW)
        session.commit()
        for name, (_, _, _, action) in TASKS.items():
            full_unit = next(a.unit for f in task_facts(session, AS_OF, ["agree-2019"])
                             if f.task_id == f"agree-2019/{name}" for a in f.assignments)
            task_id = f"agree-2019/{name}"
            if action == "report":
                report_progress(session, task_id, full_unit, "done", 100, "已完成", "县督办员", date(2019, 11, 28),
                                now=NOW)
            elif action == "sign_off":
                sign_off(session, task_id, "王协调", date(2019, 11, 29), now=NOW)
            elif action == "waive":
                waive(session, task_id, "王协调", "上级调整任务", now=NOW)
        session.commit()
    return store, config, data


def test_console_ledger_dashboard_and_bulletin_agree_on_every_state(world):
    store, config, data = world
    with store.session() as session:
        facts = {f.task_id.split("/")[1]: f for f in task_facts(session, AS_OF, ["agree-2019"],
                                                                config.heating_season_start)}
        activity = task_activity(session, AS_OF)
        records, letters, kinds, plans = bulletin_facts(session, "长治市", Period.month("2019-12"),
                                                       config.heating_season_start)
    rows = {row["id"].split("/")[1]: row for row in export_rows(data, config)}
    assert set(facts) == set(rows) == set(TASKS)

    console = {name: task_standing(f, AS_OF, set()).state for name, f in facts.items()}
    ledger = {name: row_standing(rows[name], AS_OF, activity.get(row["id"])).state for name, row in rows.items()}
    unit_of = {name: f.units("lead", "responsible")[0] for name, f in facts.items()}
    _, by_unit = lights(facts.values(), AS_OF, {})
    counted = {t.name: next((s for s, n in t.counts.items() if n), None) for t in by_unit}
    dashboard = {name: counted.get(unit_of[name], "closed") for name in TASKS}

    assert console == EXPECTED
    assert ledger == EXPECTED
    assert dashboard == EXPECTED
    bulletin = compute_bulletin("长治市", Period.month("2019-12"), records, letters, kinds, plans)
    late = {t.task_id.split("/")[1] for t in bulletin.overdue}
    assert late == {name for name, state in EXPECTED.items() if state == "overdue"}


def test_the_rule_itself_gives_the_expected_states_on_the_stored_facts(world):
    store, config, _ = world
    with store.session() as session:
        found = {f.task_id.split("/")[1]: standing(f, AS_OF).state
                 for f in task_facts(session, AS_OF, ["agree-2019"], config.heating_season_start)}
    assert found == EXPECTED
