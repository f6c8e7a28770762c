from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.escalation.ruleset import load_rulebook, parse_ruleset

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "data" / "sources"

HEADER = """\
id: {id}
version: 1
title: 测试规则
applies_to: {applies}
{extends}clause: {{source: "001_5d70b785daafd91c.txt:114", text: 及时下发预警通知函}}
{extra}rules:{empty}
"""


def ruleset_text(
    rules: str, *, id: str = "default", applies: str = '"*"', extends: str = "", extra: str = ""
) -> str:
    head = HEADER.format(
        id=id,
        applies=applies,
        extends=f"extends: {extends}\n" if extends else "",
        extra=extra,
        empty="" if rules else " []",
    )
    return head + rules


REMINDER = """\
  - id: remind
    level: reminder
    trigger:
      type: before_due
      offsets: [{days: 7}]
    clause: c
    label: 到期提醒
"""


def problem_of(text: str, name: str = "rules/x.yaml"):
    with pytest.raises(InputError) as info:
        parse_ruleset(text, name)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_names_file_line_and_path_of_an_unknown_trigger():
    text = ruleset_text(REMINDER.replace("type: before_due", "type: before_deadline"))
    problem = problem_of(text)
    assert (problem.file, problem.line, problem.where) == (
        "rules/x.yaml",
        10,
        "rules.0.trigger.type",
    )
    assert "before_deadline" in problem.message


def test_it_rejects_an_offset_with_both_days_and_workdays():
    text = ruleset_text(REMINDER.replace("[{days: 7}]", "[{days: 7, workdays: 3}]"))
    problem = problem_of(text)
    assert (problem.line, problem.where) == (11, "rules.0.trigger.offsets.0")
    assert "days 或 workdays" in problem.message


def test_it_rejects_a_negative_offset_on_its_own_line():
    text = ruleset_text(REMINDER.replace("offsets: [{days: 7}]", "offsets:\n        - days: -7"))
    problem = problem_of(text)
    assert (problem.line, problem.where) == (12, "rules.0.trigger.offsets.0.days")


def test_it_rejects_an_unknown_trigger_parameter():
    text = ruleset_text(
        REMINDER.replace("offsets: [{days: 7}]", "offsets: [{days: 7}]\n      hour: 9")
    )
    problem = problem_of(text)
    assert (problem.line, problem.where) == (12, "rules.0.trigger.hour")


def test_it_rejects_an_unknown_level():
    problem = problem_of(ruleset_text(REMINDER.replace("level: reminder", "level: scold")))
    assert (problem.line, problem.where) == (8, "rules.0.level")


def test_it_rejects_a_level_the_trigger_cannot_produce():
    problem = problem_of(ruleset_text(REMINDER.replace("level: reminder", "level: interview")))
    assert (problem.line, problem.where) == (8, "rules.0.level")
    assert "before_due" in problem.message


def test_it_rejects_a_duplicate_rule_id_at_the_second_rule():
    problem = problem_of(ruleset_text(REMINDER + REMINDER))
    assert (problem.line, problem.where) == (14, "rules.1.id")
    assert "remind" in problem.message


