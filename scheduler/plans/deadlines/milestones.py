"""Dates buried in measure text ("11月底前发证率不少于80%；12月20日前基本完成"): each is a
milestone with the phrase it governs, so it gets reminders too."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from scheduler.plans.deadlines.cells import SEASON, season
from scheduler.plans.deadlines.dates import ITEM, read_items
from scheduler.plans.deadlines.model import NO_CONTEXT, DeadlineContext, Milestone
from scheduler.plans.deadlines.normalisation import normalise_mapped, tidy

_PHRASE_STOP = re.compile(r"[;。]")
_LEAD_PUNCT = ",、:.（(）)“”\"' "
# Every ITEM match holds 月, 年 or 季 and every SEASON match 暖, and normalising never makes one of
# them: a text without any has no milestone (most measure texts: 157 of the seeds' 227).
_DATE_CHARACTERS = frozenset("月年季暖")
_WRAPPERS = ("确保", "力争", "争取", "在", "于", "到", "至", "截至", "并", "要", "须", "需")


def _scan(s: str, ctx: DeadlineContext) -> list[tuple[int, int, date, list[str]]]:
    """Find every dated expression in normalised text: (start, end, due date, notes)."""
    found: list[tuple[int, int, date, list[str]]] = []
    pos = 0
    while pos < len(s):
        heating, item = SEASON.search(s, pos), ITEM.search(s, pos)
        if heating and (not item or heating.start() <= item.start()):
            try:
                dated_season = season(heating.group(), ctx)
            except ValueError:  # a region configured with an impossible season start
                dated_season = None
            if dated_season and dated_season[1]:
                found.append((heating.start(), heating.end(), dated_season[1][0], list(dated_season[5])))
            pos = heating.end()
            continue
        if not item:
            break
        try:
            result, end = read_items(s, item, ctx)
        except ValueError:  # an impossible date in prose is skipped, not fatal
            pos = item.end()
            continue
        kind, due, start, stop, _, notes = result
        # A deadline ends in 前/起/止 or a month/year end; a bare "2020年10月13日" is a document
        # date and "2019年一季度和四季度" a reference period.
        dated = s[end - 1] in "前起止底末首" or s[end - 2:end] in ("开始", "以后", "之后")
        first = item.start() - 1 if item["ye"] and not (item["y"] or item["ry"]) else item.start()
        recurring = s[max(0, item.start() - 2):item.start()].endswith(("每年", "每", "每季"))
        if dated and not recurring:
            if kind == "due":
                found.extend((first, end, d, list(notes)) for d in due)
            elif kind == "from" and start:
                found.append((first, end, start, notes + ["自该日起施行"]))
            elif kind == "window" and stop:
                found.append((first, end, stop, notes + [f"时段{start}至{stop}，取截止日"]))
        pos = max(end, item.end())
    return found


def _borrowed(original: Callable[[int, int], str], sentence: int, start: int, earlier: list[tuple[int, int]]) -> str:
    """Return the words before a date whose own phrase is too short to say what is due: the start of
    its sentence, but never another milestone's date — with earlier dates in the sentence, the words
    before the first of them (the shared subject), else the words after the last one."""
    def cleaned(a: int, b: int) -> str:
        text = original(a, b).strip(",，、 ")
        for word in _WRAPPERS:
            text = text.removesuffix(word)
        return text.strip(",，、 ")

    if not earlier:
        return cleaned(sentence, start)
    return cleaned(sentence, earlier[0][0]) or cleaned(earlier[-1][1], start)


def find_milestones(measures: str, context: DeadlineContext | None = None) -> list[Milestone]:
    """Find dated milestones inside measure text, so buried deadlines get reminders too."""
    try:
        # Callers outside the typed core hand over spreadsheet values too (None, numbers).
        text = measures if isinstance(measures, str) else ""
        return find_milestones_strictly(text, context or NO_CONTEXT)
    except Exception:  # milestones are extras: a failure must not stop an import
        return []


def find_milestones_strictly(text: str, ctx: DeadlineContext) -> list[Milestone]:
    """Find milestones like find_milestones, but let an error out (property tests look for them)."""
    if _DATE_CHARACTERS.isdisjoint(text):
        return []
    s, index = normalise_mapped(text)

    def original(a: int, b: int) -> str:
        return tidy(text[index[a]:index[b - 1] + 1]) if b > a else ""

    found = _scan(s, ctx)
    milestones: list[Milestone] = []
    for n, (start, end, due, notes) in enumerate(found):
        limit = len(s)
        stop = _PHRASE_STOP.search(s, end)
        if stop:
            limit = stop.start()
        later = [f[0] for f in found[n + 1:] if f[0] >= end]
        if later and later[0] < limit:
            limit = later[0]
        a = end
        while a < limit and s[a] in _LEAD_PUNCT:
            a += 1
        phrase = original(a, limit).rstrip(",，、 ")
        if len(phrase) <= 4:  # "…关停退出，2024年12月底前完成": the action comes before the date
            sentence = max(s.rfind(c, 0, start) for c in ";。") + 1
            before = _borrowed(original, sentence, start, [(a, b) for a, b, *_ in found[:n] if a >= sentence])
            if before:
                phrase = f"{before}，{phrase}" if phrase else before
        written = " ".join(text[index[start]:index[end - 1] + 1].split())
        milestones.append(Milestone(due=due, phrase=phrase, text=written,
                                    notes=tuple(notes)))
    return milestones
