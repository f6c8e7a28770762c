"""Cells that name a campaign, a number of years or a year: the dates and the notes that say how."""

from __future__ import annotations

from datetime import date

from scheduler.plans.deadlines import DeadlineContext, parse_deadline

PLAN_2020 = DeadlineContext(plan_year=2020)
FROM_2019 = DeadlineContext(plan_year=2020, period_start=date(2019, 6, 1))
NO_YEAR = DeadlineContext()


def read(text: str, context: DeadlineContext) -> tuple:
    got = parse_deadline(text, context)
    return got.kind, got.due, got.start, got.end, got.notes


def test_an_autumn_winter_campaign_runs_from_october_to_march_and_says_so():
    assert read("2019-2020年秋冬季", NO_YEAR) == (
        "window", (), date(2019, 10, 1), date(2020, 3, 31), ("秋冬季按10月1日至次年3月31日计",))
    assert read("秋冬季", PLAN_2020) == ("window", (), date(2020, 10, 1), date(2021, 3, 31), (
        "秋冬季按10月1日至次年3月31日计", "未写年份，按计划年度2020年秋冬季计"))


def test_a_campaign_that_cannot_be_dated_says_why():
    assert read("2019-2021年秋冬季", NO_YEAR) == ("unknown", (), None, None, ("秋冬季的两个年份不相连，需协调人确认",))
    assert read("秋冬季", NO_YEAR) == ("unknown", (), None, None, ("未写年份，且没有计划年份可用",))


def test_a_number_of_years_counts_from_the_plans_start_for_one_to_thirty_years():
    assert read("1年内", FROM_2019) == ("due", (date(2019, 12, 31),), None, None, (
        "从计划起始年份2019年起算", "1年内按2019年至2019年计，2019年底前完成"))
    assert read("30年内", FROM_2019)[1] == (date(2048, 12, 31),)
    assert read("31年内", FROM_2019)[1] != (date(2049, 12, 31),)  # no plan spans more than 30 years
    assert read("5年内", PLAN_2020)[4] == ("从计划年度2020年起算", "5年内按2020年至2024年计，2024年底前完成")
    assert read("2012年起5年内", NO_YEAR)[4] == ("5年内按2012年至2016年计，2016年底前完成",)


def test_within_the_year_is_due_at_the_year_end_and_says_which_year():
    assert read("年内", PLAN_2020) == ("due", (date(2020, 12, 31),), None, None, ("按计划年度计", "“年内”按年底计"))
    assert read("年内", NO_YEAR) == ("unknown", (), None, None, ("未写年份，且没有计划年份可用",))


def test_a_whole_year_or_a_bare_year_is_year_long_and_by_a_year_is_due_at_its_end():
    assert read("全年", PLAN_2020) == ("year_long", (date(2020, 12, 31),), date(2020, 1, 1), date(2020, 12, 31),
                                      ("按计划年度计",))
    assert read("2019年全年", PLAN_2020)[4] == ()
    assert read("2021年", PLAN_2020) == ("year_long", (date(2021, 12, 31),), date(2021, 1, 1), date(2021, 12, 31),
                                        ("只写了年份，按全年计",))
    assert read("到2021年", PLAN_2020) == ("due", (date(2021, 12, 31),), None, None, ("“到某年”按该年年底前完成计",))


def test_a_later_date_of_the_cell_brings_its_own_note():
    # the second date has no year of its own: its note joins the cell's
    assert read("2020年10月底前、12月底前", PLAN_2020) == (
        "due", (date(2020, 10, 31), date(2020, 12, 31)), None, None, ("未写年份，按计划年度取2020年",))
