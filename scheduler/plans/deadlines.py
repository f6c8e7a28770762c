"""Parse deadline cells written in words ("2019年12月底前", "长期坚持") into dated values.

INTERFACE (stable; other modules rely on it): DeadlineContext, Deadline (and its to_json()),
Milestone, parse_deadline(text, context) and find_milestones(measures, context).

How it works: the cell is normalised once (whitespace and control characters dropped,
full-width digits and dashes mapped, Chinese numerals before 年/月/日/季 turned into digits),
then a short ordered list of handlers is tried, one per form, each built on precompiled
regexes. The first handler that recognises the cell decides its kind. Every guess leaves a
note so a coordinator can see why a date was chosen.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Kind = Literal["due", "ongoing", "year_long", "external", "window", "from", "recurring",
               "season", "unknown"]
KINDS: tuple[str, ...] = ("due", "ongoing", "year_long", "external", "window", "from",
                          "recurring", "season", "unknown")


@dataclass(frozen=True)
class DeadlineContext:
    """What a cell needs from its plan to become dates."""

    plan_year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    heating_season_start: tuple[int, int] = (11, 1)  # (month, day) for the plan's region


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline cell. `due` holds every milestone date, earliest first."""

    text: str
    kind: Kind
    due: tuple[date, ...] = ()
    start: date | None = None
    end: date | None = None
    rrule: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Return the JSON object of the command-line contract (DESIGN.md)."""
        return {
            "text": self.text,
            "kind": self.kind,
            "due": [d.isoformat() for d in self.due],
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "rrule": self.rrule,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Milestone:
    """A date found inside measure text, with the phrase it governs."""

    due: date
    phrase: str
    text: str  # the date expression as written
    notes: tuple[str, ...] = field(default=())


# --- normalisation ------------------------------------------------------------------------

_MAX_CHARS = 400  # a deadline cell is short; beyond this only the start is read
_NO_CONTEXT = DeadlineContext()
# Length-preserving map, so offsets into the normalised text still point into the original.
_TRANS = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                        "－": "-", "—": "-", "–": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
                        "～": "~", "〜": "~", "．": ".", "／": "/", "，": ",", "；": ";",
                        "：": ":", "（": "(", "）": ")"})
_DROP = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060\ufeff]+")
_CN_RUN = re.compile(r"[〇零○一二三四五六七八九十两]+(?=[年月日号季])")
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(run: str) -> str:
    """Turn a Chinese numeral ("二〇一九", "十二", "三十一") into digits; leave odd runs alone."""
    if "十" not in run:
        return "".join(str(_CN_DIGIT[c]) for c in run)
    head, _, tail = run.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return run
    return str((_CN_DIGIT[head] if head else 1) * 10 + (_CN_DIGIT[tail] if tail else 0))


def normalise(text: str) -> str:
    """Squeeze whitespace and map digits once, so every handler sees one spelling."""
    s = _DROP.sub("", text.translate(_TRANS))
    return _CN_RUN.sub(lambda m: _cn_number(m.group()), s)


# --- shared date pieces -------------------------------------------------------------------

_SEP = "-~至到"
_LIST = "和、及与,"
_REL_YEAR = {"今": 0, "当": 0, "本": 0, "明": 1, "次": 1, "翌": 1, "去": -1, "上": -1}
_ITEM = re.compile(
    r"(?<!\d)(?:(?:(?P<y>\d{4})|(?P<ry>[今当本明次翌去上]))年)?"
    r"(?:(?P<ma>\d{1,2})[-~至到](?P<mb>\d{1,2})月"
    r"|(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|(?P<pos>底|末|初|上旬|中旬|下旬|中))?"
    r"|(?P<half>上半年|下半年)"
    r"|第?(?P<q>[1-4])季度末?"
    r"|(?<=年)(?P<ye>底|末))")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(m: re.Match, year: int, pos: str | None = None) -> tuple[date, date, list[str]]:
    """Return the first and last day an item names, in a given year, and what was guessed."""
    notes: list[str] = []
    if m["ma"]:
        return date(year, int(m["ma"]), 1), _month_end(year, int(m["mb"])), notes
    if m["m"]:
        month = int(m["m"])
        if m["d"]:
            day = date(year, month, int(m["d"]))
            return day, day, notes
        pos = m["pos"] or pos
        first, end = date(year, month, 1), _month_end(year, month)
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
        return date(year, 3 * q - 2, 1), _month_end(year, 3 * q), notes
    return date(year, 12, 31), date(year, 12, 31), notes  # 年底 / 年末


def _relative_year(word: str, ctx: DeadlineContext, base: int | None) -> tuple[int | None, str]:
    """Resolve 今年/明年/次年…; inside a range 次年 counts from the range's first year."""
    if base is not None and word in "次翌明":
        return base + 1, ""
    if ctx.plan_year is None:
        return None, f"“{word}年”需要计划年份"
    return ctx.plan_year + _REL_YEAR[word], f"“{word}年”按计划年度{ctx.plan_year}年推算"


