"""Air-quality values in: CSV and .xlsx rows of `date,region,metric,value` (or one column per
metric), checked cell by cell. Bad rows are reported with file, sheet, row and column while the
good rows load; nothing a monitoring station exports can crash the import.

`check_rows` is pure (header and rows in, report out); `import_file` is the file edge. A file is
bounded before it is parsed: at most MAX_ROWS rows and MAX_COLUMNS columns are read, an .xlsx may
unpack to at most MAX_UNPACKED bytes (a few hundred kilobytes of zip can hold gigabytes of XML),
and a report lists at most MAX_LISTED problems and gaps, counting the rest.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.escalation.metrics.catalog import METRICS, MetricSpec, Regions, metric_spec, unit_matches

ONE_DAY = timedelta(days=1)
MAX_ROWS = 50_000  # a year of daily values for 20 counties and 6 metrics is 44,000 long rows
MAX_COLUMNS = 64
MAX_UNPACKED = 16 * 1024 * 1024  # 50,000 rows of four cells unpack to about 8 MB
MAX_LISTED = 200
HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "日期", "时间", "监测日期", "月份"),
    "region": ("region", "county", "unit", "县区", "县（区）", "地区", "区域", "行政区", "单位"),
    "metric": ("metric", "指标", "项目", "污染物"),
    "value": ("value", "数值", "值", "浓度", "监测值"),
    "unit": ("unit", "单位（计量）", "计量单位", "量纲"),
}
_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


@dataclass(frozen=True)
class MetricValue:
    """One value: a day's (or, `monthly`, a month's) value of a metric in a region."""

    region: str
    metric: str
    day: date  # the day; the first of the month for a monthly value
    value: float
    monthly: bool = False
    source: str = ""  # file and row it came from


@dataclass(frozen=True)
class RawRow:
    """One row as read: its sheet (xlsx), 1-based row number and cell texts in header order."""

    number: int
    cells: tuple[str, ...]
    sheet: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or one cell of it) was not loaded, and where it stands."""

    file: str
    row: int
    column: str  # the header as written; empty for a whole-row problem
    message: str
    sheet: str | None = None
    letter: str = ""  # spreadsheet column letter (xlsx)

    def place(self) -> str:
        sheet = f"工作表“{self.sheet}”" if self.sheet else ""
        column = ""
        if self.column or self.letter:
            column = f"{self.column}列" if not self.letter else f"{self.column}（{self.letter}列）"
        return f"{self.file} {sheet}第{self.row}行{(' ' + column) if column else ''}"

    def __str__(self) -> str:
        return f"{self.place()}：{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "column_letter": self.letter, "message": self.message}


@dataclass(frozen=True)
class Gap:
    """Days without a value inside the span a file covers for one region and metric."""

    region: str
    metric: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        span = f"{self.start}" if self.start == self.end else f"{self.start} 至 {self.end}"
        return f"{self.region} {self.metric} 缺 {span}（{self.days}天）"


@dataclass
class ImportReport:
    """What an import found: values to load, bad rows, gaps. Loading counts are added by the store."""

    file: str
    rows_read: int = 0
    values: list[MetricValue] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems_omitted: int = 0  # problems past MAX_LISTED, counted, not listed
    gaps_omitted: int = 0
    omitted_rows: set[tuple[str | None, int]] = field(default_factory=set)  # rows of the unlisted problems

    @property
    def bad_rows(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems} | self.omitted_rows)

    def summary(self) -> str:
        """Return the report a coordinator reads, in Chinese."""
        lines = [
            f"导入 {self.file}：读取 {self.rows_read} 行，有效数值 {len(self.values)} 条"
            f"（新增 {self.inserted}、更新 {self.updated}、未变 {self.unchanged}），"
            f"问题 {self.bad_rows} 行（未导入）。"
        ]
        lines += [f"  问题：{p}" for p in self.problems]
        if self.problems_omitted:
            lines.append(f"  另有 {self.problems_omitted} 个问题未列出。")
        lines += [f"  缺测：{g}" for g in self.gaps]
        if self.gaps_omitted:
            lines.append(f"  另有 {self.gaps_omitted} 段缺测未列出。")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "loaded": len(self.values),
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
            "problems": [p.to_json() for p in self.problems],
            "problems_omitted": self.problems_omitted,
            "gaps_omitted": self.gaps_omitted,
            "gaps": [{"region": g.region, "metric": g.metric, "start": g.start.isoformat(),
                      "end": g.end.isoformat(), "days": g.days} for g in self.gaps],
        }


