"""The clause vocabulary: role words written in simplified characters read traditional plans too."""

from __future__ import annotations

import re

from scheduler.plans.clauses.roles import either_script


def test_a_pattern_in_simplified_characters_also_matches_their_traditional_forms():
    pattern = either_script("责任单位：[区县]政府")
    # outside a character class each such character becomes a class of both forms; inside one,
    # the traditional form joins the class
    assert pattern == "[责責]任[单單]位：[区區县縣]政府"
    assert re.fullmatch(pattern, "責任單位：縣政府")
    assert re.fullmatch(pattern, "责任单位：区政府")
    assert not re.fullmatch(pattern, "责任单位：市政府")


def test_characters_after_a_class_closes_are_widened_on_their_own_again():
    assert either_script("[区]责") == "[区區][责責]"
