import pytest
from pydantic import BaseModel, ConfigDict

from scheduler.errors import InputError
from scheduler.yamlsource import load_yaml_text, validate


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Item]


def test_it_maps_nested_paths_to_lines():
    data, lines = load_yaml_text("items:\n  - name: a\n    count: 1\n  - name: b\n    count: 2\n", "x.yaml")
    assert data["items"][1]["name"] == "b"
    assert lines.line_of(("items", 1, "count")) == 5
    assert lines.line_of(("items", 0)) == 2


def test_it_names_file_line_and_field_of_a_validation_error():
    text = "items:\n  - name: a\n    count: 1\n  - name: b\n    count: many\n"
    data, lines = load_yaml_text(text, "plan.yaml")
    with pytest.raises(InputError) as info:
        validate(Doc, data, "plan.yaml", lines)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.where) == ("plan.yaml", 5, "items.1.count")
    assert str(problem).startswith("plan.yaml:5: items.1.count:")


def test_it_locates_a_missing_field_at_its_parent():
    data, lines = load_yaml_text("items:\n  - name: a\n", "m.yaml")
    with pytest.raises(InputError) as info:
        validate(Doc, data, "m.yaml", lines)
    assert info.value.problems[0].line == 2


def test_it_reports_a_syntax_error_with_its_line():
    with pytest.raises(InputError) as info:
        load_yaml_text("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml")
    assert info.value.problems[0].file == "broken.yaml"
    assert info.value.problems[0].line == 3


def test_an_impossible_date_names_its_line():
    with pytest.raises(InputError) as info:
        load_yaml_text("a: 1\nday: 2027-02-30\n", "cal.yaml")
    problem = info.value.problems[0]
    assert problem.line == 2
    assert "2027-02-30" in problem.message
