"""The command-line contract of DESIGN.md, exercised as a user runs it: in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def store_env(tmp_path) -> dict:
    import os

    return dict(os.environ, DUBAN_DB=f"sqlite:///{tmp_path / 'cli.db'}", DUBAN_OUT=str(tmp_path / 'out'))


def test_load_sweep_review_and_explain_as_a_coordinator_would(tmp_path):
    env = store_env(tmp_path)
    assert duban("load", "data", env=env).returncode == 0
    # a warning follows an urge that went out: urge on 2019-11-01, warn ten working days later
    assert duban("sweep", "--as-of", "2019-11-01", env=env).returncode == 0
    assert duban("deliver", "--as-of", "2019-11-01", "--no-pdf", env=env).returncode == 0
    first = json.loads(duban("sweep", "--as-of", "2019-11-14", "--json", env=env).stdout)
    assert first["as_of"] == "2019-11-14"
    assert first["created"] and {"key", "level", "task", "unit", "due", "rule"} <= set(first["created"][0])
    assert {n["level"] for n in first["created"]} <= {"reminder", "urge", "warning", "interview"}
    again = json.loads(duban("sweep", "--as-of", "2019-11-14", "--json", env=env).stdout)
    assert again["created"] == [] and again["unchanged"] == len(first["created"])

    queue = json.loads(duban("queue", "list", "--json", env=env).stdout)
    escalations = [n for n in first["created"] if n["level"] in ("warning", "interview")]
    assert escalations and {n["key"] for n in queue} == {n["key"] for n in escalations}
    target = queue[0]
    approved = duban("queue", "approve", str(target["id"]), "--by", "王协调", env=env)
    assert approved.returncode == 0 and "已批准 1 项" in approved.stdout
    refused = duban("queue", "reject", "--all", "--by", "王协调", env=env)
    assert refused.returncode == 1 and "理由" in refused.stderr
    remaining = json.loads(duban("queue", "list", "--json", env=env).stdout)
    assert target["key"] not in {n["key"] for n in remaining}

    explained = json.loads(duban("explain", target["key"], "--json", env=env).stdout)
    assert explained["status"] == "approved" and explained["reviewed_by"] == "王协调"
    assert explained["clause"] and explained["explanation"]


def test_progress_and_sign_off_from_the_command_line(tmp_path):
    env = store_env(tmp_path)
    duban("load", "data", env=env)
    task = "changzhi-2019/r001"
    reported = duban("progress", "report", task, "--unit", "长治市能源局", "--percent", "60",
                     "--note", "整治方案已印发", "--by", "能源局张三", "--on", "2019-12-20", env=env)
    assert reported.returncode == 0, reported.stderr
    assert duban("progress", "signoff", task, "--by", "王协调", "--on", "2019-12-30", env=env).returncode == 0
    after = json.loads(duban("sweep", "--as-of", "2020-01-02", "--json", env=env).stdout)
    assert all(n["task"] != task for n in after["created"])
    unknown = duban("progress", "signoff", "no-such/1", "--by", "王协调", env=env)
    assert unknown.returncode == 1 and "没有此任务" in unknown.stderr


def test_check_fails_on_a_broken_rule_file_naming_file_and_line(tmp_path):
    import os
    import shutil

    for name in ("rules", "data", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    rule = tmp_path / "rules" / "default.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("level: urge", "level: scold", 1), encoding="utf-8")
    env = dict(os.environ, DUBAN_CONFIG=str(tmp_path / "config.yaml"))
    result = duban("check", env=env)
    assert result.returncode == 1
    assert "default.yaml:" in result.stdout and "检查未通过" in result.stdout


def test_a_coordinator_imports_a_plan_document_the_way_the_seeds_were(tmp_path):
    import yaml

    output = tmp_path / "zezhou.yaml"
    result = duban("ledger", "import", str(ROOT / "data" / "sources" / "004_2c352a127e1e31b3.txt"),
                   "--format", "markdown", "--plan-id", "zezhou-2023", "--title", "泽州县台账", "--issuer", "泽州县",
                   "--region", "泽州县", "--start", "2023-01-01", "--end", "2023-12-31", "--output", str(output))
    assert result.returncode == 0, result.stderr
    imported = yaml.safe_load(output.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((ROOT / "data" / "zezhou-2023.yaml").read_text(encoding="utf-8"))
    assert imported["tasks"] == shipped["tasks"]
    assert imported["targets"] == shipped["targets"]
