from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from scheduler.letters.body import Block, TableSpec, parse_blocks
from scheduler.letters.docx import OfficialDocument, write_document_docx
from scheduler.letters.render import Renderer
from scheduler.letters.samples import sample_letter
from tests.docxfacts import layout_facts

KINDS = ("urge", "warning", "interview")
# The three sample letters as the earlier python-docx writer (every property on every run) laid them
# out, resolved through styles by tests/docxfacts.py. LibreOffice renders both writers' files to
# the same pixels (checked at 150 dpi when the fast writer replaced it).
GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "letter_layout.json").read_text(encoding="utf-8"))


def _drop_marks(facts):
    """Forget paragraph-mark properties where they cannot move anything: in a paragraph with text
    (its runs set the line height) or with an exact line height. An empty auto-height paragraph,
    such as the one a footer starts with, keeps them: its mark is all its height."""
    if isinstance(facts, list):
        return [_drop_marks(f) for f in facts]
    if not isinstance(facts, dict):
        return facts
    out = {k: _drop_marks(v) for k, v in facts.items()}
    if "mark" in out and (out["text"] or out["line_rule"] == "exact"):
        del out["mark"]
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_the_letter_has_the_layout_of_the_python_docx_writer(kind, tmp_path):
    path = Renderer().letter_docx(sample_letter(kind), tmp_path / f"{kind}.docx")
    assert _drop_marks(layout_facts(path)) == _drop_marks(GOLDEN[kind])


def test_the_layout_facts_are_those_of_gbt_9704(tmp_path):
    facts = layout_facts(Renderer().letter_docx(sample_letter("warning"), tmp_path / "w.docx"))
    assert facts["page"] == {"w": 11906, "h": 16838}  # A4 in twips
    margins = facts["margins"]  # 37 / 26 / 35 / 28 mm: a 156 x 225 mm type area
    assert (margins["top"], margins["right"], margins["bottom"], margins["left"]) == (2098, 1474, 1984, 1587)
    assert facts["grid"] == {"type": "lines", "linePitch": "579"}  # 22 lines of 28.95 pt
    assert facts["title_page"] and facts["odd_even"]
    issuer, upper_rule, number = (b["paragraph"] for b in facts["parts"]["header:first"])
    assert issuer["runs"][0]["color"] == "E60000" and issuer["runs"][0]["font"] == "方正小标宋简体"
    assert issuer["text"] == "长治市大气污染防治工作领导组办公室" and issuer["align"] == "center"
    assert upper_rule["borders"]["bottom"]["val"] == "thickThinSmallGap"
    assert upper_rule["indent"]["left"] == upper_rule["indent"]["right"] == -397  # 170 mm line
    assert number["text"] == "长大气办函〔2019〕12号" and number["align"] == "right"
    assert facts["parts"]["footer:first"][1]["paragraph"]["borders"]["top"]["val"] == "thinThickSmallGap"
    odd = facts["parts"]["footer:default"][1]["paragraph"]
    even = facts["parts"]["footer:even"][1]["paragraph"]
    assert odd["text"] == even["text"] == "— ⟦{PAGE}|1⟧ —"
    assert (odd["align"], even["align"]) == ("right", "left")
    assert odd["runs"][0]["font"] == "宋体" and odd["runs"][0]["size_half_pt"] == 28
    body = [b["paragraph"] for b in facts["body"] if "paragraph" in b]
    title, addressee = body[0], body[1]
    assert title["runs"][0]["font"] == "方正小标宋简体" and title["runs"][0]["size_half_pt"] == 44
    assert addressee["text"] == "潞州区人民政府：" and addressee["indent"]["firstLine"] == 0
    headings = {p["text"]: p["runs"][0]["font"] for p in body if p["text"][:2] in ("一、", "二、", "（一")}
    assert headings["一、存在问题"] == "黑体"
    assert headings["（一）深入分析任务滞后的原因，逐项制定整改措施，明确责任人和完成时限。"] == "楷体_GB2312"
    paragraphs = [p for p in body if p["indent"]["firstLine"] == 640]
    assert all(p["runs"][-1]["size_half_pt"] == 32 for p in paragraphs)
    signature, day = (p for p in body if p["align"] == "right")
    assert signature["text"] == "长治市大气污染防治工作领导组办公室" and signature["keep_with_next"]
    assert day["text"] == "2019年12月20日" and day["indent"]["right"] == 1280  # four characters in
    cc = body[-1]
    assert cc["text"] == "抄送：市生态环境局，市政府督查室。" and cc["runs"][0]["size_half_pt"] == 28
    assert cc["frame"]["yAlign"] == "bottom"  # the record block sits at the foot of the last page


def test_python_docx_reads_the_letter_and_sees_its_styles(tmp_path):
    path = Renderer().letter_docx(sample_letter("interview"), tmp_path / "i.docx")
    document = Document(str(path))
    header = document.sections[0].first_page_header
    assert [p.text for p in header.paragraphs] == ["长治市大气污染防治工作领导组办公室", "", "长大气办函〔2019〕12号"]
    styles = {p.style.name for p in document.paragraphs}
    assert {"公文标题", "主送机关", "公文正文", "发文机关署名", "成文日期", "版记"} <= styles
    assert document.core_properties.title.startswith("长大气办函〔2019〕12号 关于约谈")


def test_text_is_escaped_and_equal_letters_give_equal_bytes(tmp_path):
    doc = OfficialDocument(
        issuer="长治市大气污染防治工作领导组办公室", number="长大气办函〔2019〕3号", title="关于<测试>&“引号”的通知",
        addressee="潞州区人民政府", blocks=tuple(parse_blocks("一、情况\n甲 < 乙 & 丙\n[名单表]")),
        signature="长治市大气污染防治工作领导组办公室", date=date(2019, 12, 2),
        tables={"名单表": TableSpec(("序号", "单位"), (20, 136), (("1", "A&B<C>"),))},
    )
    a = write_document_docx(doc, tmp_path / "a.docx")
    b = write_document_docx(doc, tmp_path / "b.docx")
    assert a.read_bytes() == b.read_bytes()
    document = Document(str(a))
    assert document.paragraphs[0].text == "关于<测试>&“引号”的通知"
    assert document.paragraphs[3].text == "甲 < 乙 & 丙"
    assert document.tables[0].cell(1, 1).text == "A&B<C>"
    with zipfile.ZipFile(a) as package:
        assert "word/stylesWithEffects.xml" not in package.namelist()


def test_a_body_that_places_a_table_the_document_lacks_is_refused(tmp_path):
    doc = OfficialDocument(issuer="办", number="长大气办函〔2019〕3号", title="题", addressee="甲",
                           blocks=(Block("table", "", table="排名表"),), signature="办", date=date(2019, 12, 2))
    with pytest.raises(ValueError, match=r"\[排名表\]"):
        write_document_docx(doc, tmp_path / "x.docx")
