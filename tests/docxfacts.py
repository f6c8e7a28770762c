"""Read the layout facts of a DOCX as Word resolves them, whatever way the file spells them.

Two writers can produce the same letter with different XML: one sets every property on every run,
the other uses paragraph and character styles. This helper resolves each paragraph's and run's
effective properties (document defaults -> table style -> paragraph style chain -> character style
chain -> direct formatting) so tests can compare what a reader sees, not how the XML says it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R}
# Paragraph and run properties that change what the page looks like.
P_PROPS = ("keepNext", "spacing", "ind", "jc", "snapToGrid", "framePr", "pBdr")
R_PROPS = ("rFonts", "sz", "color", "b", "spacing")
_THEME = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme", "cs": "cstheme"}
_OFF = {"0", "false", "off"}


def _local(name: str) -> str:
    return etree.QName(name).localname


def _attrs(el: Any) -> dict[str, str]:
    return {_local(k): v for k, v in el.attrib.items()}


def _props(container: Any, wanted: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Return {property: attributes} of a pPr/rPr; borders keep their edges as nested dicts."""
    out: dict[str, dict[str, Any]] = {}
    if container is None:
        return out
    for child in container:
        name = _local(child.tag)
        if name not in wanted:
            continue
        if name == "pBdr":
            out[name] = {_local(edge.tag): _attrs(edge) for edge in child}
        else:
            out[name] = _attrs(child)
    return out


