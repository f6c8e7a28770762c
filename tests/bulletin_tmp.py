"""通报: counts and ranks worked out by hand from a small store, then the drafts on disk."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import update

from scheduler import store as repo
from scheduler.bulletin import (
    LetterRecord,
    Period,
    TaskRecord,
    bulletin_facts,
    compute_bulletin,
    monthly_drafts,
    previous_month,
    publish_bulletins,
    rank,
)
from scheduler.config import load_config
from scheduler.ledger import Ledger
from scheduler.store import models as m
from scheduler.store import open_store
from scheduler.workcal import WorkCalendar
from tests.docxfacts import layout_facts
from tests.store.builders import DIRECTORY, NOW, action

ROOT = Path(__file__).resolve().parents[1]
DECEMBER = Period.month("2019-12")
MIIT, ECO = "长治市工业和信息化局", "长治市生态环境局"
LUCHENG, XIANGYUAN = "潞城区人民政府", "襄垣县人民政府"
NEEDS_OFFICE = pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdffonts"),
                                  reason="needs libreoffice-writer-nogui and poppler-utils")


def test_a_month_runs_from_its_first_to_its_last_day():
    assert (DECEMBER.start, DECEMBER.end, DECEMBER.label, DECEMBER.key) == (
        date(2019, 12, 1), date(2019, 12, 31), "2019年12月", "2019-12")
    assert Period.month("2020-02").end == date(2020, 2, 29)
    assert previous_month(date(2020, 1, 2)) == DECEMBER
    for bad in ("2019-13", "2019/12", "12-2019"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Period.month(bad)


# --- the pure computation -------------------------------------------------------------------


def _task(task_id, due, done=None, units=(), waived=False):
    return TaskRecord(task_id, f"任务{task_id}", due, done, tuple(units), waived=waived)


def test_counts_follow_the_rules_of_the_docstring():
    tasks = [
        _task("a", date(2019, 12, 10), date(2019, 12, 9), ["甲局"]),  # due in Dec, done on time
        _task("b", date(2019, 12, 20), date(2019, 12, 28), ["甲局"]),  # due in Dec, done late but in Dec
        _task("c", date(2019, 12, 31), None, ["甲局"]),  # due on the last day, not done: 1 day late
        _task("d", date(2019, 11, 1), date(2020, 1, 3), ["甲局"]),  # done only after the period: 61 days
        _task("e", date(2020, 1, 15), None, ["甲局"]),  # not due yet
        _task("f", None, None, ["甲局"]),  # no date (ongoing)
        _task("g", date(2019, 12, 5), None, ["甲局"], waived=True),  # 核减: nowhere
    ]
    letters = [
        LetterRecord("1", "甲局", "warning", date(2019, 12, 2), date(2019, 12, 5)),  # 3 days
        LetterRecord("2", "甲局", "warning", date(2019, 12, 20), date(2019, 12, 21)),  # 1 day
        LetterRecord("3", "甲局", "interview", date(2019, 12, 30), date(2020, 1, 2)),  # signed after the period
        LetterRecord("4", "甲局", "warning", date(2019, 11, 29), date(2019, 12, 1)),  # sent before the period
    ]
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, letters, {})
    (row,) = bulletin.units
    assert (row.due, row.done, row.overdue, row.days_overdue) == (3, 2, 2, 1 + 61)
    assert (row.letters, row.acknowledged, row.unacknowledged, row.mean_ack_days) == (3, 2, 1, 2.0)
    assert row.completion == pytest.approx(2 / 3)
    assert [(t.task_id, t.days) for t in bulletin.overdue] == [("d", 61), ("c", 1)]
    assert bulletin.counties == ()


def test_ranks_put_the_best_first_and_share_equal_places():
    def standing(name, overdue=0, days=0, due=0, done=0, letters=0, acked=0, ack_days=0):
        from scheduler.bulletin import Standing

        return Standing(name, due, done, overdue, days, letters, acked, ack_days)

    rows = rank([
        standing("丁", overdue=1, days=5),
        standing("甲"),
        standing("乙"),  # ties with 甲: both rank 1
        standing("丙", due=2, done=1),  # completion 50% sorts after 100% and after nothing due
        standing("戊", overdue=1, days=5, letters=2, acked=1, ack_days=4),  # an unsigned letter: after 丁
        standing("己", letters=1, acked=1, ack_days=6),  # signed, but slower than those with none
    ])
    assert [(r.rank, r.name) for r in rows] == [(1, "乙"), (1, "甲"), (3, "己"), (4, "丙"), (5, "丁"), (6, "戊")]


# --- from a small store, by hand ------------------------------------------------------------
# Plan b-2019 of 长治市 (task b/n is b-2019/n). Accountable units are lead + responsible:
#   b/1 due 11-30, lead 市工信局, resp 潞城区          signed off 12-10 (late, but done by the end)
#   b/2 due 12-15, lead 市生态环境局, resp 潞城区 襄垣县  signed off 12-14
#   b/3 due 12-31, lead 市工信局, resp 襄垣县           signed off 2020-01-05 (after the period); 60% reported
#   b/4 due 2020-01-31, resp 潞城区                     (not due yet)
#   b/5 长期坚持, lead 市生态环境局, resp 各县区政府      (no date: puts all 12 counties in the table)
#   b/6 due 12-31, resp 潞城区                          waived
#   b/7 due 10-31, lead 市工信局, resp 襄垣县           never done: 12-31 - 10-31 + 1 = 62 days
# Letters (warning/interview) sent in December: 襄垣 12-02 signed 12-04 (2 days) and 12-20 unsigned;
# 潞城 12-09 signed 12-16 (7 days); 市工信局 12-30 signed 2020-01-03 (after the period). Not counted:
# 潞城 sent 11-25; a reminder to 潞城 sent 12-05.
# December, by unit (due, done, overdue, days, letters, signed, mean days):
#   市工信局 (1, 0, 2, 63, 1, 0, —)   市生态环境局 (1, 1, 0, 0, 0, 0, —)
#   潞城区 (1, 1, 0, 0, 1, 1, 7.0)    襄垣县 (2, 1, 2, 63, 2, 1, 2.0)   10 other counties: zeros
# Counties: the 10 with nothing share rank 1; 潞城 (slower 签收) 11; 襄垣 12.
# Departments: 市生态环境局 1, 市工信局 2. Totals: due 2 (b/2, b/3), done 1, overdue 2 (b/3, b/7),
# 63 days, letters 4, signed 2, mean (2 + 7) / 2 = 4.5.


def _ledger() -> Ledger:
    def task(n, deadline, lead=(), responsible=()):
        return dict(id=f"b-2019/{n}", title=f"任务{n}", deadline_text=deadline, lead_units=list(lead),
                    responsible_units=list(responsible), source=f"seed.txt:{n}")

    return Ledger.model_validate(dict(
        plan=dict(id="b-2019", title="长治市测试方案", issuer="长治市", region="长治市",
                  document_number="长政办发〔2019〕1号", assessment_clause="对进展缓慢的县区予以通报。",
                  period_start="2019-10-01", period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=[task(1, "2019年11月底前", ["市工信局"], ["潞城区政府"]),
               task(2, "2019年12月15日前", ["市生态环境局"], ["潞城区政府", "襄垣县政府"]),
               task(3, "2019年12月底前", ["市工信局"], ["襄垣县政府"]),
               task(4, "2020年1月底前", [], ["潞城区政府"]),
               task(5, "长期坚持", ["市生态环境局"], ["各县区政府"]),
               task(6, "2019年12月底前", [], ["潞城区政府"]),
               task(7, "2019年10月底前", ["市工信局"], ["襄垣县政府"])]))


def _letter(session, key, unit, level, sent, acked=None, task="b-2019/2"):
    notice = dataclasses.replace(action(key, unit=unit, level=level, task=task), plan_id="b-2019")
    repo.insert_notices(session, [notice], sent, now=NOW)
    session.execute(update(m.Notice).where(m.Notice.key == key)
                    .values(status="sent", sent_on=sent, acknowledged_on=acked))


@pytest.fixture
def small_store(store_url):
    store = open_store(store_url)
    with store.session() as session:
        repo.load_ledgers(session, [_ledger()], DIRECTORY, now=NOW)
        repo.sign_off(session, "b-2019/1", "协调人", date(2019, 12, 10), now=NOW)
        repo.sign_off(session, "b-2019/2", "协调人", date(2019, 12, 14), now=NOW)
        repo.report_progress(session, "b-2019/3", XIANGYUAN, "in_progress", 60, "", XIANGYUAN, date(2019, 12, 20))
        repo.sign_off(session, "b-2019/3", "协调人", date(2020, 1, 5), now=NOW)
        repo.waive(session, "b-2019/6", "协调人", "并入其他任务", now=NOW)
        _letter(session, "w1", XIANGYUAN, "warning", date(2019, 12, 2), date(2019, 12, 4))
        _letter(session, "i1", XIANGYUAN, "interview", date(2019, 12, 20))
        _letter(session, "w2", LUCHENG, "warning", date(2019, 12, 9), date(2019, 12, 16))
        _letter(session, "w3", MIIT, "warning", date(2019, 12, 30), date(2020, 1, 3), task="b-2019/3")
        _letter(session, "w0", LUCHENG, "warning", date(2019, 11, 25), date(2019, 12, 1))
        _letter(session, "r1", LUCHENG, "reminder", date(2019, 12, 5))
        session.commit()
    yield store
    store.dispose()


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


def _config(store_url: str, tmp_path: Path):
    return load_config(ROOT / "config.yaml").model_copy(update={"database": store_url, "outbox": tmp_path / "outbox"})


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_drafts_are_gbt_9704_documents_with_a_blank_serial(small_store, store_url, tmp_path):
    config = _config(store_url, tmp_path)
    calendar = WorkCalendar.load(config.path(config.calendar_dir))
    out = tmp_path / "drafts"
    (item,) = publish_bulletins(small_store, config, calendar, DECEMBER, out, pdf=False)
    assert item.letter.date == date(2020, 1, 2)  # 1 January is a holiday: the first working day after
    assert item.letter.number == "长大气办函〔2020〕　号"  # the office fills in the serial at sign-off
    assert sorted(p.name for p in out.iterdir()) == [
        f"通报-长治市-2019-12（送审稿）.{ext}" for ext in ("docx", "html", "json")]
    facts = layout_facts(item.files["docx"])
    issuer, _, number = (b["paragraph"] for b in facts["parts"]["header:first"])
    assert issuer["runs"][0]["color"] == "E60000" and number["text"] == "长大气办函〔2020〕　号"
    assert facts["margins"]["top"] == 2098 and facts["grid"]["linePitch"] == "579"
    body = [b for b in facts["body"]]
    title = body[0]["paragraph"]
    assert title["text"] == "关于2019年12月大气污染防治重点任务进展情况的通报"
    assert body[1]["paragraph"]["text"] == "各县（市、区）人民政府，市直有关单位："
    tables = [b["table"] for b in body if "table" in b]
    assert len(tables) == 3  # counties, departments, overdue tasks
    county_rows = [[c["paragraphs"][0]["text"] for c in r["cells"]] for r in tables[0]["rows"]]
    assert county_rows[0][:2] == ["排名", "县区"]
    assert county_rows[-1] == ["12", XIANGYUAN, "2", "1", "50%", "2", "63", "2", "1", "2.0"]
    assert sum(tables[0]["grid"]) == 8844  # the 156 mm type area
    texts = [b["paragraph"]["text"] for b in body if "paragraph" in b]
    assert f"{XIANGYUAN}排名靠后，逾期未完成任务2项，予以通报。" in texts
    assert "2019年12月共有2项重点任务到期，截至2019年12月31日已完成1项，完成率50%；累计逾期未完成任务2项，" \
           "逾期天数合计63天。本月共印发预警通知函、约谈通知4件，已签收2件，平均签收用时4.5天，2件未签收。" in texts
    assert texts[-1] == "抄送：市生态环境局，市政府督查室。"
    html = item.files["html"].read_text(encoding="utf-8")
    assert "<td>长治市工业和信息化局</td>" in html and "长大气办函〔2020〕　号" in html
    data = json.loads(item.files["json"].read_text(encoding="utf-8"))
    assert data["totals"]["overdue"] == 2 and data["units"][1]["name"] == MIIT
    assert Document(str(item.files["docx"])).core_properties.author == "长治市大气污染防治工作领导组办公室"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_monthly_job_drafts_once_on_a_working_day(small_store, store_url, tmp_path):
    config = _config(store_url, tmp_path)
    assert monthly_drafts(config, date(2020, 1, 1), pdf=False) == []  # New Year's Day: no
    first = monthly_drafts(config, date(2020, 1, 2), pdf=False)
    assert [item.bulletin.period.key for item in first] == ["2019-12"]
    assert first[0].files["docx"].parent == tmp_path / "outbox" / "bulletins" / "2019-12"
    assert monthly_drafts(config, date(2020, 1, 3), pdf=False) == []  # already drawn up


@NEEDS_OFFICE
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_command_writes_a_pdf_with_embedded_fonts(small_store, store_url, tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text((ROOT / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("data", "rules", "templates"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {"DUBAN_CONFIG": str(config_file), "DUBAN_DB": store_url, "DUBAN_OUT": str(tmp_path / "outbox"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "scheduler", "bulletin", "--month", "2019-12", "--json",
                             "--number", "长大气办函[2020]3号"], env=env, capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(result.stdout)
    assert item["number"] == "长大气办函〔2020〕3号" and item["totals"]["letters"] == 4
    pdf = Path(item["files"]["pdf"])
    assert pdf.parent == tmp_path / "outbox" / "bulletins" / "2019-12" and pdf.name == "通报-长治市-2019-12.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) >= 2
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "长治市大气污染防治工作领导组办公室" in text and "襄垣县人民政府排名靠后" in text.replace("\n", "")


def test_a_month_without_plans_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    store = open_store(url)
    try:
        config = _config(url, tmp_path)
        calendar = WorkCalendar.load(config.path(config.calendar_dir))
        with pytest.raises(LookupError, match="长治市在2019年12月没有执行中的方案"):
            publish_bulletins(store, config, calendar, DECEMBER, tmp_path / "x", regions=["长治市"], pdf=False)
    finally:
        store.dispose()


# --- golden: the real 长治 ledger after the simulated season ---------------------------------
# scheduler/simulate.py decides from a hash of each task id when it is done (60% on time, 25% a
# week or more late, 15% two months late); this runs it from 1 October to the end of December with
# no sweeps (so no letters) and compares the December bulletin with the file below. Regenerate it
# only when the simulation or the ledger changes on purpose: DUBAN_REGOLD=1 pytest -k golden.
GOLDEN = ROOT / "tests" / "data" / "bulletin_changzhi_2019-12.json"


@pytest.fixture(scope="module")
def season_store(tmp_path_factory):
    from scheduler.ledger import load_ledgers
    from scheduler.simulate import events_for_day
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
