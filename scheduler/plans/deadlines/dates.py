"""Date items as plans write them (12月底, 3月上旬, 第三季度, 年底), alone, in a list
("3月和7月底前") or as a range ("10月-次年3月"), and the year each one stands for."""

from __future__ import annotations

import calendar
import re
from datetime import date

from scheduler.plans.deadlines.model import DeadlineContext, Kind

# What a handler reads from a cell: (kind, due, start, end, rrule, notes).
Reading = tuple[Kind, tuple[date, ...], date | None, date | None, str | None, list[str]]

_SEP = "-~至到"
_LIST = "和、及与,"
_REL_YEAR = {"今": 0, "当": 0, "本": 0, "明": 1, "次": 1, "翌": 1, "去": -1, "上": -1}
ITEM = re.compile(
    r"(?<!\d)(?:(?:(?P<y>\d{4})|(?P<ry>[今当本明次翌去上]))年)?"
    r"(?:(?P<ma>\d{1,2})[-~至到](?P<mb>\d{1,2})月"
    r"|(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|(?P<pos>底|末|初|上旬|中旬|下旬|中))?"
    r"|(?P<half>上半年|下半年)"
    r"|第?(?P<q>[1-4])季度末?"
    r"|(?<=年)(?P<ye>底|末))")
_TAIL = re.compile(r"首?(?:以前|之前|前|起|开始|以后|之后|为止|止)?")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(m: re.Match[str], year: int, pos: str | None = None) -> tuple[date, date, list[str]]:
    """Return the first and last day an item names, in a given year, and what was guessed."""
    notes: list[str] = []
    if m["ma"]:
        return date(year, int(m["ma"]), 1), month_end(year, int(m["mb"])), notes
    if m["m"]:
        month = int(m["m"])
        if m["d"]:
            day = date(year, month, int(m["d"]))
            return day, day, notes
        pos = m["pos"] or pos
        first, end = date(year, month, 1), month_end(year, month)
        if pos == "初":
            notes.append(f"“{month}月初”按{month}月10日计")
            return first, date(year, month, 10), notes
        if pos == "上旬":
            return first, date(year, month, 10), notes
        if pos == "中旬":
            return date(year, month, 11), date(year, month, 20), notes
        if pos == "下旬":
            return date(year, month, 21), end, notes
        if pos == "中":
            notes.append(f"“{month}月中”按{month}月15日计")
            return first, date(year, month, 15), notes
        return first, end, notes
    if m["half"]:
        return ((date(year, 1, 1), date(year, 6, 30), notes) if m["half"] == "上半年"
                else (date(year, 7, 1), date(year, 12, 31), notes))
    if m["q"]:
        q = int(m["q"])
        return date(year, 3 * q - 2, 1), month_end(year, 3 * q), notes
    return date(year, 12, 31), date(year, 12, 31), notes  # 年底 / 年末


def relative_year(word: str, ctx: DeadlineContext, base: int | None) -> tuple[int | None, str]:
    """Resolve 今年/明年/次年…; inside a range 次年 counts from the range's first year."""
    if base is not None and word in "次翌明":
        return base + 1, ""
    if ctx.plan_year is None:
        return None, f"“{word}年”需要计划年份"
    return ctx.plan_year + _REL_YEAR[word], f"“{word}年”按计划年度{ctx.plan_year}年推算"


def _infer_year(m: re.Match[str], ctx: DeadlineContext, pos: str | None) -> tuple[int | None, str]:
    """Pick the year for an item written without one: inside the plan period, else plan year."""
    if ctx.period_start and ctx.period_end:
        period_start, period_end = ctx.period_start, ctx.period_end
        years = range(period_start.year, period_end.year + 1)
        inside = [y for y in years if period_start <= _span(m, y, pos)[1] <= period_end]
        if inside:
            year = ctx.plan_year if ctx.plan_year in inside else inside[0]
            period = f"{period_start.isoformat()}至{period_end.isoformat()}"
            return year, f"未写年份，按计划期（{period}）取{year}年"
    if ctx.plan_year is not None:
        return ctx.plan_year, f"未写年份，按计划年度取{ctx.plan_year}年"
    return None, "未写年份，且没有计划年份可用"