def _infer_year(m: re.Match, ctx: DeadlineContext, pos: str | None) -> tuple[int | None, str]:
    """Pick the year for an item written without one: inside the plan period, else plan year."""
    if ctx.period_start and ctx.period_end:
        years = range(ctx.period_start.year, ctx.period_end.year + 1)
        inside = [y for y in years if ctx.period_start <= _span(m, y, pos)[1] <= ctx.period_end]
        if inside:
            year = ctx.plan_year if ctx.plan_year in inside else inside[0]
            period = f"{ctx.period_start.isoformat()}至{ctx.period_end.isoformat()}"
            return year, f"未写年份，按计划期（{period}）取{year}年"
    if ctx.plan_year is not None:
        return ctx.plan_year, f"未写年份，按计划年度取{ctx.plan_year}年"
    return None, "未写年份，且没有计划年份可用"


def _item_year(m: re.Match, ctx: DeadlineContext, pos: str | None, base: int | None,
               notes: list[str]) -> int | None:
    """Return the year an item stands for, explicit, relative, inherited or inferred."""
    if m["y"]:
        return int(m["y"])
    if m["ry"]:
        year, note = _relative_year(m["ry"], ctx, base)
    elif base is not None:
        return base
    else:
        year, note = _infer_year(m, ctx, pos)
    if note:
        notes.append(note)
    return year


# --- handlers: one per form ---------------------------------------------------------------

Result = tuple  # (kind, due, start, end, rrule, notes)
_STAMP = re.compile(r"(\d{4})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?(底前|前|底|起)?")


def _stamp(s: str, ctx: DeadlineContext) -> Result | None:
    """Read a table stamp such as 开工时间 "2019.5" or "2019-05-31"."""
    m = _STAMP.fullmatch(s)
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    if m[3]:
        day, notes = date(year, month, int(m[3])), []
    else:
        day, notes = _month_end(year, month), [f"表格年月写法“{s}”，按该月月末计"]
    if m[4] == "起":
        return "from", (), date(year, month, int(m[3] or 1)), None, None, notes
    return "due", (day,), None, None, None, notes


_EXTERNAL = re.compile(r"(?:省定|规定|要求|下达)的?(?:完成)?(?:时限|期限|时间)")


def _external(s: str, ctx: DeadlineContext) -> Result | None:
    """Recognise "按国家、省规定完成时限": the date is set elsewhere."""
    if not _EXTERNAL.search(s):
        return None
    return "external", (), None, None, None, ["时限由国家或省另行规定，需协调人补录具体日期"]


_RECUR = re.compile(r"(?:在|于|须|需|要|应|并)?每(年|月|季度?|半年|周|星期|旬|日|天)(.*)")
_RECUR_YEAR = re.compile(r"(\d{1,2})月(?:(\d{1,2})[日号]|底|末)?")
_RECUR_MONTH = re.compile(r"初?(\d{1,2})[日号]")
_RECUR_SPAN = re.compile(r"(\d{1,2})月?[-—–~至到](\d{1,2})月")
_WEEKDAY = {"一": "MO", "二": "TU", "三": "WE", "四": "TH", "五": "FR", "六": "SA", "日": "SU",
            "天": "SU", "1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA",
            "7": "SU"}


