"""Ledger loading at its edges: a file that is not a mapping, one plan id in two files (and in
three), a standing task with and without a written date, and the deadline context a ledger gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.plans.deadlines import DeadlineContext
from scheduler.plans.ledger import STANDING_NOTE, dump_ledger, load_ledger, load_ledgers, task_deadline
from tests.plans.test_ledger import GOOD, write


def test_a_file_that_is_not_a_mapping_is_one_problem_on_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "- 一个列表\n- 不是台账\n")
    with pytest.raises(InputError) as info:
        load_ledger(path)
    assert [(p.file, p.line, p.message) for p in info.value.problems] == [
        (str(path), 1, "台账文件应为映射（plan / targets / tasks）")]


@pytest.mark.parametrize("copies", [2, 3])
def test_one_plan_id_in_several_files_is_refused_naming_the_folder_and_the_id(tmp_path: Path, copies: int) -> None:
    for n in range(copies):
        write(tmp_path, GOOD, f"copy-{n}.yaml")
    write(tmp_path, GOOD.replace("test-2019", "other-2019"), "other.yaml")
    with pytest.raises(InputError) as info:
        load_ledgers(tmp_path)
    assert [(p.file, p.line, p.message) for p in info.value.problems] == [
        (str(tmp_path), None, "计划编号重复：test-2019")]
    assert str(info.value) == f"{tmp_path}: 计划编号重复：test-2019"


def test_different_plan_ids_load_together(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("test-2019", "other-2019"), "b.yaml")
    assert [ledger.plan.id for ledger in load_ledgers(tmp_path)] == ["test-2019", "other-2019"]


def test_a_ledger_gives_its_plan_period_and_the_region_heating_season(tmp_path: Path) -> None:
    ledger = load_ledger(write(tmp_path, GOOD))
    assert ledger.deadline_context((10, 15)) == DeadlineContext(
        plan_year=2019, period_start=date(2019, 10, 1), period_end=date(2020, 3, 31),
        heating_season_start=(10, 15))
    assert ledger.deadline_context().heating_season_start == (11, 1)


@pytest.mark.parametrize("text", ["", "  "])
def test_a_standing_task_without_a_written_date_is_ongoing_with_a_note(text: str) -> None:
    got = task_deadline(text, True, DeadlineContext(plan_year=2019))
    assert (got.text, got.kind, got.due, got.notes) == (text, "ongoing", (), (STANDING_NOTE,))


def test_a_standing_task_with_a_written_date_keeps_the_date() -> None:
    got = task_deadline("2019年12月底前", True, DeadlineContext(plan_year=2019))
    assert (got.kind, got.due) == ("due", (date(2019, 12, 31),))


def test_an_empty_cell_of_a_task_that_is_not_standing_stays_unknown() -> None:
    got = task_deadline("", False, DeadlineContext(plan_year=2019))
    assert got.kind == "unknown"
    assert STANDING_NOTE not in got.notes


def test_a_dumped_ledger_breaks_a_long_line_once_it_passes_100_columns_and_reads_back_the_same(
        tmp_path: Path) -> None:
    ledger = load_ledger(write(tmp_path, GOOD))
    remarks = "x" * 65 + " tail words here and more words"
    ledger.tasks[0].remarks = remarks
    text = dump_ledger(ledger)
    lines = text.splitlines()
    at = lines.index("  remarks: " + remarks.removesuffix(" words"))  # 101 columns: the next word wraps
    assert len(lines[at]) == 101 and lines[at + 1] == "    words"
    assert load_ledger(write(tmp_path, text, "again.yaml")) == ledger
