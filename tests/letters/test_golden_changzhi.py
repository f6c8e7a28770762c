"""Golden letters on the real 长治 ledgers, on SQLite and PostgreSQL: what a coordinator signs.

Notices are inserted as the rules would propose them (their rule clause deliberately names another
plan's clause with a seed id, as the default rule set once did), approved, and delivered through the
file outbox; the tests read the DOCX of record and the digest as the unit receives them.
"""

from __future__ import annotations

import email
import re
from datetime import date, datetime
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select

from scheduler import store as repo
from scheduler.config import Config
from scheduler.delivery.run import deliver
from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.facts import Action
from scheduler.plans.ledger import load_ledger
from scheduler.plans.units import UnitDirectory
from scheduler.store import schema as m
from scheduler.store.repo import StoreError

pytestmark = pytest.mark.slow  # each test loads the two 长治 ledgers (about 1.5 s on SQLite)

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")
CALENDAR = WorkCalendar.load(ROOT / "data" / "calendar")
LUZHOU, ENERGY, TRANSPORT = "潞州区人民政府", "长治市能源局", "长治市交通运输局"
FOREIGN_CLAUSE = "001 五（五）“对……重点任务进展缓慢的县区，及时下发预警通知函”"
CLAUSE_2022_WARNING = "对环境空气质量改善幅度达不到序时进度、重点任务进展缓慢的县区，及时下发预警通知函"
ARRANGEMENT = {"time": "2019年12月13日上午9时", "place": "市生态环境局三楼会议室",
               "attendees": "分管负责同志、相关部门主要负责同志", "contact": "市大气办 王明，0355-2021234"}
WARNED_ON, INTERVIEWED_ON = date(2019, 11, 15), date(2019, 12, 9)
INTERNAL = re.compile(r"changzhi-|\br0\d\d\b|\b00\d\b|\.txt|\.yaml|seed")


def action(key: str, task: str, unit: str, level: str, due: date | None, facts: dict | None = None,
           plan: str = "changzhi-2019") -> Action:
    return Action(key=key, level=level, rule_id=f"overdue-{level}", ruleset_id="default", ruleset_version="1",
                  plan_id=plan, task_id=task, unit=unit, due=due, kind="overdue",
                  needs_review=level in ("warning", "interview"), clause=FOREIGN_CLAUSE,
                  explanation="测试：规则说明", facts=facts or {"workdays_overdue": 10})


@pytest.fixture
def store(store_with):
    ledgers = [load_ledger(ROOT / "data" / f"{plan}.yaml") for plan in ("changzhi-2019", "changzhi-2022")]
    return store_with(ledgers, DIRECTORY, now=datetime(2019, 11, 1, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path)


def propose(store, day: date, *actions: Action, arrangement: dict | None = None) -> None:
    with store.session() as session:
        repo.insert_notices(session, list(actions), day)
        ids = [n.id for n in repo.review_queue(session)]
        if ids:
            repo.decide_notices(session, ids, "approve", "王协调", now=at(day), arrangement=arrangement)
        session.commit()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)


def docx_text(path: Path) -> tuple[str, list[list[str]]]:
    document = Document(str(path))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    # a title set in balanced lines holds line breaks; its text is still one paragraph
    return "\n".join(p.text.replace("\n", "") for p in document.paragraphs), rows


def letters_of(config: Config, day: date) -> dict[str, tuple[str, list[list[str]]]]:
    """Return number -> (paragraph text, table rows) of the letters written on `day`."""
    folder = config.outbox / "letters" / day.isoformat()
    return {path.stem.replace("_", ""): docx_text(path) for path in sorted(folder.glob("*.docx"))}


def letter_for(letters: dict, unit: str) -> tuple[str, list[list[str]]]:
    [found] = [v for v in letters.values() if v[0].splitlines()[1] == f"{unit}："]
    return found


def warn_season(store, config):
    """Warnings as of 2019-11-14 for tasks due 2019-10-31: 潞州区 on two tasks, 能源局 (lead of one,
    cooperating on the other); delivered the next working day."""
    propose(store, date(2019, 11, 14),
            action("w-r017-luzhou", "changzhi-2019/r017", LUZHOU, "warning", date(2019, 10, 31)),
            action("w-r018-luzhou", "changzhi-2019/r018", LUZHOU, "warning", date(2019, 10, 31)),
            action("w-r018-energy", "changzhi-2019/r018", ENERGY, "warning", date(2019, 10, 31)),
            action("w-r017-energy", "changzhi-2019/r017", ENERGY, "warning", date(2019, 10, 31)))
    return deliver(store, config, CALENDAR, WARNED_ON, now=at(WARNED_ON), pdf=False)


