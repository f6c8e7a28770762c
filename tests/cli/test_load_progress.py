"""`duban load` shows its progress on a terminal and nothing but its summary when piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, stderr_on_terminal: bool) -> tuple[str, str]:
    """Run `duban load data`; return its standard output and what reached its standard error."""
    env = dict(os.environ, DUBAN_DB=f"sqlite:///{tmp_path / 'load.db'}", COLUMNS="120")
    if not stderr_on_terminal:
        done = subprocess.run([sys.executable, "-m", "scheduler", "load", "data"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr
    terminal, side = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "scheduler", "load", "data"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=side, text=True)
    os.close(side)
    seen = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child has gone and closed its end
            break
        if not chunk:
            break
        seen += chunk
    out = child.stdout.read() if child.stdout else ""
    assert child.wait(timeout=300) == 0
    os.close(terminal)
    return out, seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_on_a_terminal_the_load_shows_bars_for_reading_and_for_loading(tmp_path):
    out, terminal = load(tmp_path, stderr_on_terminal=True)
    assert "读取台账" in terminal and "载入任务" in terminal
    assert out.startswith("载入") and "\x1b" not in out


@pytest.mark.slow
def test_piped_the_load_prints_its_summary_and_no_control_characters(tmp_path):
    out, err = load(tmp_path, stderr_on_terminal=False)
    assert out.startswith("载入") and "\x1b" not in out + err and "载入任务" not in err
