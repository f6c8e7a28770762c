"""Normalise a unit name as plans write it: line breaks, bracket widths, OCR damage, 政府."""

from __future__ import annotations

import re

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "［", "]": "］", "【": "［", "】": "］",
                           "〔": "［", "〕": "］"})
_EDGE = "、，,。；;：:．.\"'“”‘’「」『』·［］"
_OCR_CLOSING_J = re.compile(r"(?<=[\u4e00-\u9fff）])[Jj]$")  # seed 003 reads ］ as J
_IN_PARENS = re.compile(r"（[^（）]*）")
_GOVERNMENT = re.compile(r"(?<!人民)政府")


def normalize_unit_name(written: str) -> str:
    """Squeeze whitespace and line breaks, use full-width brackets and undo OCR damage."""
    name = _SPACE.sub("", written).translate(_BRACKETS)
    name = _OCR_CLOSING_J.sub("", name).strip(_EDGE)
    return _IN_PARENS.sub(lambda m: re.sub(r"[,，]", "、", m.group(0)), name)


def name_key(name: str) -> str:
    """Return the lookup key: normalised, with every "政府" read as "人民政府"."""
    return _GOVERNMENT.sub("人民政府", normalize_unit_name(name))
