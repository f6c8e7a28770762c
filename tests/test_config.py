from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def test_it_reads_the_shipped_config(monkeypatch):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    config = load_config(ROOT / "config.yaml")
    assert config.database == "sqlite:///duban.db"
    assert config.heating_season_start("长治市") == (11, 1)
    assert config.heating_season_start("不存在的地区") == (11, 1)


def test_environment_overrides_database_and_outbox(monkeypatch, tmp_path):
    monkeypatch.setenv("DUBAN_DB", "sqlite:///elsewhere.db")
    monkeypatch.setenv("DUBAN_OUT", str(tmp_path / "outbox"))
    config = load_config(ROOT / "config.yaml")
    assert config.database == "sqlite:///elsewhere.db"
    assert config.outbox == tmp_path / "outbox"


def test_duban_config_selects_another_file(monkeypatch, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("database: sqlite:///other.db\nheating_season:\n  default: '11-15'\n",
                     encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(other))
    monkeypatch.delenv("DUBAN_DB", raising=False)
    config = load_config()
    assert config.database == "sqlite:///other.db"
    assert config.heating_season_start(None) == (11, 15)
    assert config.base_dir == tmp_path


def test_a_bad_value_names_the_line(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("database: sqlite://\nservice:\n  sweep_at: '25:00'\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(bad)
    problem = info.value.problems[0]
    assert problem.line == 3 and problem.where == "service.sweep_at"


def test_an_unknown_key_is_refused(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("databse: sqlite://\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(bad)
    assert info.value.problems[0].line == 1
