"""Deadline cells: one handler per form, tried in order; the first that recognises a cell
decides its kind."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from scheduler.plans.deadlines.dates import ITEM, Reading, month_end, read_items, relative_year
from scheduler.plans.deadlines.model import NO_CONTEXT, Deadline, DeadlineContext
from scheduler.plans.deadlines.normalisation import normalise

_MAX_CHARS = 400  # a deadline cell is short; beyond this only the start is read
_STAMP = re.compile(r"(\d{4})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?(底前|前|底|起)?")


def _stamp(s: str, ctx: DeadlineContext) -> Reading | None:
    """Read a table stamp such as 开工时间 "2019.5" or "2019-05-31"."""
    m = _STAMP.fullmatch(s)
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    notes: list[str]
    if m[3]:
        day, notes = date(year, month, int(m[3])), []
    else:
        day, notes = month_end(year, month), [f"表格年月写法“{s}”，按该月月末计"]
    if m[4] == "起":
        return "from", (), date(year, month, int(m[3] or 1)), None, None, notes
    return "due", (day,), None, None, None, notes


_EXTERNAL = re.compile(r"(?:省定|规定|要求|下达)的?(?:完成)?(?:时限|期限|时间)")


def _external(s: str, ctx: DeadlineContext) -> Reading | None:
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


def _recurring(s: str, ctx: DeadlineContext) -> Reading | None:
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


SEASON = re.compile(r"(?:(?<!\d)(\d{4})年|([今当本明次翌])年)?"
                    r"(?:采暖|供暖|取暖)[季期](?:开始)?[之以]?前")


def season(s: str, ctx: DeadlineContext) -> Reading | None:
    """Date "采暖季前" as the day before the region's heating season starts."""
    m = SEASON.search(s)
    if not m:
        return None
    notes: list[str] = []
    year: int | None
    if m[1]:
        year = int(m[1])
    elif m[2]:
        year, note = relative_year(m[2], ctx, None)
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


_CAMPAIGN = re.compile(r"(?:(?<!\d)(\d{4})[-~至到](\d{4})年度?|(?<!\d)(\d{4})年度?)?秋冬季?")


def _campaign(s: str, ctx: DeadlineContext) -> Reading | None:
    """Read "2019-2020年秋冬季" as the autumn-winter campaign: October 1 to March 31."""
    m = _CAMPAIGN.search(s)
    if not m:
        return None
    notes = ["秋冬季按10月1日至次年3月31日计"]
    first = m[1] or m[3]
    if first:
        year = int(first)
        if m[2] and int(m[2]) != year + 1:
            return "unknown", (), None, None, None, ["秋冬季的两个年份不相连，需协调人确认"]
    elif ctx.plan_year is not None:
        year = ctx.plan_year
        notes.append(f"未写年份，按计划年度{year}年秋冬季计")
    else:
        return "unknown", (), None, None, None, ["未写年份，且没有计划年份可用"]
    return "window", (), date(year, 10, 1), date(year + 1, 3, 31), None, notes


_WITHIN_YEARS = re.compile(r"(?:(?<!\d)(\d{4})年(?:起|开始|以来)?,?)?(?:用|在)?(?<!\d)(\d{1,2})年(?:内|之内|以内|时间)")


def _within_years(s: str, ctx: DeadlineContext) -> Reading | None:
    """Read "5年内" (or "2012年起5年内") as due at the end of the plan's fifth year: the
    years count from the year written, else from the plan's start."""
    m = _WITHIN_YEARS.search(s)
    if not m or not 1 <= int(m[2]) <= 30:
        return None
    n = int(m[2])
    notes: list[str] = []
    if m[1]:
        base = int(m[1])
    elif ctx.period_start is not None:
        base = ctx.period_start.year
        notes.append(f"从计划起始年份{base}年起算")
    elif ctx.plan_year is not None:
        base = ctx.plan_year
        notes.append(f"从计划年度{base}年起算")
    else:
        return "unknown", (), None, None, None, [f"“{n}年内”需要计划起始年份"]
    notes.append(f"{n}年内按{base}年至{base + n - 1}年计，{base + n - 1}年底前完成")
    return "due", (date(base + n - 1, 12, 31),), None, None, None, notes


