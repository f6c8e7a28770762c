"""The words and places of rule-file errors: an unknown trigger lists every trigger there is, a key
that happens to share a trigger's name keeps its place in the path, and a YAML syntax error names
the file it is in."""

from __future__ import annotations

import pytest

from scheduler.errors import InputError
from scheduler.escalation.ruleset import parse_ruleset
from tests.escalation.test_ruleset import REMINDER, ruleset_text


def problems_of(text: str) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(InputError) as info:
        parse_ruleset(text, "rules/x.yaml")
    return [(p.file, p.line, p.where, p.message) for p in info.value.problems]


def test_an_unknown_trigger_lists_every_trigger_a_rule_may_use():
    assert problems_of(ruleset_text(REMINDER.replace("type: before_due", "type: before_deadline"))) == [(
        "rules/x.yaml", 10, "rules.0.trigger.type",
        "未知的触发条件 'before_deadline'；可用：before_due、progress_request、window_start、window_end、"
        "progress_missing、overdue、warning_unresolved、serious_delay、ack_missing",
    )]


def test_an_unknown_key_named_like_a_trigger_keeps_its_place_in_the_path():
    text = ruleset_text(REMINDER.replace("label: 到期提醒", "label: 到期提醒\n    overdue: 1"))
    assert problems_of(text) == [("rules/x.yaml", 14, "rules.0.overdue", "Extra inputs are not permitted")]


def test_a_yaml_syntax_error_names_its_file_and_line():
    [(file, line, _where, message)] = problems_of("id: [unclosed\n")
    assert (file, line) == ("rules/x.yaml", 2) and message.startswith("YAML 错误：")