def test_it_rejects_an_extends_of_a_missing_set(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    write(tmp_path, "plan.yaml", ruleset_text("", id="plan", applies="[p1]", extends="nosuch"))
    with pytest.raises(InputError) as info:
        load_rulebook(tmp_path)
    [problem] = info.value.problems
    assert (Path(problem.file).name, problem.line, problem.where) == ("plan.yaml", 5, "extends")
    assert "nosuch" in problem.message


def test_it_rejects_disabling_a_rule_that_is_not_inherited(tmp_path):
    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    write(
        tmp_path,
        "plan.yaml",
        ruleset_text("", id="plan", applies="[p1]", extra="disable: [remind, nosuch]\n"),
    )
    with pytest.raises(InputError) as info:
        load_rulebook(tmp_path)
    [problem] = info.value.problems
    assert (problem.line, problem.where) == (6, "disable.1")


def test_it_rejects_two_sets_claiming_one_plan(tmp_path):
    write(tmp_path, "a.yaml", ruleset_text(REMINDER, id="a", applies="[p1]"))
    write(tmp_path, "b.yaml", ruleset_text(REMINDER, id="b", applies="[p2, p1]"))
    with pytest.raises(InputError) as info:
        load_rulebook(tmp_path)
    [problem] = info.value.problems
    assert (Path(problem.file).name, problem.where) == ("b.yaml", "applies_to.1")


def test_it_collects_problems_of_every_file(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        ruleset_text(REMINDER.replace("level: reminder", "level: scold"), id="a"),
    )
    write(tmp_path, "b.yaml", ruleset_text(REMINDER + REMINDER, id="b", applies="[p2]"))
    with pytest.raises(InputError) as info:
        load_rulebook(tmp_path)
    assert sorted(Path(p.file).name for p in info.value.problems) == ["a.yaml", "b.yaml"]


def test_a_plan_set_overrides_and_disables_inherited_rules(tmp_path):
    urge = """\
  - id: urge
    level: urge
    trigger: {type: overdue, after_workdays: 1}
    clause: c
    label: 逾期催办
"""
    write(tmp_path, "default.yaml", ruleset_text(REMINDER + urge))
    plan_rules = REMINDER.replace("days: 7", "days: 3").replace("到期提醒", "三天提醒")
    write(
        tmp_path,
        "plan.yaml",
        ruleset_text(
            plan_rules, id="plan", applies="[p1]", extends="default", extra="disable: [urge]\n"
        ),
    )
    book = load_rulebook(tmp_path)
    plan = book.rules_for("p1")
    assert [(r.id, r.ruleset_id, r.offsets[0].days) for r in plan.rules] == [("remind", "plan", 3)]
    other = book.rules_for("p9")
    assert [(r.id, r.ruleset_id) for r in other.rules] == [
        ("remind", "default"),
        ("urge", "default"),
    ]


def test_the_shipped_rule_sets_load_and_follow_their_clauses():
    book = load_rulebook(RULES_DIR)
    changzhi = {r.id: r for r in book.rules_for("changzhi-2022").rules}
    assert changzhi["overdue-warning"].roles == ("responsible",)
    assert changzhi["remind-before-due"].roles == ("lead", "responsible")
    jincheng = {r.id: r for r in book.rules_for("jincheng-2020").rules}
    assert "progress-monthly" not in jincheng
    assert jincheng["progress-weekly"].rule.trigger.every == "week"
    assert jincheng["overdue-warning"].roles == ("lead", "responsible")
    assert book.ruleset_id_for("changzhi-2019") == "changzhi-2019"
    assert book.ruleset_id_for("some-new-plan") == "default"
    default = {r.id: r for r in book.rules_for("zezhou-2023").rules}
    assert [o.tag for o in default["remind-before-due"].offsets] == ["30d", "7d", "3wd", "1wd"]
    assert default["overdue-urge"].rule.trigger.after_workdays == 1
    assert default["overdue-warning"].rule.trigger.after_workdays == 10
    assert default["warning-unresolved-interview"].rule.trigger.after_workdays == 15
    assert default["serious-delay-interview"].rule.trigger.after_workdays == 30


def test_every_quoted_clause_stands_in_its_seed():
    seeds = {
        p.name: "".join(p.read_text(encoding="utf-8").split("\n")).replace("- 14 -", "")
        for p in SEEDS_DIR.glob("*.txt")
    }
    quoted = 0
    for loaded in load_rulebook(RULES_DIR).sets.values():
        for quote in loaded.model.clause:
            name = quote.source.split(":")[0]
            if name in seeds:
                assert quote.text.replace("（摘录无考核督察条款）", "") in seeds[name], (
                    loaded.file,
                    quote.section,
                )
                quoted += 1
    assert quoted >= 8


def _own_seed(plan_file: Path) -> str:
    import yaml

    return str(yaml.safe_load(plan_file.read_text(encoding="utf-8"))["plan"]["source_file"])[:3]


CITED_SEED = re.compile(r"^(\d{3})(?=[\s（(“])")


@pytest.mark.parametrize("plan_file", sorted((RULES_DIR.parent / "data").glob("*-*.yaml")), ids=lambda p: p.stem)
def test_no_plan_is_governed_by_another_plans_clause(plan_file):
    from scheduler.escalation.metrics.ruleset import load_metric_rules

    book = load_rulebook(RULES_DIR)
    own = _own_seed(plan_file)
    cited = {r.id: m.group(1) for r in book.rules_for(plan_file.stem).rules if (m := CITED_SEED.match(r.clause))}
    metric = load_metric_rules(RULES_DIR / "metrics").for_plan(plan_file.stem)
    for rule in metric.model.rules if metric else ():
        if m := CITED_SEED.match(rule.clause):
            cited[f"metrics/{rule.id}"] = m.group(1)
    assert {rule: seed for rule, seed in cited.items() if seed != own} == {}


def test_a_plan_without_a_rule_file_cites_no_plan_at_all():
    effective = load_rulebook(RULES_DIR).rules_for("yangquan-2024")
    assert effective.ruleset_id == "default"
    assert [r.id for r in effective.rules if CITED_SEED.match(r.clause) or "DESIGN.md" in r.clause] == []