def _recurring(s: str, ctx: DeadlineContext) -> Result | None:
    """Turn 每年/每月/每季度/每周 into an RRULE (no DTSTART: the caller supplies one)."""
    m = _RECUR.match(s)
    if not m:
        return None
    unit, rest = m[1], m[2]
    notes: list[str] = []
    span = _RECUR_SPAN.match(rest) if unit == "年" else None
    if span and 1 <= int(span[1]) < int(span[2]) <= 12:
        # 每年5月—9月: a season that comes back every year; check in at each month end inside it
        months = ",".join(str(month) for month in range(int(span[1]), int(span[2]) + 1))
        rule = f"FREQ=MONTHLY;BYMONTH={months};BYMONTHDAY=-1"
        notes = [f"每年{int(span[1])}月至{int(span[2])}月期间，按月末调度"]
    elif unit == "年":
        ym = _RECUR_YEAR.match(rest)
        if ym:
            rule = f"FREQ=YEARLY;BYMONTH={int(ym[1])};BYMONTHDAY={int(ym[2]) if ym[2] else -1}"
            date(2000, int(ym[1]), int(ym[2]) if ym[2] else 1)  # reject 13月 or 2月30日
        else:
            rule, notes = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1", ["未写月份，按每年年底计"]
    elif unit == "月":
        dm = _RECUR_MONTH.match(rest)
        if dm and 1 <= int(dm[1]) <= 31:
            rule = f"FREQ=MONTHLY;BYMONTHDAY={int(dm[1])}"
        elif rest.startswith(("初", "上旬")):
            rule = "FREQ=MONTHLY;BYMONTHDAY=10"
            notes = ["“每月初”按每月10日计"] if rest.startswith("初") else []
        elif rest.startswith("中旬"):
            rule = "FREQ=MONTHLY;BYMONTHDAY=20"
        else:
            rule = "FREQ=MONTHLY;BYMONTHDAY=-1"
            if not rest.startswith(("底", "末", "下旬")):
                notes = ["未写日期，按每月月末计"]
    elif unit in ("季", "季度"):
        rule = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
        if not rest.startswith(("末", "底")):
            notes = ["按每季度末计"]
    elif unit == "半年":
        rule, notes = "FREQ=MONTHLY;BYMONTH=6,12;BYMONTHDAY=-1", ["按每半年末计"]
    elif unit in ("周", "星期"):
        day = _WEEKDAY.get(rest[:1])
        rule = f"FREQ=WEEKLY;BYDAY={day or 'FR'}"
        if not day:
            notes = ["未写星期几，按每周五计"]
    elif unit == "旬":
        rule = "FREQ=MONTHLY;BYMONTHDAY=10,20,-1"
    else:
        rule = "FREQ=DAILY"
    return "recurring", (), ctx.period_start, None, rule, notes


_SEASON = re.compile(r"(?:(?<!\d)(\d{4})年|([今当本明次翌])年)?"
                     r"(?:采暖|供暖|取暖)[季期](?:开始)?[之以]?前")


def _season(s: str, ctx: DeadlineContext) -> Result | None:
    """Date "采暖季前" as the day before the region's heating season starts."""
    m = _SEASON.search(s)
    if not m:
        return None
    notes: list[str] = []
    if m[1]:
        year: int | None = int(m[1])
    elif m[2]:
        year, note = _relative_year(m[2], ctx, None)
        notes.append(note)
    else:
        year = ctx.plan_year
        notes.append("未写年份，按计划年度计" if year else "未写年份，且没有计划年份可用")
    if year is None:
        return "unknown", (), None, None, None, notes
    month, day = ctx.heating_season_start
    due = date(year, month, day) - timedelta(days=1)
    notes.append(f"采暖季按{month}月{day}日开始计")
    return "season", (due,), None, None, None, notes


def _dates(s: str, ctx: DeadlineContext) -> Result | None:
    """Read explicit dates: one, a list ("3月和7月底前"), a range, or a start ("…起")."""
    m = _ITEM.search(s)
    if not m:
        return None
    return _read_items(s, m, ctx)[0]


