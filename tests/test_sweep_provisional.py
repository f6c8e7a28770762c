"""Sweeping a year whose holiday notice is not out yet, and the official year replacing it.

One made-up plan with one task due 2027年1月底前 (a Sunday), swept through the service's own
Runtime over a calendar folder without 2027. Working days after 31 January 2027:
- provisional (statutory rule): 春节 除夕 5 Feb and 初三 8 Feb off, 9-10 Feb make-up days, so the
  10th working day overdue is Thursday 18 February;
- the made-up official 2027 below (8-9 Feb off, Saturday 13 Feb a working day): Monday 15 February.
"""

from __future__ import annotations

import email
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import load_config
from scheduler.delivery.run import deliver
from scheduler.escalation.calendar import PROVISIONAL_NOTE, PROVISIONAL_SOURCE
from scheduler.plans.ledger import load_ledger
from scheduler.runtime import Runtime
from scheduler.store import schema as m

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
TASK = "test-2027/r001"
UNIT = "长治市能源局"

LEDGER = """\
plan:
  id: test-2027
  title: 测试用2027年计划
  issuer: 测试
  region: 长治市
  period_start: '2027-01-01'
  period_end: '2027-12-31'
  plan_year: 2027
  source_file: test.txt
tasks:
- id: test-2027/r001
  title: 洗煤行业整治
  deadline_text: 2027年1月底前
  lead_units: [市能源局]
  responsible_units: [市能源局]
  source: test.txt:1
"""

# Test data only, not the State Council's notice.
OFFICIAL_2027 = """\
year: 2027
source: 测试用虚构安排
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-02-08, name: 春节}
  - {date: 2027-02-09, name: 春节}
workdays:
  - {date: 2027-02-13, name: 春节调休}
"""


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "test-2027.yaml").write_text(LEDGER, encoding="utf-8")
    config = load_config(ROOT / "config.yaml").model_copy(update={
        "database": f"sqlite:///{tmp_path / 'duban.db'}", "outbox": tmp_path / "out", "base_dir": tmp_path,
        "data_dir": ROOT / "data", "rules_dir": ROOT / "rules", "templates_dir": ROOT / "templates",
        "calendar_dir": tmp_path / "calendar",
    })
    runtime = Runtime(config)
    with runtime.store.session() as session:
        repo.load_ledgers(session, [load_ledger(tmp_path / "test-2027.yaml")], runtime.directory,
                          config.heating_season_start)
        session.commit()
    yield runtime
    runtime.store.dispose()


def sweep_through(runtime: Runtime, first: date, last: date) -> dict[date, object]:
    """Sweep every working day in first..last as the calendar stands on that day."""
    results, day = {}, first
    while day <= last:
        if runtime.calendar.is_workday(day):
            results[day] = runtime.sweep(day)
        day += timedelta(days=1)
    return results


def warning_day(results: dict) -> list[date]:
    return [day for day, result in results.items()
            if any(a.rule_id == "overdue-warning" and a.task_id == TASK for a in result.created)]


def audit(runtime: Runtime, action: str) -> list[tuple[str, dict]]:
    with runtime.store.session() as session:
        return [(e.object_id, e.detail) for e in session.scalars(
            select(m.AuditEntry).where(m.AuditEntry.action == action).order_by(m.AuditEntry.id))]


def digest_text(runtime: Runtime, day: date) -> str:
    texts = []
    for path in sorted((runtime.config.path(runtime.config.outbox) / day.isoformat()).glob("digest*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        texts.append(message.get_body(preferencelist=("plain",)).get_content())
    assert texts, f"no digest on {day}"
    return "\n".join(texts)


def test_sweeping_on_the_provisional_calendar_marks_warns_and_audits(runtime: Runtime):
    results = sweep_through(runtime, date(2027, 2, 1), date(2027, 2, 18))
    assert warning_day(results) == [date(2027, 2, 18)]
    assert date(2027, 2, 5) not in results and date(2027, 2, 10) not in results  # 除夕, make-up day
    urge = next(a for a in results[date(2027, 2, 1)].created if a.rule_id == "overdue-urge")
    assert urge.facts["calendar"] == PROVISIONAL_SOURCE and urge.facts["calendar_years"] == [2027]
    assert any("2027 年节假日安排尚未公布" in w for w in results[date(2027, 2, 1)].warnings)
    assert all(detail["calendar"] == {"2027": PROVISIONAL_SOURCE} for _, detail in audit(runtime, "sweep.run"))
    with runtime.store.session() as session:
        stored = repo.notice_by_key(session, urge.key)
        assert repo.notice_json(stored)["facts"]["calendar"] == PROVISIONAL_SOURCE


def test_a_year_file_dropped_in_replaces_the_provisional_year_at_the_next_sweep(runtime: Runtime):
    now = datetime(2027, 2, 1, 9, 30, tzinfo=SHANGHAI)
    before = sweep_through(runtime, date(2027, 2, 1), date(2027, 2, 12))
    deliver(runtime.store, runtime.config, runtime.calendar, date(2027, 2, 1), now=now, pdf=False)
    assert PROVISIONAL_NOTE in digest_text(runtime, date(2027, 2, 1))
    assert warning_day(before) == []

    (runtime.config.calendar_dir / "2027.yaml").write_text(OFFICIAL_2027, encoding="utf-8")
    after = sweep_through(runtime, date(2027, 2, 13), date(2027, 2, 18))  # no restart, same Runtime
    assert date(2027, 2, 13) in after  # Saturday, a working day in the official year
    assert warning_day(after) == [date(2027, 2, 15)]  # recomputed: provisional said 18 February
    warning = next(a for a in after[date(2027, 2, 15)].created if a.rule_id == "overdue-warning")
    assert warning.facts["workdays_overdue"] == 10 and "calendar" not in warning.facts
    assert not any("尚未公布" in w for w in after[date(2027, 2, 15)].warnings)
    assert any("2027 年工作日已改按正式安排计算" in w for w in after[date(2027, 2, 13)].warnings)

    official = f"official:{(runtime.config.calendar_dir / '2027.yaml').as_posix()}"
    assert audit(runtime, "calendar.replace") == [
        ("2027", {"from": PROVISIONAL_SOURCE, "to": official, "day": "2027-02-13"})]
    runs = {day: detail["calendar"]["2027"] for day, detail in audit(runtime, "sweep.run")}
    assert runs["2027-02-12"] == PROVISIONAL_SOURCE and runs["2027-02-13"] == official

    # What was sent stays as sent, with the calendar it was decided on.
    with runtime.store.session() as session:
        urge = session.scalars(select(m.Notice).where(m.Notice.rule_id == "overdue-urge",
                                                      m.Notice.task_id == TASK)).one()
        assert urge.status == "sent" and urge.created_on == date(2027, 2, 1)
        assert urge.facts["calendar"] == PROVISIONAL_SOURCE
    assert runtime.calendar.provisional_note(date(2027, 2, 15)) == ""  # what delivery puts in the footer now
