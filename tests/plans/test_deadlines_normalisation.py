"""Text tidying at its edges: nothing to tidy, and where a gap between Latin letters or digits is
kept (a word gap) or dropped (OCR's spaces between Chinese characters)."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.plans.deadlines import parse_deadline
from scheduler.plans.deadlines.normalisation import normalise_mapped, tidy


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_tidy_of_nothing_is_empty(text: str) -> None:
    assert tidy(text) == ""


@pytest.mark.parametrize(("text", "tidied"), [
    ("浓度 下降", "浓度下降"),
    ("PM 2.5 浓度", "PM 2.5浓度"),
    ("1、国6 B阶段", "1、国6 B阶段"),  # a gap between a digit and a Latin letter is a word gap
    ("排放标准(6 B)", "排放标准(6 B)"),
    ("国6\nB阶段", "国6 B阶段"),
])
def test_tidy_keeps_only_the_gaps_between_latin_letters_or_digits(text: str, tidied: str) -> None:
    assert tidy(text) == tidied


def test_normalise_mapped_points_every_character_back_into_the_original() -> None:
    text = "二〇二〇年 十月底前，十一月 底前"
    s, index = normalise_mapped(text)
    assert s == "2020年10月底前,11月底前"
    assert len(index) == len(s)
    assert [text[i] for i in index] == list("二二二二年十十月底前，十十月底前")


def test_a_window_in_json_names_its_start_and_end() -> None:
    got = parse_deadline("2023年5－9月").to_json()
    assert (got["start"], got["end"], got["due"]) == ("2023-05-01", "2023-09-30", [])
    assert date.fromisoformat(str(got["end"])) == date(2023, 9, 30)


def test_a_due_date_in_json_has_no_start_or_end() -> None:
    got = parse_deadline("2023年5月底前").to_json()
    assert (got["due"], got["start"], got["end"]) == (["2023-05-31"], None, None)
