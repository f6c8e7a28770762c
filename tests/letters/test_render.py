from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from scheduler.letters.render import (
    TEMPLATES_DIR,
    Renderer,
    RenderError,
    check_templates,
    docx_to_pdf_batch,
    make_environment,
    parse_blocks,
    render_letter_files,
    zh_number,
)
from scheduler.letters.samples import sample_digest, sample_letter

KINDS = ("urge", "warning", "interview")  # the 通报 has its own facts: tests/bulletin/
NEEDS_OFFICE = pytest.mark.skipif(
    not shutil.which("soffice") or not shutil.which("pdffonts"),
    reason="needs libreoffice-writer-nogui and poppler-utils (scripts/os-deps.sh)",
)


def _copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, target)
    return target


def test_the_shipped_templates_have_no_problems():
    assert check_templates(TEMPLATES_DIR) == []


def test_a_syntax_error_is_reported_with_file_and_line(tmp_path):
    root = _copy_templates(tmp_path)
    body = root / "letters" / "warning.txt"
    lines = body.read_text(encoding="utf-8").splitlines()
    lines[3] = "{% for item in letter.rows %}没有结束的循环"
    body.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = check_templates(root)
    assert len(problems) == 1
    assert problems[0].file == str(body)
    assert problems[0].line is not None and problems[0].line >= 4
    assert "模板语法错误" in problems[0].message


def test_an_undefined_variable_is_reported_with_file_and_line(tmp_path):
    root = _copy_templates(tmp_path)
    digest = root / "digest.txt"
    lines = digest.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "{{ digest.unit_head }}")  # a typo: DigestContext has no unit_head
    digest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = check_templates(root)
    assert [(p.file, p.line) for p in problems] == [(str(digest), 3)]
    assert "unit_head" in problems[0].message


def test_a_missing_template_is_reported(tmp_path):
    root = _copy_templates(tmp_path)
    (root / "letters" / "interview.txt").unlink()
    problems = check_templates(root)
    assert [(p.file, p.message) for p in problems] == [
        (str(root / "letters" / "interview.txt"), "缺少必需的模板")
    ]


def test_templates_run_in_a_sandbox():
    env = make_environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__ }}").render()


def test_html_is_escaped_and_text_is_not(tmp_path):
    renderer = Renderer()
    digest = sample_digest()
    hostile = type(digest)(**{**digest.__dict__, "unit": "<b>潞州区</b>"})
    assert "&lt;b&gt;潞州区&lt;/b&gt;" in renderer.digest_html(hostile)
    assert "<b>潞州区</b>：" in renderer.digest_text(hostile)


def test_the_digest_text_lists_its_sections():
    text = Renderer().digest_text(sample_digest())
    assert text.startswith("潞州区人民政府：\n")
    assert "截至2019年12月20日，你单位有以下6项督办事项需要关注。" in text
    assert ("【已经逾期】（1项）\n"
            "1. 完成加油站油气回收检测，时限2019年12月10日，已逾期10天（逾期）") in text
    assert "【待签收公文】（2项）" in text


def test_the_digest_footer_says_when_working_days_are_provisional():
    from dataclasses import replace

    from scheduler.escalation.calendar import PROVISIONAL_NOTE

    plain = sample_digest()
    noted = replace(plain, calendar_note=PROVISIONAL_NOTE)
    renderer = Renderer()
    assert renderer.digest_text(noted) == renderer.digest_text(plain) + f"{PROVISIONAL_NOTE}。\n"
    assert "本年度节假日安排尚未公布，工作日按法定节假日暂算" in renderer.digest_html(noted)
    assert PROVISIONAL_NOTE not in renderer.digest_text(plain) + renderer.digest_html(plain)


def test_body_lines_become_headings_paragraphs_and_the_table():
    blocks = parse_blocks("一、存在问题\n\n经调度如下：\n[事实表]\n（一）加强调度。每周通报。\n")
    assert [(b.kind, b.head, b.text) for b in blocks] == [
        ("h1", "一、存在问题", ""),
        ("p", "", "经调度如下："),
        ("table", "", ""),
        ("h2", "（一）加强调度。", "每周通报。"),
    ]


def test_a_named_table_marker_places_that_table():
    blocks = parse_blocks("[县区排名表]\n[注]不是表格\n")
    assert [(b.kind, b.table, b.text) for b in blocks] == [("table", "县区排名表", ""), ("p", "", "[注]不是表格")]


def test_heading_numbers_are_chinese():
    numbers = [zh_number(n) for n in (1, 9, 10, 11, 20, 23)]
    assert numbers == ["一", "九", "十", "十一", "二十", "二十三"]


def test_the_letter_html_shows_number_addressee_and_table():
    html = Renderer().letter_html(sample_letter("warning"))
    assert "长大气办函〔2019〕12号" in html
    assert "<p class=\"addressee\">潞州区人民政府：</p>" in html
    assert "<td>逾期12个工作日</td>" in html


def test_a_missing_soffice_is_a_clear_error(tmp_path, monkeypatch):
    docx = Renderer().letter_docx(sample_letter("urge"), tmp_path / "a.docx")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="libreoffice-writer-nogui"):
        docx_to_pdf_batch([docx], tmp_path)


def test_a_batch_with_two_files_of_the_same_name_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(ValueError, match="重复"):
        docx_to_pdf_batch([tmp_path / "a.docx", tmp_path / "x" / "a.docx"], tmp_path)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    if not shutil.which("soffice"):
        pytest.skip("needs libreoffice-writer-nogui")
    out = tmp_path_factory.mktemp("letters")
    pairs = render_letter_files(Renderer(), [sample_letter(k) for k in KINDS], out, KINDS)
    return {kind: (docx, pdf) for kind, (docx, pdf) in zip(KINDS, pairs)}  # type: ignore[misc]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@NEEDS_OFFICE
@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_renders_to_a_pdf_with_embedded_fonts(rendered, kind, tmp_path):
    docx, pdf = rendered[kind]
    assert docx.stat().st_size > 3_000 and pdf.stat().st_size > 10_000  # the DOCX holds no unused styles
    _run("pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page"))
    assert len(list(tmp_path.glob("page-*.png"))) == 2  # two A4 pages: letterhead page + rest
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts, "a PDF with no fonts"
    for line in fonts:
        emb = line.split()[-5]
        assert emb == "yes", line
    families = " ".join(line.split()[0] for line in fonts)
    assert "NotoSerifCJK" in families and "NotoSansCJK" in families  # 仿宋/小标宋 and 黑体 mapped
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert "长大气办函〔2019〕12" in text  # pdftotext may put a space before 号
    assert "潞州区人民政府：" in text
    assert "长治市大气污染防治工作领导组办公室" in text
    assert "2019 年 12 月 20 日" in text
    packed = text.replace(" ", "")
    assert "—2—" in packed and "—1—" not in packed  # no page number on page 1


@NEEDS_OFFICE
def test_the_warning_letter_puts_cc_on_the_last_page(rendered):
    _, pdf = rendered["warning"]
    last = _run("pdftotext", "-f", "2", "-l", "2", str(pdf), "-")
    assert "抄送：市生态环境局，市政府督查室。" in last.replace(" ", "")


def test_the_web_consoles_templates_are_left_to_its_own_environment(tmp_path):
    root = _copy_templates(tmp_path)
    (root / "web").mkdir(exist_ok=True)
    (root / "web" / "page.html").write_text("{{ x|filter_only_the_web_has }}", encoding="utf-8")
    assert check_templates(root) == []
