"""Finding a clause in a paragraph: brackets nested, OCR-damaged, unclosed or mismatched."""

from __future__ import annotations

from scheduler.plans.clauses import (
    Clause,
    clause_repairs,
    find_clause,
    parse_cell_clause,
    parse_clause,
    unclosed_clause_start,
    unclosed_clause_starts,
)

OPENER_READ_AS_GONG = "OCR修复：责任条款开括号“［”被识别为“工”"
MISMATCHED = "原文责任条款括号不配对，已按条款读取"


def span(paragraph: str) -> tuple[int, int] | None:
    found = find_clause(paragraph)
    return (found[2], found[3]) if found else None


def test_a_clause_opened_by_an_ocr_gong_is_found_anywhere_in_the_paragraph():
    paragraph = "完成甲（（一）市工信局牵头）。工责任单位：市能源局J"
    assert span(paragraph) == (15, 26)
    assert find_clause(paragraph)[1].responsible_units == ("市能源局",)
    assert unclosed_clause_starts(paragraph) == []


def test_a_nested_bracket_does_not_close_the_clause_around_it():
    assert span("完成（市工信局（含（乙）区）牵头）") == (2, 17)
    assert span("完成甲（含（乙）［责任单位：市工信局］") == (8, 19)


def test_an_empty_bracket_is_not_a_clause_nor_the_start_of_one():
    assert unclosed_clause_starts("完成甲（）（市工信局牵头") == [5]
    assert find_clause("完成甲（）（市工信局牵头") is None


def test_a_latin_j_closes_a_clause_only_at_the_end_of_the_paragraph():
    assert span("甲J（市工信局牵头）") == (2, 10)
    assert span("做好乙［市工信局牵头J。") == (3, 11)  # a full stop after it is still the end
    assert span("做好乙。（市能源局负责落实J ）") == (4, 16)
    # a J with text after it is a letter of the text: the clause stays open
    assert find_clause("做好乙［市工信局牵头J乙") is None
    assert unclosed_clause_starts("做好乙［市工信局牵头J乙") == [3]


def test_a_new_clause_opening_inside_an_unclosed_one_ends_it_there():
    paragraph = "完成甲。［责任单位：市工信局（含乙）、市能源局全力做好乙。［责任单位：市能源局］"
    assert unclosed_clause_starts(paragraph) == [4]
    assert span(paragraph) == (29, 40)
    # the clause right behind an unclosed opener is still found
    assert span("［［责任单位：市工信局］") == (1, 12)


def test_a_square_bracket_without_role_words_near_it_does_not_end_a_clause():
    # a reference in square brackets inside a clause, its role word more than 12 characters on
    assert span("（市工信局牵头，［见附件一说明材料第三部分］）") == (0, 22)
    assert span("（市工信局负责，［一二三四五六七八九十牵头］）") == (0, 22)
    assert unclosed_clause_starts("（市工信局牵头，［见附件一说明材料第三部分］）") == []


def test_a_bracket_counts_as_a_clause_only_when_it_names_a_unit():
    assert find_clause("完成改造（各县（市、区）负责落实）")[1].responsible_units == ("各县（市、区）",)
    assert find_clause("完成（落实河长制）") is None
    assert find_clause("完成改造（市工信局X负责落实）") is None  # a name ending in a stray letter


def test_the_start_of_an_unclosed_clause_is_given_only_when_no_clause_closes():
    assert unclosed_clause_start("（十）严防反弹。[市生态环境局牵头，各县（区、市）人民政府负责落实") == 8
    assert unclosed_clause_start("完成甲。[市工信局牵头]") is None
    assert unclosed_clause_start("没有条款。") is None
    # an unclosed clause before a closed one: the closed one is the paragraph's clause
    assert unclosed_clause_start("完成甲。［责任单位：市工信局、市能源局全力做好乙。［责任单位：市能源局J") is None


def test_every_bracket_repair_is_named_in_the_notes():
    assert clause_repairs("工责任单位：市生态环境局J") == [OPENER_READ_AS_GONG, "OCR修复：责任条款闭括号被识别为“J”"]
    assert clause_repairs("市工信局牵头j") == ["OCR修复：责任条款闭括号被识别为“j”"]
    for mismatched in ("［市工信局牵头）", "（市工信局牵头〕", "(市工信局牵头]", "【市工信局牵头)",
                       " ［市工信局牵头 ）", "（市工信局牵头】"):
        assert clause_repairs(mismatched) == [MISMATCHED], mismatched
    for fine in ("（市工信局牵头）", "［市工信局牵头］", "［市工信局牵头X", "X市工信局牵头］", "（市工信局牵头X"):
        assert clause_repairs(fine) == [], fine


def test_a_clause_reads_the_same_with_any_of_its_brackets():
    expected = Clause(("市工信局",))
    for text in ("［市工信局牵头］", "市工信局牵头", "（市工信局牵头）。", "（市工信局牵头j", "【市工信局牵头】",
                 "（市工信局牵头J）", "（ 市工信局牵头 ）"):
        assert parse_clause(text) == expected, text
    assert parse_clause("工责任单位：市生态环境局J") == Clause((), (), ("市生态环境局",))


def test_a_bracket_without_a_role_word_is_no_clause():
    assert parse_clause("（含清洁运输改造）") == Clause()
    assert parse_clause("（市工信局负责）") == Clause((), (), ("市工信局",))


def test_a_persons_cell_with_a_keyed_unit_list_gives_the_units_their_role():
    got = parse_cell_clause("牵头单位：市工信局；责任人：张三", "persons")
    assert got.lead_units == ("市工信局",)
    assert got.responsible_persons == ("张三",)
    assert parse_cell_clause("张三\n李四", "persons").responsible_persons == ("张三", "李四")
