"""A new office's folder as a coordinator sets one up: the repository's unit directory and default rule
set, only its own plan (朔州市 2024, a city the directory has never seen), a config.yaml pointing at
them and no `issuers:` section; used by the command-line tests of a new city and a new office."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "tests" / "data" / "new_region" / "shuozhou-2024.yaml"


def office_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Lay the office out under tmp_path, point DUBAN_CONFIG at it and return its config file."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "units.yaml", data / "units.yaml")
    shutil.copy(LEDGER, data / LEDGER.name)
    (tmp_path / "rules").mkdir()
    shutil.copy(ROOT / "rules" / "default.yaml", tmp_path / "rules" / "default.yaml")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path / 'duban.db'}\ndata_dir: {data}\nrules_dir: {tmp_path / 'rules'}\n"
        f"templates_dir: {ROOT / 'templates'}\ncalendar_dir: {ROOT / 'data' / 'calendar'}\n"
        f"outbox: {tmp_path / 'out'}\n", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(config))
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.delenv("DUBAN_OUT", raising=False)
    return config


def run(capsys: pytest.CaptureFixture[str], *argv: str, errors: bool = False) -> tuple[int, str]:
    """Run `duban argv…`; return its exit code and what it printed (with stderr when `errors`)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out + captured.err if errors else captured.out
