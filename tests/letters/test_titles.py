"""Letter titles in balanced lines broken between words, as GB/T 9704 asks (梯形 or 菱形 lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.letters.titles import CHARS_PER_LINE, title_lines


@pytest.mark.parametrize("title, expected", [
    ("关于襄垣县人民政府大气污染防治重点任务进展缓慢的预警通知函",
     ("关于襄垣县人民政府大气污染防治", "重点任务进展缓慢的预警通知函")),
    ("关于长治市发展和改革委员会大气污染防治重点任务进展缓慢的预警通知函",
     ("关于长治市发展和改革委员会大气污染防治", "重点任务进展缓慢的预警通知函")),
    ("关于潞城区环境空气质量改善未达到序时进度要求的预警通知函",
     ("关于潞城区环境空气质量改善", "未达到序时进度要求的预警通知函")),
    ("关于加快办理清洁能源替代散煤等3项任务的催办通知", ("关于加快办理清洁能源替代散煤", "等3项任务的催办通知")),
    ("关于约谈潞州区人民政府主要负责同志的通知", ("关于约谈潞州区人民政府主要负责同志的通知",)),
])
def test_titles_break_between_words_into_even_lines(title, expected):
    assert title_lines(title) == expected


def test_no_line_is_too_long_starts_with_de_or_leaves_one_character_alone():
    titles = [f"关于{unit}大气污染防治重点任务进展缓慢的预警通知函" for unit in
              ("长治市公安局交通警察支队", "长治高新技术产业开发区管理委员会", "沁源县人民政府", "市能源局")]
    titles += ["关于约谈长治市公安局交通警察支队主要负责同志的通知"]
    for title in titles:
        lines = title_lines(title)
        assert "".join(lines) == title
        assert all(len(line) <= CHARS_PER_LINE for line in lines)
        assert all(len(line) > 1 and not line.startswith("的") for line in lines)
        assert "进展缓慢" in "".join(line for line in lines if "进展" in line) or "进展" not in title
        assert not any(line.endswith("进") for line in lines)
        lengths = [len(line) for line in lines]
        assert max(lengths) - min(lengths) <= 8, lines


def test_a_title_without_known_words_still_breaks_evenly():
    title = "甲" * 41
    assert [len(line) for line in title_lines(title)] == [14, 14, 13]


def test_the_docx_sets_the_title_in_its_balanced_lines(tmp_path):
    from docx import Document

    from scheduler.letters.render import Renderer
    from scheduler.letters.samples import sample_letter

    letter = sample_letter("warning")
    path = Renderer(Path(__file__).resolve().parents[2] / "templates").letter_docx(letter, tmp_path / "x.docx")
    title = next(p for p in Document(str(path)).paragraphs if p.text.replace("\n", "") == letter.title)
    assert tuple(title.text.split("\n")) == title_lines(letter.title)