_TAIL = re.compile(r"首?(?:以前|之前|前|起|开始|以后|之后|为止|止)?")


def _read_items(s: str, m: re.Match, ctx: DeadlineContext) -> tuple[Result, int]:
    """Interpret the item found at m and the list, range or suffix after it; return its end."""
    notes: list[str] = []
    prefix = s[:m.start()]
    end = m.end()
    if m["ma"]:
        year = _item_year(m, ctx, None, None, notes)
        if year is None:
            return ("unknown", (), None, None, None, notes), end
        lo, hi, _ = _span(m, year)
        return ("window", (), lo, hi, None, notes), _TAIL.match(s, end).end()
    if end < len(s) and s[end] in _SEP:
        m2 = _ITEM.match(s, end + 1)
        if m2 and not m2["ma"] and not m2["ye"]:
            return _window(m, m2, ctx, notes), _TAIL.match(s, m2.end()).end()
    items = [m]
    while end + 1 < len(s) and s[end] in _LIST:
        nxt = _ITEM.match(s, end + 1)
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
    tail = _TAIL.match(s, end).end()
    if is_from:
        return ("from", (), first_day, None, None, notes), tail
    last = items[-1]
    said_before = suffix.startswith(("前", "以前", "之前"))
    if last["m"] and not (last["d"] or shared_pos) and not said_before:
        notes.append("只写了月份，按月末计")
    return ("due", tuple(sorted(set(days))), None, None, None, notes), tail


def _window(m1: re.Match, m2: re.Match, ctx: DeadlineContext, notes: list[str]) -> Result:
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


_YEAR_ONLY = re.compile(r"(?:(?<!\d)(\d{4})年)?(全年度?|年内|年度内)|(?<!\d)(\d{4})年度?")


def _year(s: str, ctx: DeadlineContext) -> Result | None:
    """Read "全年", "2019年全年", "年内" and a bare "2019年" cell."""
    m = _YEAR_ONLY.search(s)
    if not m or (m[3] and m.end() != len(s)):
        return None
    explicit = m[1] or m[3]
    year = int(explicit) if explicit else ctx.plan_year
    notes = [] if explicit else ["按计划年度计"]
    if year is None:
        return "unknown", (), None, None, None, ["未写年份，且没有计划年份可用"]
    if m[2] and m[2].startswith("年"):
        return "due", (date(year, 12, 31),), None, None, None, notes + ["“年内”按年底计"]
    if m[3]:
        notes.append("只写了年份，按全年计")
    return "year_long", (date(year, 12, 31),), date(year, 1, 1), date(year, 12, 31), None, notes


_ONGOING = re.compile(r"长期|持续|常态|常年|日常|经常|坚持|动态|随时|不定期")


def _ongoing(s: str, ctx: DeadlineContext) -> Result | None:
    """Recognise open-ended work ("长期坚持", "持续开展", "常态化")."""
    return ("ongoing", (), None, None, None, []) if _ONGOING.search(s) else None


_HANDLERS: tuple[Callable[[str, DeadlineContext], Result | None], ...] = (
    _stamp, _external, _recurring, _season, _dates, _year, _ongoing)


def parse_deadline(text: str, context: DeadlineContext | None = None) -> Deadline:
    """Parse one deadline cell; never raises, because a cell we cannot read goes to a person."""
    try:
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
    except Exception:  # a caller's odd object must not crash a whole import
        raw = ""
    try:
        return _parse(raw, context or _NO_CONTEXT)
    except Exception as exc:  # invalid dates (2月30日) land here as ValueError
        invalid = isinstance(exc, (ValueError, OverflowError))
        reason = ("日期不存在（如2月30日），需协调人确认" if invalid
                  else f"无法解析（{type(exc).__name__}），需协调人确认")
        return Deadline(text=raw, kind="unknown", notes=(reason,))