def _merge(base: dict[str, dict[str, Any]], top: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged = {k: dict(v) for k, v in base.items()}
    for name, attrs in top.items():
        current = merged.setdefault(name, {})
        if name == "rFonts":  # an explicit face replaces an inherited theme face
            for face, theme in _THEME.items():
                if face in attrs:
                    current.pop(theme, None)
        if name in ("pBdr", "framePr"):
            merged[name] = dict(attrs)
        else:
            current.update(attrs)
    return merged


class Styles:
    """The style sheet of a package: defaults and styles by id, resolved along basedOn."""

    def __init__(self, xml: bytes | None) -> None:
        self.by_id: dict[str, Any] = {}
        self.default: dict[str, str] = {}
        self.p_defaults: dict[str, dict[str, Any]] = {}
        self.r_defaults: dict[str, dict[str, Any]] = {}
        if xml is None:
            return
        root = etree.fromstring(xml)
        self.p_defaults = _props(root.find("w:docDefaults/w:pPrDefault/w:pPr", NS), P_PROPS)
        self.r_defaults = _props(root.find("w:docDefaults/w:rPrDefault/w:rPr", NS), R_PROPS)
        for style in root.findall("w:style", NS):
            sid = style.get(f"{{{W}}}styleId")
            self.by_id[sid] = style
            if style.get(f"{{{W}}}default") in ("1", "true"):
                self.default[style.get(f"{{{W}}}type")] = sid

    def chain(self, sid: str | None, kind: str) -> list[Any]:
        """Return the styles from the root of the basedOn chain down to `sid`."""
        sid = sid or self.default.get(kind)
        found: list[Any] = []
        while sid and sid in self.by_id and len(found) < 20:
            style = self.by_id[sid]
            found.insert(0, style)
            based = style.find("w:basedOn", NS)
            sid = based.get(f"{{{W}}}val") if based is not None else None
        return found

    def p_of(self, sid: str | None, kind: str) -> dict[str, dict[str, Any]]:
        props: dict[str, dict[str, Any]] = {}
        for style in self.chain(sid, kind):
            props = _merge(props, _props(style.find("w:pPr", NS), P_PROPS))
        return props

    def r_of(self, sid: str | None, kind: str) -> dict[str, dict[str, Any]]:
        props: dict[str, dict[str, Any]] = {}
        for style in self.chain(sid, kind):
            props = _merge(props, _props(style.find("w:rPr", NS), R_PROPS))
        return props


def _val(el: Any, path: str) -> str | None:
    found = el.find(path, NS)
    return None if found is None else found.get(f"{{{W}}}val")


def _simplify_r(props: dict[str, dict[str, Any]]) -> dict[str, Any]:
    fonts = props.get("rFonts", {})
    bold = props.get("b")
    return {
        "font": fonts.get("eastAsia"),
        "fonts": sorted({v for k, v in fonts.items() if k in _THEME}),
        "size_half_pt": int(props["sz"]["val"]) if "sz" in props else None,
        "color": (props.get("color") or {}).get("val", "auto").upper(),
        "bold": bold is not None and bold.get("val", "1") not in _OFF,
        "char_spacing": int(props["spacing"]["val"]) if "spacing" in props else 0,
    }


def _simplify_p(props: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spacing = props.get("spacing", {})
    ind = props.get("ind", {})
    keep = props.get("keepNext")
    snap = props.get("snapToGrid")
    return {
        "align": (props.get("jc") or {}).get("val", "left"),
        "before": int(spacing.get("before", 0)),
        "after": int(spacing.get("after", 0)),
        "line": int(spacing["line"]) if "line" in spacing else None,
        "line_rule": spacing.get("lineRule", "auto"),
        "indent": {k: int(ind.get(k, 0)) for k in ("left", "right", "firstLine")},
        "keep_with_next": keep is not None and keep.get("val", "1") not in _OFF,
        "snap_to_grid": snap is None or snap.get("val", "1") not in _OFF,
        "frame": props.get("framePr"),
        "borders": props.get("pBdr"),
    }


def _run_text(run: Any) -> str:
    parts = []
    for child in run:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "instrText":
            parts.append(f"{{{(child.text or '').strip()}}}")
        elif name == "fldChar":
            parts.append({"begin": "⟦", "separate": "|", "end": "⟧"}[child.get(f"{{{W}}}fldCharType")])
        elif name == "tab":
            parts.append("\t")
    return "".join(parts)


def paragraph_facts(p: Any, styles: Styles, table_style: str | None = None) -> dict[str, Any]:
    """Resolve one paragraph: its properties and its runs, neighbours of equal look merged."""
    ppr = p.find("w:pPr", NS)
    pstyle = _val(p, "w:pPr/w:pStyle")
    base_p = _merge(styles.p_defaults, styles.p_of(table_style, "table") if table_style else {})
    para = _merge(_merge(base_p, styles.p_of(pstyle, "paragraph")), _props(ppr, P_PROPS))
    base_r = _merge(styles.r_defaults, styles.r_of(table_style, "table") if table_style else {})
    base_r = _merge(base_r, styles.r_of(pstyle, "paragraph"))
    runs: list[dict[str, Any]] = []
    for run in p.findall("w:r", NS):
        rstyle = _val(run, "w:rPr/w:rStyle")
        props = _merge(base_r, styles.r_of(rstyle, "character") if rstyle else {})
        look = _simplify_r(_merge(props, _props(run.find("w:rPr", NS), R_PROPS)))
        text = _run_text(run)
        if runs and {k: v for k, v in runs[-1].items() if k != "text"} == look:
            runs[-1]["text"] += text
        elif text:
            runs.append({**look, "text": text})
    mark = _simplify_r(_merge(base_r, _props(ppr.find("w:rPr", NS) if ppr is not None else None, R_PROPS)))
    return {**_simplify_p(para), "mark": mark, "text": "".join(r["text"] for r in runs), "runs": runs}


def _table_facts(tbl: Any, styles: Styles) -> dict[str, Any]:
    sid = _val(tbl, "w:tblPr/w:tblStyle")
    style_borders = {}
    for style in styles.chain(sid, "table"):
        borders = style.find("w:tblPr/w:tblBorders", NS)
        if borders is not None:
            style_borders = {_local(e.tag): _attrs(e) for e in borders}
    direct = tbl.find("w:tblPr/w:tblBorders", NS)
    if direct is not None:
        style_borders = {_local(e.tag): _attrs(e) for e in direct}
    rows = []
    for tr in tbl.findall("w:tr", NS):
        cells = []
        for tc in tr.findall("w:tc", NS):
            cells.append({
                "width": int(tc.find("w:tcPr/w:tcW", NS).get(f"{{{W}}}w")),
                "valign": _val(tc, "w:tcPr/w:vAlign") or "top",
                "paragraphs": [paragraph_facts(p, styles, sid) for p in tc.findall("w:p", NS)],
            })
        rows.append({"repeat_header": tr.find("w:trPr/w:tblHeader", NS) is not None, "cells": cells})
    layout = tbl.find("w:tblPr/w:tblLayout", NS)
    return {
        "grid": [int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)],
        "fixed": layout is not None and layout.get(f"{{{W}}}type") == "fixed",
        "borders": style_borders,
        "rows": rows,
    }


def _blocks(container: Any, styles: Styles) -> list[dict[str, Any]]:
    out = []
    for child in container:
        name = _local(child.tag)
        if name == "p":
            out.append({"paragraph": paragraph_facts(child, styles)})
        elif name == "tbl":
            out.append({"table": _table_facts(child, styles)})
    return out


def layout_facts(path: Path | str) -> dict[str, Any]:
    """Return page setup, headers and footers by role, and the body, as plain comparable values."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        styles = Styles(z.read("word/styles.xml") if "word/styles.xml" in names else None)
        doc = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.findall(f"{{{PKG_R}}}Relationship")}
        settings = etree.fromstring(z.read("word/settings.xml"))
        body = doc.find("w:body", NS)
        sect = body.find("w:sectPr", NS)
        parts: dict[str, Any] = {}
        for ref in sect:
            kind = _local(ref.tag)
            if kind in ("headerReference", "footerReference"):
                part = etree.fromstring(z.read("word/" + targets[ref.get(f"{{{R}}}id")]))
                parts[f"{kind[:6]}:{ref.get(f'{{{W}}}type')}"] = _blocks(part, styles)
    size, margin, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    return {
        "page": {k: int(v) for k, v in _attrs(size).items()},
        "margins": {k: int(v) for k, v in _attrs(margin).items()},
        "grid": _attrs(grid),
        "title_page": sect.find("w:titlePg", NS) is not None,
        "odd_even": settings.find("w:evenAndOddHeaders", NS) is not None,
        "parts": parts,
        "body": _blocks(body, styles),
    }
