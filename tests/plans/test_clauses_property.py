"""Any text at all must give a Clause, never an exception, and never a unit name that holds a
role word or punctuation outside its own brackets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.plans.clauses import (
    ALL_ROLE_WORDS,
    PROTECTED_NAMES,
    Clause,
    find_clause,
    parse_cell_clause,
    parse_clause,
    split_units,
)

PIECES = st.sampled_from([
    "市生态环境局", "市工信局", "市发展改革委", "各县（市、区）人民政府", "各县、区人民政府",
    "交通局", "市公安局交警支队", "开发区管委会", "国网供电公司", "张三", "市生态环", "境局",
    "牵头", "牵头督导", "主导", "配合", "参与", "协同", "协助", "支持", "负责", "负责落实",
    "具体负责", "按职责分工负责", "落实", "牵头单位：", "牵头部门：", "配合单位：", "协办单位：",
    "责任单位：", "责任部门：", "责任领导：", "责任人：", "等", "等部门", "相关部门", "有关部门",
    "以下各项任务", "均需", "不再列出", "不再一一列出", "本部分", "由", "为", "的",
    "、", "，", ",", "；", ";", "。", "：", "\n", " ", "（", "）", "(", ")", "〔", "〕", "［", "］",
    "【", "】", "[", "]", "J", "工", "……", "“", "”", "!", "?", "1", "一",
])
CLAUSE_TEXT = st.one_of(st.text(max_size=80), st.lists(PIECES, max_size=24).map("".join))
ROLES = st.sampled_from([None, "lead", "cooperating", "responsible", "persons"])
_PUNCT = re.compile(r"[，,；;。：:！!？?“”\"'‘’《》<>\[\]［］【】〔〕{}\s…]")


def _outside_brackets(name: str) -> str:
    out, depth = [], 0
    for ch in name:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def assert_clean(clause: Clause) -> None:
    assert isinstance(clause, Clause)
    for name in clause.lead_units + clause.cooperating_units + clause.responsible_units:
        assert not any(word in name for word in ALL_ROLE_WORDS), name
        assert not _PUNCT.search(name), name
        outside = _outside_brackets(name)
        for protected in PROTECTED_NAMES:  # group names that hold a 、 of their own
            outside = outside.replace(protected, "")
        assert "、" not in outside, name
        assert name.count("（") + name.count("(") == name.count("）") + name.count(")"), name
        assert re.search(r"[\u4e00-\u9fff]", name), name


@settings(max_examples=200, deadline=None)
@given(CLAUSE_TEXT)
def test_a_clause_of_any_text_never_raises_and_names_clean_units(text):
    assert_clean(parse_clause(text))


@settings(max_examples=150, deadline=None)
@given(CLAUSE_TEXT, ROLES)
def test_a_cell_of_any_text_never_raises_and_names_clean_units(text, role):
    assert_clean(parse_cell_clause(text, role))


@settings(max_examples=100, deadline=None)
@given(CLAUSE_TEXT)
def test_the_finder_and_the_splitter_never_raise(text):
    found = find_clause(text)
    if found is not None:
        assert_clean(found[1])
    for name in split_units(text):
        assert not any(word in name for word in ALL_ROLE_WORDS), name


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(CLAUSE_TEXT, ROLES)
def test_many_more_clauses_and_cells_never_raise_and_name_clean_units(text, role):
    assert_clean(parse_clause(text))
    assert_clean(parse_cell_clause(text, role))
