"""Every configuration value is checked when the file is read: a bad one is named by file, line
and key, and `deliver` and `serve` stop with that message instead of crashing later."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli.main import main
from scheduler.config import load_config
from scheduler.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("text", "line", "where", "says"), [
    ("timezone: Mars/Olympus\n", 1, "timezone", "时区"),
    ("database: sqlite:///x.db\ntimezone: ''\n", 2, "timezone", "时区"),
    ("database: mysql://root@db/duban\n", 1, "database", "数据库"),
    ("web:\n  host: 'my host'\n", 2, "web.host", "主机名"),
    ("web:\n  base_url: ftp://duban.example/\n", 2, "web.base_url", "http"),
    ("web:\n  base_url: 'http://duban.example:99999/'\n", 2, "web.base_url", "网址无效"),
    ("web:\n  secret_env: 'my secret'\n", 2, "web.secret_env", ""),
    ("delivery:\n  smtp:\n    host: \"mail.example\\r\\nBcc: x\"\n", 3, "delivery.smtp.host", "控制字符"),
    ("delivery:\n  smtp:\n    host: mail.example\n    domain: 'a b'\n", 4, "delivery.smtp.domain", "主机名"),
    ("outbox: \"out\\nbox\"\n", 1, "outbox", "控制字符"),
])
def test_a_bad_value_is_refused_naming_file_line_and_key(tmp_path, monkeypatch, text, line, where, says):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.delenv("DUBAN_OUT", raising=False)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_config(path)
    problem = refused.value.problems[0]
    assert (problem.file, problem.line, problem.where) == (str(path), line, where)
    assert says in problem.message and not problem.message.startswith("Value error")


def test_the_shipped_config_and_ordinary_values_pass(monkeypatch, tmp_path):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    load_config(ROOT / "config.yaml")
    path = tmp_path / "config.yaml"
    path.write_text("timezone: Asia/Urumqi\ndatabase: postgresql+psycopg://duban@10.0.0.5/duban\n"
                    "web:\n  host: '::'\n  base_url: 'https://督办.example:8443/duban'\n", encoding="utf-8")
    assert load_config(path).timezone == "Asia/Urumqi"


def test_a_bad_database_in_the_environment_is_named_as_such(monkeypatch):
    monkeypatch.setenv("DUBAN_DB", "duban.db")
    with pytest.raises(InputError) as refused:
        load_config(ROOT / "config.yaml")
    assert refused.value.problems[0].file == "环境变量 DUBAN_DB"


@pytest.mark.parametrize("command", ["deliver", "serve"])
def test_deliver_and_serve_refuse_to_start_on_an_unknown_time_zone(tmp_path, monkeypatch, capsys, command):
    path = tmp_path / "config.yaml"
    path.write_text((ROOT / "config.yaml").read_text(encoding="utf-8")
                    .replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus"), encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(path))
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'duban.db'}")
    assert main([command]) == 1
    assert f"{path}:3: timezone: 未知时区 'Mars/Olympus'" in capsys.readouterr().err


def test_a_relative_ca_file_is_read_from_the_config_folder_and_checked(tmp_path, monkeypatch):
    from scheduler.check import _config_paths

    monkeypatch.delenv("DUBAN_DB", raising=False)
    path = tmp_path / "config.yaml"
    path.write_text("delivery:\n  smtp:\n    host: mail.example\n    ca_file: certs/ca.pem\n", encoding="utf-8")
    config = load_config(path)
    assert config.delivery.smtp is not None and config.delivery.smtp.ca_file == str(tmp_path / "certs" / "ca.pem")
    found = [p for p in _config_paths(config, path) if p.where == "delivery.smtp.ca_file"]
    assert [(p.file, p.line) for p in found] == [(str(path), 4)] and "证书文件不存在" in found[0].message
