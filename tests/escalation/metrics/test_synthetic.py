"""The demo's SYNTHETIC air-quality season: the shipped file is the generator's output, imports without
a bad row, and over the season (coordinator approving the next working day) produces the metric
notices the generator was shaped for."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from scheduler import store as repo
from scheduler.demo.synthetic import aqi_from_pm25, season_csv
from scheduler.escalation.metrics import load_setup
from scheduler.escalation.metrics.rules import METRIC_KINDS
from scheduler.escalation.metrics.values import import_file
from scheduler.escalation.ruleset import load_rulebook
from scheduler.plans.ledger import load_ledger
from scheduler.store import open_store
from scheduler.store.metrics import save_import
from scheduler.sweep import run_sweep
from tests.escalation.metrics.builders import CALENDAR, DIRECTORY, REGIONS, ROOT

DATA = ROOT / "data" / "metrics" / "changzhi-2019-20-synthetic.csv"


def test_the_shipped_file_is_the_generators_output_and_says_it_is_synthetic():
    assert DATA.read_text(encoding="utf-8") == season_csv()
    assert "SYNTHETIC" in (DATA.parent / "README.md").read_text(encoding="utf-8")


def test_aqi_follows_the_pm25_breakpoints():
    assert [aqi_from_pm25(v) for v in (0, 35, 75, 150, 151, 500, 540)] == [0, 50, 100, 200, 201, 500, 540]


def test_it_imports_cleanly_with_the_gaps_it_was_given():
    report = import_file(DATA, REGIONS)
    assert report.problems == [] and len(report.values) == 5188
    assert [str(g) for g in report.gaps] == [
        "武乡县 AQI 缺 2020-02-29（1天）", "武乡县 PM2.5 缺 2020-02-29（1天）",
        "沁县 AQI 缺 2019-11-14 至 2019-11-16（3天）", "沁县 PM2.5 缺 2019-11-14 至 2019-11-16（3天）"]


ARRANGEMENT = {"time": "另定", "place": "市政府第一会议室", "attendees": "县区政府主要负责同志",
               "contact": "市大气办 1234567"}


def test_the_demo_season_brings_metric_warnings_interviews_and_urges(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'season.db'}")
    setup = load_setup(ROOT / "rules", ROOT / "data", DIRECTORY)
    rules = load_rulebook(ROOT / "rules")
    with store.session() as session:
        repo.load_ledgers(session, [load_ledger(ROOT / "data" / "changzhi-2019.yaml")], DIRECTORY)
        save_import(session, import_file(DATA, REGIONS), "演示")
        session.commit()
    created = []
    day = date(2019, 10, 1)
    while day <= date(2020, 3, 31):
        if CALENDAR.is_workday(day):
            with store.session() as session:
                waiting = [n.id for n in repo.review_queue(session, statuses=("pending_review",))
                           if n.created_on < day and n.kind in METRIC_KINDS]
                if waiting:
                    repo.decide_notices(session, waiting, "approve", "协调人", "", arrangement=ARRANGEMENT)
                session.commit()
            created += [(day, a) for a in run_sweep(store, rules, CALENDAR, day, metrics=setup).created
                        if a.kind in METRIC_KINDS]
        day += timedelta(days=1)
    store.dispose()
    found = sorted((d.isoformat(), a.level, a.unit.removesuffix("人民政府"), a.rule_id) for d, a in created)
    assert found == [
        ("2019-12-06", "urge", "潞城区", "dust-fall-urge"),  # November 10.4 > 9
        ("2020-01-06", "warning", "潞城区", "pm25-prorata-warning"),  # Oct-Dec 66.7 > 65.1
        ("2020-01-08", "urge", "潞城区", "dust-fall-urge"),  # December 9.6
        ("2020-01-17", "interview", "襄垣县", "aqi-off-scale-interview"),  # 540, 565 on 15-16 January
        ("2020-02-05", "warning", "潞城区", "pm25-prorata-warning"),
        ("2020-02-05", "warning", "黎城县", "pm25-prorata-warning"),
        # 15 working days after the second warning (02-05; 春节 is over), the rule set's interval
        ("2020-02-26", "interview", "潞城区", "repeated-warnings-interview"),
        ("2020-03-04", "warning", "潞城区", "pm25-prorata-warning"),
        ("2020-03-04", "warning", "黎城县", "pm25-prorata-warning"),
        ("2020-03-06", "urge", "壶关县", "dust-fall-urge"),  # February 9.8
        ("2020-03-25", "interview", "黎城县", "repeated-warnings-interview"),  # 15 working days after 03-04
    ]
    assert Counter(level for _, level, _, _ in found) == {"warning": 5, "interview": 3, "urge": 3}
