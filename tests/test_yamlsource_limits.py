"""YAML inputs are bounded: an alias bomb, a self-referring alias or an oversized file is refused
quickly with the file and line, while ordinary anchors still work."""

from __future__ import annotations

import time

import pytest

from scheduler.errors import InputError
from scheduler.yamlsource import MAX_YAML_BYTES, load_yaml_file, load_yaml_text

BOMB = """\
units:
  - &a ["市生态环境局", "市生态环境局", "市生态环境局", "市生态环境局", "市生态环境局", "市生态环境局"]
  - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  - &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  - &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  - &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  - &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_an_alias_bomb_in_a_data_file_is_refused_with_its_line_in_well_under_a_second(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text(BOMB, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        load_yaml_file(path)
    assert time.perf_counter() - started < 0.3
    problem = refused.value.problems[0]
    assert problem.file == str(path) and problem.line in range(5, 11)
    assert "别名" in problem.message and "100,000" in problem.message


def test_an_alias_inside_the_node_it_names_is_refused_not_a_recursion_error():
    with pytest.raises(InputError) as refused:
        load_yaml_text("a: &x\n  - 1\n  - *x\n", "loop.yaml")
    assert refused.value.problems[0].line == 3 and "循环" in refused.value.problems[0].message


def test_a_few_ordinary_anchors_still_load():
    data, lines = load_yaml_text("base: &b {timeout: 10}\nsmtp: *b\nweb: *b\n", "config.yaml")
    assert data["smtp"] == {"timeout": 10} and lines.line_of(("web",)) == 3


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.truncate(MAX_YAML_BYTES + 1)
    with pytest.raises(InputError) as refused:
        load_yaml_file(path)
    assert refused.value.problems[0].file == str(path) and "过大" in refused.value.problems[0].message


def test_nesting_deeper_than_python_can_recurse_is_refused_with_its_line():
    with pytest.raises(InputError) as refused:
        load_yaml_text("a: 1\nb: " + "[" * 3000 + "]" * 3000, "deep.yaml")
    assert refused.value.problems[0].line == 2 and "嵌套" in refused.value.problems[0].message
