"""The corpus of real plans (tests/data/plans/) is well formed; the importer is never run here."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent.parent / "data" / "plans"
KINDS = {"due", "ongoing", "year_long", "external", "window", "from", "recurring", "season", "none"}
ROLES = ("lead_units", "cooperating_units", "responsible_units")
ROLE_WORDS = ("牵头", "牽頭", "配合", "参与", "參與", "协同", "協同", "协助", "協助", "负责", "負責",
              "落实", "落實", "主责", "协办", "督导", "责任单位", "責任單位", "责任人", "责任领导")
# Punctuation that separates or ends a list; brackets are allowed when they belong to a name.
LIST_PUNCTUATION = re.compile(r"[，,。；;：:、\s“”\"'〔〕［］【】\[\]]")
SOURCE_NAMES = ("source.txt", "source.md", "source.html")
SOURCE_KEYS = ("url", "title", "city", "province", "issuer", "year", "shape", "excerpt", "retrieved")
PAREN = str.maketrans("()", "（）")


def documents() -> list[Path]:
    return sorted(path.parent for path in CORPUS.glob("*/expected.yaml"))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def squash(text: str) -> str:
    """Compare texts the way a reader does: no spaces, one form of brackets and commas."""
    return re.sub(r"\s+", "", text).translate(PAREN).replace(",", "，")


def outside_brackets(name: str) -> str:
    """The part of a unit name outside its （…） groups, where list punctuation must not appear."""
    previous = None
    text = name.translate(PAREN)
    while previous != text:
        previous, text = text, re.sub(r"（[^（）]*）", "", text)
    return text


def written_out_from_a_shared_list(name: str, text: str) -> bool:
    """A name written with a prefix or suffix its list shares: 各区、县级市 gives 各县级市."""
    return any(re.search(re.escape(name[:cut]) + r"[^，；。]*、[^，；。]*" + re.escape(name[cut:]), text)
               for cut in range(1, len(name)))


def test_the_corpus_holds_at_least_twelve_documents() -> None:
    assert len(documents()) >= 12


def test_the_corpus_holds_at_least_120_annotated_tasks() -> None:
    assert sum(len(load(doc / "expected.yaml")["tasks"]) for doc in documents()) >= 120


@pytest.mark.parametrize("doc", documents(), ids=lambda path: path.name)
def test_every_document_has_one_source_and_its_provenance(doc: Path) -> None:
    sources = [name for name in SOURCE_NAMES if (doc / name).exists()]
    assert len(sources) == 1, f"{doc.name}: expected one of {SOURCE_NAMES}"
    meta = load(doc / "source.yaml")
    missing = [key for key in SOURCE_KEYS if key not in meta]
    assert not missing, f"{doc.name}/source.yaml lacks {missing}"
    assert meta["city"], f"{doc.name}: the page must name its city"
    assert not any(name in str(meta["city"]) for name in ("大同", "监利", "郑州", "吕梁"))
    date.fromisoformat(str(meta["retrieved"]))
    for name in meta.get("rekeyed", []) or []:
        assert (doc / name).exists(), f"{doc.name}: re-keyed file {name} is missing"


@pytest.mark.parametrize("doc", documents(), ids=lambda path: path.name)
def test_every_annotation_follows_the_schema(doc: Path) -> None:
    expected = load(doc / "expected.yaml")
    assert expected["document"] == doc.name
    assert expected["plan_year"] is None or 1990 < int(expected["plan_year"]) < 2100
    assert expected["tasks"], f"{doc.name}: no task annotated"
    for task in expected["tasks"]:
        where = f"{doc.name} task {task.get('number')}"
        assert str(task["number"]).strip() and str(task["title"]).strip(), where
        assert isinstance(task.get("path", []), list), where
        deadline = task["deadline"]
        assert deadline["kind"] in KINDS, where
        assert isinstance(deadline["text"], str), where
        if deadline["kind"] == "due":
            assert deadline["due"], f"{where}: a due deadline names its dates"
            for day in deadline["due"]:
                date.fromisoformat(day)
        if deadline["kind"] == "none":
            assert deadline["text"] == "" and "due" not in deadline, where
        for role in ROLES:
            assert isinstance(task[role], list), f"{where}: {role}"


@pytest.mark.parametrize("doc", documents(), ids=lambda path: path.name)
def test_no_unit_name_holds_a_role_word_or_list_punctuation(doc: Path) -> None:
    for task in load(doc / "expected.yaml")["tasks"]:
        for role in ROLES:
            for name in task[role]:
                where = f"{doc.name} task {task['number']} {role}: {name!r}"
                assert name and name == name.strip(), where
                assert not any(word in name for word in ROLE_WORDS), where
                assert not LIST_PUNCTUATION.search(outside_brackets(name)), where
                assert not name.endswith(("等", "等部门", "相关部门")), where
                assert name.translate(PAREN).count("（") == name.translate(PAREN).count("）"), where


@pytest.mark.parametrize("doc", documents(), ids=lambda path: path.name)
def test_annotated_titles_and_units_are_read_from_the_source(doc: Path) -> None:
    source = next(doc / name for name in SOURCE_NAMES if (doc / name).exists())
    text = squash(source.read_text("utf-8"))
    for task in load(doc / "expected.yaml")["tasks"]:
        assert squash(task["title"])[:6] in text, f"{doc.name}: title {task['title']!r} not in source"
        for role in ROLES:
            for name in task[role]:
                bare = squash(name).removeprefix("市").removeprefix("县").removeprefix("区")
                assert bare in text or written_out_from_a_shared_list(squash(name), text), \
                    f"{doc.name}: unit {name!r} not in source"
