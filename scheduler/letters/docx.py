"""Write official documents as DOCX in the GB/T 9704-2012 letter layout (函), fast.

The package is a fixed skeleton — page setup, named styles for every part of the letter (公文标题,
公文正文, 一级标题 …), the red double lines and the odd/even page numbers — built once per process,
plus three small parts written per letter: the body, the first-page header (red issuer mark and
document number) and the document properties. Paragraphs refer to styles instead of repeating
fonts and spacing on every run, so an office editing the letter in Word keeps the layout when it
adds a paragraph, and writing a letter is string formatting and one zip: about 3 ms instead of the
50 ms python-docx needed for the same layout. The layout facts (margins, 22 lines of 28.95 pt,
fonts, indents) are those of the earlier python-docx writer; tests/data/letter_layout.json holds
its output resolved through the styles, and tests compare against it.

Fonts are named as offices have them (仿宋_GB2312 …); fonts/fonts.conf maps them to the Noto and
AR PL fonts when LibreOffice converts the DOCX to PDF here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from scheduler.letters.body import FACT_TABLE, Block, TableSpec, fact_table
from scheduler.letters.content import LetterContext, zh_date
from scheduler.letters.qr import QR_MM, qr_png
from scheduler.letters.titles import title_lines

# Fonts as offices name them; fonts/fonts.conf maps them for LibreOffice here.
FANGSONG, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "方正小标宋简体", "宋体"
HEITI, KAITI = "黑体", "楷体_GB2312"
RED = "E60000"
BODY_PT, TITLE_PT, RECORD_PT, TABLE_PT = 16, 22, 14, 12  # 3号, 2号, 4号, 小4号
LINE_PT = 28.95  # 22 lines in the 225 mm type area
TYPE_WIDTH_MM = 156
RULE_WIDTH_MM = 170


def twips(points: float) -> int:
    """Convert points to twentieths of a point the way python-docx did (EMU, then rounded)."""
    return round(int(points * 12700) / 635)


def mm_twips(mm: float) -> int:
    return round(int(mm * 36000) / 635)


def half_points(points: float) -> int:
    """Font sizes are whole half-points; python-docx truncated, so a 25.97 pt name is 51."""
    return int(points * 2)


LINE = twips(LINE_PT)  # 579
INDENT_2 = twips(2 * BODY_PT)  # two characters: 640
RULE_OVERHANG = -mm_twips((RULE_WIDTH_MM - TYPE_WIDTH_MM) / 2)  # -397: the rules are 170 mm long

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_XML = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


# --- small XML builders ---------------------------------------------------------------------


def _fonts(name: str) -> str:
    """Name the font for every script, so Word and LibreOffice pick the same face for digits."""
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def _spacing(before: int = 0, after: int = 0, line: int = LINE, rule: str = "exact") -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="{rule}"/>'


def _ind(left: int = 0, right: int = 0, first: int = 0) -> str:
    return f'<w:ind w:left="{left}" w:right="{right}" w:firstLine="{first}"/>'


def _text(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _run(text: str, style: str = "", rpr: str = "") -> str:
    props = (f'<w:rStyle w:val="{style}"/>' if style else "") + rpr
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{_text(text)}</w:r>"


def _para(style: str, runs: str = "", ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>'


def _style(sid: str, name: str, ppr: str = "", rpr: str = "", based: str = "Normal",
           kind: str = "paragraph") -> str:
    return (f'<w:style w:type="{kind}" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="{based}"/><w:qFormat/>'
            f"{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}</w:style>")


# --- the skeleton: parts every letter shares ------------------------------------------------

_TABS = '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/></w:tabs>'
_CELL_MARGINS = ('<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                 '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>')
_GRID_BORDERS = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))

STYLES = (
    # Word's defaults as python-docx's template had them; Normal is 3号 仿宋, slightly tightened:
    # 28 characters in the 156 mm line need a pitch of about 15.8 pt.
    '<w:docDefaults><w:rPrDefault><w:rPr>' + _fonts(FANGSONG) +
    '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/>'
    '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="200" w:line="276" w:lineRule="auto"/>'
    '</w:pPr></w:pPrDefault></w:docDefaults>'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
    f'<w:rPr>{_fonts(FANGSONG)}<w:sz w:val="{half_points(BODY_PT)}"/><w:spacing w:val="-4"/></w:rPr></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/>'
    '</w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
    f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>{_CELL_MARGINS}</w:tblPr></w:style>'
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
    '<w:uiPriority w:val="59"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{_GRID_BORDERS}</w:tblBorders>{_CELL_MARGINS}'
    '</w:tblPr></w:style>'
    + "".join(
        f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/>'
        f'<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr>{_TABS}'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:style>'
        for sid, name in (("Header", "header"), ("Footer", "footer"))
    )
    # The letter's own parts, named as offices call them.
    + _style("DubanTitle", "公文标题", _spacing(before=LINE, line=twips(TITLE_PT * 1.5)) + _ind()
             + '<w:jc w:val="center"/><w:snapToGrid w:val="0"/>',
             _fonts(XIAOBIAOSONG) + f'<w:sz w:val="{half_points(TITLE_PT)}"/>')
    + _style("DubanAddressee", "主送机关", _spacing(before=LINE) + _ind() + '<w:jc w:val="left"/>')
    + _style("DubanBody", "公文正文", _spacing() + _ind(first=INDENT_2) + '<w:jc w:val="both"/>')
    + _style("DubanHeading1", "一级标题", rpr=_fonts(HEITI), based="DefaultParagraphFont", kind="character")
    + _style("DubanHeading2", "二级标题", rpr=_fonts(KAITI), based="DefaultParagraphFont", kind="character")
    + _style("DubanAttachment", "附件说明", _spacing(before=LINE), based="DubanBody")
    + _style("DubanNote", "附注", _spacing(before=LINE), based="DubanBody")
    + _style("DubanSignature", "发文机关署名", '<w:keepNext/>' + _spacing(before=2 * LINE) + _ind()
             + '<w:jc w:val="right"/>')
    + _style("DubanDate", "成文日期", _spacing() + _ind(right=twips(4 * BODY_PT)) + '<w:jc w:val="right"/>')
    + _style("DubanTableText", "表格文字", _spacing(line=twips(18)) + _ind() + '<w:jc w:val="left"/>'
             '<w:snapToGrid w:val="0"/>', f'<w:sz w:val="{half_points(TABLE_PT)}"/>')
    + _style("DubanTableHead", "表头", '<w:jc w:val="center"/>', _fonts(HEITI), based="DubanTableText")
    + _style("DubanRecord", "版记", _spacing() + _ind(left=twips(RECORD_PT), right=twips(RECORD_PT))
             + '<w:jc w:val="left"/>', f'<w:sz w:val="{half_points(RECORD_PT)}"/>')
    + _style("DubanIssuer", "发文机关标志", '<w:spacing w:after="0"/><w:jc w:val="center"/>',
             _fonts(XIAOBIAOSONG) + f'<w:color w:val="{RED}"/>', based="Header")
    + _style("DubanRule", "红色分隔线", _spacing(line=twips(2)) + _ind(RULE_OVERHANG, RULE_OVERHANG)
             + '<w:jc w:val="left"/><w:snapToGrid w:val="0"/>')
    + _style("DubanNumber", "发文字号", _spacing(before=twips(4)) + _ind() + '<w:jc w:val="right"/>')
    + _style("DubanPageNumber", "页码", _spacing(after=mm_twips(4), line=twips(RECORD_PT * 1.2)),
             _fonts(SONGTI) + f'<w:sz w:val="{half_points(RECORD_PT)}"/>')
)


def _rule(upper: bool, before: int = 0) -> str:
    """Draw the red double line: thick over thin under the issuer, thin over thick at the foot."""
    edge, style = ("bottom", "thickThinSmallGap") if upper else ("top", "thinThickSmallGap")
    border = f'<w:pBdr><w:{edge} w:val="{style}" w:sz="24" w:space="1" w:color="{RED}"/></w:pBdr>'
    spacing = f'<w:spacing w:before="{before}"/>' if before else ""
    return _para("DubanRule", ppr=spacing + border)


def _page_number(odd: bool) -> str:
    """Put "— n —" in 4号 宋体, one character in from the right (odd) or left (even) edge."""
    indent = _ind(right=twips(RECORD_PT)) if odd else _ind(left=twips(RECORD_PT))
    field_runs = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                  '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                  '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                  f'{_run("1")}<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    return _para("DubanPageNumber", _run("— ") + field_runs + _run(" —"),
                 indent + f'<w:jc w:val="{"right" if odd else "left"}"/>')


# On the paragraph, not in its style: LibreOffice ignores a frame a paragraph style defines.
RECORD_FRAME = (f'<w:framePr w:w="{mm_twips(TYPE_WIDTH_MM)}" w:wrap="around" w:hAnchor="margin" '
                'w:vAnchor="margin" w:xAlign="center" w:yAlign="bottom"/>')
_EMPTY_FOOTER = _para("Footer")  # Word's footer starts with an empty paragraph; it places the number
PARTS: dict[str, str] = {
    "word/styles.xml": f"{_XML}<w:styles {_NS}>{STYLES}</w:styles>",
    "word/settings.xml": (
        f"{_XML}<w:settings {_NS}><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"720\"/>"
        "<w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:useFELayout/>"
        + "".join(f'<w:compatSetting w:name="{n}" w:uri="http://schemas.microsoft.com/office/word" w:val="{v}"/>'
                  for n, v in (("compatibilityMode", 14), ("overrideTableStyleFontSizeAndJustification", 1),
                               ("enableOpenTypeFeatures", 1), ("doNotFlipMirrorIndents", 1)))
        + '</w:compat><w:themeFontLang w:val="en-US" w:eastAsia="ja-JP"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
    ),
    "word/footer1.xml": f"{_XML}<w:ftr {_NS}>{_EMPTY_FOOTER}{_rule(upper=False)}</w:ftr>",
    "word/footer2.xml": f"{_XML}<w:ftr {_NS}>{_EMPTY_FOOTER}{_page_number(odd=True)}</w:ftr>",
    "word/footer3.xml": f"{_XML}<w:ftr {_NS}>{_EMPTY_FOOTER}{_page_number(odd=False)}</w:ftr>",
    "word/_rels/document.xml.rels": (
        f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'
                  for rid, kind, target in (("rId1", "styles", "styles.xml"), ("rId2", "settings", "settings.xml"),
                                            ("rId3", "header", "header1.xml"), ("rId4", "footer", "footer1.xml"),
                                            ("rId5", "footer", "footer2.xml"), ("rId6", "footer", "footer3.xml")))
        + "</Relationships>"
    ),
    "_rels/.rels": (
        f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
    ),
    "[Content_Types].xml": (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{_CT}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{_CT}.settings+xml"/>'
        f'<Override PartName="/word/header1.xml" ContentType="{_CT}.header+xml"/>'
        + "".join(f'<Override PartName="/word/footer{i}.xml" ContentType="{_CT}.footer+xml"/>' for i in (1, 2, 3))
        + '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
    ),
}
# Page: A4; top 37, bottom 35, left 28, right 26 mm (the 156 x 225 mm type area); header and
# footer distances that put the red lines where GB/T 9704 wants them; a lines-only grid of
# 28.95 pt (LibreOffice mis-lays a characters grid); a first page of its own (no page number).
SECTION = (
    '<w:sectPr><w:headerReference w:type="first" r:id="rId3"/><w:footerReference w:type="first" r:id="rId4"/>'
    '<w:footerReference w:type="default" r:id="rId5"/><w:footerReference w:type="even" r:id="rId6"/>'
    f'<w:pgSz w:w="{mm_twips(210)}" w:h="{mm_twips(297)}"/>'
    f'<w:pgMar w:top="{mm_twips(37)}" w:right="{mm_twips(26)}" w:bottom="{mm_twips(35)}" '
    f'w:left="{mm_twips(28)}" w:header="{mm_twips(26)}" w:footer="{mm_twips(19)}" w:gutter="0"/>'
    f'<w:cols w:space="720"/><w:titlePg/><w:docGrid w:type="lines" w:linePitch="{LINE}"/></w:sectPr>'
)


@lru_cache(maxsize=1)
def skeleton() -> tuple[tuple[zipfile.ZipInfo, bytes], ...]:
    """Return the shared parts, encoded once, in the order the package lists them."""
    order = ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml",
             "word/settings.xml", "word/footer1.xml", "word/footer2.xml", "word/footer3.xml")
    return tuple((_info(name), PARTS[name].encode("utf-8")) for name in order)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2019, 1, 1, 0, 0, 0))  # stable bytes for equal letters
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# --- one document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialDocument:
    """What the letter layout prints: letterhead, title, addressee, body, signature, record block."""

    issuer: str
    number: str
    title: str
    addressee: str
    blocks: tuple[Block, ...]
    signature: str
    date: date
    tables: Mapping[str, TableSpec] = field(default_factory=dict)
    contact: str = ""
    cc_line: str = ""
    attachments: tuple[str, ...] = ()
    keywords: str = ""
    ack_url: str = ""  # printed as a QR code beside the signature; the e-mail carries the link itself

    @classmethod
    def from_letter(cls, letter: LetterContext, blocks: Sequence[Block]) -> OfficialDocument:
        return cls(
            issuer=letter.issuer, number=letter.number, title=letter.title, addressee=letter.addressee,
            blocks=tuple(blocks), signature=letter.signature, date=letter.date,
            tables={FACT_TABLE: fact_table(letter)}, contact=letter.contact, cc_line=letter.cc_line,
            attachments=letter.attachments, keywords=" ".join(letter.notice_keys)[:250], ack_url=letter.ack_url,
        )


def _header(doc: OfficialDocument) -> str:
    """The first page's header: red issuer name on one line, the red line, the number at the right."""
    size = min(26.0, (TYPE_WIDTH_MM * 2.83) / max(len(doc.issuer), 1))  # keep the name on one line
    issuer = _run(doc.issuer, rpr=f'<w:sz w:val="{half_points(size)}"/>')
    return (f"{_XML}<w:hdr {_NS}>{_para('DubanIssuer', issuer)}{_rule(upper=True, before=twips(6))}"
            f"{_para('DubanNumber', _run(doc.number))}</w:hdr>")


