"""Render letters and digests: sandboxed Jinja2 text/HTML, GB/T 9704 letter-layout DOCX, batch PDF.

Templates are edited by coordinators, so they run in Jinja's sandbox with StrictUndefined: a typo
fails `check_templates` at start-up instead of printing an empty string into an official letter.
The DOCX names the fonts offices have (仿宋_GB2312 …); `fonts/fonts.conf` maps them to the Noto and
AR PL fonts when LibreOffice converts the DOCX to PDF here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from scheduler.errors import Problem
from scheduler.letters import DigestContext, LetterContext, sample_digest, sample_letter, zh_date

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
FONTS_CONF = ROOT / "fonts" / "fonts.conf"
LETTER_BODY = {kind: f"letters/{kind}.txt" for kind in ("urge", "warning", "interview", "bulletin")}
LETTER_HTML = "letters/letter.html"
LETTER_MESSAGE = "letters/message.txt"
DIGEST_TEXT, DIGEST_HTML = "digest.txt", "digest.html"
REQUIRED = (*LETTER_BODY.values(), LETTER_HTML, LETTER_MESSAGE, DIGEST_TEXT, DIGEST_HTML)
TABLE_MARK = "[事实表]"
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")
_DIGITS = "零一二三四五六七八九"


class RenderError(Exception):
    """Raised when a letter cannot be rendered (LibreOffice missing, failed or timed out)."""


@dataclass(frozen=True)
class Block:
    """One body element of a letter: a paragraph, a heading (with its head run) or the table."""

    kind: str  # p | h1 | h2 | table
    text: str
    head: str = ""


def zh_number(n: int) -> str:
    """Write 1..99 in Chinese numerals for headings (一、 （十二）)."""
    if not 0 < n < 100:
        raise ValueError(f"标题序号超出范围：{n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def make_environment(templates_dir: Path | str = TEMPLATES_DIR) -> SandboxedEnvironment:
    """Build the sandboxed environment: HTML autoescaped, undefined names an error."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "htm"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["zhdate"] = zh_date
    env.filters["zhnum"] = zh_number
    return env


def parse_blocks(text: str) -> list[Block]:
    """Split a rendered body into paragraphs, headings and the table marker."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == TABLE_MARK:
            blocks.append(Block("table", ""))
            continue
        kind = "h1" if _H1.match(line) else "h2" if _H2.match(line) else "p"
        if kind == "p":
            blocks.append(Block("p", line))
            continue
        cut = line.find("。")  # a heading may run on into body text after its first sentence
        head, rest = (line, "") if cut < 0 else (line[: cut + 1], line[cut + 1 :])
        blocks.append(Block(kind, rest, head))
    return blocks


class Renderer:
    """Render letters and digests from one templates folder."""

    def __init__(self, templates_dir: Path | str = TEMPLATES_DIR) -> None:
        self.env = make_environment(templates_dir)

    def letter_blocks(self, letter: LetterContext) -> list[Block]:
        """Render the letter's body template into blocks."""
        text = self.env.get_template(LETTER_BODY[letter.kind]).render(letter=letter)
        return parse_blocks(text)

    def letter_html(self, letter: LetterContext) -> str:
        """Render the web view of a letter."""
        blocks = self.letter_blocks(letter)
        return self.env.get_template(LETTER_HTML).render(letter=letter, blocks=blocks)

    def letter_message(self, letter: LetterContext) -> str:
        """Render the cover text of the message that carries a letter."""
        return self.env.get_template(LETTER_MESSAGE).render(letter=letter)

    def digest_text(self, digest: DigestContext) -> str:
        """Render a unit's daily digest as plain text."""
        return self.env.get_template(DIGEST_TEXT).render(digest=digest)

    def digest_html(self, digest: DigestContext) -> str:
        """Render a unit's daily digest as HTML."""
        return self.env.get_template(DIGEST_HTML).render(digest=digest)

    def letter_docx(self, letter: LetterContext, path: Path | str) -> Path:
        """Write the letter as a GB/T 9704 letter-layout DOCX."""
        return write_letter_docx(letter, self.letter_blocks(letter), Path(path))


