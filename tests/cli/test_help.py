"""Every option of every command says in Chinese what it is for, and argparse's own words are Chinese too."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.cli import summaries
from scheduler.cli.main import EXTRA_SPECS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_a_chinese_help_string():
    missing = []
    for path, parser in _commands(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or not re.search(r"[\u4e00-\u9fff]", action.help):
                missing.append(f"duban {' '.join(path)} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, "options without a Chinese description:\n" + "\n".join(missing)


def test_help_pages_use_chinese_headings(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["queue", "list", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("用法：duban queue list") and "选项" in text and "options:" not in text
    assert "--status" in text and "待审核" in text and "--unit" in text


def test_a_wrong_choice_or_missing_argument_is_reported_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["queue", "lis"])
    err = capsys.readouterr().err
    assert "无效" in err and "invalid choice" not in err
    with pytest.raises(SystemExit):
        main(["sweep", "--as-of", "明天"])
    err = capsys.readouterr().err
    assert "日期应为 YYYY-MM-DD" in err and "argument" not in err
    with pytest.raises(SystemExit):
        main(["queue", "list", "--status", "不存在"])
    assert "可选：待审核" in capsys.readouterr().err


@pytest.mark.slow
def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    """`duban ledger export | head -1`: the reader stops early; no BrokenPipeError, no traceback."""
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.Popen([sys.executable, "-m", "scheduler", "ledger", "export", "--format", "json"],
                              cwd=ROOT, stdout=reader.stdin, stderr=subprocess.PIPE)
    assert reader.stdin is not None
    reader.stdin.close()  # only `head` holds the read end now
    _, err = writer.communicate(timeout=120)
    assert reader.stdout is not None and reader.stdout.read() == b"["
    reader.wait(timeout=10)
    assert writer.returncode == 0, err.decode()
    assert b"BrokenPipe" not in err and b"Traceback" not in err, err.decode()


def test_every_command_and_group_has_a_chinese_summary_and_no_summary_is_left_over() -> None:
    build_parser()
    names = set(EXTRA_SPECS)
    groups = {name.split()[0] for name in names if " " in name}
    assert names == set(summaries.COMMANDS)
    assert groups == set(summaries.GROUPS)
    for text in [*summaries.COMMANDS.values(), *summaries.GROUPS.values()]:
        assert re.search(r"[\u4e00-\u9fff]", text), text


def test_the_top_level_help_lists_each_command_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert re.search(r"^\s+sweep\s+按规则检查任务，生成提醒并提出督办$", shown, re.MULTILINE)
    assert re.search(r"^\s+units\s+单位名录：", shown, re.MULTILINE)


def test_a_group_help_lists_its_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["units", "--help"])
    shown = capsys.readouterr().out
    for action in ("import", "list", "confirm", "merge", "rename"):
        assert re.search(rf"^\s+{action}\s+{re.escape(summaries.COMMANDS['units ' + action])}$", shown, re.MULTILINE)
