"""Open any plan document an office circulates as text lines plus tables (grids).

The format is told from the file's first bytes before its name: a .doc renamed .docx, or a web
page saved as .txt, still opens. Word (.docx), Excel (.xlsx), markdown, plain text, web pages
(.html) and PDF with a text layer are read directly; the older binary formats (.doc, .xls) and
WPS's (.wps, .et) go through LibreOffice first. Every failure is an `InputError` naming the file
and saying what to do, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import InputError, Problem
from scheduler.plans.importers.grid import Grid, build_grid

KIND_NAMES = {"docx": "Word（.docx）", "xlsx": "Excel（.xlsx）", "markdown": "Markdown", "text": "纯文本",
              "html": "网页（HTML）", "pdf": "PDF", "doc": "Word 97-2003（.doc）", "xls": "Excel 97-2003（.xls）",
              "wps": "WPS 文字（.wps）", "et": "WPS 表格（.et）"}
_CONVERT = {"doc": "docx", "wps": "docx", "xls": "xlsx", "et": "xlsx"}


@dataclass
class Document:
    """A document as read: its text lines (for the title, issuer, dates and narrative items) and
    its tables."""

    file: str  # the name the user gave, used in every source reference
    kind: str  # a key of KIND_NAMES
    lines: list[str]
    grids: list[Grid] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how it was read ("经 LibreOffice 转换")
    problems: list[Problem] = field(default_factory=list)  # lines of a table that could not be read


def sniff(path: Path, head: bytes) -> str:
    """Tell a file's kind from its first bytes, its name only where the bytes allow several."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "ofd":
        raise InputError.single(path.name, None, "暂不支持 OFD 版式文件：请在阅读器中另存（或打印）为 PDF，"
                                                 "或向发文单位索取 Word/WPS 原件后再导入")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if suffix in ("xlsx", "xlsm", "et"):
            return "xlsx"
        if suffix in ("docx", "docm", "wps"):
            return "docx"
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE compound file: Office 97-2003 and WPS
        return suffix if suffix in ("doc", "xls", "wps", "et") else "doc"
    if suffix in ("docx", "xlsx"):
        return suffix  # bytes that are not a zip: the reader says the file is damaged
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if suffix in ("html", "htm") or text.startswith((b"<!doctype html", b"<html")):
        return "html"
    if suffix in ("md", "markdown"):
        return "markdown"
    return "text"


def _zip_kind(path: Path) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError.single(path.name, None, f"文件已损坏（压缩包无法打开：{exc}）") from exc
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    raise InputError.single(path.name, None, "压缩包中既没有 Word 文档也没有 Excel 工作表，无法导入")


def read_document(path: str | Path) -> Document:
    """Open a plan document of any supported kind."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError.single(str(path), None, f"无法读取文件：{exc.strerror or exc}") from exc
    kind = sniff(path, head)
    if kind in _CONVERT:
        from scheduler.plans.importers.office_convert import convert

        with convert(path, _CONVERT[kind]) as converted:
            document = _read(converted, _CONVERT[kind], path.name)
        document.notes.append(f"{KIND_NAMES[kind]} 经 LibreOffice 转换后读取")
        return document
    return _read(path, kind, path.name)


def _read(path: Path, kind: str, name: str) -> Document:
    try:
        return _read_kind(path, kind, name)
    except InputError:
        raise
    # the parsers of office files raise many kinds of errors on a damaged file (zip versions,
    # compression methods, broken parts); each one is a message naming the file, never a traceback
    except Exception as exc:
        raise InputError.single(name, None, f"无法读取此{KIND_NAMES.get(kind, kind)}文件，文件可能已损坏"
                                            f"（{type(exc).__name__}: {exc}）") from exc


def _read_kind(path: Path, kind: str, name: str) -> Document:
    if kind == "docx":
        from scheduler.plans.importers.docx_table import read_docx

        lines, grids = read_docx(path)
        return Document(name, kind, lines, _renamed(grids, name))
    if kind == "xlsx":
        from scheduler.plans.importers.xlsx_table import read_xlsx_grids

        grids = _renamed(read_xlsx_grids(path), name)
        lines = [" ".join(c.text for c in row if c.text.strip()) for g in grids for row in g.rows[:3]]
        return Document(name, kind, lines, grids)
    if kind == "pdf":
        from scheduler.plans.importers.pdf_table import read_pdf

        lines, grids = read_pdf(path)
        return Document(name, kind, lines, _renamed(grids, name))
    text = decode_text(path, name)
    if kind == "html":
        from scheduler.plans.importers.html_table import read_html

        lines, grids = read_html(text, name)
        from scheduler.plans.importers.text_tables import text_grids

        return Document(name, kind, lines, grids or text_grids(name, lines))
    lines = text.splitlines()
    if kind == "markdown" or _has_pipe_table(lines):
        grids, problems = markdown_grids(name, lines)
        if grids:
            return Document(name, "markdown", lines, grids, problems=problems)
    from scheduler.plans.importers.text_tables import text_grids

    return Document(name, kind, lines, text_grids(name, lines))


def _renamed(grids: list[Grid], name: str) -> list[Grid]:
    for grid in grids:
        grid.file = name
    return grids


def decode_text(path: Path, name: str) -> str:
    """Decode a text file saved as UTF-8 or, as Chinese office software often does, GB18030/GBK."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError.single(name, None, "不是可识别的文档格式（内容是二进制数据，不是文本、Word、Excel 或 PDF）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError.single(name, None, "无法识别文本编码（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 后再导入")


def _has_pipe_table(lines: list[str]) -> bool:
    return any(line.lstrip().startswith("|") and "---" in nxt for line, nxt in zip(lines, lines[1:]))


def markdown_grids(name: str, lines: list[str]) -> tuple[list[Grid], list[Problem]]:
    """Read markdown pipe tables as grids (a table's rows keep their line numbers)."""
    from scheduler.plans.importers.markdown import read_markdown_tables

    grids = []
    problems = []
    for n, table in enumerate(read_markdown_tables(lines), start=1):
        problems += [Problem(name, line, message) for line, message in table.issues]
        values = {(table.line, c): text for c, text in enumerate(table.header, start=1) if text}
        for row in table.rows:
            values.update({(row.line, c): text.replace("<br>", "\n").replace("<br/>", "\n")
                           for c, text in enumerate(row.cells, start=1) if text})
        grid = build_grid(name, f"表{n}", values, [])
        grid.caption = _caption_above(lines, table.line)
        grids.append(grid)
    return grids, problems


def _caption_above(lines: list[str], line: int) -> str:
    for index in range(line - 2, max(-1, line - 5), -1):
        text = lines[index].strip().lstrip("#").strip()
        if text:
            return text
    return ""
