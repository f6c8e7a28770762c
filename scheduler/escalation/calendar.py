"""Chinese working-day calendar: chinese-calendar plus per-year override files, and for a later year
that neither covers (its State Council notice not out yet) a provisional calendar computed from the
statutory holidays (scheduler.escalation.statutory), said to be provisional wherever it is used.

Sources of a year, first that applies: data/calendar/<year>.yaml written from the notice; the
chinese-calendar package; for a year after the package's last one, the statutory rule. A year before
the package's first one has no source and raises UnknownYearError.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from chinese_calendar import constants as _library
from pydantic import BaseModel, ConfigDict, Field

from scheduler.errors import InputError, Problem
from scheduler.yamlsource import LineMap, load_yaml_file, validate

README_HINT = "data/calendar/README.md"
OVERRIDE_NAME = re.compile(r"^(\d{4})\.yaml$")
# The State Council publishes next year's arrangement in (late) October or November.
WARN_FROM_MONTH = 11

# Derived from the library's own tables so an upgraded package widens the range by itself.
LIBRARY_FIRST_YEAR = min(_library.holidays).year
LIBRARY_LAST_YEAR = max(_library.holidays).year

# Which calendar a decision used, as the sweep's audit entry and notices record it.
LIBRARY_SOURCE = "official:chinese-calendar"
PROVISIONAL_SOURCE = "provisional:statutory-rule"
# The line a digest's footer and the console carry while the current year is provisional.
PROVISIONAL_NOTE = "本年度节假日安排尚未公布，工作日按法定节假日暂算"


class UnknownYearError(Exception):
    """Raised for a year before the library's first that no override covers: no plan runs then, and
    the statutory rule in force before 2014 is not modelled, so there is nothing honest to answer."""

    def __init__(self, year: int, override_path: str) -> None:
        self.year = year
        self.override_path = override_path
        super().__init__(
            f"缺少 {year} 年节假日数据：请添加 {override_path}（格式见 {README_HINT}）")


class DayEntry(BaseModel):
    """One dated line of a State Council holiday notice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    name: str = Field(min_length=1)


