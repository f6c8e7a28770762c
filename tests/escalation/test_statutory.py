"""The statutory rule against the years the State Council's notices settled (chinese-calendar).

The provisional calendar of a year is what the rule gives before the notice; these tests compute
years that do have a notice with the very same function, under the rule in force that year, and
compare day by day, so a wrong lunar date, solar term or rule shows up here and not in 2027.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from chinese_calendar import constants as library

from scheduler.escalation.statutory import festivals, qingming, rule_for, statutory_days_off


def days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def official_workday(day: date) -> bool:
    return day in library.workdays or (day.weekday() < 5 and day not in library.holidays)


def provisional_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in statutory_days_off(day.year)


def test_the_provisional_2026_differs_from_the_notice_only_on_its_adjusted_days():
    # 2026 is under the 2025 rule, like every year provisional from now on, and its notice
    # (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04) is in the library: the rule computed
    # for 2026 must match it except where the notice bridged festivals to weekends (days off the
    # rule does not give) and the weekends it made working days in exchange (调休).
    assert rule_for(2026) == rule_for(2027)
    differences = {day for day in days_of(2026) if provisional_workday(day) != official_workday(day)}
    adjusted_working_weekends = {  # "X月X日（周六/周日）上班"
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
        date(2026, 9, 20), date(2026, 10, 10),
    }
    extra_days_off = {  # weekdays off in the notice beyond the statutory days and make-up days
        date(2026, 1, 2),  # 元旦 1月1日至3日
        date(2026, 2, 20), date(2026, 2, 23),  # 春节 2月15日至23日
        date(2026, 5, 5),  # 劳动节 5月1日至5日
        date(2026, 10, 6), date(2026, 10, 7),  # 国庆节 10月1日至7日
    }
    assert differences == adjusted_working_weekends | extra_days_off
    assert all(official_workday(day) for day in adjusted_working_weekends)
    assert not any(official_workday(day) for day in extra_days_off)
    # 调休 only moves days: the year has as many working days either way.
    assert len(adjusted_working_weekends) == len(extra_days_off)


def test_the_statutory_days_of_2026_by_name():
    assert statutory_days_off(2026) == {
        date(2026, 1, 1): "元旦",
        date(2026, 2, 16): "春节",  # 除夕
        date(2026, 2, 17): "春节", date(2026, 2, 18): "春节", date(2026, 2, 19): "春节",  # 初一至初三
        date(2026, 4, 6): "清明节（补假）",  # 清明 is Sunday 5 April
        date(2026, 5, 1): "劳动节", date(2026, 5, 4): "劳动节（补假）",  # 2 May is a Saturday
        date(2026, 6, 19): "端午节",
        date(2026, 9, 25): "中秋节",
        date(2026, 10, 1): "国庆节", date(2026, 10, 2): "国庆节",
        date(2026, 10, 5): "国庆节（补假）",  # 3 October is a Saturday
    }


@pytest.mark.parametrize("year", range(2019, 2027))
def test_every_statutory_day_off_was_off_in_the_notice(year: int):
    # Under the rule in force each year (2014 rule to 2024, 2025 rule after). Not a law of nature:
    # the 2015 notice gave 中秋's make-up day (27 September was a Sunday) inside 国庆 instead.
    assert [day for day in statutory_days_off(year) if official_workday(day)] == []


@pytest.mark.parametrize("year", range(2019, 2027))
def test_the_rule_gives_as_many_working_days_as_the_notice(year: int):
    provisional = sum(provisional_workday(day) for day in days_of(year))
    official = sum(official_workday(day) for day in days_of(year))
    extended = {2020: 2}  # 关于延长2020年春节假期的通知: Friday 31 January, and Saturday 1 February
    # that the first notice had made a working day
    assert provisional - official == extended.get(year, 0)


def test_festival_dates_come_from_the_lunar_calendar_and_the_solar_terms():
    named = dict(festivals(2027))
    assert named["春节"] == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert named["清明节"] == [date(2027, 4, 5)]
    assert named["端午节"] == [date(2027, 6, 9)]
    assert named["中秋节"] == [date(2027, 9, 15)]
    assert [qingming(year) for year in (2024, 2025, 2026, 2028)] == [
        date(2024, 4, 4), date(2025, 4, 4), date(2026, 4, 5), date(2028, 4, 4)]


def test_the_2014_rule_gives_three_new_year_days_and_one_labour_day():
    named = dict(festivals(2024))
    assert named["春节"] == [date(2024, 2, 10), date(2024, 2, 11), date(2024, 2, 12)]
    assert named["劳动节"] == [date(2024, 5, 1)]
    assert len(dict(festivals(2025))["春节"]) == 4 and len(dict(festivals(2025))["劳动节"]) == 2
    with pytest.raises(ValueError):
        rule_for(2013)


def test_a_festival_on_another_festivals_day_is_made_up_after_it():
    # 2028: 国庆 1-3 October (the 1st a Sunday), 中秋 on the 3rd: two make-up days, 4 and 5 October.
    off = statutory_days_off(2028)
    assert [day for day in off if day.month == 10] == [date(2028, 10, 2), date(2028, 10, 3),
                                                        date(2028, 10, 4), date(2028, 10, 5)]
