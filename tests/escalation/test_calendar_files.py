"""Holiday files a coordinator writes: every mistake named by file, line and entry; the folder read
whole; the years the calendar knows and warns about."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.escalation.calendar import (
    LIBRARY_FIRST_YEAR,
    LIBRARY_LAST_YEAR,
    WorkCalendar,
    folder_signature,
    load_override,
)
from scheduler.escalation.ruleset import parse_ruleset
from tests.escalation.test_ruleset import ruleset_text

BROKEN_2027 = """\
year: 2028
source: 测试
holidays:
  - name: 元旦
    date: 2027-01-01
  - name: 跨年
    date: 2026-12-31
workdays:
  - name: 重复
    date: 2027-01-01
  - name: 周三
    date: 2027-01-06
"""
GOOD_2027 = "year: 2027\nsource: 国务院办公厅通知\nholidays:\n  - {date: 2027-01-01, name: 元旦}\nworkdays: []\n"


def problems_of(call) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(InputError) as info:
        call()
    return [(Path(p.file).name, p.line, p.message, p.where) for p in info.value.problems]


def test_every_mistake_of_a_holiday_file_is_named_with_its_line_and_entry(tmp_path: Path):
    path = tmp_path / "2027.yaml"
    path.write_text(BROKEN_2027, encoding="utf-8")
    assert problems_of(lambda: load_override(path)) == [
        ("2027.yaml", 1, "年份 2028 与文件名 2027.yaml 不一致", "year"),
        ("2027.yaml", 7, "日期 2026-12-31 不在 2027 年内", "holidays.1.date"),
        ("2027.yaml", 10, "日期 2027-01-01 重复（已见于 holidays.0.date）", "workdays.0.date"),
        ("2027.yaml", 10, "调休上班日 2027-01-01 不是周末；workdays 只列需要上班的周六、周日", "workdays.0.date"),
        ("2027.yaml", 12, "调休上班日 2027-01-06 不是周末；workdays 只列需要上班的周六、周日", "workdays.1.date"),
    ]


def test_a_good_holiday_file_keeps_its_source(tmp_path: Path):
    path = tmp_path / "2027.yaml"
    path.write_text(GOOD_2027, encoding="utf-8")
    override = load_override(path)
    assert (override.year, override.source, override.holidays) == (2027, "国务院办公厅通知",
                                                                   frozenset({date(2027, 1, 1)}))


def test_a_holiday_file_not_named_by_its_year_is_refused(tmp_path: Path):
    for name in ("holidays.yaml", "2027.yml"):
        path = tmp_path / name
        path.write_text(GOOD_2027, encoding="utf-8")
        assert problems_of(lambda p=path: load_override(p)) == [
            (name, None, "节假日文件名应为 <年份>.yaml，例如 2027.yaml", "")]


def test_a_missing_calendar_folder_is_named(tmp_path: Path):
    assert problems_of(lambda: WorkCalendar.load(tmp_path / "nosuch")) == [
        ("nosuch", None, "节假日目录不存在", "")]


def test_the_folder_is_read_whole_past_notes_and_broken_files(tmp_path: Path):
    (tmp_path / "2026.md").write_text("说明", encoding="utf-8")  # sorts before the year files
    (tmp_path / "2027.yaml").write_text(GOOD_2027, encoding="utf-8")
    assert 2027 in WorkCalendar.load(tmp_path).overrides
    # a .yml file is a mistake to report, and every broken file is reported
    (tmp_path / "2028.yml").write_text(GOOD_2027.replace("2027", "2028"), encoding="utf-8")
    (tmp_path / "2029.yaml").write_text(GOOD_2027, encoding="utf-8")
    assert [(name, where) for name, _, _, where in problems_of(lambda: WorkCalendar.load(tmp_path))] == [
        ("2028.yml", ""), ("2029.yaml", "year"), ("2029.yaml", "holidays.0.date")]


def test_a_loaded_calendar_remembers_the_year_files_it_read(tmp_path: Path):
    (tmp_path / "2026.md").write_text("说明", encoding="utf-8")
    (tmp_path / "2027.yaml").write_text(GOOD_2027, encoding="utf-8")
    (tmp_path / "2028.yml").write_text("", encoding="utf-8")
    signature = folder_signature(tmp_path)
    assert [name for name, _, _ in signature] == ["2027.yaml", "2028.yml"]
    (tmp_path / "2028.yml").unlink()
    (tmp_path / "2025.yaml").symlink_to(tmp_path / "gone.yaml")  # a dangling link: nothing to stat
    assert [name for name, _, _ in folder_signature(tmp_path)] == ["2027.yaml"]
    (tmp_path / "2025.yaml").unlink()
    assert WorkCalendar.load(tmp_path).signature == folder_signature(tmp_path)


def test_the_years_known_and_provisional_run_from_the_librarys_first_year(tmp_path: Path):
    calendar = WorkCalendar.load(tmp_path)
    assert calendar.knows_year(LIBRARY_FIRST_YEAR)
    assert not calendar.knows_year(LIBRARY_FIRST_YEAR - 1)
    later = LIBRARY_LAST_YEAR + 3
    assert calendar.provisional_years(later, later + 1) == [later, later + 1]


def test_a_year_before_the_library_names_the_file_to_add(tmp_path: Path):
    year = LIBRARY_FIRST_YEAR - 1
    [warning] = WorkCalendar.load(tmp_path).warnings(date(year, 3, 1))
    assert f"{(tmp_path / f'{year}.yaml').as_posix()}" in warning


def test_an_unsigned_letter_rule_may_follow_only_levels_whose_letters_are_signed():
    rule = """\
  - id: unsigned
    level: urge
    trigger: {type: ack_missing, after_workdays: 3, levels: [reminder]}
    clause: c
    label: 未签收催办
"""
    with pytest.raises(InputError) as info:
        parse_ruleset(ruleset_text(rule), "rules/x.yaml")
    [problem] = info.value.problems
    assert "'reminder' 不是须签收的函件级别；可用：warning、interview" in problem.message