def _template_line(exc: BaseException, name: str) -> int | None:
    """Find the template line an exception was raised on (Jinja rewrites the traceback)."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and frame.filename.replace(os.sep, "/").endswith(name):
            line = frame.lineno
    return line


def _sample_renders(renderer: Renderer) -> dict[str, list[dict[str, Any]]]:
    letters = [sample_letter(kind) for kind in LETTER_BODY]
    samples: dict[str, list[dict[str, Any]]] = {
        LETTER_BODY[letter.kind]: [{"letter": letter}] for letter in letters
    }
    samples[LETTER_HTML] = [
        {"letter": letter, "blocks": parse_blocks(
            renderer.env.get_template(LETTER_BODY[letter.kind]).render(letter=letter))}
        for letter in letters
    ]
    samples[LETTER_MESSAGE] = [{"letter": letter} for letter in letters]
    samples[DIGEST_TEXT] = samples[DIGEST_HTML] = [{"digest": sample_digest()}]
    return samples


def check_templates(templates_dir: Path | str = TEMPLATES_DIR) -> list[Problem]:
    """Compile every template and test-render the known ones; return the problems found."""
    root = Path(templates_dir)
    if not root.is_dir():
        return [Problem(str(root), None, "模板目录不存在")]
    renderer = Renderer(root)
    problems: list[Problem] = []
    names = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".html", ".htm")
    )
    for name in REQUIRED:
        if name not in names:
            problems.append(Problem(str(root / name), None, "缺少必需的模板"))
    broken: set[str] = set()
    for name in names:
        try:
            renderer.env.get_template(name)
        except TemplateError as exc:
            broken.add(name)
            line = _template_line(exc, name)
            problems.append(Problem(str(root / name), line, f"模板语法错误：{exc}"))
    try:
        samples = _sample_renders(renderer)
    except Exception:  # a broken body template is already reported above
        samples = {}
    for name, contexts in samples.items():
        if name in broken or name not in names:
            continue
        for context in contexts:
            try:
                renderer.env.get_template(name).render(**context)
            except Exception as exc:  # noqa: BLE001 - any failure of a template is a problem to list
                problems.append(Problem(str(root / name), _template_line(exc, name),
                                        f"模板试渲染失败：{type(exc).__name__}: {exc}"))
                break
    return problems


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(
        "找不到 LibreOffice（soffice），无法把 DOCX 转为 PDF；"
        "请安装 libreoffice-writer-nogui（scripts/os-deps.sh）"
    )


def docx_to_pdf_batch(
    paths: Sequence[Path | str], out_dir: Path | str, *, timeout: float | None = None,
) -> list[Path]:
    """Convert DOCX files to PDF with ONE LibreOffice start; return the PDFs in input order.

    A private profile keeps parallel batches (and a desktop LibreOffice) from locking each other
    out; FONTCONFIG_FILE maps the office font names to the installed CJK fonts.
    """
    docs = [Path(p).resolve() for p in paths]
    if not docs:
        return []
    stems = [d.stem for d in docs]
    if len(set(stems)) != len(stems):
        raise ValueError("同一批次中的 DOCX 文件名（不含扩展名）重复，PDF 会互相覆盖")
    for doc in docs:
        if not doc.is_file():
            raise RenderError(f"{doc}: 文件不存在")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = _soffice()
    limit = timeout if timeout is not None else 60 + 5 * len(docs)
    profile = Path(tempfile.mkdtemp(prefix="duban-lo-"))
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=str(profile))
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
           "--nologo", "--norestore", "--nodefault", "--nolockcheck",
           "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *map(str, docs)]
    targets = [out / f"{d.stem}.pdf" for d in docs]
    for target in targets:
        target.unlink(missing_ok=True)  # so a stale PDF never passes for a fresh one
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            if sys.platform != "win32":
                os.killpg(proc.pid, signal.SIGKILL)  # soffice forks; end its whole session
            proc.kill()
            proc.communicate()
            raise RenderError(
                f"LibreOffice 转换 {len(docs)} 个文件超时（{limit:.0f} 秒）"
            ) from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [t.name for t in targets if not t.is_file() or t.stat().st_size == 0]
    if proc.returncode != 0 or missing:
        detail = err.decode("utf-8", "replace").strip()[-500:]
        raise RenderError(
            f"LibreOffice 转换失败（退出码 {proc.returncode}），"
            f"未生成：{'、'.join(missing) or '无'}；{detail}"
        )
    return targets


def render_letter_files(
    renderer: Renderer, letters: Sequence[LetterContext], out_dir: Path | str,
    names: Sequence[str] | None = None, *, pdf: bool = True,
) -> list[tuple[Path, Path | None]]:
    """Write each letter as DOCX (and PDF in one batch); return (docx, pdf) pairs in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stems = list(names) if names else [_file_stem(letter) for letter in letters]
    docx = [
        renderer.letter_docx(letter, out / f"{stem}.docx") for letter, stem in zip(letters, stems)
    ]
    pdfs: list[Path | None] = list(docx_to_pdf_batch(docx, out)) if pdf else [None] * len(docx)
    return list(zip(docx, pdfs))


