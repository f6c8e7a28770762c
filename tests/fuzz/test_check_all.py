"""`duban check` reports every broken input of an installation in one run, each with file and line,
and exits non-zero: a rule, a calendar override, a ledger and a template broken at once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def replace_first(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; return its line."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def installation(tmp_path: Path) -> None:
    for name in ("rules", "templates", "data"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")


def run_check(tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DUBAN_CONFIG=str(tmp_path / "config.yaml"), DUBAN_DB=f"sqlite:///{tmp_path / 'x.db'}")
    return subprocess.run([sys.executable, "-m", "scheduler", "check"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


def test_check_lists_a_broken_rule_calendar_ledger_and_template_together(tmp_path):
    installation(tmp_path)
    rule_line = replace_first(tmp_path / "rules" / "default.yaml", "type: overdue,", "type: overdew,")
    ledger_line = replace_first(tmp_path / "data" / "zezhou-2023.yaml", "deadline_text:", "deadline_textt:")
    (tmp_path / "data" / "calendar" / "2027.yaml").write_text(
        "year: 2027\nholidays: [{date: 2027-02-30, name: 春节}]\n", encoding="utf-8")
    template = tmp_path / "templates" / "digest.txt"
    template_lines = template.read_text(encoding="utf-8").count("\n")
    template.write_text(template.read_text(encoding="utf-8") + "{% if broken %}\n", encoding="utf-8")
    done = run_check(tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("错误：")]
    located = {re.match(r"错误：(\S+?):(\d+):", e).groups() for e in errors}
    assert (str(tmp_path / "rules" / "default.yaml"), str(rule_line)) in located
    assert (str(tmp_path / "data" / "zezhou-2023.yaml"), str(ledger_line)) in located
    assert (str(tmp_path / "data" / "calendar" / "2027.yaml"), "2") in located
    assert any(f == str(template) and int(n) > template_lines for f, n in located)
    assert len(errors) == 4 and "检查未通过：4 个问题" in done.stdout


def test_a_broken_config_does_not_hide_a_broken_rule(tmp_path):
    installation(tmp_path)
    config_line = replace_first(tmp_path / "config.yaml", 'sweep_at: "08:30"', 'sweep_at: "8h30"')
    rule_line = replace_first(tmp_path / "rules" / "default.yaml", "type: overdue,", "type: overdew,")
    done = run_check(tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("错误：")]
    located = {re.match(r"错误：(\S+?):(\d+):", e).groups() for e in errors}
    assert located == {(str(tmp_path / "config.yaml"), str(config_line)),
                       (str(tmp_path / "rules" / "default.yaml"), str(rule_line))}
    assert "其余各项按默认位置" in done.stdout
