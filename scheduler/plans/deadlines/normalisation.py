"""One spelling for every deadline text: whitespace dropped, digits and dashes mapped, Chinese
numerals before 年/月/日/季 turned into digits."""

from __future__ import annotations

import re

# Length-preserving map, so offsets into the normalised text still point into the original.
TRANS = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "－": "-", "—": "-", "–": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
                       "～": "~", "〜": "~", "．": ".", "／": "/", "，": ",", "；": ";",
                       "：": ":", "（": "(", "）": ")"})
DROP = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060\ufeff]+")
CN_RUN = re.compile(r"[〇零○一二三四五六七八九十两]+(?=[年月日号季])")
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def cn_number(run: str) -> str:
    """Turn a Chinese numeral ("二〇一九", "十二", "三十一") into digits; leave odd runs alone."""
    if "十" not in run:
        return "".join(str(_CN_DIGIT[c]) for c in run)
    head, _, tail = run.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return run
    return str((_CN_DIGIT[head] if head else 1) * 10 + (_CN_DIGIT[tail] if tail else 0))


def normalise(text: str) -> str:
    """Squeeze whitespace and map digits once, so every handler sees one spelling."""
    s = DROP.sub("", text.translate(TRANS))
    return CN_RUN.sub(lambda m: cn_number(m.group()), s)


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """Normalise like `normalise`, keeping for each character its index in the original."""
    t = text.translate(TRANS)
    chars: list[str] = []
    index: list[int] = []
    last = 0
    for gap in [*DROP.finditer(t), None]:
        stop = gap.start() if gap else len(t)
        chars.append(t[last:stop])
        index.extend(range(last, stop))
        last = gap.end() if gap else stop
    s = "".join(chars)
    out: list[str] = []
    out_index: list[int] = []
    last = 0
    for run in CN_RUN.finditer(s):
        digits = cn_number(run.group())
        out.append(s[last:run.start()] + digits)
        out_index.extend(index[last:run.start()] + [index[run.start()]] * len(digits))
        last = run.end()
    out.append(s[last:])
    out_index.extend(index[last:])
    return "".join(out), out_index


def tidy(text: str) -> str:
    """Drop line breaks and the spaces OCR puts between Chinese characters; keep word gaps."""
    words = text.split()
    out = words[0] if words else ""
    for word in words[1:]:
        joined = out[-1].isascii() and word[0].isascii() and out[-1].isalnum() and word[0].isalnum()
        out += (" " if joined else "") + word
    return out