# -- pure checking ------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_date(text: str) -> tuple[date, bool] | None:
    """Read a date cell: (day, False) for a day, (first of month, True) for a month; None if unreadable."""
    text = text.strip()
    for pattern, monthly in ((_FULL_DATE, False), (_MONTH, True)):
        found = pattern.match(text)
        if found:
            parts = [int(p) for p in found.groups()]
            try:
                return date(parts[0], parts[1], parts[2] if not monthly else 1), monthly
            except ValueError:
                return None
    return None


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _format(value: float) -> str:
    return f"{value:g}"


def _find_columns(header: Sequence[str]) -> tuple[dict[str, int], dict[int, MetricSpec]]:
    """Map the known columns (date, region, metric, value, unit) and metric columns (wide form)."""
    known: dict[str, int] = {}
    wide: dict[int, MetricSpec] = {}
    for index, written in enumerate(header):
        name = written.strip().casefold()
        for key, spellings in HEADERS.items():
            if name in spellings and key not in known:
                known[key] = index
                break
        else:
            spec = metric_spec(written)
            if spec is not None and spec.name not in {s.name for s in wide.values()}:
                wide[index] = spec
    return known, wide


class _Checker:
    """One file's check: the rows seen so far (for duplicates) and the report being filled."""

    def __init__(self, file: str, regions: Regions, report: ImportReport) -> None:
        self.file, self.regions, self.report = file, regions, report
        self.seen: dict[tuple[str, str, bool, date], tuple[RawRow, float]] = {}
        self.found = 0  # problems found, listed or not

    def problem(self, row: RawRow, column: int | None, header: Sequence[str], message: str) -> None:
        self.found += 1
        if len(self.report.problems) >= MAX_LISTED:
            self.report.problems_omitted += 1
            self.report.omitted_rows.add((row.sheet, row.number))
            return
        name = header[column] if column is not None and column < len(header) else ""
        letter = column_letter(column) if column is not None and row.sheet is not None else ""
        self.report.problems.append(RowProblem(self.file, row.number, name.strip(), message, row.sheet, letter))

    def cell(self, row: RawRow, index: int) -> str:
        return row.cells[index].strip() if index < len(row.cells) else ""

    def row(self, row: RawRow, header: Sequence[str], known: dict[str, int], wide: dict[int, MetricSpec]) -> None:
        if not any(c.strip() for c in row.cells):
            return  # blank lines between blocks are not data
        self.report.rows_read += 1
        bad = self.found
        day_text = self.cell(row, known["date"])
        parsed = parse_date(day_text)
        if parsed is None:
            self.problem(row, known["date"], header, f"日期无法识别：“{day_text}”（应为 2019-10-01 或 2019-10）"
                         if day_text else "日期为空")
        region_text = self.cell(row, known["region"])
        region = self.regions.resolve(region_text) if region_text else None
        if region is None:
            self.problem(row, known["region"], header,
                         f"未知的县区：“{region_text}”（单位名录中没有）" if region_text else "县区为空")
        entries: list[tuple[int, MetricSpec]] = []
        if "metric" in known:
            metric_text = self.cell(row, known["metric"])
            spec = metric_spec(metric_text) if metric_text else None
            if spec is None:
                names = "、".join(METRICS)
                self.problem(row, known["metric"], header,
                             f"未知的指标：“{metric_text}”（可用：{names}）" if metric_text else "指标为空")
            else:
                entries.append((known["value"], spec))
        else:
            entries.extend((index, spec) for index, spec in wide.items() if self.cell(row, index))
        if self.found > bad or parsed is None or region is None:
            for index, _spec in entries:  # still report bad numbers on a row that fails anyway
                self.value(row, index, header, _spec, known, check_only=True)
            return
        for index, spec in entries:
            value = self.value(row, index, header, spec, known)
            if value is None:
                continue
            day, monthly = parsed
            if spec.monthly and not monthly:
                day, monthly = day.replace(day=1), True
            self.add(row, index, header, MetricValue(region.name, spec.name, day, value, monthly,
                                                     self.source(row)))

    def source(self, row: RawRow) -> str:
        sheet = f"[{row.sheet}]" if row.sheet else ""
        return f"{Path(self.file).name}{sheet}:{row.number}"

    def value(self, row: RawRow, index: int, header: Sequence[str], spec: MetricSpec, known: dict[str, int],
              check_only: bool = False) -> float | None:
        text = self.cell(row, index)
        label = f"{spec.name}（{spec.unit}）" if spec.unit else spec.name
        if not text:
            self.problem(row, index, header, f"{label} 数值为空")
            return None
        value = _number(text)
        if value is None:
            self.problem(row, index, header, f"{label} 数值不是数字：“{text}”")
            return None
        if value < 0:
            self.problem(row, index, header, f"{label} 数值为负：{_format(value)}")
            return None
        if not spec.low <= value <= spec.high:
            self.problem(row, index, header,
                         f"{label} 数值 {_format(value)} 超出合理范围 {_format(spec.low)}–{_format(spec.high)}")
            return None
        if spec.integer and value != int(value):
            self.problem(row, index, header, f"{label} 应为整数：{_format(value)}")
            return None
        if "unit" in known and "metric" in known:
            written = self.cell(row, known["unit"])
            if written and not unit_matches(spec, written):
                self.problem(row, known["unit"], header,
                             f"{spec.name} 的单位应为 {spec.unit or '无量纲'}，不是“{written}”")
                return None
        return None if check_only else value

    def add(self, row: RawRow, index: int, header: Sequence[str], value: MetricValue) -> None:
        key = (value.region, value.metric, value.monthly, value.day)
        earlier = self.seen.get(key)
        if earlier is not None:
            first, first_value = earlier
            sheet = f"工作表“{first.sheet}”" if first.sheet and first.sheet != row.sheet else ""
            where = f"{sheet}第{first.number}行"
            same = ("数值相同" if first_value == value.value
                    else f"数值不同：{_format(first_value)} 与 {_format(value.value)}")
            span = value.day.strftime("%Y-%m") if value.monthly else value.day.isoformat()
            self.problem(row, index, header,
                         f"重复：{value.region} {value.metric} {span} 已见于{where}（{same}），保留先出现的一行")
            return
        self.seen[key] = (row, value.value)
        self.report.values.append(value)


