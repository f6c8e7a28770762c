"""Letter numbers (发文字号) start again at 1 each year and each issuer keeps its own count:
〔2020〕1号 follows 〔2019〕2号, it does not continue 2019's count as 〔2020〕3号."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery.run import deliver
from scheduler.escalation.calendar import WorkCalendar
from scheduler.issuers import SHIPPED
from scheduler.store import schema as m
from scheduler.store.letters import allocate_letter
from tests.store.builders import DIRECTORY, action, ledger, unit_name

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
NOW = datetime(2019, 12, 30, 9, 0, tzinfo=SHANGHAI)
LAST_WORKDAY_2019 = date(2019, 12, 31)  # a Tuesday
FIRST_WORKDAY_2020 = date(2020, 1, 2)  # 元旦 is off
CHANGZHI = SHIPPED.for_region("长治市")
JINZHONG = SHIPPED.for_region("晋中市")
LUCHENG = unit_name("潞城区政府")
XIANGYUAN = unit_name("襄垣县政府")


@pytest.fixture
def store(store_with):
    return store_with([ledger()], DIRECTORY, now=NOW)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


def warnings(store, *keys: str, on: date = date(2019, 12, 30)) -> None:
    with store.session() as session:
        repo.insert_notices(session, [action(key) for key in keys], on)
        session.commit()


def number(store, key: str, day: date, issuer=CHANGZHI) -> str:
    return allocate_letter(store, key, issuer, day, NOW).number


def test_the_first_letter_of_2020_is_number_one_after_letters_in_2019(store):
    warnings(store, "w1", "w2", "w3", "w4")
    assert number(store, "w1", date(2019, 12, 30)) == "长大气办函〔2019〕1号"
    assert number(store, "w2", LAST_WORKDAY_2019) == "长大气办函〔2019〕2号"
    assert number(store, "w3", FIRST_WORKDAY_2020) == "长大气办函〔2020〕1号"
    assert number(store, "w4", date(2020, 1, 3)) == "长大气办函〔2020〕2号"
    with store.session() as session:
        rows = set(session.execute(select(m.Letter.notice_key, m.Letter.year, m.Letter.serial)).all())
    assert rows == {("w1", 2019, 1), ("w2", 2019, 2), ("w3", 2020, 1), ("w4", 2020, 2)}


def test_a_late_2019_letter_continues_2019_not_2020(store):
    warnings(store, "w1", "a", "b", "c", "late")
    number(store, "w1", LAST_WORKDAY_2019)
    for key in ("a", "b", "c"):
        number(store, key, FIRST_WORKDAY_2020)
    assert number(store, "late", LAST_WORKDAY_2019) == "长大气办函〔2019〕2号"


def test_each_issuer_counts_its_own_letters_in_a_year(store):
    warnings(store, "c1", "c2", "j1")
    assert number(store, "c1", FIRST_WORKDAY_2020) == "长大气办函〔2020〕1号"
    assert number(store, "c2", FIRST_WORKDAY_2020) == "长大气办函〔2020〕2号"
    assert number(store, "j1", FIRST_WORKDAY_2020, JINZHONG) == "晋中大气办函〔2020〕1号"


def test_a_letter_keeps_its_2019_number_when_it_is_sent_again_in_2020(store):
    warnings(store, "w1", "w2")
    assert number(store, "w1", LAST_WORKDAY_2019) == "长大气办函〔2019〕1号"
    letter = allocate_letter(store, "w1", CHANGZHI, FIRST_WORKDAY_2020, NOW)
    assert (letter.number, letter.issued_on) == ("长大气办函〔2019〕1号", LAST_WORKDAY_2019)
    assert number(store, "w2", FIRST_WORKDAY_2020) == "长大气办函〔2020〕1号"


def test_delivery_numbers_the_first_letter_sent_in_2020_one(store, config):
    with store.session() as session:
        repo.insert_notices(session, [action("w2019-a", LUCHENG), action("w2019-b", XIANGYUAN)], date(2019, 12, 30))
        repo.decide_notices(session, None, "approve", "王协调", now=NOW)
        session.commit()
    first = deliver(store, config, CALENDAR, LAST_WORKDAY_2019, now=NOW, pdf=False)
    assert sorted(first.numbers) == ["长大气办函〔2019〕1号", "长大气办函〔2019〕2号"]
    with store.session() as session:
        repo.insert_notices(session, [action("w2020", LUCHENG)], FIRST_WORKDAY_2020)
        repo.decide_notices(session, None, "approve", "王协调", now=NOW)
        session.commit()
    second = deliver(store, config, CALENDAR, FIRST_WORKDAY_2020,
                     now=datetime(2020, 1, 2, 9, 0, tzinfo=SHANGHAI), pdf=False)
    assert second.numbers == ["长大气办函〔2020〕1号"]
