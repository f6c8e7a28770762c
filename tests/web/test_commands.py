"""`duban user create / list / passwd`, `duban web`'s server, and the console inside `duban serve`."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from scheduler.cli.main import main
from scheduler.store import open_store
from scheduler.web.accounts import authenticate
from scheduler.web.server import WebThread, make_server
from tests.web.builders import NOW, ROOT, free_port


@pytest.fixture
def config_file(tmp_path):
    port = free_port()
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: sqlite:///{tmp_path / 'duban.db'}\n"
        f"data_dir: {ROOT / 'data'}\nrules_dir: {ROOT / 'rules'}\ntemplates_dir: {ROOT / 'templates'}\n"
        f"calendar_dir: {ROOT / 'data' / 'calendar'}\noutbox: {tmp_path / 'out'}\n"
        f"web:\n  host: 127.0.0.1\n  port: {port}\n  with_serve: true\n  session_minutes: 60\n",
        encoding="utf-8")
    assert main(["--config", str(path), "load", str(ROOT / "data")]) == 0
    return path


def run(config_file, monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--config", str(config_file), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_first_coordinator_then_a_unit_user_from_the_command_line(config_file, monkeypatch, capsys):
    code, out, _ = run(config_file, monkeypatch, capsys, "user", "create", "--role", "coordinator", "--name", "wang",
                       "--display-name", "王协调", "--password-stdin", stdin="first-pass-1\n")
    assert code == 0 and "已创建协调人账号 wang" in out
    code, out, _ = run(config_file, monkeypatch, capsys, "user", "create", "--role", "unit", "--name", "luzhou",
                       "--unit", "潞州区人民政府", "--password-stdin", stdin="unit-pass-1\n")
    assert code == 0 and "单位：潞州区人民政府" in out
    code, _, err = run(config_file, monkeypatch, capsys, "user", "create", "--role", "unit", "--name", "x",
                       "--unit", "潞州区", "--password-stdin", stdin="unit-pass-1\n")
    assert code == 1 and "单位目录中没有：潞州区" in err
    code, out, _ = run(config_file, monkeypatch, capsys, "user", "list", "--json")
    users = json.loads(out)
    assert [(u["name"], u["role"], u["units"]) for u in users] == [
        ("wang", "coordinator", []), ("luzhou", "unit", ["潞州区人民政府"])]
    assert "password" not in out and "argon2" not in out
    code, out, _ = run(config_file, monkeypatch, capsys, "user", "passwd", "--name", "wang", "--password-stdin",
                       stdin="second-pass-2\n")
    assert code == 0
    store = open_store(f"sqlite:///{config_file.parent / 'duban.db'}")
    with store.session() as session:
        assert authenticate(session, "wang", "second-pass-2") is not None
        assert authenticate(session, "wang", "first-pass-1") is None
    store.dispose()


def test_user_create_without_a_terminal_says_how_to_give_the_password_instead_of_a_traceback(
        config_file, monkeypatch, capsys):
    import getpass

    def no_terminal(prompt: str = "") -> str:  # what getpass does with no tty and stdin at its end
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)
    with pytest.raises(SystemExit) as stopped:
        run(config_file, monkeypatch, capsys, "user", "create", "--role", "coordinator", "--name", "wang")
    assert "--password-stdin" in str(stopped.value.code) and "未创建账号" in str(stopped.value.code)


def test_the_web_server_answers_over_http(config_file):
    from scheduler.config import load_config

    config = load_config(config_file)
    store = open_store(config.database)
    web = WebThread(make_server(config, store, "127.0.0.1", free_port(), now=lambda: NOW)).start()
    try:
        base = f"http://127.0.0.1:{web.server.config.port}"
        assert httpx.get(f"{base}/login").status_code == 200
        assert httpx.get(f"{base}/api/queue").status_code == 401
        assert httpx.get(f"{base}/dashboard", follow_redirects=False).headers["location"] == "/login?next=/dashboard"
        assert "/api/queue/decide" in httpx.get(f"{base}/openapi.json").json()["paths"]
    finally:
        web.stop()
        store.dispose()


def test_serve_starts_the_console_when_configured_and_stops_on_sigterm(config_file):
    port = int(config_file.read_text(encoding="utf-8").split("port: ")[1].split()[0])
    env = {**os.environ, "DUBAN_SECRET": "serve-test-secret-0123456789"}
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "--config", str(config_file), "serve"],
                               cwd=config_file.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        answer = None
        for _ in range(300):  # the service validates rules and data first
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, process.stdout.read().decode()[-2000:]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_disabled_user_cannot_log_in_and_its_open_session_ends(config_file, monkeypatch, capsys):
    from fastapi.testclient import TestClient

    from scheduler.config import load_config
    from scheduler.store import schema as m
    from scheduler.web import create_app
    from tests.web.builders import login

    code, _, _ = run(config_file, monkeypatch, capsys, "user", "create", "--role", "coordinator", "--name", "wang",
                     "--password-stdin", stdin="first-pass-1\n")
    assert code == 0
    config = load_config(config_file)
    store = open_store(config.database)
    try:
        with TestClient(create_app(config, store, now=lambda: NOW)) as browser:
            assert login(browser, "wang", "first-pass-1").status_code == 303
            assert browser.get("/dashboard").status_code == 200
            code, out, _ = run(config_file, monkeypatch, capsys, "user", "disable", "wang", "--by", "admin")
            assert code == 0 and "已停用账号 wang，其已登录的会话全部失效" in out
            assert browser.get("/dashboard", follow_redirects=False).headers["location"] == "/login?next=/dashboard"
            assert browser.get("/api/session").status_code == 401
            assert login(browser, "wang", "first-pass-1").status_code == 401
            code, out, _ = run(config_file, monkeypatch, capsys, "user", "list")
            assert "wang  协调人（已停用）" in out
            code, out, _ = run(config_file, monkeypatch, capsys, "user", "disable", "wang")
            assert code == 0 and "本已停用" in out
            code, out, _ = run(config_file, monkeypatch, capsys, "user", "enable", "wang", "--by", "admin")
            assert code == 0 and "已启用账号 wang" in out
            assert login(browser, "wang", "first-pass-1").status_code == 303
            assert browser.get("/dashboard").status_code == 200
        code, _, err = run(config_file, monkeypatch, capsys, "user", "disable", "nobody")
        assert code == 1 and "没有此用户：nobody" in err
        with store.session() as session:
            from sqlalchemy import select

            actions = session.execute(select(m.AuditEntry.actor, m.AuditEntry.action)
                                      .where(m.AuditEntry.action.in_(["user.disable", "user.enable"]))
                                      .order_by(m.AuditEntry.id)).all()
        assert actions == [("admin", "user.disable"), ("admin", "user.enable")]
    finally:
        store.dispose()
