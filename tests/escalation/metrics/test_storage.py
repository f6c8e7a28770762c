"""The store edge and the sweep, on SQLite and PostgreSQL: imports update in place, and metric notices
go into the same notices table under occurrence keys, through review, into a numbered letter."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from docx import Document
from sqlalchemy import select

from scheduler import store as repo
from scheduler.clock import SHANGHAI
from scheduler.config import Config
from scheduler.delivery.run import deliver
from scheduler.escalation.metrics import load_setup
from scheduler.escalation.metrics.values import import_file
from scheduler.escalation.ruleset import load_rulebook
from scheduler.plans.ledger import load_ledger
from scheduler.store import open_store
from scheduler.store.metrics import read_values, save_import
from scheduler.store.schema import AuditEntry, MetricImport, MetricValueRow
from scheduler.sweep import run_sweep
from tests.escalation.metrics.builders import CALENDAR, DIRECTORY, LUCHENG, REGIONS, ROOT, days

SETUP = load_setup(ROOT / "rules", ROOT / "data", DIRECTORY)
RULES = load_rulebook(ROOT / "rules")
NOW = datetime(2019, 11, 5, 8, 30, tzinfo=SHANGHAI)
KEY = f"pm25-prorata-warning|changzhi-2019|{LUCHENG}|2019-10-31"


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    yield store
    store.dispose()


def _csv(tmp_path, name: str, rows: list[tuple[str, str, str, float]]):
    path = tmp_path / name
    path.write_text("date,region,metric,value\n" + "".join(f"{d},{r},{m},{v:g}\n" for d, r, m, v in rows),
                    encoding="utf-8")
    return path


def _autumn(value_lucheng: float = 70):
    """潞城区 at 70 and 黎城县 at 55 every day of October to December 2019."""
    span = days(date(2019, 10, 1), date(2019, 12, 31))
    return [(d.isoformat(), "潞城区", "PM2.5", value_lucheng) for d in span] + [
        (d.isoformat(), "黎城县", "PM2.5", 55) for d in span]


def test_an_import_inserts_then_leaves_unchanged_then_updates_in_place(store, tmp_path):
    path = _csv(tmp_path, "a.csv", _autumn())
    with store.session() as session:
        report = save_import(session, import_file(path, REGIONS), "测试员", now=NOW)
        session.commit()
    assert (report.inserted, report.updated, report.unchanged) == (184, 0, 0)
    with store.session() as session:
        again = save_import(session, import_file(path, REGIONS), "测试员", now=NOW)
        corrected = _csv(tmp_path, "b.csv", [("2019-10-01", "潞城区", "PM2.5", 71)])
        fixed = save_import(session, import_file(corrected, REGIONS), "测试员", now=NOW)
        session.commit()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 184)
    assert (fixed.inserted, fixed.updated, fixed.unchanged) == (0, 1, 0)
    with store.session() as session:
        values = {(v.region, v.day): v for v in read_values(session, until=date(2019, 10, 2))}
        assert len(values) == 4 and values[("潞城区", date(2019, 10, 1))].value == 71
        assert values[("潞城区", date(2019, 10, 1))].source == "b.csv:2"
        assert session.scalar(select(MetricValueRow.import_id).where(MetricValueRow.value == 71)) == 3
        imports = session.scalars(select(MetricImport).order_by(MetricImport.id)).all()
        assert [(i.inserted, i.updated, i.unchanged, i.by) for i in imports] == [
            (184, 0, 0, "测试员"), (0, 0, 184, "测试员"), (0, 1, 0, "测试员")]
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == "3")) == "metrics.import"


def test_bad_rows_are_recorded_with_the_import(store, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,region,metric,value\n2019-10-01,潞城区,PM2.5,-3\n2019-10-02,潞城区,PM2.5,66\n",
                    encoding="utf-8")
    with store.session() as session:
        save_import(session, import_file(path, REGIONS), "测试员", now=NOW)
        session.commit()
        record = session.scalar(select(MetricImport))
        assert record.bad_rows == 1 and record.inserted == 1
        assert record.report["problems"][0]["row"] == 2 and record.report["problems"][0]["column"] == "value"


def _load_season(store, tmp_path):
    with store.session() as session:
        repo.load_ledgers(session, [load_ledger(ROOT / "data" / "changzhi-2019.yaml")], DIRECTORY)
        save_import(session, import_file(_csv(tmp_path, "autumn.csv", _autumn()), REGIONS), "测试员", now=NOW)
        session.commit()


def _sweep(store, day: date):
    return run_sweep(store, RULES, CALENDAR, day, metrics=SETUP)


def test_the_sweep_stores_a_metric_warning_once_and_queues_it_for_review(store, tmp_path):
    _load_season(store, tmp_path)
    # October's checkpoint: three working days after Thursday 31 October is Tuesday 5 November
    assert [a for a in _sweep(store, date(2019, 11, 4)).created if a.task_id is None] == []
    result = _sweep(store, date(2019, 11, 5))
    [action] = [a for a in result.created if a.task_id is None]
    assert (action.key, action.level, action.unit) == (KEY, "warning", LUCHENG)
    contract = action.to_json()
    assert (contract["task"], contract["rule"], contract["due"]) == ("", "pm25-prorata-warning", None)
    # 31 days of 70 against 65.1 (70 less 7 %); the other 152 days must average
    # (65.1 × 183 − 2170) / 152 = 64.1; 黎城县 (73 − 55) / 73 improves most, 潞城区 (70 − 70) / 70 least
    facts = action.facts
    assert (facts["value"], facts["limit"], facts["gap"], facts["required_rest"]) == (70.0, 65.1, 4.9, 64.1)
    assert (facts["rank"], facts["rank_of"]) == (2, 2)
    again = _sweep(store, date(2019, 11, 5))
    assert again.created == [] and again.unchanged == len(result.created)
    with store.session() as session:
        queued = [n for n in repo.review_queue(session) if n.key == KEY]
        assert len(queued) == 1 and queued[0].task_id is None and queued[0].status == "pending_review"
        explained = repo.notice_json(repo.notice_by_key(session, KEY))
        assert explained["task"] == "" and explained["facts"]["value"] == 70.0
        assert "未达到序时进度" in explained["explanation"]


def test_an_approved_metric_warning_becomes_a_numbered_letter_with_the_figures(store, tmp_path):
    _load_season(store, tmp_path)
    _sweep(store, date(2019, 11, 5))
    with store.session() as session:
        notice = repo.notice_by_key(session, KEY)
        repo.decide_notices(session, [notice.id], "approve", "协调人", "", now=NOW)
        session.commit()
    config = Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)
    day = date(2019, 11, 6)
    report = deliver(store, config, CALENDAR, day, now=datetime.combine(day, time(9), tzinfo=SHANGHAI), pdf=False)
    assert report.letters_sent == 1
    [path] = (config.outbox / "letters").rglob("*.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "关于潞城区人民政府环境空气质量改善\n未达到序时进度要求的预警通知函" in text  # balanced title lines
    assert "PM2.5累计平均浓度：70.0微克/立方米。" in text
    assert "目标：65.1微克/立方米（2018-2019年同期70微克/立方米，下降7%）。" in text
    assert "县区排名：第2名（共2个县区）。" in text
    assert "剩余期间须控制在：64.1微克/立方米以下。" in text
    with store.session() as session:
        assert repo.notice_by_key(session, KEY).status == "sent"


def test_a_sweep_without_metrics_creates_no_metric_notice(store, tmp_path):
    _load_season(store, tmp_path)
    result = run_sweep(store, RULES, CALENDAR, date(2019, 11, 5))
    assert all(a.task_id is not None for a in result.created) and result.created