def _table(spec: TableSpec) -> str:
    widths = [mm_twips(w) for w in spec.widths_mm]  # LibreOffice reads the grid, Word the cells
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    for i, values in enumerate((spec.heads, *spec.rows)):
        cells = []
        for value, width in zip(values, widths):
            if i == 0:
                p = _para("DubanTableHead", _run(value))
            else:
                p = _para("DubanTableText", _run(value), '<w:jc w:val="center"/>' if len(value) < 4 else "")
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                         f"{p}</w:tc>")
        # a row never breaks across pages; the heads repeat on every page the table runs onto
        head = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if i == 0 else "<w:trPr><w:cantSplit/></w:trPr>"
        rows.append(f"<w:tr>{head}{''.join(cells)}</w:tr>")
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
            'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _body(doc: OfficialDocument) -> str:
    # the title's lines are broken between words and balanced (scheduler.letters.titles), not left
    # to the word processor, which cuts wherever the first line is full
    title = '<w:r><w:br/></w:r>'.join(_run(line) for line in title_lines(doc.title))
    out = [_para("DubanTitle", title), _para("DubanAddressee", _run(f"{doc.addressee}："))]
    last = len(doc.blocks) - 1
    for n, block in enumerate(doc.blocks):
        if block.kind == "table":
            if block.table not in doc.tables:
                raise ValueError(f"正文引用了未提供的表格：[{block.table}]")
            out.append(_table(doc.tables[block.table]))
            continue
        runs = ""
        if block.head:
            runs += _run(block.head, "DubanHeading1" if block.kind == "h1" else "DubanHeading2")
        if block.text:
            runs += _run(block.text)
        # the last body paragraph goes with the signature: never a page holding only the date
        keep = n == last or block.kind == "h1"
        out.append(_para("DubanBody", runs, "<w:keepNext/>" if keep else ""))
    for i, name in enumerate(doc.attachments, start=1):
        lead = "附件：" if i == 1 else "　　　"
        text = f"{lead}{i}. {name}" if len(doc.attachments) > 1 else f"附件：{name}"
        out.append(_para("DubanAttachment" if i == 1 else "DubanBody", _run(text)))
    # 成文日期 right-aligned four characters in; the issuer centred over the date; the office
    # applies its seal over both, so blank lines are left and no seal is drawn.
    date_text = zh_date(doc.date)
    shift = (len(doc.signature) - len(date_text)) * BODY_PT / 2
    right = twips(max(4 * BODY_PT - shift, 0))
    qr = _qr_anchor() if doc.ack_url else ""
    out.append(_para("DubanSignature", qr + _run(doc.signature), _ind(right=right)))
    out.append(_para("DubanDate", *_date_line(doc, date_text)))
    if doc.contact:
        out.append(_para("DubanNote", _run(doc.contact)))
    if doc.cc_line:  # 抄送 in a frame at the bottom of the last page's type area
        out.append(_para("DubanRecord", _run(doc.cc_line), RECORD_FRAME))
    return f"{_XML}<w:document {_NS}><w:body>{''.join(out)}{SECTION}</w:body></w:document>"