def _file_stem(letter: LetterContext) -> str:
    """Name a letter's files after its document number, safe on every file system."""
    return re.sub(r"[^\w〔〕\-]+", "_", letter.number)



# --- DOCX in the GB/T 9704 letter layout (函) -------------------------------------------------
# Fonts as offices name them; fonts/fonts.conf maps them for LibreOffice here.
FANGSONG, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "方正小标宋简体", "宋体"
HEITI, KAITI = "黑体", "楷体_GB2312"
RED = "E60000"
BODY_PT, TITLE_PT, RECORD_PT = 16, 22, 14  # 3号, 2号, 4号
LINE_PT = 28.95  # 22 lines in the 225 mm type area
TYPE_WIDTH_MM = 156


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(_qn(f"w:{key}"), value)
    return element


def _fonts(rpr: Any, name: str) -> None:
    """Name the font for every script, so Word and LibreOffice pick the same face for digits."""
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(_qn(f"w:{attr}"), name)


def _run(paragraph: Any, text: str, font: str = FANGSONG, size: float = BODY_PT,
         color: str | None = None, bold: bool = False) -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _fonts(run._r.get_or_add_rPr(), font)
    return run


def _para(container: Any, *, align: str = "justify", first: float = 0, left: float = 0,
          right: float = 0, before: float = 0, line: float = LINE_PT, snap: bool = True) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = container.add_paragraph()
    f = p.paragraph_format
    f.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    f.first_line_indent = Pt(first)  # absolute: LibreOffice ignores firstLineChars
    f.left_indent, f.right_indent = Pt(left), Pt(right)
    f.space_before, f.space_after = Pt(before), Pt(0)
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(line)
    if not snap:  # lines of another size must not snap to the 28.95 pt body grid
        p._p.get_or_add_pPr().append(_el("w:snapToGrid", val="0"))
    return p


def _red_rule(container: Any, upper: bool, before: float) -> None:
    """Draw the 170 mm red double line (thick over thin above the text, thin over thick below)."""
    from docx.shared import Mm

    p = _para(container, align="left", before=before, line=2, snap=False)
    overhang = -Mm((170 - TYPE_WIDTH_MM) / 2)  # the line is 170 mm, the type area 156 mm
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = overhang
    borders = _el("w:pBdr")
    edge = "bottom" if upper else "top"
    style = "thickThinSmallGap" if upper else "thinThickSmallGap"
    borders.append(_el(f"w:{edge}", val=style, sz="24", space="1", color=RED))
    p._p.get_or_add_pPr().append(borders)


def _page_number(footer: Any, odd: bool) -> None:
    """Put "— n —" in 4号 宋体, one character in from the right (odd) or left (even) edge."""
    from docx.shared import Mm

    p = _para(footer, align="right" if odd else "left", right=RECORD_PT if odd else 0,
              left=0 if odd else RECORD_PT, line=RECORD_PT * 1.2)
    p.paragraph_format.space_after = Mm(4)  # lifts the number to 7 mm under the type area
    _run(p, "— ", SONGTI, RECORD_PT)
    for part in ("begin", "instr", "separate", "1", "end"):
        run = _run(p, "", SONGTI, RECORD_PT)
        if part == "instr":
            instr = _el("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        elif part == "1":
            run.text = "1"
        else:
            run._r.append(_el("w:fldChar", fldCharType=part))
    _run(p, " —", SONGTI, RECORD_PT)


def _setup(doc: Any) -> Any:
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(26), Mm(19)
    section.different_first_page_header_footer = True
    doc.settings.odd_and_even_pages_header_footer = True
    grid = section._sectPr.find(_qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        section._sectPr.append(grid)
    grid.set(_qn("w:type"), "lines")  # a lines-only grid; LibreOffice mis-lays a characters grid
    grid.set(_qn("w:linePitch"), str(round(LINE_PT * 20)))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _fonts(rpr, FANGSONG)
    # 28 characters in the 156 mm line need a pitch of about 15.8 pt: tighten 16 pt glyphs a little
    rpr.append(_el("w:spacing", val="-4"))
    return section


def _letterhead(section: Any, letter: LetterContext) -> None:
    from docx.shared import Pt

    header = section.first_page_header
    p = header.paragraphs[0]
    size = min(26.0, (TYPE_WIDTH_MM * 2.83) / max(len(letter.issuer), 1))  # keep it on one line
    p.paragraph_format.alignment = 1  # centre
    p.paragraph_format.space_after = Pt(0)
    _run(p, letter.issuer, XIAOBIAOSONG, size, color=RED)
    _red_rule(header, upper=True, before=6)
    _run(_para(header, align="right", before=4), letter.number)
    _red_rule(section.first_page_footer, upper=False, before=0)
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)


def _table(doc: Any, letter: LetterContext) -> None:
    from docx.shared import Mm

    heads = ("序号", "任务", "责任单位", "完成时限", "逾期情况", "进展情况")
    widths = (13, 47, 26, 25, 24, 21)  # mm, together the 156 mm type area
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.autofit = False
    rows = [[str(r.number), r.task, r.unit, r.deadline, r.overdue or "—", r.progress]
            for r in letter.rows]
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)  # LibreOffice reads the grid columns, Word the cell widths
    for i, values in enumerate([list(heads), *rows]):
        cells = table.rows[0].cells if i == 0 else table.add_row().cells
        if i == 0:
            table.rows[0]._tr.get_or_add_trPr().append(_el("w:tblHeader"))  # repeat on new pages
        for cell, value, width in zip(cells, values, widths):
            cell.width = Mm(width)
            cell.vertical_alignment = 1  # centre
            p = cell.paragraphs[0]
            p._p.getparent().remove(p._p)
            p = _para(cell, align="center" if i == 0 or len(value) < 4 else "left",
                      line=18, snap=False)
            _run(p, value, HEITI if i == 0 else FANGSONG, 12)


