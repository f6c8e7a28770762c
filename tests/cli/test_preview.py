"""`duban preview` as a user runs it: day by day JSON, a unit's short name, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def swept(tmp_path, monkeypatch):
    """A store with the 长治 2019 ledger (and the others) loaded and swept on 2019-12-02."""
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'duban.db'}")
    monkeypatch.setenv("DUBAN_OUT", str(tmp_path / "out"))
    assert main(["load", str(ROOT / "data")]) == 0
    assert main(["sweep", "--as-of", "2019-12-02"]) == 0
    return tmp_path / "duban.db"


@pytest.mark.slow
def test_preview_prints_each_day_and_writes_nothing(swept, capsys):
    before = swept.read_bytes()
    capsys.readouterr()
    assert main(["preview", "--from", "2019-12-09", "--to", "2019-12-10", "--unit", "潞州区", "--json"]) == 0
    value = json.loads(capsys.readouterr().out)
    assert value["unit"] == "潞州区人民政府" and [d["day"] for d in value["days"]] == ["2019-12-09", "2019-12-10"]
    units = [u for d in value["days"] for u in d["units"]]
    assert {u["unit"] for u in units} == {"潞州区人民政府"}
    letters = [lt for u in units for lt in u["letters"]]
    assert letters and all(lt["number"].startswith("长大气办函〔2019〕") and lt["items"] for lt in letters)
    item = units[0]["digest"][0]
    assert set(item) == {"key", "level", "plan", "task", "title", "due", "rule", "needs_review"}
    assert swept.read_bytes() == before


@pytest.mark.slow
def test_preview_refuses_an_unknown_unit_with_close_names(swept, capsys):
    assert main(["preview", "--from", "2019-12-09", "--to", "2019-12-10", "--unit", "能源局"]) == 1
    err = capsys.readouterr().err
    assert "能源局" in err and "长治市能源局" in err and "Traceback" not in err


@pytest.mark.slow
def test_preview_refuses_an_unknown_office_listing_the_known_ones(swept, capsys):
    assert main(["preview", "--from", "2019-12-09", "--to", "2019-12-10", "--office", "太原"]) == 1
    err = capsys.readouterr().err
    assert "太原" in err and "长治市大气污染防治工作领导组办公室" in err