def test_each_unit_gets_one_warning_letter_listing_all_its_tasks_with_one_number(store, config):
    report = warn_season(store, config)
    assert report.letters_sent == 2 and sorted(report.numbers) == ["长大气办函〔2019〕1号", "长大气办函〔2019〕2号"]
    text, rows = letter_for(letters_of(config, WARNED_ON), LUZHOU)
    assert [row[1] for row in rows[1:]] == ["清洁能源替代散煤", "洁净煤替代散煤"]
    with store.session() as session:
        carried = session.execute(select(m.Notice.unit, m.Notice.letter_key).where(m.Notice.level == "warning")).all()
        numbered = set(session.scalars(select(m.Letter.notice_key)))
    per_unit = {unit: {key for u, key in carried if u == unit} for unit, _ in carried}
    assert all(len(keys) == 1 for keys in per_unit.values()) and set().union(*per_unit.values()) == numbered


def test_overdue_working_days_are_counted_to_the_letters_date_with_the_calendar(store, config):
    warn_season(store, config)
    _, rows = letter_for(letters_of(config, WARNED_ON), LUZHOU)
    # 2019-10-31 (Thu) to 2019-11-15 (Fri): 11 working days, though the rule fired at 10
    assert CALENDAR.workdays_between(date(2019, 10, 31), WARNED_ON) == 11
    assert {row[4] for row in rows[1:]} == {"逾期11个工作日"}
    assert {row[3] for row in rows[1:]} == {"2019年10月31日"}


def test_a_plan_without_its_own_clause_cites_itself_neutrally_never_another_plans_clause(store, config):
    warn_season(store, config)
    for number, (text, rows) in letters_of(config, WARNED_ON).items():
        body = text + "\n".join("|".join(r) for r in rows)
        assert "《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解》确定的任务分工" in body, number
        assert CLAUSE_2022_WARNING not in body and "五（五）" not in body, number
        assert not INTERNAL.search(body), (number, INTERNAL.search(body))
        assert body.count("“") == body.count("”"), number


def test_an_office_standing_basis_is_cited_when_the_plan_has_no_clause(store, tmp_path):
    standing = "《长治市大气污染防治工作督查督办办法》（长大气办发〔2019〕3号）第八条"
    config = Config(outbox=tmp_path / "out", templates_dir=ROOT / "templates", base_dir=tmp_path,
                    standing_basis={"长治市": standing})
    warn_season(store, config)
    text, _ = letter_for(letters_of(config, WARNED_ON), LUZHOU)
    assert f"根据{standing}的规定和《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解》的任务分工" in text


def test_a_city_bureau_is_warned_as_a_unit_not_as_a_county_government(store, config):
    warn_season(store, config)
    text, rows = letter_for(letters_of(config, WARNED_ON), ENERGY)
    assert "县区" not in text and "政府主要负责同志" not in text
    assert "约谈单位主要负责同志" in text
    county, _ = letter_for(letters_of(config, WARNED_ON), LUZHOU)
    assert "约谈政府主要负责同志" in county


def test_a_2022_letter_quotes_its_own_clause_with_article_number_and_nested_quotes(store, config):
    day = date(2022, 7, 15)
    propose(store, date(2022, 7, 14),
            action("w-2022-1", "changzhi-2022/1", LUZHOU, "warning", date(2022, 6, 30), plan="changzhi-2022"))
    deliver(store, config, CALENDAR, day, now=at(day), pdf=False)
    text, _ = letter_for(letters_of(config, day), LUZHOU)
    assert text.splitlines()[2].startswith(
        "根据《长治市空气质量再提升2022－2023年行动计划》（长政办发〔2023〕14号）第（五）项“强化考核督察”中"
        f"“{CLAUSE_2022_WARNING}”的规定")