class OverrideFile(BaseModel):
    """The schema of data/calendar/<year>.yaml."""

    model_config = ConfigDict(extra="forbid")

    year: int
    source: str = Field(min_length=1)
    holidays: list[DayEntry] = Field(default_factory=list)
    workdays: list[DayEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class YearOverride:
    """A validated year of holidays (days off) and adjusted working weekends."""

    year: int
    source: str
    file: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


@dataclass(frozen=True)
class _YearTable:
    """Precomputed lookups for one year: a flag per day and the sorted workday ordinals."""

    first: int  # ordinal of 1 January
    flags: bytes  # flags[ordinal - first] == 1 on a working day
    workdays: list[int]


def _check_override(model: OverrideFile, file_year: int, filename: str,
                    lines: LineMap) -> YearOverride:
    """Reject a file whose year, dates or weekdays contradict each other."""
    problems: list[Problem] = []
    if model.year != file_year:
        problems.append(Problem(filename, lines.line_of(("year",)),
                                f"年份 {model.year} 与文件名 {file_year}.yaml 不一致", "year"))
    seen: dict[dt.date, str] = {}
    for key in ("holidays", "workdays"):
        for index, entry in enumerate(getattr(model, key)):
            where = f"{key}.{index}.date"
            line = lines.line_of((key, index, "date"))
            day = entry.date
            if day.year != file_year:
                problems.append(Problem(filename, line, f"日期 {day} 不在 {file_year} 年内", where))
            if day in seen:
                message = f"日期 {day} 重复（已见于 {seen[day]}）"
                problems.append(Problem(filename, line, message, where))
            seen.setdefault(day, where)
            if key == "workdays" and day.weekday() < 5:
                message = f"调休上班日 {day} 不是周末；workdays 只列需要上班的周六、周日"
                problems.append(Problem(filename, line, message, where))
    if problems:
        raise InputError(problems)
    return YearOverride(
        year=file_year,
        source=model.source,
        file=filename,
        holidays=frozenset(e.date for e in model.holidays),
        workdays=frozenset(e.date for e in model.workdays),
    )


def load_override(path: str | Path) -> YearOverride:
    """Read and validate one <year>.yaml override file."""
    path = Path(path)
    match = OVERRIDE_NAME.match(path.name)
    if match is None:
        raise InputError.single(str(path), None, "节假日文件名应为 <年份>.yaml，例如 2027.yaml")
    data, lines = load_yaml_file(path)  # an impossible date fails there with line and path
    model = validate(OverrideFile, data, str(path), lines)
    return _check_override(model, int(match.group(1)), str(path), lines)


Signature = tuple[tuple[str, int, int], ...]


def folder_signature(folder: Path) -> Signature:
    """Return what identifies the year files in `folder` (names, mtimes, sizes) without reading them."""
    found = []
    try:
        paths = sorted(folder.iterdir())
    except OSError:
        return ()
    for path in paths:
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class Calendar(Protocol):
    """The working-day questions rule evaluation asks (WorkCalendar answers them; tests may stub them)."""

    def is_workday(self, day: dt.date) -> bool: ...

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """Return the n-th working day after (n>0) or before (n<0) `day`; 0 rolls forward."""
        ...

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Count working days in (start, end]."""
        ...


@dataclass(frozen=True)
class WorkCalendar:
    """Answer working-day questions from overrides, chinese-calendar and, for later years that
    neither covers, the statutory rule (provisional)."""

    calendar_dir: Path = Path("data/calendar")
    overrides: Mapping[int, YearOverride] = field(
        default_factory=lambda: MappingProxyType({}), hash=False)
    # The folder's year files as loaded: CalendarFolder reloads when they change.
    signature: Signature = field(default=(), compare=False, repr=False)
    # Lazily built per-year lookups; a cache, so not part of equality or the constructor.
    _tables: dict[int, _YearTable] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, calendar_dir: str | Path) -> WorkCalendar:
        """Load every <year>.yaml in `calendar_dir`; other .yaml names are errors, not skipped."""
        folder = Path(calendar_dir)
        if not folder.is_dir():
            raise InputError.single(str(folder), None, "节假日目录不存在")
        overrides: dict[int, YearOverride] = {}
        problems: list[Problem] = []
        signature = folder_signature(folder)
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue  # README.md, *.yaml.disabled examples
            try:
                override = load_override(path)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            overrides[override.year] = override
        if problems:
            raise InputError(problems)
        return cls(calendar_dir=folder, overrides=MappingProxyType(overrides), signature=signature)

    # -- sources -------------------------------------------------------------------------------

    def knows_year(self, year: int) -> bool:
        """Return whether official data (an override or the library) covers `year`."""
        return year in self.overrides or LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR

    def is_provisional(self, year: int) -> bool:
        """Return whether `year` is answered by the statutory rule: after the library, no override."""
        return year > LIBRARY_LAST_YEAR and year not in self.overrides

    def source(self, year: int) -> str:
        """Return which calendar answers for `year`: official:<file>, official:chinese-calendar,
        provisional:statutory-rule, or "unknown" (asking would raise UnknownYearError)."""
        if year in self.overrides:
            return f"official:{Path(self.overrides[year].file).as_posix()}"
        if LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR:
            return LIBRARY_SOURCE
        return PROVISIONAL_SOURCE if year > LIBRARY_LAST_YEAR else "unknown"

    def provisional_years(self, first: int, last: int) -> list[int]:
        """Return the provisional years in first..last (inclusive)."""
        return [year for year in range(first, last + 1) if self.is_provisional(year)]

    def provisional_note(self, day: dt.date) -> str:
        """Return PROVISIONAL_NOTE when `day`'s year is provisional, else ""."""
        return PROVISIONAL_NOTE if self.is_provisional(day.year) else ""

    def provisional_warning(self, year: int) -> str:
        """Say in Chinese that `year` is provisional, what that means and how it ends."""
        return (f"{year} 年节假日安排尚未公布，工作日按法定节假日暂算（周末休息，不含调休），"
                f"期限和提醒日可能与正式安排相差数日；国务院办公厅通知发布后请添加 "
                f"{self.override_path(year)}（格式见 {README_HINT}），下一次扫描即按正式安排重新计算")

    def override_path(self, year: int) -> str:
        """Return the file that would make `year` known."""
        return (self.calendar_dir / f"{year}.yaml").as_posix()

    def known_through(self) -> dt.date:
        """Return the last day of the unbroken run of officially known years that starts with the library."""
        year = LIBRARY_LAST_YEAR
        while year + 1 in self.overrides:
            year += 1
        return dt.date(year, 12, 31)

    def warnings(self, today: dt.date) -> list[str]:
        """Warn in Chinese while this year is provisional, and from 1 November on when next year's
        holidays are still missing."""
        messages = []
        if self.is_provisional(today.year):
            messages.append(self.provisional_warning(today.year))
        elif not self.knows_year(today.year):
            messages.append(f"今年（{today.year} 年）的节假日数据缺失，工作日无法计算："
                            f"请添加 {self.override_path(today.year)}（格式见 {README_HINT}）")
        nxt = today.year + 1
        if today.month >= WARN_FROM_MONTH and not self.knows_year(nxt):
            messages.append(f"缺少 {nxt} 年节假日数据：请在 12 月 31 日前根据国务院办公厅"
                            f" {nxt} 年部分节假日安排的通知添加 {self.override_path(nxt)}"
                            f"（格式见 {README_HINT}），否则 {nxt} 年的工作日将按法定节假日暂算"
                            f"（不含调休），期限和提醒日可能与正式安排相差数日")
        return messages

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._build(year)
            self._tables[year] = table
        return table

    def _build(self, year: int) -> _YearTable:
        if year in self.overrides:
            override = self.overrides[year]
            holidays, workdays = override.holidays, override.workdays
        elif LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR:
            holidays = frozenset(d for d in _library.holidays if d.year == year)
            workdays = frozenset(d for d in _library.workdays if d.year == year)
        elif year > LIBRARY_LAST_YEAR:  # provisional: statutory days off, weekends, no 调休
            from scheduler.escalation.statutory import statutory_days_off  # the lunar library, only when needed

            holidays, workdays = frozenset(statutory_days_off(year)), frozenset()
        else:
            raise UnknownYearError(year, self.override_path(year))
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        flags = bytearray(last - first + 1)
        ordinals = []
        for ordinal in range(first, last + 1):
            day = dt.date.fromordinal(ordinal)
            if day in workdays or (day.weekday() < 5 and day not in holidays):
                flags[ordinal - first] = 1
                ordinals.append(ordinal)
        return _YearTable(first=first, flags=bytes(flags), workdays=ordinals)

    # -- questions -----------------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """Return whether `day` is a working day (a weekday off no holiday, or a 调休 weekend)."""
        table = self._tables.get(day.year) or self._table(day.year)
        return table.flags[day.toordinal() - table.first] == 1

    def _nth(self, year: int, index: int) -> dt.date:
        """Return the workday at position `index` of `year`, carrying into neighbouring years."""
        table = self._table(year)
        while index >= len(table.workdays):
            index -= len(table.workdays)
            year += 1
            table = self._table(year)
        while index < 0:
            year -= 1
            table = self._table(year)
            index += len(table.workdays)
        return dt.date.fromordinal(table.workdays[index])

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """Return the n-th working day after (n>0) or before (n<0) `day`; n==0 rolls forward."""
        table = self._tables.get(day.year) or self._table(day.year)
        ordinal = day.toordinal()
        workdays = table.workdays
        if n > 0:
            index = bisect_right(workdays, ordinal) + n - 1
        elif n < 0:
            index = bisect_left(workdays, ordinal) + n
        elif table.flags[ordinal - table.first]:
            return day
        else:
            index = bisect_left(workdays, ordinal)
        if 0 <= index < len(workdays):  # the common case: the answer lies in the same year
            return dt.date.fromordinal(workdays[index])
        return self._nth(day.year, index)

    def _rank(self, day: dt.date, origin_year: int) -> int:
        """Count working days from 1 January of `origin_year` through `day`."""
        count = sum(len(self._table(year).workdays) for year in range(origin_year, day.year))
        return count + bisect_right(self._table(day.year).workdays, day.toordinal())

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Count working days in (start, end]; when end < start, minus those in (end, start]."""
        if end < start:
            return -self.workdays_between(end, start)
        return self._rank(end, start.year) - self._rank(start, start.year)

    def next_workday(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        """Return the first working day on or after (inclusive) or strictly after `day`."""
        return self.add_workdays(day, 0 if inclusive else 1)

    def previous_workday(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        """Return the last working day on or before (inclusive) or strictly before `day`."""
        if inclusive and self.is_workday(day):
            return day
        return self.add_workdays(day, -1)

    def shift(self, day: dt.date, *, days: int = 0, workdays: int = 0) -> dt.date:
        """Offset `day` by calendar days or by working days; both at once is ambiguous."""
        if days and workdays:
            raise ValueError("shift() takes either days or workdays, not both")
        if workdays:
            return self.add_workdays(day, workdays)
        return day + dt.timedelta(days=days)


class CalendarFolder:
    """The calendar of a folder, reloaded when a year file is added, edited or removed, so that an
    official year replaces a provisional one at the next sweep or page without a restart. An edit
    that does not load keeps the last good calendar, and `problem` says why until it is fixed."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._calendar = WorkCalendar.load(self.folder)  # a broken folder stops the start, as before
        self._failed: Signature | None = None
        self.problem = ""
        self._lock = threading.Lock()

    def current(self) -> WorkCalendar:
        """Return the calendar as the folder now stands (or the last one that loaded)."""
        seen = folder_signature(self.folder)
        if seen == self._calendar.signature or seen == self._failed:
            return self._calendar
        with self._lock:
            if seen not in (self._calendar.signature, self._failed):
                try:
                    self._calendar = WorkCalendar.load(self.folder)
                except InputError as exc:
                    self._failed = seen
                    self.problem = ("节假日文件有误，仍按上次加载的日历计算：" +
                                    "；".join(str(problem) for problem in exc.problems))
                else:
                    self._failed, self.problem = None, ""
        return self._calendar
