from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.escalation.calendar import (
    PROVISIONAL_NOTE,
    PROVISIONAL_SOURCE,
    CalendarFolder,
    UnknownYearError,
    WorkCalendar,
    load_override,
)

REPO = Path(__file__).resolve().parents[2]

# A made-up 2027 arrangement: test data only, not the State Council's notice.
FAKE_2027 = """\
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
def library_only(tmp_path: Path) -> WorkCalendar:
    return WorkCalendar.load(tmp_path)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_knows_the_2019_national_day_week_and_its_working_weekends(library_only: WorkCalendar):
    # 国办发明电：国庆节 10月1日至7日放假调休，9月29日（星期日）、10月12日（星期六）上班。
    for day in range(1, 8):
        assert not library_only.is_workday(date(2019, 10, day))
    assert library_only.is_workday(date(2019, 9, 29))
    assert library_only.is_workday(date(2019, 10, 12))
    assert library_only.is_workday(date(2019, 9, 30))
    assert library_only.is_workday(date(2019, 10, 8))
    assert not library_only.is_workday(date(2019, 9, 28))  # an ordinary Saturday
    assert not library_only.is_workday(date(2019, 10, 13))  # an ordinary Sunday


def test_it_knows_the_2020_spring_festival_with_its_covid_extension(library_only: WorkCalendar):
    # 春节 1月24日至30日放假，1月19日（星期日）上班；延长春节假期的通知延至2月2日，
    # so Saturday 1 February, first announced as a working day, became a day off.
    assert library_only.is_workday(date(2020, 1, 19))
    assert library_only.is_workday(date(2020, 1, 23))
    for offset in range(10):
        day = date.fromordinal(date(2020, 1, 24).toordinal() + offset)
        assert not library_only.is_workday(day), day
    assert not library_only.is_workday(date(2020, 2, 1))
    assert library_only.is_workday(date(2020, 2, 3))


def test_it_adds_workdays_across_national_day(library_only: WorkCalendar):
    assert library_only.add_workdays(date(2019, 9, 30), 1) == date(2019, 10, 8)
    assert library_only.add_workdays(date(2019, 9, 30), 5) == date(2019, 10, 12)
    assert library_only.add_workdays(date(2019, 9, 30), 6) == date(2019, 10, 14)
    assert library_only.add_workdays(date(2019, 9, 27), 1) == date(2019, 9, 29)
    assert library_only.add_workdays(date(2019, 9, 27), 3) == date(2019, 10, 8)
    assert library_only.add_workdays(date(2019, 10, 3), 1) == date(2019, 10, 8)


def test_it_adds_workdays_across_spring_festival(library_only: WorkCalendar):
    assert library_only.add_workdays(date(2020, 1, 23), 1) == date(2020, 2, 3)
    assert library_only.add_workdays(date(2020, 1, 17), 1) == date(2020, 1, 19)
    assert library_only.add_workdays(date(2020, 1, 17), 2) == date(2020, 1, 20)


def test_it_adds_workdays_across_a_year_end(library_only: WorkCalendar):
    # 2020-01-01 is 元旦 (Wednesday); 2026 元旦 is 1–3 January with Sunday 4 January worked.
    assert library_only.add_workdays(date(2019, 12, 31), 1) == date(2020, 1, 2)
    assert library_only.add_workdays(date(2019, 12, 30), 2) == date(2020, 1, 2)
    assert library_only.add_workdays(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert library_only.add_workdays(date(2025, 12, 31), 2) == date(2026, 1, 5)


def test_it_counts_backwards_with_negative_offsets(library_only: WorkCalendar):
    assert library_only.add_workdays(date(2019, 10, 8), -1) == date(2019, 9, 30)
    assert library_only.add_workdays(date(2019, 10, 8), -2) == date(2019, 9, 29)
    assert library_only.add_workdays(date(2019, 10, 8), -3) == date(2019, 9, 27)
    assert library_only.add_workdays(date(2019, 10, 5), -1) == date(2019, 9, 30)
    assert library_only.add_workdays(date(2020, 2, 3), -1) == date(2020, 1, 23)
    assert library_only.add_workdays(date(2020, 1, 2), -1) == date(2019, 12, 31)
    assert library_only.add_workdays(date(2026, 1, 4), -1) == date(2025, 12, 31)


def test_zero_workdays_keeps_a_workday_and_rolls_a_holiday_forward(library_only: WorkCalendar):
    assert library_only.add_workdays(date(2019, 9, 30), 0) == date(2019, 9, 30)
    assert library_only.add_workdays(date(2019, 10, 5), 0) == date(2019, 10, 8)
    assert library_only.add_workdays(date(2019, 12, 28), 0) == date(2019, 12, 30)


def test_it_counts_workdays_between_two_dates(library_only: WorkCalendar):
    assert library_only.workdays_between(date(2019, 9, 30), date(2019, 10, 8)) == 1
    # 29 Sep, 30 Sep, 8, 9, 10, 11, 12 Oct
    assert library_only.workdays_between(date(2019, 9, 27), date(2019, 10, 12)) == 7
    assert library_only.workdays_between(date(2019, 10, 12), date(2019, 9, 27)) == -7
    assert library_only.workdays_between(date(2019, 10, 3), date(2019, 10, 3)) == 0
    # 31 Dec, 2 Jan, 3 Jan
    assert library_only.workdays_between(date(2019, 12, 30), date(2020, 1, 3)) == 3


def test_it_finds_next_and_previous_workdays(library_only: WorkCalendar):
    assert library_only.next_workday(date(2019, 10, 1)) == date(2019, 10, 8)
    assert library_only.next_workday(date(2019, 10, 8)) == date(2019, 10, 8)
    assert library_only.next_workday(date(2019, 10, 8), inclusive=False) == date(2019, 10, 9)
    assert library_only.previous_workday(date(2019, 10, 7)) == date(2019, 9, 30)
    assert library_only.previous_workday(date(2019, 10, 12)) == date(2019, 10, 12)
    assert library_only.previous_workday(date(2019, 10, 12), inclusive=False) == date(2019, 10, 11)


def test_it_shifts_by_calendar_days_or_workdays(library_only: WorkCalendar):
    assert library_only.shift(date(2019, 9, 30), days=3) == date(2019, 10, 3)
    assert library_only.shift(date(2019, 9, 30), workdays=1) == date(2019, 10, 8)
    assert library_only.shift(date(2019, 10, 8), days=-8) == date(2019, 9, 30)
    assert library_only.shift(date(2019, 9, 30)) == date(2019, 9, 30)
    with pytest.raises(ValueError):
        library_only.shift(date(2019, 9, 30), days=1, workdays=1)


def test_a_year_before_the_library_raises_naming_the_file_to_add(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "calendar").mkdir(parents=True)
    calendar = WorkCalendar.load("data/calendar")
    with pytest.raises(UnknownYearError) as info:
        calendar.is_workday(date(2003, 1, 6))
    assert str(info.value) == (
        "缺少 2003 年节假日数据：请添加 data/calendar/2003.yaml（格式见 data/calendar/README.md）")
    assert info.value.year == 2003
    assert calendar.source(2003) == "unknown"


def test_it_never_guesses_back_into_a_year_before_the_library(library_only: WorkCalendar):
    with pytest.raises(UnknownYearError):
        library_only.add_workdays(date(2004, 1, 5), -5)
    with pytest.raises(UnknownYearError):
        library_only.workdays_between(date(2003, 12, 1), date(2004, 1, 5))


def test_a_later_year_without_data_is_provisional_from_the_statutory_rule(library_only: WorkCalendar):
    # 2027 without a notice: 元旦 Friday 1 January; 春节 除夕 Friday 5 February to 初三 Monday 8
    # February, the weekend's two days made up on 9 and 10 February; no 调休 working weekend.
    assert library_only.is_provisional(2027) and not library_only.knows_year(2027)
    assert not library_only.is_provisional(2026)
    assert library_only.source(2027) == PROVISIONAL_SOURCE
    assert library_only.source(2026) == "official:chinese-calendar"
    assert not library_only.is_workday(date(2027, 1, 1))
    assert library_only.is_workday(date(2027, 1, 4))
    assert [d for d in (date(2027, 2, day) for day in range(4, 13)) if library_only.is_workday(d)] == [
        date(2027, 2, 4), date(2027, 2, 11), date(2027, 2, 12)]
    assert not library_only.is_workday(date(2027, 2, 13))  # Saturday: no 调休 is known
    # across the year end and into it, as a sweep in December asks
    assert library_only.add_workdays(date(2026, 12, 30), 5) == date(2027, 1, 7)
    assert library_only.workdays_between(date(2026, 12, 31), date(2027, 1, 8)) == 5
    assert library_only.provisional_note(date(2027, 3, 1)) == PROVISIONAL_NOTE
    assert library_only.provisional_note(date(2026, 3, 1)) == ""
    assert library_only.provisional_years(2025, 2028) == [2027, 2028]
    assert library_only.provisional_years(2027, 2027) == [2027]
    assert library_only.provisional_years(2019, 2026) == []


def test_an_override_file_makes_2027_known(tmp_path: Path):
    write(tmp_path, "2027.yaml", FAKE_2027)
    calendar = WorkCalendar.load(tmp_path)
    assert not calendar.is_workday(date(2027, 1, 1))  # Friday, listed holiday
    assert calendar.is_workday(date(2027, 1, 4))  # Monday, not listed
    assert not calendar.is_workday(date(2027, 1, 2))  # ordinary Saturday
    assert calendar.is_workday(date(2027, 2, 13))  # Saturday, listed workday
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 10)
    assert calendar.known_through() == date(2027, 12, 31)


def test_an_override_replaces_the_library_year_entirely(tmp_path: Path):
    write(tmp_path, "2019.yaml",
          "year: 2019\nsource: 更正测试\nholidays:\n  - {date: 2019-10-08, name: 测试}\n")
    calendar = WorkCalendar.load(tmp_path)
    assert not calendar.is_workday(date(2019, 10, 8))
    assert calendar.is_workday(date(2019, 10, 1))  # the library's 国庆 no longer applies
    assert not calendar.is_workday(date(2019, 9, 29))
    assert not calendar.is_workday(date(2020, 1, 1))  # other years still come from the library


def test_a_malformed_override_names_its_file_line_and_field(tmp_path: Path):
    path = write(tmp_path, "2027.yaml",
                 "year: 2027\nsource: x\nholidays:\n  - {date: 2027-02-30, name: 春节}\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.where) == (str(path), 4, "holidays.0.date")


def test_a_year_that_disagrees_with_the_file_name_is_an_error(tmp_path: Path):
    write(tmp_path, "2027.yaml", "source: x\nyear: 2028\nholidays: []\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    problem = info.value.problems[0]
    assert (problem.line, problem.where) == (2, "year")
    assert "2028" in problem.message


def test_a_date_outside_the_year_is_an_error(tmp_path: Path):
    write(tmp_path, "2027.yaml", "year: 2027\nsource: x\nholidays:\n"
          "  - {date: 2027-01-01, name: 元旦}\n  - {date: 2028-01-01, name: 元旦}\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert [(p.line, p.where) for p in info.value.problems] == [(5, "holidays.1.date")]


def test_a_weekday_listed_as_adjusted_workday_is_an_error(tmp_path: Path):
    # 2027-01-04 is a Monday: listing it under workdays is almost surely a typo.
    write(tmp_path, "2027.yaml",
          "year: 2027\nsource: x\nworkdays:\n  - {date: 2027-01-04, name: 调休}\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert info.value.problems[0].line == 4


def test_a_day_both_off_and_worked_is_an_error(tmp_path: Path):
    write(tmp_path, "2027.yaml", "year: 2027\nsource: x\nholidays:\n"
          "  - {date: 2027-01-02, name: 元旦}\nworkdays:\n  - {date: 2027-01-02, name: 调休}\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert [(p.line, p.where) for p in info.value.problems] == [(6, "workdays.0.date")]


def test_a_missing_source_and_unknown_keys_are_errors(tmp_path: Path):
    write(tmp_path, "2027.yaml", "year: 2027\nholidays: []\nnote: 备注\n")
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert sorted(p.where for p in info.value.problems) == ["note", "source"]


def test_a_yaml_file_with_another_name_is_reported_not_skipped(tmp_path: Path):
    path = write(tmp_path, "holidays-2027.yaml", FAKE_2027)
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert info.value.problems[0].file == str(path)


def test_a_missing_calendar_folder_is_an_error(tmp_path: Path):
    with pytest.raises(InputError):
        WorkCalendar.load(tmp_path / "nowhere")


def test_it_warns_from_november_when_next_year_is_unknown(library_only: WorkCalendar):
    assert library_only.warnings(date(2026, 10, 31)) == []
    messages = library_only.warnings(date(2026, 11, 1))
    assert len(messages) == 1
    assert "2027" in messages[0] and "2027.yaml" in messages[0]
    assert library_only.known_through() == date(2026, 12, 31)


def test_it_does_not_warn_once_next_year_is_added(tmp_path: Path):
    write(tmp_path, "2027.yaml", FAKE_2027)
    assert WorkCalendar.load(tmp_path).warnings(date(2026, 11, 1)) == []


def test_it_warns_while_the_current_year_is_provisional(library_only: WorkCalendar):
    messages = library_only.warnings(date(2027, 3, 1))
    assert messages == [library_only.provisional_warning(2027)]
    assert "2027 年节假日安排尚未公布" in messages[0] and "暂算" in messages[0] and "2027.yaml" in messages[0]
    # from November, next year too; and a year before the library is an error, not provisional
    assert len(library_only.warnings(date(2027, 11, 2))) == 2
    assert "无法计算" in library_only.warnings(date(2003, 5, 6))[0]


def test_the_shipped_calendar_folder_loads_and_skips_the_disabled_example():
    calendar = WorkCalendar.load(REPO / "data" / "calendar")
    assert calendar.knows_year(2026)


def test_the_shipped_example_fails_loudly_if_renamed_without_editing(tmp_path: Path):
    text = (REPO / "data" / "calendar" / "example-2027.yaml.disabled").read_text(encoding="utf-8")
    write(tmp_path, "2027.yaml", text)
    with pytest.raises(InputError) as info:
        WorkCalendar.load(tmp_path)
    assert [p.where for p in info.value.problems] == ["example"]


def test_adding_then_counting_workdays_round_trips(library_only: WorkCalendar):
    # Forward from any start, including holidays and 调休 weekends, across 国庆, 春节, year ends.
    starts = [date(2019, 9, 29), date(2019, 10, 3), date(2019, 12, 31), date(2020, 1, 25),
              date(2025, 12, 28)]
    for start in starts:
        for n in (1, 2, 5, 17, 40):
            end = library_only.add_workdays(start, n)
            assert library_only.is_workday(end)
            assert library_only.workdays_between(start, end) == n, (start, n)


def test_counting_backwards_is_the_mirror_of_counting_forwards(library_only: WorkCalendar):
    # (end, start] is counted either way round, so from a workday going back n gives -n ...
    for start in (date(2019, 10, 8), date(2020, 2, 3), date(2026, 1, 4)):
        for n in (1, 3, 25):
            end = library_only.add_workdays(start, -n)
            assert library_only.workdays_between(start, end) == -n, (start, n)
            assert library_only.workdays_between(end, start) == n
    # ... while from a holiday the holiday itself is not counted: 30 Sep is the day before 3 Oct.
    assert library_only.add_workdays(date(2019, 10, 3), -1) == date(2019, 9, 30)
    assert library_only.workdays_between(date(2019, 10, 3), date(2019, 9, 30)) == 0


def test_the_shipped_2026_file_agrees_with_the_library_day_by_day(library_only: WorkCalendar):
    # data/calendar/2026.yaml is the README's worked example, written from the notice.
    override = load_override(REPO / "data" / "calendar" / "2026.yaml")
    shipped = WorkCalendar.load(REPO / "data" / "calendar")
    assert shipped.source(2026).endswith("data/calendar/2026.yaml")
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert shipped.is_workday(day) == library_only.is_workday(day), day
        day += timedelta(days=1)
    from chinese_calendar import constants as library

    assert override.holidays == {d for d in library.holidays if d.year == 2026}
    assert override.workdays == {d for d in library.workdays if d.year == 2026}


def test_a_year_file_dropped_in_replaces_the_provisional_year_at_once(tmp_path: Path):
    folder = CalendarFolder(tmp_path)
    before = folder.current()
    assert before.is_provisional(2027) and before.is_workday(date(2027, 2, 10)) is False
    assert folder.current() is before  # unchanged folder: the same calendar, its tables kept
    write(tmp_path, "2027.yaml", FAKE_2027)
    after = folder.current()
    assert not after.is_provisional(2027)
    assert after.source(2027) == f"official:{(tmp_path / '2027.yaml').as_posix()}"
    assert after.is_workday(date(2027, 2, 10)) and after.is_workday(date(2027, 2, 13))
    assert after.warnings(date(2027, 3, 1)) == []


def test_a_broken_year_file_keeps_the_last_good_calendar_and_says_why(tmp_path: Path):
    folder = CalendarFolder(tmp_path)
    write(tmp_path, "2027.yaml", "year: 2028\nsource: 错年份\n")
    assert folder.current().is_provisional(2027)
    assert "2027.yaml" in folder.problem and "仍按上次加载的日历计算" in folder.problem
    write(tmp_path, "2027.yaml", FAKE_2027 + "\n")
    assert not folder.current().is_provisional(2027) and folder.problem == ""


@pytest.mark.parametrize("folder", ["shipped", "empty"])
def test_every_day_from_2019_to_2030_answers_every_question(folder: str, tmp_path: Path):
    # The walk: no working-day question raises on any day of 2019-2030, with the shipped folder
    # and with none at all, and the answers agree with each other.
    calendar = WorkCalendar.load(REPO / "data" / "calendar" if folder == "shipped" else tmp_path)
    day, last = date(2019, 1, 1), date(2030, 12, 31)
    while day <= last:
        workday = calendar.is_workday(day)
        following = calendar.next_workday(day, inclusive=False)
        assert calendar.add_workdays(day, 1) == following and calendar.workdays_between(day, following) == 1
        assert calendar.previous_workday(day) == (day if workday else calendar.add_workdays(day, -1))
        assert calendar.next_workday(day) == (day if workday else following)
        assert calendar.add_workdays(day, 0) == calendar.next_workday(day)
        assert calendar.workdays_between(day, calendar.add_workdays(day, 20)) == 20
        assert calendar.shift(day, workdays=-10) == calendar.add_workdays(day, -10)
        day += timedelta(days=1)
    for year in range(2019, 2031):
        assert calendar.source(year) != "unknown"
        calendar.warnings(date(year, 11, 15))