def _parse(raw: str, ctx: DeadlineContext) -> Deadline:
    s = normalise(raw[:_MAX_CHARS])
    extra = ("文字过长，只读取了开头部分",) if len(raw) > _MAX_CHARS else ()
    if not s:
        return Deadline(text=raw, kind="unknown", notes=("完成时限为空",))
    for handler in _HANDLERS:
        result = handler(s, ctx)
        if result is not None:
            kind, due, start, end, rule, notes = result
            if kind == "unknown" and not notes:
                notes = ["无法识别完成时限"]
            return Deadline(text=raw, kind=kind, due=due, start=start, end=end, rrule=rule,
                            notes=tuple(notes) + extra)
    return Deadline(text=raw, kind="unknown", notes=("无法识别完成时限，需协调人确认",) + extra)


# --- milestones inside measure text -------------------------------------------------------

_PHRASE_STOP = re.compile(r"[;。]")
_LEAD_PUNCT = ",、:.（(）)“”\"' "
_WRAPPERS = ("确保", "力争", "争取", "在", "于", "到", "至", "截至", "并", "要", "须", "需")


def _normalise_mapped(text: str) -> tuple[str, list[int]]:
    """Normalise like parse_deadline, keeping for each character its index in the original."""
    t = text.translate(_TRANS)
    chars: list[str] = []
    index: list[int] = []
    last = 0
    for gap in [*_DROP.finditer(t), None]:
        stop = gap.start() if gap else len(t)
        chars.append(t[last:stop])
        index.extend(range(last, stop))
        last = gap.end() if gap else stop
    s = "".join(chars)
    out: list[str] = []
    out_index: list[int] = []
    last = 0
    for run in _CN_RUN.finditer(s):
        digits = _cn_number(run.group())
        out.append(s[last:run.start()] + digits)
        out_index.extend(index[last:run.start()] + [index[run.start()]] * len(digits))
        last = run.end()
    out.append(s[last:])
    out_index.extend(index[last:])
    return "".join(out), out_index


def _tidy(text: str) -> str:
    """Drop line breaks and the spaces OCR puts between Chinese characters; keep word gaps."""
    words = text.split()
    out = words[0] if words else ""
    for word in words[1:]:
        joined = out[-1].isascii() and word[0].isascii() and out[-1].isalnum() and word[0].isalnum()
        out += (" " if joined else "") + word
    return out


def _scan(s: str, ctx: DeadlineContext) -> list[tuple[int, int, date, list[str]]]:
    """Find every dated expression in normalised text: (start, end, due date, notes)."""
    found: list[tuple[int, int, date, list[str]]] = []
    pos = 0
    while pos < len(s):
        season, item = _SEASON.search(s, pos), _ITEM.search(s, pos)
        if season and (not item or season.start() <= item.start()):
            try:
                result = _season(season.group(), ctx)
            except ValueError:  # a region configured with an impossible season start
                result = None
            if result and result[1]:
                found.append((season.start(), season.end(), result[1][0], list(result[5])))
            pos = season.end()
            continue
        if not item:
            break
        try:
            result, end = _read_items(s, item, ctx)
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


def find_milestones(measures: str, context: DeadlineContext | None = None) -> list[Milestone]:
    """Find dated milestones inside measure text, so buried deadlines get reminders too."""
    try:
        text = measures if isinstance(measures, str) else ""
        return _find_milestones(text, context or _NO_CONTEXT)
    except Exception:  # milestones are extras: a failure must not stop an import
        return []


def _find_milestones(text: str, ctx: DeadlineContext) -> list[Milestone]:
    s, index = _normalise_mapped(text)

    def original(a: int, b: int) -> str:
        return _tidy(text[index[a]:index[b - 1] + 1]) if b > a else ""

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
            b = start
            stop_before = max(s.rfind(c, 0, start) for c in ";。")
            before = original(stop_before + 1, b).rstrip(",，、 ")
            for word in _WRAPPERS:
                before = before.removesuffix(word)
            before = before.rstrip(",，、 ")
            if before:
                phrase = f"{before}，{phrase}" if phrase else before
        written = " ".join(text[index[start]:index[end - 1] + 1].split())
        milestones.append(Milestone(due=due, phrase=phrase, text=written,
                                    notes=tuple(notes)))
    return milestones
