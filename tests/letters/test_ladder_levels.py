"""Letters read the ladder: adding a level is one ladder record plus one template.

The fixture puts a 问责 rung above the interview (as the plans' assessment clauses name it) and
its body template into a copy of the templates folder; nothing in scheduler.letters changes."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document

from scheduler import glossary, ladder
from scheduler.ladder import Rung
from scheduler.letters.content import build_letter
from scheduler.letters.digest import build_digest
from scheduler.letters.render import TEMPLATES_DIR, Renderer, check_templates
from scheduler.letters.samples import SAMPLE_PLAN, SAMPLE_UNIT, sample_notices

ISSUED = date(2020, 3, 2)
NUMBER = "长大气办函〔2020〕31号"
ACCOUNTABILITY = Rung("accountability", "问责通知", needs_review=True, is_letter=True, needs_ack=True,
                      reply_days=15, template="accountability", cc=("市纪委监委", "市委组织部"))
BODY = """{# 问责通知 body; see urge.txt for the line conventions. #}
根据{{ letter.basis.citation }}“{{ letter.basis.quote }}”的规定，经研究，决定对你单位有关负责同志予以问责。
一、问责事由
你单位承担的以下{{ letter.rows|length }}项重点任务经约谈后仍未完成整改：
[事实表]
二、有关要求
{% for item in letter.rectification %}
（{{ loop.index|zhnum }}）{{ item }}
{% endfor %}
"""


@pytest.fixture
def accountability(monkeypatch) -> Rung:
    """Put the 问责 rung on top of the ladder, everything derived from it included."""
    rungs = (*ladder.LADDER, ACCOUNTABILITY)
    monkeypatch.setattr(ladder, "LADDER", rungs)
    monkeypatch.setattr(ladder, "LEVELS", tuple(r.level for r in rungs))
    monkeypatch.setattr(ladder, "_BY_LEVEL", {r.level: r for r in rungs})
    monkeypatch.setattr(ladder, "LETTER_LEVELS", frozenset(r.level for r in rungs if r.is_letter))
    monkeypatch.setattr(ladder, "ACK_LEVELS", frozenset(r.level for r in rungs if r.needs_ack))
    monkeypatch.setattr(ladder, "REVIEW_LEVELS", frozenset(r.level for r in rungs if r.needs_review))
    monkeypatch.setattr(ladder, "ESCALATION_LEVELS", frozenset(r.level for r in rungs[1:]))
    monkeypatch.setitem(glossary.TERMS, "accountability", "问责")
    return ACCOUNTABILITY


@pytest.fixture
def templates(tmp_path) -> Path:
    """A copy of the shipped templates with the new level's body beside the others."""
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, root)
    (root / "letters" / "accountability.txt").write_text(BODY, encoding="utf-8")
    return root


def letter():
    return build_letter("accountability", sample_notices(), SAMPLE_PLAN, SAMPLE_UNIT, ISSUED, NUMBER)


def test_the_new_level_is_a_letter_with_the_ladders_title_reply_period_and_cc(accountability):
    made = letter()
    assert (made.kind, made.kind_name, made.number) == ("accountability", "问责通知", NUMBER)
    assert made.title == "关于潞州区人民政府的问责通知"
    assert made.reply_by == ISSUED + timedelta(days=15) and made.cc == ("市纪委监委", "市委组织部")
    assert made.needs_ack and len(made.rows) == 2


def test_its_letter_renders_from_its_template_as_text_html_and_docx(accountability, templates, tmp_path):
    renderer = Renderer(templates)
    made = letter()
    blocks = renderer.letter_blocks(made)
    assert blocks[0].text.startswith("根据《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案》")
    assert any(b.kind == "table" for b in blocks)
    message = renderer.letter_message(made)
    assert "《关于潞州区人民政府的问责通知》（长大气办函〔2020〕31号）" in message
    assert "请收到后及时签收" in message  # the ladder says it must be signed for
    assert "问责" in renderer.letter_html(made)
    paragraphs = [p.text for p in Document(renderer.letter_docx(made, tmp_path / "a.docx")).paragraphs]
    assert any("予以问责" in p for p in paragraphs) and any("抄送：市纪委监委，市委组织部。" in p for p in paragraphs)


def test_the_template_check_requires_and_test_renders_the_new_levels_template(accountability, templates):
    assert check_templates(templates) == []
    (templates / "letters" / "accountability.txt").unlink()
    [problem] = check_templates(templates)
    assert problem.file.endswith("accountability.txt") and problem.message == "缺少必需的模板"


def test_a_digest_lists_a_new_level_letter_awaiting_its_signature(accountability):
    notice = {**sample_notices()[0], "key": "accountability|cz2019-12", "level": "accountability",
              "number": NUMBER, "ack_url": "https://dqb.example.cn/ack/x.y"}
    digest = build_digest(SAMPLE_UNIT, [notice], ISSUED)
    [item] = digest.awaiting_ack
    assert (item.level_name, item.note, item.link) == ("问责通知", NUMBER, "https://dqb.example.cn/ack/x.y")


def test_without_the_rung_the_kind_is_unknown():
    with pytest.raises(ValueError, match="未知的公文类型"):
        letter()