def find_gaps(values: Iterable[MetricValue]) -> list[Gap]:
    """Return the runs of missing days inside each region and metric's first..last daily value."""
    days: dict[tuple[str, str], set[date]] = defaultdict(set)
    for value in values:
        if not value.monthly:
            days[(value.region, value.metric)].add(value.day)
    gaps: list[Gap] = []
    for (region, metric), present in sorted(days.items()):
        ordered = sorted(present)
        for before, after in zip(ordered, ordered[1:]):
            if (after - before).days > 1:
                gaps.append(Gap(region, metric, before + ONE_DAY, after - ONE_DAY))
    return gaps


def check_rows(file: str, tables: Iterable[tuple[Sequence[str], Iterable[RawRow], str | None]],
               regions: Regions) -> ImportReport:
    """Check every table (a CSV, or each sheet of a workbook) and collect values, problems, gaps.

    Each table is (header cells, rows after the header, sheet name or None)."""
    report = ImportReport(file)
    checker = _Checker(file, regions, report)
    for header, rows, sheet in tables:
        header = [str(h or "") for h in header]
        known, wide = _find_columns(header)
        missing = [k for k in ("date", "region") if k not in known]
        if "metric" in known and "value" not in known:
            missing.append("value")
        if "metric" not in known and not wide:
            missing.append("metric 与 value（或每个指标一列，如 PM2.5）")
        if missing:
            report.problems.append(RowProblem(
                file, 1, "", f"表头缺少列：{'、'.join(missing)}（表头应为 date,region,metric,value）", sheet,
            ))
            continue
        for row in rows:
            checker.row(row, header, known, wide)
    gaps = find_gaps(report.values)
    report.gaps, report.gaps_omitted = gaps[:MAX_LISTED], max(0, len(gaps) - MAX_LISTED)
    return report


