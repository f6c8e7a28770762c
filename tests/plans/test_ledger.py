from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.plans.ledger import load_ledger, load_ledgers

GOOD = """\
plan:
  id: test-2019
  title: 测试方案
  issuer: 测试市人民政府办公室
  region: 长治市
  period_start: 2019-10-01
  period_end: 2020-03-31
  plan_year: 2019
  source_file: test.txt
tasks:
  - id: test-2019/1
    title: 洗煤行业整治
    deadline_text: 2019年12月底前
    lead_units: [市能源局]
    responsible_units: [市能源局]
    responsible_persons: [{name: 原文祥, unit: 市能源局}]
    source: test.txt:12
"""


def write(tmp_path: Path, text: str, name: str = "test-2019.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_loads_a_valid_ledger(tmp_path):
    ledger = load_ledger(write(tmp_path, GOOD))
    assert ledger.plan.id == "test-2019"
    assert ledger.tasks[0].responsible_persons[0].name == "原文祥"
    assert ledger.deadline_context().plan_year == 2019


def test_a_bad_source_reference_names_file_line_and_field(tmp_path):
    path = write(tmp_path, GOOD.replace("source: test.txt:12", "source: somewhere"))
    with pytest.raises(InputError) as info:
        load_ledger(path)
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == 17
    assert problem.where == "tasks.0.source"


def test_a_task_id_outside_its_plan_is_refused(tmp_path):
    path = write(tmp_path, GOOD.replace("id: test-2019/1", "id: other/1"))
    with pytest.raises(InputError, match="不以计划编号"):
        load_ledger(path)


def test_an_unknown_field_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace("    title: 洗煤行业整治\n", "    title: 洗煤行业整治\n    titel: x\n"))
    with pytest.raises(InputError) as info:
        load_ledger(path)
    assert info.value.problems[0].line == 13
    assert info.value.problems[0].where == "tasks.0.titel"


def test_load_ledgers_collects_problems_of_every_file(tmp_path):
    write(tmp_path, GOOD.replace("plan_year: 2019", "plan_year: soon"), "a.yaml")
    write(tmp_path, GOOD.replace("period_end: 2020-03-31", "period_end: 2019-01-01"), "b.yaml")
    (tmp_path / "units.yaml").write_text("not: a ledger\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_ledgers(tmp_path)
    files = {Path(p.file).name for p in info.value.problems}
    assert files == {"a.yaml", "b.yaml"}
