"""Calendar feeds: a unit's .ics parses back with icalendar and has all-day events on the right days."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from scheduler import store as repo
from scheduler.cli.main import main
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.ruleset import load_rulebook
from scheduler.exports.ics import check_feed_token, feed_token, unit_calendar
from scheduler.plans.ledger import Ledger
from scheduler.store import open_store
from tests.store.builders import DIRECTORY, NOW, unit_name

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2019, 11, 15)


def plan() -> Ledger:
    def task(n: int, deadline: str, measures: str = "", lead: str = "市工信局") -> dict:
        return dict(id=f"f-2019/{n}", title=f"任务{n}", deadline_text=deadline, measures=measures,
                    lead_units=[lead], responsible_units=["潞城区政府"], source=f"seed.txt:{n}")

    return Ledger.model_validate(dict(
        plan=dict(id="f-2019", title="日历测试方案", issuer="长治市", region="长治市", period_start="2019-10-01",
                  period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=[task(1, "2019年12月底前", "11月底前发证率不少于80%；12月20日前基本完成"),
               task(2, "2019年11—12月"),
               task(3, "每月初10日内"),
               task(4, "2019年11月1日起"),
               task(5, "按国家、省规定完成时限"),
               task(6, "2019年10月底前"),  # signed off below: no longer in the feed
               task(7, "2020年1月底前", lead="市生态环境局")]))  # another department's task


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('feed') / 'duban.db'}"
    store = open_store(url)
    with store.session() as session:
        repo.load_ledgers(session, [plan()], DIRECTORY, now=NOW)
        repo.sign_off(session, "f-2019/6", "协调人", date(2019, 11, 1))
        session.commit()
    store.dispose()
    return url


@pytest.fixture(scope="module")
def feed(store_url) -> Calendar:
    store = open_store(store_url)
    with store.session() as session:
        ics = unit_calendar(session, unit_name("市工信局"), AS_OF, rulebook=load_rulebook(ROOT / "rules"),
                            calendar=WorkCalendar.load(ROOT / "data" / "calendar"))
    store.dispose()
    return Calendar.from_ical(ics)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["uid"]).removesuffix("@duban"): e for e in calendar.walk("VEVENT")}


def test_the_feed_is_a_valid_calendar_in_shanghai_time(feed):
    assert feed["version"] == "2.0"
    assert feed["x-wr-timezone"] == "Asia/Shanghai"
    assert [str(tz["tzid"]) for tz in feed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(feed["x-wr-calname"]) == f"督办时限：{unit_name('市工信局')}"


def test_events_are_all_day_on_the_right_dates(feed):
    found = events(feed)
    assert sorted(found) == ["f-2019/1/due/2019-12-31", "f-2019/1/milestone/2019-11-30",
                             "f-2019/1/milestone/2019-12-20", "f-2019/2/window/2019-11-01", "f-2019/3/recurring",
                             "f-2019/4/from/2019-11-01"]
    spans = {uid: (e.decoded("dtstart"), e.decoded("dtend")) for uid, e in found.items()}
    for start, end in spans.values():
        assert type(start) is date and type(end) is date  # all-day: DATE values, not date-times
    assert spans["f-2019/1/due/2019-12-31"] == (date(2019, 12, 31), date(2020, 1, 1))
    assert spans["f-2019/1/milestone/2019-11-30"] == (date(2019, 11, 30), date(2019, 12, 1))
    assert spans["f-2019/2/window/2019-11-01"] == (date(2019, 11, 1), date(2020, 1, 1))  # DTEND is exclusive
    assert spans["f-2019/3/recurring"] == (date(2019, 10, 10), date(2019, 10, 11))
    assert found["f-2019/1/due/2019-12-31"]["summary"] == "【到期】任务1"
    assert found["f-2019/1/milestone/2019-11-30"]["summary"] == "【节点】发证率不少于80%"
    recurring = found["f-2019/3/recurring"]["rrule"]
    assert recurring["FREQ"] == ["MONTHLY"] and recurring["BYMONTHDAY"] == [10]
    assert recurring["UNTIL"] == [date(2020, 3, 31)]


def test_reminders_are_alarms_on_the_days_the_rules_send_them(feed):
    due = events(feed)["f-2019/1/due/2019-12-31"]
    triggers = sorted(alarm.decoded("trigger") for alarm in due.walk("VALARM"))
    # 30 days before 2019-12-31 is Sunday 1 December: the reminder moves to Friday 29 November;
    # 7 days: Tuesday 24 December; 3 working days: Thursday 26 December; 1 working day: Monday 30.
    fire_days = [date(2019, 11, 29), date(2019, 12, 24), date(2019, 12, 26), date(2019, 12, 30)]
    assert triggers == [timedelta(days=(d - date(2019, 12, 31)).days, hours=9) for d in fire_days]
    assert all(alarm["action"] == "DISPLAY" for alarm in due.walk("VALARM"))


def test_dtstamp_comes_from_as_of_so_the_same_facts_give_the_same_bytes(store_url):
    store = open_store(store_url)
    with store.session() as session:
        first = unit_calendar(session, unit_name("市工信局"), AS_OF)
        second = unit_calendar(session, unit_name("市工信局"), AS_OF)
        nobody = unit_calendar(session, "没有任务的单位", AS_OF)
    store.dispose()
    assert first == second
    assert b"DTSTAMP:20191114T160000Z" in first  # 00:00 on 15 November in Shanghai
    assert Calendar.from_ical(nobody).walk("VEVENT") == []


def test_feed_tokens_are_hmacs_of_the_unit():
    secret = b"s3cret"
    unit = "长治市工业和信息化局"
    expected = base64.urlsafe_b64encode(
        hmac.new(secret, b"duban-feed\x00" + unit.encode(), hashlib.sha256).digest()).decode()[:32]
    assert feed_token(unit, secret) == expected
    assert check_feed_token(unit, expected, secret)
    assert not check_feed_token("长治市生态环境局", expected, secret)
    assert not check_feed_token(unit, expected, b"other")
    assert not check_feed_token(unit, "", secret)
    assert not check_feed_token(unit, "令牌", secret)


def test_calendar_export_command_writes_the_unit_feed(store_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_DB", store_url)
    out = tmp_path / "gongxin.ics"
    assert main(["calendar", "export", "--unit", "市工信局", "--region", "长治市", "--output", str(out),
                 "--as-of", "2019-11-15"]) == 0
    assert "6 个日历事件" in capsys.readouterr().out
    parsed = Calendar.from_ical(out.read_bytes())
    assert len(parsed.walk("VEVENT")) == 6
    assert main(["calendar", "export", "--unit", "不存在的局", "--output", str(out)]) == 1
    assert "单位目录中没有" in capsys.readouterr().err


def test_calendar_link_signs_the_unit(monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_SECRET", "s3cret-of-sixteen-bytes")
    unit = unit_name("市工信局")
    assert main(["calendar", "link", "--unit", unit]) == 0
    link = capsys.readouterr().out.strip()
    assert link.endswith(f".ics?token={feed_token(unit, b's3cret-of-sixteen-bytes')}")
    assert "/feeds/" in link