ACK_URL_PT = 9.0  # 小五: the short link under its QR code, for typing it in
ACK_URL_MM = 80.0  # the free left part of the date line (the date takes the right ~40 mm)


def _date_line(doc: OfficialDocument, date_text: str) -> tuple[str, str]:
    """The 成文日期 line's runs and paragraph settings: with a 签收 link, its short URL in small
    type at the left, under the QR code (which sits in the signature's blank lines), and the date
    at its place by a right tab, so the link takes no line of its own."""
    if not doc.ack_url:
        return _run(date_text), ""
    size = min(ACK_URL_PT, ACK_URL_MM * 2.835 / (len(doc.ack_url) * 0.55))  # Latin glyphs ~0.55 em
    stop = mm_twips(TYPE_WIDTH_MM) - twips(4 * BODY_PT)
    ppr = f'<w:tabs><w:tab w:val="right" w:pos="{stop}"/></w:tabs>{_ind()}<w:jc w:val="left"/>'
    url = _run(doc.ack_url, rpr=f'<w:sz w:val="{half_points(size)}"/>')
    return url + "<w:r><w:tab/></w:r>" + _run(date_text), ppr


QR_REL = "rIdAckQr"
QR_PART = "word/media/ack-qr.png"


def _qr_anchor() -> str:
    """The 签收 QR code as a run floating at the left of the signature lines (which hold only the
    right-aligned issuer and date), so it takes no line of its own; the seal space on the right stays free."""
    size = mm_twips(QR_MM) * 635  # EMU
    return (
        '<w:r><w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="0" locked="0" '
        'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{size}" cy="{size}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '<wp:docPr id="1" name="签收二维码"/><wp:cNvGraphicFramePr/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:nvPicPr><pic:cNvPr id="1" name="ack-qr.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{QR_REL}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{size}" cy="{size}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
    )


