"""find_milestones skips texts without 月, 年, 季 or 暖: the full scan must find nothing in them either,
whatever dates, numerals, deadline words and heating words they hold otherwise."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.plans.deadlines import DeadlineContext
from scheduler.plans.deadlines.milestones import _DATE_CHARACTERS, _scan, find_milestones_strictly
from scheduler.plans.deadlines.normalisation import normalise_mapped

PLAN_2020 = DeadlineContext(plan_year=2020, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31))
# Everything the date and season expressions are made of, but the four characters.
NEAR_DATES = ("0123456789０１２３〇零○一二三四五六七八九十两日号底末初上中下旬半第度前起止开始以后之后每"
              "采供取期之以今当本明次翌去-~至到－—～ ,，;；。\n")


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=NEAR_DATES, max_size=40))
def test_a_text_without_month_year_quarter_or_heating_holds_no_dated_expression(text: str) -> None:
    assert _DATE_CHARACTERS.isdisjoint(text)
    assert _scan(normalise_mapped(text)[0], PLAN_2020) == []


def test_each_of_the_four_characters_alone_can_make_a_milestone() -> None:
    texts = {"月": "9月底前完成检查", "年": "2020年底前完成检查", "季": "第3季度末前完成检查", "暖": "采暖期前完成检查"}
    for character, text in texts.items():
        assert _DATE_CHARACTERS & set(text) == {character}
        assert find_milestones_strictly(text, PLAN_2020), text