# Between two dated items of one cell: "2012年10月底前；2012年底前", "至4月30日；至12月31日"
_NEXT_ITEM = re.compile(r"(?:完成)?[;,、和及与]+(?:并|再|最迟|截至|至|到|于|在)?")


def _dates(s: str, ctx: DeadlineContext) -> Reading | None:
    """Read explicit dates: one, a list ("3月和7月底前"), a range, or a start ("…起"); due
    dates that follow one another ("…前；…前") are each a milestone of the one cell."""
    m = ITEM.search(s)
    if not m:
        return None
    reading, end = read_items(s, m, ctx)
    kind, due, _, _, _, notes = reading
    while kind == "due":
        gap = _NEXT_ITEM.match(s, end)
        nxt = ITEM.match(s, gap.end()) if gap else None
        if nxt is None or nxt["ma"]:
            break
        (more_kind, more, _, _, _, more_notes), end = read_items(s, nxt, ctx)
        if more_kind != "due":
            break
        due = tuple(sorted(set(due) | set(more)))
        notes = notes + [n for n in more_notes if n not in notes]
    return (kind, due, *reading[2:5], notes) if kind == "due" else reading


_BY = ("到", "至", "截至", "截止", "截止到")
# "2019年内" shares its 年 with the year ("2019年全年", "2019年年内" do not); "年内" after other
# digits ("31年内") is no year at all, so without a year before it the phrase must not follow a digit
_YEAR_ONLY = re.compile(r"(?:(?<!\d)(\d{4})(?:年(?=[全年])|(?=年))|(?<!\d))(全年度?|年度?内)|(?<!\d)(\d{4})年度?")


def _year(s: str, ctx: DeadlineContext) -> Reading | None:
    """Read "全年", "2019年全年", "年内" and a bare "2019年" cell."""
    m = _YEAR_ONLY.search(s)
    if not m or (m[3] and m.end() != len(s)):
        return None
    explicit = m[1] or m[3]
    year = int(explicit) if explicit else ctx.plan_year
    notes = [] if explicit else ["按计划年度计"]
    if year is None:
        return "unknown", (), None, None, None, ["未写年份，且没有计划年份可用"]
    if m[2] and m[2].endswith("内"):
        return "due", (date(year, 12, 31),), None, None, None, notes + ["“年内”按年底计"]
    if m[3] and s[:m.start()].endswith(_BY):  # "到2020年": by that year, due at its end
        return "due", (date(year, 12, 31),), None, None, None, ["“到某年”按该年年底前完成计"]
    if m[3]:
        notes.append("只写了年份，按全年计")
    return "year_long", (date(year, 12, 31),), date(year, 1, 1), date(year, 12, 31), None, notes


_ONGOING = re.compile(r"长期|持续|常态|常年|日常|经常|坚持|动态|随时|不定期")


def _ongoing(s: str, ctx: DeadlineContext) -> Reading | None:
    """Recognise open-ended work ("长期坚持", "持续开展", "常态化")."""
    return ("ongoing", (), None, None, None, []) if _ONGOING.search(s) else None


_HANDLERS: tuple[Callable[[str, DeadlineContext], Reading | None], ...] = (
    _stamp, _external, _recurring, season, _dates, _campaign, _within_years, _year, _ongoing)


def parse_deadline(text: str, context: DeadlineContext | None = None) -> Deadline:
    """Parse one deadline cell; never raises, because a cell we cannot read goes to a person."""
    try:
        # Callers outside the typed core hand over spreadsheet values too (None, numbers).
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
    except Exception:  # a caller's odd object must not crash a whole import
        raw = ""
    try:
        return _parse(raw, context or NO_CONTEXT)
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
