"""Public holidays as the law fixes them (全国年节及纪念日放假办法), before any State Council notice.

The notice for a year (国务院办公厅关于 XXXX 年部分节假日安排的通知) turns the statutory days into
the actual arrangement: it bridges them to weekends and moves working days (调休). Until it exists
the statutory days are all that can be known, so a year without official data is computed from
them: the festivals' dates from the lunar calendar and the solar terms (lunar_python), each
festival's days per the rule in force that year, and article 6's make-up day (补假): a statutory
day off that falls on a Saturday or Sunday is taken on the next working day. One that falls on
another festival's day is made up the same way (2020: 中秋 on 1 October, eight days in the
notice). Pure: no files, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lunar_python import Lunar

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """One revision of the 办法: how many days each festival gives, from which year on."""

    since: int  # the first year the revision governs
    spring_eve: bool  # 除夕 is a day off (2008 rule: 除夕、初一、初二; 2025 rule: 除夕 to 初三)
    spring_days: int  # lunar New Year days off from 正月初一
    labour_days: int  # from 1 May
    title: str


RULES: tuple[Rule, ...] = (
    Rule(2014, spring_eve=False, spring_days=3, labour_days=1,
         title="全国年节及纪念日放假办法（2013年12月11日修订）"),
    Rule(2025, spring_eve=True, spring_days=3, labour_days=2,
         title="全国年节及纪念日放假办法（2024年11月10日修订，2025年1月1日起施行）"),
)


def rule_for(year: int) -> Rule:
    """Return the revision in force in `year`; there is none here before 2014."""
    for rule in reversed(RULES):
        if year >= rule.since:
            return rule
    raise ValueError(f"{year} 年适用的放假办法未收录（自 {RULES[0].since} 年起）")


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> date:
    """Return the day of the 清明 solar term in `year` (Beijing time)."""
    # The table of a lunar year lists its solar terms; 清明 (early April) always lies in the lunar
    # year that starts in January or February of the same Gregorian year.
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> list[tuple[str, list[date]]]:
    """Return each festival's statutory days off in `year`, in the order the 办法 lists them."""
    rule = rule_for(year)
    new_year = _lunar(year, 1, 1)
    spring = [new_year + ONE_DAY * offset for offset in range(rule.spring_days)]
    if rule.spring_eve:
        spring.insert(0, new_year - ONE_DAY)
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", spring),
        ("清明节", [qingming(year)]),
        ("劳动节", [date(year, 5, 1) + ONE_DAY * offset for offset in range(rule.labour_days)]),
        ("端午节", [_lunar(year, 5, 5)]),
        ("中秋节", [_lunar(year, 8, 15)]),
        ("国庆节", [date(year, 10, 1) + ONE_DAY * offset for offset in range(3)]),
    ]


def statutory_days_off(year: int) -> dict[date, str]:
    """Return the statutory days off of `year` (weekdays only, make-up days included) by name.

    Weekends are rest days anyway, so they are left out; a festival day on a weekend, or on a day
    another festival already took, adds its make-up day after the festival instead. A make-up day
    past 31 December (none under either rule) would be dropped: it belongs to another year."""
    off: dict[date, str] = {}
    taken: set[date] = set()
    for name, days in sorted(festivals(year), key=lambda item: item[1][0]):
        owed = 0
        for day in days:
            if day in taken or day.weekday() >= 5:
                owed += 1
            else:
                off[day] = name
            taken.add(day)
        cursor = days[-1] + ONE_DAY
        while owed:
            if cursor.weekday() < 5 and cursor not in taken:
                off[cursor] = f"{name}（补假）"
                taken.add(cursor)
                owed -= 1
            cursor += ONE_DAY
    return {day: name for day, name in sorted(off.items()) if day.year == year}
