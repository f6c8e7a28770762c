"""Small text normalisations shared by the parsers and importers of Chinese plan text."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"[\s\u3000\u00a0]+")


def squeeze(text: str) -> str:
    """Remove every kind of whitespace: plan text breaks names and dates across lines and
    pads them with spaces ("市生态环\\n境局", "郭  强", "2023 年 6 月底前")."""
    return _SPACE.sub("", text or "")


def collapse(text: str) -> str:
    """Join lines and runs of spaces into single spaces, trimming the ends (for prose)."""
    return _SPACE.sub(" ", text or "").strip()


def halfwidth_digits(text: str) -> str:
    """Map full-width digits and ASCII-compatible letters to half-width, keep CJK punctuation."""
    out = []
    for ch in text:
        if "\uff10" <= ch <= "\uff19" or "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)