def test_an_interview_cannot_be_approved_without_time_place_attendees_and_contact(store, config):
    with store.session() as session:
        repo.insert_notices(session, [action("i-r017", "changzhi-2019/r017", LUZHOU, "interview", None)],
                            date(2019, 12, 6))
        ids = [n.id for n in repo.review_queue(session)]
        with pytest.raises(StoreError, match="批准约谈须填写约谈时间、约谈地点、参加人员、联系人及电话"):
            repo.decide_notices(session, ids, "approve", "王协调")
        with pytest.raises(StoreError, match="约谈地点"):
            repo.decide_notices(session, ids, "approve", "王协调", arrangement={**ARRANGEMENT, "place": " "})


def test_an_interview_notice_cites_the_warning_letter_deadlines_overdue_days_and_the_arrangement(store, config):
    warn_season(store, config)
    with store.session() as session:
        warning_number = session.scalar(select(m.Letter.number).join(m.Notice, m.Notice.key == m.Letter.notice_key)
                                        .where(m.Notice.unit == LUZHOU))
    interviews = [action(f"i-{task}", f"changzhi-2019/{task}", LUZHOU, "interview", None,
                         facts={"warning_key": f"w-{task}-luzhou", "workdays_since_warning": 15})
                  for task in ("r017", "r018")]
    propose(store, date(2019, 12, 6), *interviews, arrangement=ARRANGEMENT)
    report = deliver(store, config, CALENDAR, INTERVIEWED_ON, now=at(INTERVIEWED_ON), pdf=False)
    assert report.letters_sent == 1
    text, rows = letter_for(letters_of(config, INTERVIEWED_ON), LUZHOU)
    assert f"鉴于你单位收到2019年11月15日印发的预警通知函（{warning_number}）后" in text
    overdue = CALENDAR.workdays_between(date(2019, 10, 31), INTERVIEWED_ON)
    assert [row[3:5] for row in rows[1:]] == [["2019年10月31日", f"逾期{overdue}个工作日"]] * 2
    assert all("—" not in cell for row in rows for cell in row)
    for line in ("时间：2019年12月13日上午9时。", "地点：市生态环境局三楼会议室。",
                 "参加人员：分管负责同志、相关部门主要负责同志。", "被约谈人：潞州区人民政府主要负责同志。"):
        assert line in text
    assert "约谈联系人：市大气办 王明，0355-2021234" in text and "另行通知" not in text


def test_signing_for_a_letter_signs_for_every_task_it_lists(store, config):
    warn_season(store, config)
    with store.session() as session:
        lead = session.scalar(select(m.Letter.notice_key).join(m.Notice, m.Notice.key == m.Letter.notice_key)
                              .where(m.Notice.unit == LUZHOU))
        repo.acknowledge(session, lead, "潞州区 张三", date(2019, 11, 18))
        session.commit()
        signed = session.execute(select(m.Notice.key, m.Notice.acknowledged_on).where(m.Notice.unit == LUZHOU)).all()
    assert {day for _, day in signed} == {date(2019, 11, 18)}


def test_the_digest_names_plan_task_number_and_measure_once_per_task(store, config):
    urges = [action(f"u-r017-{role}", "changzhi-2019/r017", LUZHOU, "urge", date(2019, 10, 31)) for role in "ab"]
    urges.append(action("u-r018", "changzhi-2019/r018", LUZHOU, "urge", date(2019, 10, 31)))
    propose(store, date(2019, 11, 7), *urges)
    deliver(store, config, CALENDAR, date(2019, 11, 7), now=at(date(2019, 11, 7)), pdf=False)
    [path] = (config.outbox / "2019-11-07").glob(f"digest_{LUZHOU}_*.eml")
    text = email.message_from_bytes(path.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert text.count("【长治市2019-2020年秋冬季方案 第17项】清洁能源替代散煤：完成散煤治理22.1万户") == 1
    assert text.count("【长治市2019-2020年秋冬季方案 第18项】洁净煤替代散煤") == 1


def test_the_letter_of_record_is_the_unit_letter_that_went_out(store, config):
    warn_season(store, config)
    sent = {path.name: path.read_bytes() for path in (config.outbox / "letters" / WARNED_ON.isoformat()).glob("*.docx")}
    with store.session() as session:
        kept = session.execute(select(m.LetterFile.kind, m.LetterFile.content, m.Letter.number)
                               .join(m.Letter, m.Letter.notice_key == m.LetterFile.letter_key)).all()
    assert sorted(content for kind, content, _ in kept if kind == "docx") == sorted(sent.values())
    assert {number for kind, _, number in kept if kind == "html"} == {"长大气办函〔2019〕1号", "长大气办函〔2019〕2号"}
