"""The command line on any date of 2019-2030, whether its year's holidays are official or provisional.

chinese-calendar stops at 2026 and no 2027 notice exists yet: from 1 January 2027 the sweep must go
on with the statutory rule and say so, never end in a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scheduler import clock
from scheduler.cli.main import main as duban_main

ROOT = Path(__file__).resolve().parents[2]
PROVISIONAL = "2027 年节假日安排尚未公布，工作日按法定节假日暂算"


def duban(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_fresh_store_sweeps_2027_with_the_provisional_warning(tmp_path: Path):
    env = dict(os.environ, DUBAN_DB=f"sqlite:///{tmp_path / 'cli.db'}", DUBAN_OUT=str(tmp_path / "out"))
    assert duban("load", "data/", env=env).returncode == 0
    for args in (("--as-of", "2027-01-05", "--dry-run"), ("--as-of", "2027-02-08")):
        result = duban("sweep", *args, "--json", env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        value = json.loads(result.stdout)
        assert {"as_of", "created", "unchanged"} <= set(value)
        assert value["as_of"] == args[1]
        assert any(PROVISIONAL in warning for warning in value["warnings"])
    # 8 February 2027 is 春节初三 under the statutory rule: a day off, said as such
    assert value["skipped"]


def run(capsys, *args: str) -> tuple[int, str]:
    code = duban_main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out


def walk_days() -> list[date]:
    """One day a month, on a varying weekday; plus the provisional 春节 and 国庆 of 2027."""
    days = [date(year, month, 1 + (year * 12 + month) % 28) for year in range(2019, 2031) for month in range(1, 13)]
    return days + [date(2027, 2, 5), date(2027, 2, 9), date(2027, 10, 4)]


def test_no_command_ends_in_a_traceback_on_any_date_from_2019_to_2030(tmp_path, monkeypatch, capsys):
    # Each command loads rules, units and targets anew (~0.5 s): the month-by-month walk goes
    # through the commands' own Runtime once, and the command line itself runs once a year.
    from scheduler.config import load_config
    from scheduler.delivery.run import deliver
    from scheduler.runtime import Runtime

    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'walk.db'}")
    monkeypatch.setenv("DUBAN_OUT", str(tmp_path / "out"))
    monkeypatch.chdir(ROOT)
    assert run(capsys, "load", "data/")[0] == 0
    runtime = Runtime(load_config())
    for day in walk_days():
        result = runtime.sweep(day, dry_run=True)
        assert any("尚未公布" in w for w in result.warnings) == (day.year >= 2027), day
    for year in range(2019, 2031):
        day = date(year, 12, 15) if year < 2027 else date(year, 3, 15)
        code, out = run(capsys, "sweep", "--as-of", day.isoformat(), "--dry-run", "--json")
        assert code == 0, day
        value = json.loads(out)
        assert {"as_of", "created", "unchanged"} <= set(value)
        assert any(PROVISIONAL.replace("2027", str(year)) in w for w in value["warnings"]) == (year >= 2027)
        runtime.sweep(day)  # stored, so that the year's notices can be delivered and explained
        if year >= 2026:
            deliver(runtime.store, runtime.config, runtime.calendar, day, now=clock.now(), pdf=False)
    for today in (date(2026, 11, 2), date(2027, 3, 15), date(2030, 12, 31)):
        monkeypatch.setattr(clock, "today", lambda today=today: today)
        code, out = run(capsys, "check")
        assert code == 0 and ("尚未公布" in out or "缺少 2027 年节假日数据" in out), (today, out)
    assert run(capsys, "deliver", "--as-of", "2027-03-16", "--no-pdf")[0] == 0
    assert run(capsys, "sweep", "--as-of", "2028-02-05")[0] == 0
    from sqlalchemy import func, select

    from scheduler.store import schema as m

    with runtime.store.session() as session:
        first = session.scalar(select(m.Notice.key).order_by(m.Notice.id))
        last = session.scalar(select(m.Notice.key).order_by(m.Notice.id.desc()))
        runs = session.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action == "sweep.run"))
    runtime.store.dispose()
    assert runs == 13
    for key in {first, last} - {None}:
        assert run(capsys, "explain", key)[0] == 0


def test_a_year_before_the_holiday_data_ends_in_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'old.db'}")
    monkeypatch.chdir(ROOT)
    code = duban_main(["sweep", "--as-of", "2003-03-03", "--dry-run", "--json"])
    assert code == 1
    assert "缺少 2003 年节假日数据" in capsys.readouterr().err


@pytest.mark.parametrize("day", ["2027-01-05", "2029-10-08"])
def test_explain_says_a_notice_was_decided_provisionally(tmp_path, monkeypatch, capsys, day):
    from scheduler import store as repo
    from scheduler.escalation.facts import Action
    from scheduler.store import open_store

    url = f"sqlite:///{tmp_path / 'explain.db'}"
    monkeypatch.setenv("DUBAN_DB", url)
    monkeypatch.chdir(ROOT)
    assert run(capsys, "load", "data/")[0] == 0
    as_of = date.fromisoformat(day)
    action = Action(key=f"overdue-urge|t/1|长治市能源局|{day}", level="urge", rule_id="overdue-urge",
                    ruleset_id="default", ruleset_version="1", plan_id="changzhi-2019", task_id=None,
                    unit="长治市能源局", due=as_of, kind="overdue", needs_review=False, clause="条款",
                    explanation="说明", facts={"calendar": "provisional:statutory-rule",
                                               "calendar_years": [as_of.year]})
    store = open_store(url)
    with store.session() as session:
        repo.insert_notices(session, [action], as_of)
        session.commit()
    store.dispose()
    code, out = run(capsys, "explain", action.key)
    assert code == 0 and f"{as_of.year} 年节假日安排当时尚未公布，按法定节假日暂算" in out