def _with_qr(parts: tuple[tuple[zipfile.ZipInfo, bytes], ...]) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The shared parts with the QR image's relationship and the PNG content type added."""
    image = (f'<Relationship Id="{QR_REL}" Type="{_REL}/image" Target="media/ack-qr.png"/>'
             "</Relationships>").encode()
    png = b'<Default Extension="png" ContentType="image/png"/>'
    out = []
    for info, data in parts:
        if info.filename == "word/_rels/document.xml.rels":
            data = data.replace(b"</Relationships>", image)
        elif info.filename == "[Content_Types].xml":
            data = data.replace(b'<Default Extension="xml"', png + b'<Default Extension="xml"')
        out.append((info, data))
    return out


def _core(doc: OfficialDocument) -> str:
    return (f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(f'{doc.number} {doc.title}')}</dc:title>"
            f"<dc:creator>{escape(doc.issuer)}</dc:creator>"
            f"<cp:keywords>{escape(doc.keywords)}</cp:keywords></cp:coreProperties>")


def write_document_docx(doc: OfficialDocument, path: Path | str) -> Path:
    """Lay the document out as GB/T 9704 prescribes for a 函 and save it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    own = (("word/document.xml", _body(doc)), ("word/header1.xml", _header(doc)), ("docProps/core.xml", _core(doc)))
    with zipfile.ZipFile(target, "w") as package:
        for info, data in (_with_qr(skeleton()) if doc.ack_url else skeleton()):
            package.writestr(info, data)
        for name, xml in own:
            package.writestr(_info(name), xml.encode("utf-8"))
        if doc.ack_url:
            package.writestr(_info(QR_PART), qr_png(doc.ack_url))
    return target


def write_letter_docx(letter: LetterContext, blocks: Sequence[Block], path: Path | str) -> Path:
    """Write a letter (催办, 预警, 约谈) with its facts table as a GB/T 9704 letter-layout DOCX."""
    return write_document_docx(OfficialDocument.from_letter(letter, blocks), path)
