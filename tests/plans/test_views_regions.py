"""The ledger views of a plan from a city data/units.yaml does not declare: the export names its
recipients (official counties, provisional units) and the open points list the names to confirm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.plans.views import LABELS, export_rows, open_points

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "tests" / "data" / "new_region" / "shuozhou-2024.yaml"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new-region")
    shutil.copy(ROOT / "data" / "units.yaml", folder / "units.yaml")
    shutil.copy(LEDGER, folder / LEDGER.name)
    return folder


def test_the_export_names_every_recipient_and_marks_the_provisional_ones(data):
    rows = {row["id"]: row for row in export_rows(data, load_config(ROOT / "config.yaml"))}
    first = rows["shuozhou-2024/1"]
    assert first["recipients"][:3] == ["朔州市生态环境局", "朔州市工信局", "朔城区人民政府"]
    assert len(first["recipients"]) == 8 and first["provisional_units"] == ["朔州市生态环境局", "朔州市工信局"]
    assert rows["shuozhou-2024/2"]["provisional_units"] == ["朔州市住建局"]  # 朔城区政府 is official
    assert rows["shuozhou-2024/4"]["recipients"] == []


def test_the_open_points_list_the_names_to_confirm_with_the_unit_each_became(data):
    points = open_points(data, load_config(ROOT / "config.yaml"))
    provisional = [p for p in points if p.kind == "provisional_unit"]
    assert [(p.task_id, p.written, p.unit) for p in provisional] == [
        ("shuozhou-2024/1", "市生态环境局", "朔州市生态环境局"), ("shuozhou-2024/1", "市工信局", "朔州市工信局"),
        ("shuozhou-2024/2", "市住建局", "朔州市住建局"), ("shuozhou-2024/3", "神头电厂", "神头电厂（朔州市）")]
    assert all("duban units confirm" in p.explanation for p in provisional)
    assert provisional[0].to_json()["unit"] == "朔州市生态环境局"
    assert f"[{LABELS['provisional_unit']}]" in provisional[0].describe()
    assert [p.kind for p in points if p.task_id == "shuozhou-2024/4"] == ["no_unit"]
    assert not [p for p in points if p.kind == "unknown_unit"]  # nothing is left without a unit
