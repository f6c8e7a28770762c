"""Render letters and digests from coordinators' templates: sandboxed Jinja2 text and HTML.

Templates are edited by coordinators, so they run in Jinja's sandbox with StrictUndefined: a typo
fails `check_templates` at start-up instead of printing an empty string into an official letter.
The body templates render to lines (scheduler.letters.body reads them into blocks); the GB/T 9704
DOCX layout is scheduler.letters.docx, the PDF conversion scheduler.letters.pdf. This module keeps
their public names importable (delivery imports Renderer, RenderError, render_letter_files).
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import replace
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

from scheduler import ladder
from scheduler.errors import Problem
from scheduler.letters.body import FACT_TABLE, TABLE_MARK, Block, TableSpec, fact_table, parse_blocks, zh_number
from scheduler.letters.content import BULLETIN, LetterContext, zh_date
from scheduler.letters.digest import DigestContext
from scheduler.letters.docx import OfficialDocument, write_document_docx, write_letter_docx
from scheduler.letters.pdf import FONTS_CONF, RenderError, docx_to_pdf_batch
from scheduler.letters.samples import sample_digest, sample_letter
from scheduler.letters.titles import title_lines

__all__ = [
    "Block", "FONTS_CONF", "OfficialDocument", "RenderError", "Renderer", "TABLE_MARK",
    "TEMPLATES_DIR", "TableSpec", "check_templates", "docx_to_pdf_batch", "make_environment",
    "letter_bodies", "parse_blocks", "render_letter_files", "required_templates", "write_document_docx",
    "write_letter_docx", "zh_number",
]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = ROOT / "templates"
LETTER_HTML = "letters/letter.html"
LETTER_MESSAGE = "letters/message.txt"
DIGEST_TEXT, DIGEST_HTML = "digest.txt", "digest.html"
# Folders whose templates another environment renders, with its own filters (the web console's):
# their owner checks them; compiled here they would fail on filters this environment lacks.
OWN_ENVIRONMENTS = ("web/",)


def letter_bodies() -> dict[str, str]:
    """Return letter kind -> body template: one per ladder level with a template, and the 通报's."""
    bodies = {r.level: f"letters/{r.template}.txt" for r in ladder.LADDER if r.template is not None}
    return {**bodies, BULLETIN: f"letters/{BULLETIN}.txt"}


def required_templates() -> tuple[str, ...]:
    """Return the templates a templates folder must have."""
    return (*letter_bodies().values(), LETTER_HTML, LETTER_MESSAGE, DIGEST_TEXT, DIGEST_HTML)


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
    env.globals["title_lines"] = title_lines  # a letter title in balanced lines broken between words
    return env


class Renderer:
    """Render letters and digests from one templates folder."""

    def __init__(self, templates_dir: Path | str = TEMPLATES_DIR) -> None:
        self.env = make_environment(templates_dir)

    def letter_blocks(self, letter: LetterContext, **context: Any) -> list[Block]:
        """Render the body template of the letter's kind into blocks (a bulletin also needs `bulletin`)."""
        text = self.env.get_template(letter_bodies()[letter.kind]).render(letter=letter, **context)
        return parse_blocks(text)

    def letter_html(self, letter: LetterContext) -> str:
        """Render the web view of a letter."""
        return self.document_html(letter, {FACT_TABLE: fact_table(letter)})

    def document_html(self, letter: LetterContext, tables: Mapping[str, TableSpec], **context: Any) -> str:
        """Render the web view of any document whose body places `tables` (a letter, a bulletin)."""
        blocks = self.letter_blocks(letter, **context)
        return self.env.get_template(LETTER_HTML).render(letter=letter, blocks=blocks, tables=tables)

    def document_docx(self, letter: LetterContext, tables: Mapping[str, TableSpec], path: Path | str,
                      **context: Any) -> Path:
        """Write any document whose body places `tables` as a GB/T 9704 letter-layout DOCX."""
        doc = OfficialDocument.from_letter(letter, self.letter_blocks(letter, **context))
        return write_document_docx(replace(doc, tables=dict(tables)), path)

    def letter_message(self, letter: LetterContext, attached: Sequence[str] = ("docx",)) -> str:
        """Render the cover text of the message that carries a letter; `attached` are the kinds of
        file it carries (docx, pdf), so the text promises a PDF only when one is attached."""
        return self.env.get_template(LETTER_MESSAGE).render(letter=letter, attached=tuple(attached))

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
    from scheduler.letters.bulletin import sample_bulletin

    bodies = letter_bodies()
    bulletin, head = sample_bulletin()
    documents: list[tuple[dict[str, Any], Mapping[str, TableSpec]]] = [
        ({"letter": sample_letter(kind)}, {FACT_TABLE: fact_table(sample_letter(kind))})
        for kind in bodies if kind != BULLETIN
    ]
    documents.append(({"letter": head, "bulletin": bulletin}, bulletin.tables()))
    samples: dict[str, list[dict[str, Any]]] = {
        bodies[context["letter"].kind]: [context] for context, _ in documents
    }
    samples[LETTER_HTML] = [
        {"letter": context["letter"], "tables": tables, "blocks": parse_blocks(
            renderer.env.get_template(bodies[context["letter"].kind]).render(**context))}
        for context, tables in documents
    ]
    samples[LETTER_MESSAGE] = [{"letter": context["letter"], "attached": attached} for context, _ in documents
                               for attached in (("docx",), ("docx", "pdf"))]
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
        name for p in root.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".html", ".htm")
        and not (name := p.relative_to(root).as_posix()).startswith(OWN_ENVIRONMENTS)
    )
    for name in required_templates():
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


def render_letter_files(
    renderer: Renderer, letters: Sequence[LetterContext], out_dir: Path | str,
    names: Sequence[str] | None = None, *, pdf: bool = True,
) -> list[tuple[Path, Path | None]]:
    """Write each letter as DOCX (and PDF in one batch); return (docx, pdf) pairs in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stems = list(names) if names else [letter_file_stem(letter) for letter in letters]
    docx = [
        renderer.letter_docx(letter, out / f"{stem}.docx") for letter, stem in zip(letters, stems)
    ]
    pdfs: list[Path | None] = list(docx_to_pdf_batch(docx, out)) if pdf else [None] * len(docx)
    return list(zip(docx, pdfs))


def letter_file_stem(letter: LetterContext) -> str:
    """Name a letter's files after its document number, safe on every file system."""
    return re.sub(r"[^\w〔〕\-]+", "_", letter.number)
