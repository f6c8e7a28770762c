"""`duban serve`: APScheduler as a clock only, refusal on a broken rule set, clean shutdown."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from scheduler.config import load_config
from scheduler.service import build_scheduler

ROOT = Path(__file__).resolve().parents[1]


def test_the_scheduler_has_static_daily_jobs_in_shanghai_time():
    config = load_config(ROOT / "config.yaml")
    scheduler = build_scheduler(config, sweep=lambda day: None, deliver=lambda day: None)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"daily-sweep", "daily-deliver", "interval-deliver", "monthly-bulletin"}  # 通报: idle most days
    sweep = jobs["daily-sweep"].trigger
    assert str(sweep.timezone) == "Asia/Shanghai"
    fields = {f.name: str(f) for f in sweep.fields}
    assert (fields["hour"], fields["minute"]) == ("8", "30")
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["misfire_grace_time"] == config.service.misfire_grace_seconds
    assert scheduler._job_defaults["max_instances"] == 1


def make_install(tmp_path: Path, break_rules: bool) -> dict:
    for name in ("rules", "templates", "data"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    if break_rules:
        path = tmp_path / "rules" / "default.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("type: overdue,", "type: overdew,", 1),
                        encoding="utf-8")
    env = dict(os.environ, DUBAN_CONFIG=str(tmp_path / "config.yaml"),
               DUBAN_DB=f"sqlite:///{tmp_path / 'duban.db'}", PYTHONUNBUFFERED="1")
    return env


def test_the_service_refuses_to_start_on_a_broken_rule_set(tmp_path):
    env = make_install(tmp_path, break_rules=True)
    result = subprocess.run([sys.executable, "-m", "scheduler", "serve"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "default.yaml:" in result.stderr and "服务未启动" in result.stderr


def test_the_service_stops_cleanly_on_sigterm(tmp_path):
    env = make_install(tmp_path, break_rules=False)
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "serve"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "service started" in line:
            break
    assert any("service started" in line for line in lines), "".join(lines)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "service stopped" in output
