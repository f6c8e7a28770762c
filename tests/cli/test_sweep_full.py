"""`duban sweep --full` re-evaluates every task instead of the ones the incremental record picks; a
coordinator runs it to check, and it must find exactly what the daily sweep found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # loads and sweeps the seed ledgers


def test_a_full_sweep_after_the_daily_one_finds_nothing_more_and_its_dry_run_the_same(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'duban.db'}")
    assert main(["load", str(ROOT / "data")]) == 0
    for day in ("2019-11-01", "2019-11-13"):
        assert main(["sweep", "--as-of", day]) == 0
    capsys.readouterr()
    assert main(["sweep", "--as-of", "2019-11-14", "--dry-run", "--full", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert main(["sweep", "--as-of", "2019-11-14", "--json"]) == 0
    daily = json.loads(capsys.readouterr().out)
    assert daily["created"] and daily["created"] == planned["created"]
    assert main(["sweep", "--as-of", "2019-11-14", "--full", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["created"] == [] and again["unchanged"] >= len(daily["created"])
