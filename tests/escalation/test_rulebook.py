"""The rule book across files: inheritance, one default, the effective rules of a plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.escalation import inhibit
from scheduler.escalation.ruleset import load_rulebook
from tests.escalation.test_ruleset import REMINDER, ruleset_text, write

URGE = """\
  - id: urge
    level: urge
    trigger: {type: overdue, after_workdays: 1}
    clause: c
    label: 逾期催办
"""
PROGRESS = """\
  - id: ask
    level: reminder
    trigger: {type: progress_request, every: month, nth_workday: 1, recurring_offsets: [{workdays: 3}]}
    clause: c
    label: 进展报送提醒
"""
UNSIGNED = """\
  - id: unsigned
    level: urge
    trigger: {type: ack_missing, after_workdays: 3, levels: [warning]}
    clause: c
    label: 未签收催办
    send_on_non_workdays: true
"""


def problems(paths: list[Path]) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as info:
        load_rulebook(paths)
    return [(Path(p.file).name, p.where, p.message) for p in info.value.problems]


def test_a_set_id_used_twice_is_named_with_the_file_that_had_it_first_and_later_files_still_checked(tmp_path):
    a = write(tmp_path, "a.yaml", ruleset_text(REMINDER, id="a", applies="[p1]"))
    again = write(tmp_path, "b.yaml", ruleset_text(REMINDER, id="a", applies="[p2]"))
    clash = write(tmp_path, "c.yaml", ruleset_text(REMINDER, id="c", applies="[p1]"))
    assert problems([a, again, clash]) == [
        ("b.yaml", "id", f"规则集编号重复：a（已见于 {a}）"),
        ("c.yaml", "applies_to.0", "计划 p1 已由规则集 a 适用"),
    ]


def test_only_one_set_may_be_the_default(tmp_path):
    first = write(tmp_path, "a.yaml", ruleset_text(REMINDER, id="a"))
    second = write(tmp_path, "b.yaml", ruleset_text(REMINDER, id="b"))
    assert problems([first, second]) == [("b.yaml", "applies_to", "默认规则集只能有一个（已有 a）")]


def test_a_cycle_of_extends_is_named_on_every_set_in_it_and_stops_nothing_else(tmp_path):
    a = write(tmp_path, "a.yaml", ruleset_text(REMINDER, id="a", applies="[p1]", extends="b",
                                               extra="disable: [remind]\n"))
    b = write(tmp_path, "b.yaml", ruleset_text(URGE, id="b", applies="[p2]", extends="a"))
    assert problems([a, b]) == [
        ("a.yaml", "extends", "规则集继承成环：a -> b -> a"),
        ("b.yaml", "extends", "规则集继承成环：b -> a -> b"),
    ]


def test_a_set_extending_a_broken_set_is_not_reported_twice(tmp_path):
    base = write(tmp_path, "base.yaml", ruleset_text(REMINDER, id="base", applies="[p1]", extends="nosuch"))
    # child disables a rule it could only inherit through the broken base: one problem, on base
    child = write(tmp_path, "child.yaml", ruleset_text(URGE, id="child", applies="[p2]", extends="base",
                                                       extra="disable: [remind]\n"))
    # a sound set after them is still checked
    other = write(tmp_path, "other.yaml", ruleset_text(URGE, id="other", applies="[p3]",
                                                       extra="disable: [nosuch]\n"))
    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    assert problems([base, child, other, tmp_path / "default.yaml"]) == [
        ("base.yaml", "extends", "extends 指向不存在的规则集：nosuch"),
        ("other.yaml", "disable.0", "disable 的规则 nosuch 不在继承的规则中"),
    ]


def test_a_rule_inherited_through_two_levels_may_be_disabled(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER + URGE))
    write(tmp_path, "middle.yaml", ruleset_text(PROGRESS, id="middle", applies="[p1]"))
    write(tmp_path, "leaf.yaml", ruleset_text("", id="leaf", applies="[p2]", extends="middle",
                                              extra="disable: [remind, ask]\n"))
    book = load_rulebook(tmp_path)
    assert [r.id for r in book.rules_for("p2").rules] == ["urge"]
    assert [r.id for r in book.rules_for("p1").rules] == ["remind", "urge", "ask"]


def test_a_plan_no_set_governs_gets_no_rules_and_the_default_inhibition(tmp_path):
    write(tmp_path, "plan.yaml", ruleset_text(REMINDER, id="plan", applies="[p1]"))
    none = load_rulebook(tmp_path).rules_for("p9")
    assert (none.ruleset_id, none.rules, none.inhibit_urges_days, none.progress_rule_ids,
            none.any_non_workday_rule) == ("", (), inhibit.DEFAULT_DAYS, frozenset(), False)


def test_the_effective_rules_carry_the_sets_inhibition_progress_rules_and_non_workday_flag(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER + PROGRESS, extra="inhibit_urges_days_after_interview: 20\n"))
    write(tmp_path, "plan.yaml", ruleset_text(UNSIGNED, id="plan", applies="[p1]"))
    write(tmp_path, "own.yaml", ruleset_text(URGE, id="own", applies="[p2]",
                                             extra="inhibit_urges_days_after_interview: 45\n"))
    book = load_rulebook(tmp_path)
    default, plan, own = book.rules_for("p9"), book.rules_for("p1"), book.rules_for("p2")
    assert (default.inhibit_urges_days, plan.inhibit_urges_days, own.inhibit_urges_days) == (20, 20, 45)
    assert default.progress_rule_ids == frozenset({"ask"})
    assert (default.any_non_workday_rule, plan.any_non_workday_rule) == (False, True)


def test_without_any_inhibition_setting_the_default_days_apply(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    assert load_rulebook(tmp_path).rules_for("p1").inhibit_urges_days == inhibit.DEFAULT_DAYS


def test_a_rule_is_compiled_once_and_every_rule_has_its_own_index(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER + URGE + PROGRESS + UNSIGNED))
    book = load_rulebook(tmp_path)
    rules = book.rules_for("p1").rules
    assert len({r.index for r in rules}) == 4
    assert [r.index for r in book.rules_for("p2").rules] == [r.index for r in rules]
    assert {r.id: r.folds for r in rules} == {"remind": True, "urge": True, "ask": True, "unsigned": False}
    assert rules[0].snapshot["trigger"]["offsets"] == [{"days": 7, "workdays": None}]


def test_how_far_ahead_a_rule_can_fire_allows_for_the_longest_holiday(tmp_path):
    days = REMINDER.replace("[{days: 7}]", "[{days: 7}, {days: 1}]")
    workdays = REMINDER.replace("id: remind", "id: remind-wd").replace("[{days: 7}]", "[{workdays: 3}]")
    write(tmp_path, "default.yaml", ruleset_text(days + workdays + URGE + PROGRESS))
    lead = {r.id: r.max_lead_days for r in load_rulebook(tmp_path).rules_for("p1").rules}
    assert lead == {"remind": 19, "remind-wd": 20, "urge": 0, "ask": 20}


def test_a_missing_rules_folder_is_named(tmp_path):
    with pytest.raises(InputError) as info:
        load_rulebook(tmp_path / "nosuch")
    [problem] = info.value.problems
    assert (problem.file, problem.message) == (str(tmp_path / "nosuch"), "规则目录不存在")


def test_a_list_of_rule_files_loads_those_files(tmp_path):
    path = write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    assert [r.id for r in load_rulebook([str(path)]).rules_for("p1").rules] == ["remind"]


def test_a_rules_folder_reads_yml_files_after_yaml_files(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    write(tmp_path, "plan.yml", ruleset_text(URGE, id="plan", applies="[p1]"))
    assert [r.id for r in load_rulebook(tmp_path).rules_for("p1").rules] == ["remind", "urge"]
