"""A new office (潮州, no seed region) numbers and sends its letters once config.yaml names its issuing
office; before that its letters go to the dead letters, and go out after a retry (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery.run import deliver
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.facts import Action
from scheduler.plans.ledger import Ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store.deliverylog import dead_deliveries, retry_deliveries
from scheduler.store.offices import approval_warnings

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2019, 12, 2)  # a Monday
NOW = datetime(2019, 12, 2, 9, 0, tzinfo=SHANGHAI)
LATER = datetime(2019, 12, 2, 15, 0, tzinfo=SHANGHAI)
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
CHAOZHOU = {"name": "潮州市大气污染防治工作领导小组办公室", "prefix": "潮大气办函"}
UNIT = "潮州市生态环境局"  # provisional: the directory does not know 潮州


def ledger() -> Ledger:
    return Ledger.model_validate(dict(
        plan=dict(id="cz-2019", title="潮州市2019年大气污染防治工作方案", issuer="潮州市人民政府办公室",
                  region="潮州市", document_number="潮府办〔2019〕12号", period_start="2019-01-01",
                  period_end="2019-12-31", plan_year=2019, source_file="chaozhou.txt",
                  assessment_clause="对工作进展缓慢的单位，下发预警通知函。"),
        tasks=[dict(id="cz-2019/1", title="开展扬尘污染专项整治", deadline_text="2019年10月底前",
                    lead_units=["市生态环境局"], source="chaozhou.txt:8")]))


def warning(key: str) -> Action:
    return Action(key=key, level="warning", rule_id="overdue-warning", ruleset_id="default", ruleset_version="1",
                  plan_id="cz-2019", task_id="cz-2019/1", unit=UNIT, due=date(2019, 10, 31), kind="overdue",
                  needs_review=True, clause="督办通用做法", explanation="逾期未完成", facts={"workdays_overdue": 21})


def config(tmp_path: Path, **issuers: dict[str, str]) -> Config:
    settings = {"issuers": issuers} if issuers else {}  # no section: the shipped table (no 潮州)
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path, **settings)


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)


def approve(store, key: str) -> list[str]:
    """Approve the warning as `duban queue approve` does; return what the coordinator is told."""
    with store.session() as session:
        repo.insert_notices(session, [warning(key)], DAY)
        ids = [n.id for n in repo.review_queue(session)]
        repo.decide_notices(session, ids, "approve", "王协调", now=NOW)
        told = approval_warnings(session, ids, config(Path(".")).letter_issuers)
        session.commit()
    return told


def test_a_configured_new_region_numbers_its_warning_with_its_own_prefix_and_delivers_a_docx(store, tmp_path):
    approve(store, "w1")
    settings = config(tmp_path, 潮州=CHAOZHOU)
    report = deliver(store, settings, CALENDAR, DAY, now=NOW, pdf=False)
    assert (report.letters_sent, report.dead) == (1, 0)
    assert report.numbers == ["潮大气办函〔2019〕1号"]
    document = Document(settings.outbox / "letters" / "2019-12-02" / "潮大气办函〔2019〕1号.docx")
    header = document.sections[0].first_page_header
    text = "\n".join(p.text for p in [*header.paragraphs, *document.paragraphs])
    assert "潮州市大气污染防治工作领导小组办公室" in text and "潮大气办函〔2019〕1号" in text and "预警通知函" in text


def test_approving_a_letter_of_an_unconfigured_region_says_it_cannot_be_numbered_yet(store):
    [told] = approve(store, "w1")
    assert "已批准的 1 项" in told and "方案 cz-2019（地区“潮州市”）没有配置发文机关" in told
    assert "config.yaml 的 issuers" in told
    with store.session() as session:
        assert repo.notice_by_key(session, "w1").status == "approved"  # approval stands


def test_a_dead_letter_for_a_missing_issuer_goes_out_once_the_office_is_configured_and_retried(store, tmp_path):
    approve(store, "w1")
    first = deliver(store, config(tmp_path), CALENDAR, DAY, now=NOW, pdf=False)
    assert (first.letters_sent, first.dead) == (0, 1)
    with store.session() as session:
        [dead] = dead_deliveries(session)
    assert "没有为地区“潮州市”配置发文机关" in dead.last_error and "config.yaml 的 issuers" in dead.last_error
    unchanged = deliver(store, config(tmp_path, 潮州=CHAOZHOU), CALENDAR, DAY, now=LATER, pdf=False)
    assert unchanged.letters_sent == 0  # configuring the office alone does not revive a dead letter
    with store.session() as session:
        assert retry_deliveries(session, [dead.id], "王协调", LATER) == 1
        session.commit()
    again = deliver(store, config(tmp_path, 潮州=CHAOZHOU), CALENDAR, DAY, now=LATER, pdf=False)
    assert (again.letters_sent, again.dead, again.numbers) == (1, 0, ["潮大气办函〔2019〕1号"])
    assert (tmp_path / "out" / "letters" / "2019-12-02" / "潮大气办函〔2019〕1号.docx").is_file()
    with store.session() as session:
        assert dead_deliveries(session) == []
