"""A letter's title set in balanced lines broken between words (GB/T 9704-2012 7.3.3: a title of
several lines is arranged as a trapezoid or a diamond, never cutting a word).

Word processors fill the first line and wrap the rest wherever the line ends: 进/展缓慢, or 知 alone
on the last line. The title is broken here instead, between words, into lines as even as the words
allow, longer over shorter (倒梯形) when they cannot be equal. Titles are the office's own phrases
around unit names and task titles, so the words are found by the forms those take: 关于 opens, 的
closes a phrase, unit names end in 政府/局/委员会…, a document kind ends the title, and the
set phrases of the letters' subjects are words of their own.
"""

from __future__ import annotations

import math
import re

CHARS_PER_LINE = 20  # 156 mm type area in 2号 (22 pt) characters

# Where a word ends: after these (unit names, set phrases, particles), a line may break.
_WORD_ENDS = re.compile(
    r"关于|的|和|及|、|，|(?=等\d+项)|"
    r"人民政府|委员会|管委会|管理委员会|办公室|支队|大队|中心|公司|集团|[局厅委]|"
    r"大气污染防治|大气污染|重点任务|进展缓慢|环境空气质量|空气质量|改善|未达到|序时进度|要求|"
    r"加快办理|加强|降尘污染控制|降尘量|超标|主要负责同志|约谈"
)
# Words that always stay whole: the document kinds that end a title, and the set phrases.
_WHOLE = re.compile(r"预警通知函|催办通知|督办通知|约谈通知|通知函|通知|函|进展缓慢|序时进度|主要负责同志")


def _boundaries(title: str) -> list[int]:
    """Offsets (0 < i < len) where a line may break: after a word, never inside a whole word,
    never before 的 or a closing mark, never after an opening one."""
    ends = {found.end() for found in _WORD_ENDS.finditer(title)}
    ends |= {found.start() for found in _WHOLE.finditer(title)}
    inside = {i for found in _WHOLE.finditer(title) for i in range(found.start() + 1, found.end())}
    return sorted(i for i in ends if 0 < i < len(title) and i not in inside
                  and title[i] not in "的、，。：）》”" and title[i - 1] not in "（《“")


def _cost(lengths: list[int], average: float) -> tuple[float, int]:
    """Unevenness first; among equals prefer the longer line on top (倒梯形)."""
    spread = sum((n - average) ** 2 for n in lengths)
    lone = 1000.0 if lengths[-1] <= 1 else 0.0
    rising = sum(1 for a, b in zip(lengths, lengths[1:]) if b > a)
    return spread + lone, rising


def title_lines(title: str, per_line: int = CHARS_PER_LINE) -> tuple[str, ...]:
    """Return `title` as the fewest balanced lines of at most `per_line` characters, broken between
    words; a word longer than a line is the only thing ever cut, and then evenly."""
    if len(title) <= per_line:
        return (title,)
    cuts = _boundaries(title)
    count = math.ceil(len(title) / per_line)
    while count <= len(title):
        best = _best(title, cuts, count, per_line)
        if best is not None:
            return best
        count += 1
    return (title,)


def _best(title: str, cuts: list[int], count: int, per_line: int) -> tuple[str, ...] | None:
    """The most even split into `count` lines at word boundaries (characters when no words fit)."""
    average = len(title) / count
    points = cuts if cuts else list(range(1, len(title)))
    best: tuple[tuple[float, int], list[int]] | None = None

    def walk(start: int, left: int, chosen: list[int]) -> None:
        nonlocal best
        if left == 1:
            if len(title) - start <= per_line:
                stops = [0, *chosen, len(title)]
                lengths = [b - a for a, b in zip(stops, stops[1:])]
                cost = _cost(lengths, average)
                if best is None or cost < best[0]:
                    best = (cost, list(chosen))
            return
        for point in points:
            if start < point <= start + per_line and len(title) - point <= per_line * (left - 1):
                walk(point, left - 1, [*chosen, point])

    walk(0, count, [])
    if best is None:
        if cuts:  # a word longer than a line: let characters break it, evenly
            return _best(title, [], count, per_line)
        return None
    stops = [0, *best[1], len(title)]
    return tuple(title[a:b] for a, b in zip(stops, stops[1:]))
