"""libyaml reads plain documents fast, and the pure-Python loader stays the reference: every
shipped YAML file, and hundreds of mutated ones, read the same values, lines and errors both ways."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from scheduler import yamlsource
from scheduler.errors import InputError
from scheduler.yamlsource import load_yaml_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*ROOT.glob("data/**/*.yaml"), *ROOT.glob("rules/**/*.yaml"), ROOT / "config.yaml"])

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")


def _outcome(read, text: str):
    """Return what reading `text` gives: the values and line map, or the error's text."""
    try:
        data, lines = read(text)
        return "read", data, dict(lines)
    except InputError as exc:
        return "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - the reference's own crashes must be kept too
        return "crashed", type(exc).__name__


def _reference(text: str):
    return yamlsource._load_with_reference(text, "f.yaml")


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_file_reads_through_libyaml_with_the_references_values_and_lines(path):
    text = path.read_text(encoding="utf-8")
    fast = yamlsource._load_with_libyaml(text)
    assert fast is not None, "a shipped file should not need the slow reference"
    data, lines = _reference(text)
    assert fast[0] == data and dict(fast[1]) == dict(lines)


@needs_libyaml
def test_a_plain_ledger_does_not_touch_the_pure_loader(monkeypatch):
    def refuse(text, filename):
        raise AssertionError("the reference loader was used")

    monkeypatch.setattr(yamlsource, "_load_with_reference", refuse)
    data, lines = load_yaml_text("plan:\n  id: p\ntasks:\n  - id: t1\n    lead_units: [市生态环境局]\n", "p.yaml")
    assert data["tasks"][0]["lead_units"] == ["市生态环境局"] and lines.line_of(("tasks", 0, "lead_units")) == 5


def test_without_libyaml_the_pure_loader_reads_the_same(monkeypatch):
    text = (ROOT / "data" / "units.yaml").read_text(encoding="utf-8")
    with_libyaml = load_yaml_text(text, "units.yaml")
    monkeypatch.setattr(yamlsource, "_CLoader", None)
    without = load_yaml_text(text, "units.yaml")
    assert without[0] == with_libyaml[0] and dict(without[1]) == dict(with_libyaml[1])


def test_a_syntax_error_is_worded_as_the_pure_loader_words_it():
    with pytest.raises(InputError) as info:
        load_yaml_text("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert ("refused", str(info.value)) == _outcome(_reference, "a: 1\nb: [1, 2\nc: 3\n")
    assert "expected ',' or ']'" in info.value.problems[0].message  # libyaml says "did not find expected"


@pytest.mark.parametrize("text", [
    "a: \t1\n",                  # libyaml takes the tab as space
    "a: [x, y?]\n",              # libyaml takes the '?' as part of the scalar
    "a: |#\n  x\n",              # libyaml takes the comment after the indicator
    "a: !\n",                    # libyaml reads ''
    "\ufeff\ufeffa: 1\n",        # libyaml skips the second mark
    "---",                       # libyaml puts the node on line 2
    "a: !!int '3'\n",            # the reference crashes; so must we
    "a: &x [1, *x]\n",           # a self-referring alias
    "a: &x 1\nb: *x\n",          # an ordinary alias: its line is the alias's own
])
def test_where_the_parsers_disagree_the_reference_decides(text):
    assert _outcome(lambda t: load_yaml_text(t, "f.yaml"), text) == _outcome(_reference, text)


MUTATIONS = list(":-[]{}#&*!|>'\"\n ?,%@`\\\t") + ["\r\n", "  ", "- ", ": ", "\x85", "\u2028", "\ufeff", "...",
                                                  "---", "~", "0x", "2019-", "!!", "|-", ">+"]


def mutate_and_compare(cases: int, seed: int) -> None:
    """Mutate the beginnings of shipped files and require the same outcome both ways."""
    bases = [path.read_text(encoding="utf-8")[:1200] for path in SHIPPED[::4]]
    rng = random.Random(seed)
    for _ in range(cases):
        text = rng.choice(bases)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + rng.choice(MUTATIONS) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 3):]
        if "\x00" in text:
            continue
        assert _outcome(lambda t: load_yaml_text(t, "f.yaml"), text) == _outcome(_reference, text), repr(text)


def test_mutated_documents_read_the_same_as_with_the_reference():
    mutate_and_compare(40, seed=20261207)


@pytest.mark.slow
def test_many_more_mutated_documents_read_the_same_as_with_the_reference():
    mutate_and_compare(1500, seed=1207)


@needs_libyaml
def test_keys_that_are_numbers_dates_or_null_read_as_the_reference_reads_them():
    text = "1: a\n2019-01-01: b\nnull: c\ntrue: d\n1.5: [x, {2: y}]\n"
    fast = yamlsource._load_with_libyaml(text)
    assert fast is not None and (fast[0], dict(fast[1])) == (_reference(text)[0], dict(_reference(text)[1]))


@pytest.mark.parametrize("text", ["<<: {a: 1}\nb: 2\n", "a:\n  <<: {x: 1}\n  y: 2\n", "=: 1\n", "[a]: 1\n"])
def test_merge_keys_and_unusual_keys_are_left_to_the_reference(text):
    assert yamlsource._load_with_libyaml(text) is None
    assert _outcome(lambda t: load_yaml_text(t, "f.yaml"), text) == _outcome(_reference, text)


@needs_libyaml
def test_a_name_written_many_times_is_held_once_in_memory():
    text = "".join(f"- id: t{n}\n  lead_units: [市生态环境局, 市工信局]\n" for n in range(50))
    data, _ = load_yaml_text(text, "p.yaml")
    assert len({id(task["lead_units"][0]) for task in data}) == 1
    assert data[7]["lead_units"] == ["市生态环境局", "市工信局"]
