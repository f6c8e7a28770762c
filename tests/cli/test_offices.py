"""Offices on the command line: `duban user create --office` and `duban user offices` (an account's
offices, read as a coordinator writes them, listed by `user list`, refused for unit users and
unknown offices), and `duban ledger export --office` (an office exports its own 台账)."""

from __future__ import annotations

import io
import json

import pytest

from scheduler.cli.main import main


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'duban.db'}")


def create(monkeypatch, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-horse-1\n"))
    return main(["user", "create", *args, "--password-stdin"])


@pytest.mark.slow  # two argon2 hashes and a fresh store's migrations: about 2.5 s
def test_a_coordinator_is_created_for_an_office_and_moved_to_another(store_env, monkeypatch, capsys):
    assert create(monkeypatch, "--name", "cz", "--role", "coordinator", "--office", "长治市大气办") == 0
    assert "发文机关：长治市大气污染防治工作领导组办公室" in capsys.readouterr().out
    assert create(monkeypatch, "--name", "sheng", "--role", "viewer") == 0
    assert "范围：全省" in capsys.readouterr().out
    assert main(["user", "offices", "cz", "--office", "晋城", "--office", "长治"]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--json"]) == 0
    offices = {u["name"]: u["offices"] for u in json.loads(capsys.readouterr().out)}
    assert offices == {"cz": ["晋城市大气污染防治工作领导组办公室", "长治市大气污染防治工作领导组办公室"], "sheng": []}


def test_an_unknown_office_or_a_unit_user_with_an_office_is_refused(store_env, monkeypatch, capsys):
    assert create(monkeypatch, "--name", "x", "--role", "coordinator", "--office", "太原") == 1
    assert "太原" in capsys.readouterr().err
    assert create(monkeypatch, "--name", "y", "--role", "unit", "--unit", "潞州区人民政府", "--office", "长治") == 1
    assert "--office 只用于协调员和查看者" in capsys.readouterr().err
    assert main(["user", "offices", "nobody", "--office", "长治"]) == 1


@pytest.mark.slow  # reads and resolves all five ledgers twice
def test_an_office_exports_only_its_own_plans(capsys):
    assert main(["ledger", "export", "--office", "长治"]) == 0
    plans = {row["plan"] for row in json.loads(capsys.readouterr().out)}
    assert plans == {"changzhi-2019", "changzhi-2022"}
    assert main(["ledger", "export", "--office", "晋城", "--office", "晋中"]) == 0
    plans = {row["plan"] for row in json.loads(capsys.readouterr().out)}
    assert plans == {"jincheng-2020", "jinzhong-2020", "zezhou-2023"}