def _item_year(m: re.Match[str], ctx: DeadlineContext, pos: str | None, base: int | None,
               notes: list[str]) -> int | None:
    """Return the year an item stands for, explicit, relative, inherited or inferred."""
    if m["y"]:
        return int(m["y"])
    if m["ry"]:
        year, note = relative_year(m["ry"], ctx, base)
    elif base is not None:
        return base
    else:
        year, note = _infer_year(m, ctx, pos)
    if note:
        notes.append(note)
    return year


def _after_tail(s: str, pos: int) -> int:
    """Skip a suffix such as 前, 起 or 为止 after an item (the suffix may be empty)."""
    tail = _TAIL.match(s, pos)
    return tail.end() if tail else pos


def read_items(s: str, m: re.Match[str], ctx: DeadlineContext) -> tuple[Reading, int]:
    """Interpret the item found at m and the list, range or suffix after it; return its end."""
    notes: list[str] = []
    prefix = s[:m.start()]
    end = m.end()
    if m["ma"]:
        year = _item_year(m, ctx, None, None, notes)
        if year is None:
            return ("unknown", (), None, None, None, notes), end
        lo, hi, _ = _span(m, year)
        return ("window", (), lo, hi, None, notes), _after_tail(s, end)
    if end < len(s) and s[end] in _SEP:
        m2 = ITEM.match(s, end + 1)
        if m2 and not m2["ma"] and not m2["ye"]:
            return _window(m, m2, ctx, notes), _after_tail(s, m2.end())
    items = [m]
    while end + 1 < len(s) and s[end] in _LIST:
        nxt = ITEM.match(s, end + 1)
        if not nxt or nxt["ye"]:
            break
        items.append(nxt)
        end = nxt.end()
    suffix = s[end:]
    shared_pos = items[-1]["pos"]  # "3月和7月底前": 底 distributes over the list
    if suffix.startswith("首") and shared_pos == "底":
        notes.append("“底首”按“底前”读（识别错字）")
    is_from = suffix.startswith(("起", "开始", "以后", "之后", "后")) or (
        prefix.endswith(("自", "从")) and not suffix.startswith(("前", "以前", "之前")))
    days: list[date] = []
    first_day: date | None = None
    base: int | None = None
    for item in items:
        year = _item_year(item, ctx, shared_pos, base, notes)
        if year is None:
            return ("unknown", (), None, None, None, notes), end
        base = year
        lo, hi, guessed = _span(item, year, shared_pos)
        notes.extend(guessed)
        first_day = first_day or lo
        days.append(hi)
    tail = _after_tail(s, end)
    if is_from:
        return ("from", (), first_day, None, None, notes), tail
    last = items[-1]
    said_before = suffix.startswith(("前", "以前", "之前"))
    if last["m"] and not (last["d"] or shared_pos) and not said_before:
        notes.append("只写了月份，按月末计")
    return ("due", tuple(sorted(set(days))), None, None, None, notes), tail


def _window(m1: re.Match[str], m2: re.Match[str], ctx: DeadlineContext, notes: list[str]) -> Reading:
    """Read "2020年10月-2021年3月" or "10月1日-次年3月31日" as an active window."""
    y1 = _item_year(m1, ctx, None, None, notes)
    if y1 is None:
        return "unknown", (), None, None, None, notes
    start = _span(m1, y1, None)[0]
    y2 = _item_year(m2, ctx, None, y1, notes)
    if y2 is None:
        return "unknown", (), None, None, None, notes
    end = _span(m2, y2, None)[1]
    if end < start and not (m2["y"] or m2["ry"]):
        end = _span(m2, y2 + 1, None)[1]
        notes.append("结束月份早于开始月份，按跨年计")
    if end < start:
        notes.append("结束日期早于开始日期")
        return "unknown", (), None, None, None, notes
    return "window", (), start, end, None, notes
