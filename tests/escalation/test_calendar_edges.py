"""Edges of the working-day calendar: the library's first year, the words of its errors, the
problem a calendar folder reports, and the statutory rule where festivals collide or a make-up day
would fall on a Saturday."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.escalation.calendar import LIBRARY_FIRST_YEAR, CalendarFolder, UnknownYearError, WorkCalendar
from scheduler.escalation.statutory import rule_for, statutory_days_off


def test_the_librarys_first_year_is_answered_from_the_library(tmp_path: Path):
    calendar = WorkCalendar.load(tmp_path)
    assert LIBRARY_FIRST_YEAR == 2004
    assert calendar.is_workday(date(2004, 1, 5)) and not calendar.is_workday(date(2004, 1, 1))
    assert calendar.source(2004) == "official:chinese-calendar"


def test_an_unknown_year_names_the_file_to_add(tmp_path: Path):
    with pytest.raises(UnknownYearError) as info:
        WorkCalendar.load(tmp_path).is_workday(date(2003, 6, 2))
    assert info.value.override_path == (tmp_path / "2003.yaml").as_posix()


def test_shifting_by_days_and_workdays_at_once_says_why_it_refuses(tmp_path: Path):
    with pytest.raises(ValueError, match=r"^shift\(\) takes either days or workdays, not both$"):
        WorkCalendar.load(tmp_path).shift(date(2019, 9, 30), days=1, workdays=1)


def test_a_calendar_folder_that_loaded_has_no_problem_and_a_broken_file_lists_every_problem(tmp_path: Path):
    folder = CalendarFolder(tmp_path)
    assert folder.problem == ""
    (tmp_path / "2027.yaml").write_text("year: 2027\nholidays: []\nnote: 备注\n", encoding="utf-8")
    folder.current()
    path = tmp_path / "2027.yaml"
    assert folder.problem == (f"节假日文件有误，仍按上次加载的日历计算：{path}:1: source: Field required；"
                              f"{path}:3: note: Extra inputs are not permitted")


def test_no_statutory_rule_is_known_before_2014():
    with pytest.raises(ValueError, match=r"^2013 年适用的放假办法未收录（自 2014 年起）$"):
        rule_for(2013)


def test_a_festival_that_falls_on_an_earlier_festivals_day_owes_the_make_up_day():
    # 2028: 国庆 from Sunday 1 October takes the 2nd and 3rd; 中秋 on the 3rd is made up after 国庆's own.
    assert {d.isoformat(): name for d, name in statutory_days_off(2028).items() if d.month == 10} == {
        "2028-10-02": "国庆节", "2028-10-03": "国庆节", "2028-10-04": "国庆节（补假）", "2028-10-05": "中秋节（补假）"}


def test_a_make_up_day_after_a_friday_skips_the_weekend():
    # 2031: 中秋 takes Wednesday 1 October; 国庆 ends Friday the 3rd and is made up on Monday the 6th.
    assert {d.isoformat(): name for d, name in statutory_days_off(2031).items() if d.month == 10} == {
        "2031-10-01": "中秋节", "2031-10-02": "国庆节", "2031-10-03": "国庆节", "2031-10-06": "国庆节（补假）"}
