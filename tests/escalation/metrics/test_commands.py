"""`duban metrics import/status`, and `duban check` / `duban serve` refusing a broken metric rule file."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from scheduler.cli.main import main
from tests.escalation.metrics.builders import ROOT, days


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CONFIG", str(ROOT / "config.yaml"))
    monkeypatch.setenv("DUBAN_DB", f"sqlite:///{tmp_path / 'duban.db'}")
    return tmp_path


def _october(tmp_path):
    path = tmp_path / "october.csv"
    rows = [f"{d.isoformat()},潞城区,PM2.5,70\n" for d in days(date(2019, 10, 1), date(2019, 10, 31))]
    path.write_text("date,region,metric,value\n" + "".join(rows) + "2019-10-31,火星县,PM2.5,60\n", encoding="utf-8")
    return path


def test_import_reports_bad_rows_in_chinese_and_loads_the_good_ones(env, capsys):
    assert main(["metrics", "import", str(_october(env))]) == 1  # one row rejected
    out = capsys.readouterr().out
    assert "读取 32 行，有效数值 31 条（新增 31、更新 0、未变 0），问题 1 行（未导入）" in out
    assert "第33行 region列：未知的县区：“火星县”（单位名录中没有）" in out
    assert main(["metrics", "import", str(_october(env)), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["loaded"], data["unchanged"], data["bad_rows"]) == (31, 31, 1)
    assert data["problems"] == [{"file": str(env / "october.csv"), "sheet": None, "row": 33, "column": "region",
                                 "column_letter": "", "message": "未知的县区：“火星县”（单位名录中没有）"}]


def test_status_shows_target_cumulative_value_gap_rest_and_rank(env, capsys):
    main(["metrics", "import", str(_october(env))])
    capsys.readouterr()
    assert main(["metrics", "status", "--as-of", "2019-10-31", "--region", "潞城区", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [plan] = data["plans"]
    pm25 = [t for t in plan["targets"] if t["metric"] == "PM2.5"][0]
    # 31 days of 70 against 65.1; (65.1 × 183 − 2170) / 152 = 64.1 for the rest; the only county with data
    assert (pm25["value"], pm25["limit"], pm25["gap"], pm25["required_rest"]) == (70.0, 65.1, 4.9, 64.1)
    assert (pm25["rank"], pm25["rank_of"], pm25["on_track"], pm25["days_total"]) == (1, 1, False, 183)
    assert main(["metrics", "status", "--as-of", "2019-10-31", "--region", "潞城区"]) == 0
    text = capsys.readouterr().out
    assert ("潞城区 PM2.5累计平均浓度（2019-10-01~2020-03-31）：70.0微克/立方米，"
            "目标 65.1微克/立方米，差距 +4.9，未达序时进度") in text
    assert main(["metrics", "status", "--region", "火星县"]) == 2


def _broken_install(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "metrics" / "changzhi-2019.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace(
        "{type: dust_fall_over_cap, after_workdays: 5}", "{type: dust_fall_over_cap, after_days: 5}"), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8")
                      .replace("data_dir: data", f"data_dir: {ROOT / 'data'}")
                      .replace("rules_dir: rules", f"rules_dir: {rules}")
                      .replace("templates_dir: templates", f"templates_dir: {ROOT / 'templates'}")
                      .replace("calendar_dir: data/calendar", f"calendar_dir: {ROOT / 'data' / 'calendar'}"),
                      encoding="utf-8")
    line = next(i for i, text in enumerate(target.read_text(encoding="utf-8").splitlines(), 1) if "after_days" in text)
    return config, target, line


def test_check_and_serve_refuse_a_broken_metric_rule_file(env, monkeypatch, capsys):
    config, target, line = _broken_install(env)
    monkeypatch.setenv("DUBAN_CONFIG", str(config))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert f"错误：{target}:{line}: rules.6.trigger.after_days:" in out
    assert main(["serve"]) == 1
    assert f"{target}:{line}" in capsys.readouterr().err
