"""The shipped ledgers: every seed task present, the export contract, and only genuine open points."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.plans.importers.seeds import write_seed_ledgers
from scheduler.plans.views import export_rows, open_points

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "data" / "sources"
CONFIG = load_config(ROOT / "config.yaml")
ROWS = export_rows(ROOT / "data", CONFIG)
BY_ID = {row["id"]: row for row in ROWS}


def test_every_seed_task_is_in_data():
    counts = Counter(row["plan"] for row in ROWS)
    # 000: 77 附件3 rows + 4 railway projects; 001: items 1-26; 002: 20 clause paragraphs;
    # 003: 17 clause paragraphs + 39 attachment rows; 004: rows 1-44.
    assert counts == {"changzhi-2019": 81, "changzhi-2022": 26, "jinzhong-2020": 20,
                      "jincheng-2020": 56, "zezhou-2023": 44}


def test_the_export_object_carries_the_contract_fields():
    required = {"plan", "id", "title", "measures", "deadline_text", "deadline", "lead_units",
                "cooperating_units", "responsible_units", "responsible_persons", "source"}
    for row in ROWS:
        assert required <= set(row), row["id"]
        assert set(row["deadline"]) == {"text", "kind", "due", "start", "end", "rrule", "notes"}
        file, line = row["source"].split(":")
        assert (SEEDS / file).exists() and int(line.split("-")[0]) > 0


@pytest.mark.parametrize("task_id, kind, due, lead, responsible", [
    ("changzhi-2019/r001", "due", ["2019-12-31"], ["市能源局"], ["市能源局"]),
    ("changzhi-2019/r002", "due", ["2019-12-31"], ["市工信局"], ["潞城区政府", "襄垣县政府", "武乡县政府"]),
    ("changzhi-2019/rail-1", "external", [], [], ["山西能投煤炭物流有限公司铁路综合物流园"]),
    ("changzhi-2022/3", "due", ["2023-06-30"], ["市工信局"], ["各县、区人民政府", "长治高新区、经开区管委会"]),
    ("zezhou-2023/6", "due", ["2023-03-31", "2023-07-31"], ["市生态环境局泽州分局"], ["市生态环境局泽州分局"]),
    ("zezhou-2023/28", "from", [], ["县公安交警大队"], ["县公安交警大队"]),
    ("zezhou-2023/44", "window", [], ["市生态环境局泽州分局"], ["市生态环境局泽州分局"]),
])
def test_hand_checked_tasks(task_id, kind, due, lead, responsible):
    row = BY_ID[task_id]
    assert row["deadline"]["kind"] == kind
    assert row["deadline"]["due"] == due
    assert row["lead_units"] == lead
    assert row["responsible_units"][:len(responsible)] == responsible


def test_persons_pair_with_their_units_in_row_order():
    row = BY_ID["changzhi-2019/r002"]
    assert row["responsible_persons"] == ["郭强", "贺思宇", "阎新平"]
    assert [p["unit"] for p in row["person_units"]] == ["潞城区政府", "襄垣县政府", "武乡县政府"]


def test_groups_expand_to_recipients():
    recipients = BY_ID["changzhi-2019/r004"]["recipients"]  # 各县区政府 responsible
    assert sum(name.endswith("人民政府") for name in recipients) == 12


def test_ledger_check_reports_only_genuine_open_points():
    points = open_points(ROOT / "data", CONFIG)
    kinds = Counter(p.kind for p in points)
    assert "unknown_deadline" not in kinds and "unknown_unit" not in kinds
    assert set(kinds) <= {"external_deadline", "ambiguous_group", "no_unit", "name_to_confirm",
                          "missing_deadline", "deadline_conflict"}
    assert kinds["missing_deadline"] == 3  # seed 000 lines 755, 800, 822: blank cells in the table
    written = {(p.task_id, p.written) for p in points}
    assert ("changzhi-2019/r013", "相关县区政府") in written
    assert ("changzhi-2019/rail-1", "按国家、省规定的时限") in written
    # DESIGN.md: 泽州县 item 3's cell says 2023年12月底前, its measure text 2024年12月底前完成
    assert ("zezhou-2023/3", "2023年12月底前") in {(p.task_id, p.written) for p in points
                                                 if p.kind == "deadline_conflict"}
    assert all(p.explanation for p in points)


def test_data_is_exactly_what_the_importers_produce(tmp_path):
    for target, _ledger, problems in write_seed_ledgers(SEEDS, tmp_path):
        assert problems == [], problems
        assert target.read_bytes() == (ROOT / "data" / target.name).read_bytes(), target.name


def test_ledger_export_json_from_the_command_line():
    result = subprocess.run([sys.executable, "-m", "scheduler", "ledger", "export", "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == len(ROWS)


def test_clause_parse_from_the_command_line():
    result = subprocess.run([sys.executable, "-m", "scheduler", "clause", "parse",
                             "（市发展改革委牵头，市工信局、市生态环境局配合，各县、区人民政府负责落实）", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    # the contract's four keys; the clause grammar adds keys (persons, open lists) after them
    assert json.loads(result.stdout).items() >= {
        "lead_units": ["市发展改革委"], "cooperating_units": ["市工信局", "市生态环境局"],
        "responsible_units": ["各县、区人民政府"], "applies_to_later_tasks": False}.items()
