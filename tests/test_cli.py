"""The command-line contract of DESIGN.md, exercised as a user runs it: in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def duban(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_deadline_parse_prints_the_contract_object():
    result = duban("deadline", "parse", "2023 年 3 月和 7 月底前", "--json")
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)
    assert set(value) == {"text", "kind", "due", "start", "end", "rrule", "notes"}
    assert value["text"] == "2023 年 3 月和 7 月底前"
    assert value["kind"] == "due"
    assert value["due"] == ["2023-03-31", "2023-07-31"]


def test_deadline_parse_takes_the_year_from_plan_year():
    value = json.loads(duban("deadline", "parse", "11月底前", "--plan-year", "2019", "--json").stdout)
    assert value["due"] == ["2019-11-30"]
    assert value["notes"], "a guessed year must be noted"


def test_deadline_parse_without_json_prints_a_readable_table():
    result = duban("deadline", "parse", "按国家、省规定完成时限")
    assert result.returncode == 0
    assert "时限待定" in result.stdout


def test_an_unparseable_cell_is_unknown_not_a_crash():
    value = json.loads(duban("deadline", "parse", "尽快", "--json").stdout)
    assert value["kind"] == "unknown"
    assert value["due"] == []