def _signature(doc: Any, letter: LetterContext) -> None:
    date_text = zh_date(letter.date)
    if letter.attachments:
        for i, name in enumerate(letter.attachments, start=1):
            lead = "附件：" if i == 1 else "　　　"
            _run(_para(doc, first=2 * BODY_PT, before=LINE_PT if i == 1 else 0),
                 f"{lead}{i}. {name}" if len(letter.attachments) > 1 else f"附件：{name}")
    # 成文日期 right-aligned four characters in; the issuer centred over the date; the office
    # applies its seal over both, so blank lines are left and no seal is drawn.
    date_right = 4 * BODY_PT
    shift = (len(letter.signature) - len(date_text)) * BODY_PT / 2
    p = _para(doc, align="right", right=max(date_right - shift, 0), before=2 * LINE_PT)
    p.paragraph_format.keep_with_next = True
    _run(p, letter.signature)
    _run(_para(doc, align="right", right=date_right), date_text)
    if letter.contact:
        _run(_para(doc, first=2 * BODY_PT, before=LINE_PT), letter.contact)


def _record_block(doc: Any, letter: LetterContext) -> None:
    """Place 抄送 in a frame at the bottom of the last page's type area (the 函's record block)."""
    from docx.shared import Mm

    if not letter.cc:
        return
    p = _para(doc, align="left", left=RECORD_PT, right=RECORD_PT, line=LINE_PT)
    p.paragraph_format.first_line_indent = -Mm(0)
    frame = _el("w:framePr", w=str(round(Mm(TYPE_WIDTH_MM).twips)), wrap="around",
                hAnchor="margin", vAnchor="margin", xAlign="center", yAlign="bottom")
    ppr = p._p.get_or_add_pPr()
    ppr.insert(0, frame)
    _run(p, letter.cc_line, FANGSONG, RECORD_PT)


def write_letter_docx(letter: LetterContext, blocks: Sequence[Block], path: Path) -> Path:
    """Lay the letter out as GB/T 9704 prescribes for a 函 and save it."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = f"{letter.number} {letter.title}"
    doc.core_properties.author = letter.issuer
    doc.core_properties.keywords = " ".join(letter.notice_keys)[:250]
    section = _setup(doc)
    _letterhead(section, letter)
    _run(_para(doc, align="center", before=LINE_PT, line=TITLE_PT * 1.5, snap=False),
         letter.title, XIAOBIAOSONG, TITLE_PT)
    _run(_para(doc, align="left", before=LINE_PT), f"{letter.addressee}：")
    for n, block in enumerate(blocks):
        if block.kind == "table":
            _table(doc, letter)
            continue
        p = _para(doc, first=2 * BODY_PT)
        # the last body paragraph goes with the signature: never a page holding only the date
        p.paragraph_format.keep_with_next = n == len(blocks) - 1 or block.kind == "h1"
        if block.head:
            _run(p, block.head, HEITI if block.kind == "h1" else KAITI)
        if block.text:
            _run(p, block.text)
    _signature(doc, letter)
    _record_block(doc, letter)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
