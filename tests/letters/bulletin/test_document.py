"""The 通报's head as letters have it, its date and its draft number; the sample renders."""

from __future__ import annotations

from datetime import date

from scheduler.letters.bulletin.document import (
    ADDRESSEE,
    bulletin_letter,
    draft_number,
    first_workday_after,
    sample_bulletin,
)
from scheduler.letters.bulletin.ranking import Period, TaskRecord, compute_bulletin
from scheduler.letters.render import Renderer

DECEMBER = Period.month("2019-12")
ISSUER = "长治市大气污染防治工作领导组办公室"


def _is_workday(day: date) -> bool:
    """Weekdays except New Year's Day 2020, enough for the turn of the year."""
    return day.weekday() < 5 and day != date(2020, 1, 1)


def test_the_monthly_bulletin_is_dated_the_first_working_day_after_the_month():
    assert first_workday_after(DECEMBER, _is_workday) == date(2020, 1, 2)
    assert first_workday_after(Period.month("2019-11"), _is_workday) == date(2019, 12, 2)  # 1 Dec is a Sunday


def test_a_draft_number_leaves_the_serial_blank_for_the_office():
    assert draft_number("长大气办函", 2020) == "长大气办函〔2020〕　号"


def test_the_head_addresses_every_county_and_department_and_asks_for_a_reply():
    tasks = [TaskRecord("t-1", "完成工业企业无组织排放治理", date(2019, 12, 10), None, ("上党区人民政府",), "推进中")]
    bulletin = compute_bulletin("长治市", DECEMBER, tasks, [], {"上党区人民政府": "county_government"})
    head = bulletin_letter(bulletin, ISSUER, draft_number("长大气办函", 2020), date(2020, 1, 2), date(2020, 1, 16))
    assert (head.kind, head.kind_name, head.addressee, head.unit) == ("bulletin", "通报", ADDRESSEE, "")
    assert head.title == "关于2019年12月大气污染防治重点任务进展情况的通报"
    assert [(r.task_id, r.unit, r.deadline, r.overdue, r.progress) for r in head.rows] == [
        ("t-1", "上党区人民政府", "2019年12月10日", "逾期22天", "推进中")]
    assert head.rectification[-1] == "于2020年1月16日前将整改落实情况书面报送市大气办。"
    assert head.basis.title == "有关大气污染防治工作方案"  # no plan passed: a generic citation
    assert (head.signature, head.period, head.cc) == (ISSUER, "2019年12月", ("市生态环境局", "市政府督查室"))


def test_the_sample_bulletin_renders_with_its_three_tables():
    bulletin, head = sample_bulletin()
    html = Renderer().document_html(head, bulletin.tables(), bulletin=bulletin)
    assert head.title in html and "长大气办函〔2020〕　号" in html
    assert "潞州区人民政府排名靠后，逾期未完成任务1项，予以通报。" in html  # 32 days late against 上党区's 1
    assert html.count("<table") == 3  # counties, departments, overdue tasks
