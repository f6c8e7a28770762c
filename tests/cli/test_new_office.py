"""A new office as a coordinator meets it on the command line: a plan of a region config.yaml names no
issuing office for is flagged by `duban check`, `duban load` and `duban queue approve`; its approved
warnings go to the dead letters, and once the office adds its `issuers:` entry, `duban delivery
retry` sends them numbered with its own 机关代字."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from tests.newoffice import office_folder
from tests.newoffice import run as run_duban

URGED = "2024-07-01"  # the first working day after the plan's 6月底 deadlines: the overdue urges
DAY = "2024-07-12"  # ten working days later: the warnings
HINT = "方案 shuozhou-2024（地区“朔州市”）没有配置发文机关"
ISSUERS = "issuers:\n  朔州: {name: 朔州市大气污染防治工作领导组办公室, prefix: 朔大气办函}\n"


@pytest.fixture
def office(tmp_path: Path, monkeypatch) -> Path:
    """A new office with the repository's directory and default rules, and a config without issuers."""
    return office_folder(tmp_path, monkeypatch)


def run(capsys, *argv: str) -> tuple[int, str]:
    return run_duban(capsys, *argv, errors=True)


@pytest.mark.slow
def test_check_warns_about_a_plan_whose_region_has_no_issuing_office(office, capsys):
    code, out = run(capsys, "check")
    assert code == 0  # a warning, not a problem: reminders and digests still go out
    [line] = [line for line in out.splitlines() if HINT in line]
    assert line.startswith("提醒：") and "预警通知函和约谈通知无法编发文号" in line and "config.yaml 的 issuers" in line
    with office.open("a", encoding="utf-8") as config:
        config.write(ISSUERS)
    assert HINT not in run(capsys, "check")[1]


def test_a_bad_issuer_prefix_stops_check_with_file_line_and_key(office, capsys):
    with office.open("a", encoding="utf-8") as config:
        config.write("issuers:\n  朔州: {name: 朔州市大气办, prefix: 朔大气办函2024}\n")
    code, out = run(capsys, "check")
    assert code == 1
    assert f"{office}:8: issuers.朔州.prefix" in out and "不能含数字" in out


@pytest.mark.slow
def test_the_new_offices_warnings_wait_in_the_dead_letters_until_it_configures_and_retries(office, capsys):
    code, out = run(capsys, "load", str(office.parent / "data"))
    assert code == 0 and out.count(HINT) == 1
    assert run(capsys, "sweep", "--as-of", URGED)[0] == 0
    created = json.loads(run(capsys, "sweep", "--as-of", DAY, "--json")[1])["created"]
    assert any(n["level"] == "warning" for n in created)
    queued = json.loads(run(capsys, "queue", "list", "--json")[1])
    ids = [str(item["id"]) for item in queued if item["level"] == "warning"]
    code, out = run(capsys, "queue", "approve", *ids, "--by", "王协调")
    assert code == 0 and f"已批准 {len(ids)} 项" in out
    assert f"注意：已批准的 {len(ids)} 项" in out and HINT in out
    assert run(capsys, "deliver", "--as-of", DAY, "--no-pdf")[0] == 0
    status = json.loads(run(capsys, "delivery", "status", "--json")[1])
    dead = [d for d in status["dead"] if "没有为地区“朔州市”配置发文机关" in d["last_error"]]
    assert dead and len(dead) == len(status["dead"])  # one letter per unit: fewer letters than notices

    with office.open("a", encoding="utf-8") as config:
        config.write(ISSUERS)
    code, out = run(capsys, "delivery", "retry", *(str(d["id"]) for d in dead), "--by", "王协调")
    assert code == 0 and f"已将 {len(dead)} 条发送记录重新排队" in out
    assert run(capsys, "deliver", "--as-of", DAY, "--no-pdf")[0] == 0
    assert json.loads(run(capsys, "delivery", "status", "--json")[1])["dead"] == []
    letters = office.parent / "out" / "letters" / DAY
    numbers = {f"朔大气办函〔2024〕{n}号.docx" for n in range(1, len(dead) + 1)}  # none used up by the failures
    assert {p.name for p in letters.glob("*.docx")} == numbers
    first = letters / "朔大气办函〔2024〕1号.docx"
    header = Document(first).sections[0].first_page_header
    assert "朔州市大气污染防治工作领导组办公室" in "\n".join(p.text for p in header.paragraphs)


def test_retrying_an_unknown_delivery_is_refused_in_chinese(office, capsys):
    run(capsys, "load", str(office.parent / "data"))
    code, out = run(capsys, "delivery", "retry", "999", "--by", "王协调")
    assert code == 1 and "没有这些发送记录：[999]" in out