# -- the file edge ------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class TooLarge(ValueError):
    """The file holds more than an import reads; the message says what to do, in Chinese."""


def _bounded(rows: Iterable[Sequence[Any]], counted: list[int], max_rows: int) -> Iterable[Sequence[Any]]:
    """Yield rows cut to MAX_COLUMNS cells, raising TooLarge past `max_rows` rows in the file."""
    for cells in rows:
        counted[0] += 1
        if counted[0] > max_rows:
            raise TooLarge(f"文件超过 {max_rows} 行，未导入。请按月份或县区拆分后分别上传。")
        yield cells[:MAX_COLUMNS]


def _csv_tables(path: Path, max_rows: int) -> list[tuple[list[str], list[RawRow], None]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError("无法识别文件编码")
    rows = iter(_bounded(csv.reader(io.StringIO(text)), [0], max_rows))
    header = next(rows, None)
    if header is None:
        return [([], [], None)]
    body = [RawRow(number, tuple(cells)) for number, cells in enumerate(rows, start=2)]
    return [(list(header), body, None)]


def _check_unpacked(path: Path) -> None:
    """Refuse an .xlsx whose parts unpack to more than MAX_UNPACKED bytes, before parsing any."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        raise TooLarge(f"文件解压后超过 {MAX_UNPACKED // (1024 * 1024)} MB，未导入。请按月份或县区拆分后分别上传。")


def _xlsx_tables(path: Path, max_rows: int) -> list[tuple[list[str], list[RawRow], str]]:
    from openpyxl import load_workbook

    _check_unpacked(path)
    book = load_workbook(path, read_only=True, data_only=True)  # streams the sheets' XML
    counted = [0]
    try:
        tables = []
        for sheet in book.worksheets:
            rows = iter(_bounded(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), counted, max_rows))
            header = next(rows, None)
            if header is None or not any(c is not None for c in header):
                continue
            body = [RawRow(number, tuple(_cell_text(c) for c in cells), sheet.title)
                    for number, cells in enumerate(rows, start=2)]
            tables.append(([_cell_text(c) for c in header], body, sheet.title))
        return tables
    finally:
        book.close()


def import_file(path: str | Path, regions: Regions, name: str | None = None, *,
                max_rows: int = MAX_ROWS) -> ImportReport:
    """Read and check a .csv or .xlsx file; an unreadable or oversized file is one problem, never
    an exception, and then nothing of it loads.

    `name` is the file name reports show when it differs from the path (an upload saved elsewhere)."""
    path = Path(path)
    label = name or str(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            tables: Sequence[tuple[list[str], list[RawRow], str | None]] = _xlsx_tables(path, max_rows)
        elif path.suffix.lower() in (".csv", ".txt"):
            tables = _csv_tables(path, max_rows)
        else:
            report = ImportReport(label)
            report.problems.append(RowProblem(label, 0, "", "只支持 .csv 与 .xlsx 文件"))
            return report
    except TooLarge as exc:
        report = ImportReport(label)
        report.problems.append(RowProblem(label, 0, "", str(exc)))
        return report
    except Exception as exc:  # noqa: BLE001 - a broken upload is reported, never raised
        report = ImportReport(label)
        report.problems.append(RowProblem(label, 0, "", f"无法读取文件：{type(exc).__name__}: {exc}"))
        return report
    return check_rows(label, tables, regions)
