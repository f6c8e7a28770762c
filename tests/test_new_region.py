"""A plan of a city the unit directory has never seen (朔州市), tried as a new office would: export,
check, load, sweep and deliver with no traceback; the reminders reach the counties of the official
division list and provisional units; the open points list the names to confirm, and confirming,
merging or renaming them is followed by the next sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.newoffice import LEDGER, office_folder
from tests.newoffice import run as run_duban

DAY = "2024-05-31"  # 30 days before the plan's 6月底 deadlines
SHUOZHOU_COUNTIES = ["朔城区人民政府", "平鲁区人民政府", "山阴县人民政府", "应县人民政府", "右玉县人民政府",
                     "怀仁市人民政府"]


@pytest.fixture
def office(tmp_path: Path, monkeypatch) -> Path:
    """A new office: the repository's unit directory and default rule set, and only its own plan."""
    config = office_folder(tmp_path, monkeypatch)
    return config.parent / "data"


def run(capsys, *argv: str) -> tuple[int, str]:
    return run_duban(capsys, *argv)


def sweep(capsys) -> dict:
    code, out = run(capsys, "sweep", "--as-of", DAY, "--json")
    assert code == 0
    return json.loads(out)


@pytest.mark.slow
def test_export_and_check_read_a_new_citys_plan(office, capsys):
    code, out = run(capsys, "ledger", "export", "--data", str(office), "--format", "json")
    tasks = {t["id"]: t for t in json.loads(out)}
    assert code == 0
    assert tasks["shuozhou-2024/1"]["recipients"] == ["朔州市生态环境局", "朔州市工信局", *SHUOZHOU_COUNTIES]
    assert tasks["shuozhou-2024/1"]["provisional_units"] == ["朔州市生态环境局", "朔州市工信局"]
    assert tasks["shuozhou-2024/3"]["recipients"] == ["神头电厂（朔州市）"]
    code, out = run(capsys, "ledger", "check", "--data", str(office), "--json")
    points = json.loads(out)
    assert code == 0
    assert [(p["written"], p["unit"]) for p in points if p["kind"] == "provisional_unit"] == [
        ("市生态环境局", "朔州市生态环境局"), ("市工信局", "朔州市工信局"), ("市住建局", "朔州市住建局"),
        ("神头电厂", "神头电厂（朔州市）")]
    assert [p["task"] for p in points if p["kind"] == "no_unit"] == ["shuozhou-2024/4"]
    assert run(capsys, "check")[0] == 0


@pytest.mark.slow
def test_load_sweep_and_deliver_reach_the_counties_and_the_provisional_units(office, capsys):
    code, out = run(capsys, "load", str(office))
    assert code == 0 and "临时单位 4 个" in out
    result = sweep(capsys)
    reached = {(n["task"], n["unit"]) for n in result["created"] if n["level"] == "reminder"}
    assert {("shuozhou-2024/1", unit) for unit in ["朔州市生态环境局", *SHUOZHOU_COUNTIES]} <= reached
    assert ("shuozhou-2024/2", "朔州市住建局") in reached
    assert ("shuozhou-2024/3", "神头电厂（朔州市）") in reached
    assert any("1 项任务没有可提醒的单位（shuozhou-2024/4）" in w for w in result["warnings"])
    assert any("发给临时单位" in w for w in result["warnings"])
    code, out = run(capsys, "deliver", "--as-of", DAY)
    assert code == 0
    outbox = office.parent / "out"
    delivered = {path.name for path in outbox.rglob("*.eml")}  # the office's inbox: a digest per unit
    units = ["神头电厂（朔州市）", "朔州市生态环境局", *SHUOZHOU_COUNTIES]
    assert {f"digest_{unit}_{DAY}.eml" for unit in units} <= delivered


@pytest.mark.slow
def test_units_settled_by_a_coordinator_are_what_the_next_sweep_addresses(office, capsys):
    run(capsys, "load", str(office))
    code, out = run(capsys, "units", "list")
    assert code == 0 and "神头电厂（朔州市）[待确认]" in out
    assert run(capsys, "units", "confirm", "朔州市生态环境局", "--by", "王协调")[0] == 0
    assert run(capsys, "units", "merge", "朔州市工信局", "--into", "朔州市生态环境局", "--reason", "同一单位",
               "--by", "王协调")[0] == 0
    assert run(capsys, "units", "rename", "神头电厂（朔州市）", "--to", "国能神头发电有限责任公司", "--reason",
               "企业来函", "--by", "王协调")[0] == 0
    code, out = run(capsys, "units", "merge", "朔州市住建局", "--into", "没有这个局", "--reason", "x")
    assert code == 1 and "单位目录中没有" in out
    units = {n["unit"] for n in sweep(capsys)["created"]}
    assert {"朔州市生态环境局", "国能神头发电有限责任公司"} <= units
    assert not {"朔州市工信局", "神头电厂（朔州市）"} & units
    listed = json.loads(run(capsys, "units", "list", "--json")[1])
    assert [u["name"] for u in listed] == ["朔州市住建局"]


@pytest.mark.slow
@pytest.mark.parametrize(("document", "reached"), [
    ("xinzhou-2024-narrative.txt", {("xinzhou-2024/1", "忻州市生态环境局"), ("xinzhou-2024/1", "原平市人民政府"),
                                    ("xinzhou-2024/2", "忻府区人民政府"), ("xinzhou-2024/3", "忻州市发展改革委")}),
    ("yangquan-2024-table.md", {("yangquan-2024/1", "阳泉市城区人民政府"), ("yangquan-2024/1", "盂县人民政府"),
                                ("yangquan-2024/2", "阳泉市郊区人民政府"), ("yangquan-2024/3", "阳泉市工信局")}),
])
def test_a_new_citys_document_goes_import_load_sweep(office, capsys, document, reached):
    (office / LEDGER.name).unlink()  # the office has only the plan it just received
    code, out = run(capsys, "ledger", "import", str(LEDGER.parent / document), "--data", str(office))
    assert code == 0, out
    assert run(capsys, "load", str(office))[0] == 0
    result = sweep(capsys)
    assert reached <= {(n["task"], n["unit"]) for n in result["created"]}
    assert any("发给临时单位" in w for w in result["warnings"])
    points = json.loads(run(capsys, "ledger", "check", "--data", str(office), "--json")[1])
    assert {p["kind"] for p in points} == {"provisional_unit"}
