"""A milestone whose own words are too few ("2019年12月底前完成") borrows the words before its date, but
never another milestone's date: a reminder reading "…2019年10月底前完成淘汰，完成" would name two dates."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.deadlines.milestones import find_milestones


@pytest.mark.parametrize(("text", "second"), [
    ("燃煤锅炉2019年10月底前完成淘汰，2019年12月底前完成。", "燃煤锅炉，完成"),  # the shared subject
    ("完成散煤治理，2019年10月底前摸底，2019年12月底前完成。", "完成散煤治理，完成"),
    ("2019年10月底前完成燃煤锅炉淘汰，2019年12月底前完成", "完成燃煤锅炉淘汰，完成"),  # no subject: the words between
])
def test_a_short_phrase_borrows_words_but_no_earlier_date(text: str, second: str) -> None:
    first, later = find_milestones(text)
    assert later.due == date(2019, 12, 31)
    assert later.phrase == second
    assert "2019" not in later.phrase and "10月" not in later.phrase
    assert first.due == date(2019, 10, 31) and "2019" not in first.phrase


def test_a_lone_short_phrase_still_takes_the_action_before_its_date() -> None:
    (only,) = find_milestones("关停退出，2024年12月底前完成")
    assert (only.due, only.phrase) == (date(2024, 12, 31), "关停退出，完成")


def test_borrowing_stops_at_the_sentence_before() -> None:
    (_, later) = find_milestones("完成摸底。燃煤锅炉2019年10月底前完成淘汰；2019年12月底前完成")
    assert later.phrase == "完成"  # a new clause after ；: nothing of the other sentence
