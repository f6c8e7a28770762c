"""The demo's letters as a unit reads them: the DOCX text of every letter the 长治 season sends.

Runs the whole simulated season once (about a minute), so it is in the slow tier.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from docx import Document

from scheduler.config import load_config
from scheduler.demo.season import prepare_store, run_demo
from scheduler.letters.content import LetterContext
from scheduler.letters.render import letter_file_stem

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# what a letter must never print: plan or task ids, seed ids, file names
INTERNAL = re.compile(r"changzhi-|jincheng-|jinzhong-|zezhou-|\br\d{3}\b|\b00\d\b|\.txt\b|\.ya?ml\b|_[0-9a-f]{16}")
# every other plan's assessment clause, in words only that clause uses
FOREIGN_CLAUSES = ("环境空气质量改善幅度达不到序时进度", "点穴式、机动式专项督察", "突出环境问题“清零”",
                   "五（五）", "（二十二）")
GOVERNMENT = re.compile(r"(人民政府|管委会)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, tuple[str, str, str]]]:
    out = tmp_path_factory.mktemp("demo")
    config = prepare_store(load_config(ROOT / "config.yaml"), out)
    run_demo(config, out, pdf=False)  # the DOCX text is what these tests read
    with sqlite3.connect(out / "duban.db") as db:
        numbered = {number: (unit, level, str(sent)) for number, unit, level, sent in db.execute(
            "select l.number, n.unit, n.level, n.sent_on from letters l join notices n on n.key = l.notice_key")}
    return out / "outbox" / "letters", numbered


def stem(number: str) -> str:
    return letter_file_stem(cast(LetterContext, SimpleNamespace(number=number)))


def text_of(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    headers = [p.text for section in document.sections for p in section.first_page_header.paragraphs]
    return "\n".join([*headers, *(p.text for p in document.paragraphs), *cells])


def test_no_demo_letter_prints_an_internal_id_a_file_name_or_another_plans_clause(demo):
    folder, numbered = demo
    paths = sorted(folder.rglob("*.docx"))
    assert len(paths) == len(numbered) > 0
    for path in paths:
        text = text_of(path)
        assert not INTERNAL.search(text), (path.name, INTERNAL.search(text))
        assert not [c for c in FOREIGN_CLAUSES if c in text], path.name
        assert text.count("“") == text.count("”") and text.count("‘") == text.count("’"), path.name


def test_no_unit_gets_two_letters_of_one_level_on_one_day(demo):
    _, numbered = demo
    per_day = Counter(numbered.values())
    assert max(per_day.values()) == 1, [k for k, n in per_day.items() if n > 1]


def test_no_letter_to_a_department_speaks_of_counties_or_a_governments_head(demo):
    folder, numbered = demo
    for path in sorted(folder.rglob("*.docx")):
        number = next(n for n in numbered if stem(n) == path.stem)
        unit = numbered[number][0]
        if GOVERNMENT.search(unit):
            continue
        text = text_of(path)
        assert "县区" not in text and "政府主要负责同志" not in text, (path.name, unit)


def test_interview_notices_in_the_demo_carry_their_facts(demo):
    folder, numbered = demo
    interviews = [n for n, (_, level, _) in numbered.items() if level == "interview"]
    assert interviews
    for number in interviews:
        [path] = folder.rglob(stem(number) + ".docx")
        text = text_of(path)
        assert "另行通知" not in text and "时间：" in text and "约谈联系人：" in text, number
