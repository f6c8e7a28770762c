"""`duban check` refuses unit names and contacts with control characters and configured folders
that do not exist, each named by file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.check import check_all

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def installation(tmp_path, monkeypatch):
    """A copy of the shipped configuration, rules, templates and data to spoil."""
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.delenv("DUBAN_OUT", raising=False)
    for folder in ("data", "rules", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def _replace(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


SPOILED = [  # (as shipped, spoiled, where check must point)
    ("name: 长治市能源局", 'name: "长治市能源局\\r\\nBcc: leak@evil.example"', "units.0.name"),
    ("aliases: [市能源局]", 'aliases: ["市能源局\\u202e"]', "units.0.aliases.0"),
    ("name: 长治市工业和信息化局", 'name: "长治市工业和信息化局\\n"', "units.1.name"),
    ("contacts: {email: [], webhook: []}\n  - id: cz-miit",
     'contacts: {email: ["a@b.cn\\u0000"], webhook: []}\n  - id: cz-miit', "units.0.contacts.email.0"),
]


def test_unit_names_and_contacts_with_control_characters_fail_check_at_their_lines(installation):
    units = installation / "data" / "units.yaml"
    lines = {where: _replace(units, old, new) for old, new, where in SPOILED}
    problems, _ = check_all(config_path=str(installation / "config.yaml"))
    found = {p.where: (p.file, p.line) for p in problems if "控制字符" in p.message}
    assert found == {where: (str(units), line) for where, line in lines.items()}


def test_a_configured_folder_that_does_not_exist_is_named_at_its_key(installation):
    config = installation / "config.yaml"
    line = _replace(config, "templates_dir: templates", "templates_dir: tempaltes")
    problems, _ = check_all(config_path=str(config))
    assert [(p.file, p.line, p.where) for p in problems if "目录不存在" in p.message] == \
        [(str(config), line, "templates_dir")]
