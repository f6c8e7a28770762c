"""Targets from the plans (data/targets/<plan>.yaml), each citing the seed line it was read from.

Every kind of target the seeds set becomes a `PeriodTarget` — a limit a region's value for a
period must not exceed — or a `DustCap`, a monthly ceiling for every county of a region:
- county PM2.5 (seed 000 附件1): baseline × (1 − reduction %), rounded half-up to 0.1 μg/m³;
  "持续改善" means no worse than the baseline, so the limit is the baseline itself;
- county heavy-pollution days (seed 000 附件1): baseline − reduction days ("持续改善": baseline);
- city caps per period (seeds 002, 003: 2020-10..12 and 2021-01..03), PM2.5 and heavy days;
- monthly pre-control targets per pollutant (seed 004 附件1), and the year's row ("全年");
- dust-fall caps per month (9, 7, 5 吨/月·平方公里).
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.errors import InputError, Problem
from scheduler.escalation.metrics.catalog import METRICS, Regions
from scheduler.yamlsource import LineMap, load_yaml_file, load_yaml_text, validate

STEADY = "持续改善"
Aggregate = Literal["mean", "count"]


# -- the file -----------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Model):
    """Where an entry was read: seed file and line (or lines a-b), and the text standing there."""

    source: str = Field(pattern=r"^[^:]+\.(txt|md):\d+(-\d+)?$")
    quote: str = Field(min_length=1)


Reduction = float | Literal["持续改善"]


class CountyEntry(Cited):
    region: str = Field(min_length=1)
    pm25_baseline: float = Field(gt=0, le=500)
    pm25_reduction_pct: Reduction
    heavy_days_baseline: float = Field(ge=0, le=200)
    heavy_days_reduction: Reduction

    @field_validator("pm25_reduction_pct", "heavy_days_reduction")
    @classmethod
    def _non_negative(cls, value: Reduction) -> Reduction:
        if isinstance(value, float) and not 0 <= value < 100:
            raise ValueError("下降比例或减少天数应在 0 到 100 之间，或写“持续改善”")
        return value


class CapEntry(Cited):
    region: str = Field(min_length=1)
    metric: str
    start: date
    end: date
    cap: float = Field(ge=0)

    @field_validator("metric")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"未知的指标 {value!r}；可用：{'、'.join(METRICS)}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> CapEntry:
        if self.end < self.start:
            raise ValueError("end 早于 start")
        return self


class MonthlyEntry(Cited):
    region: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)  # None: the whole year (全年)
    values: dict[str, float] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [name for name in value if name not in METRICS]
        if unknown:
            raise ValueError(f"未知的指标 {'、'.join(unknown)}；可用：{'、'.join(METRICS)}")
        return value


class DustEntry(Cited):
    region: str = Field(min_length=1)  # a city: every county in it; a county: that county
    cap: float = Field(gt=0, le=100)
    inclusive: bool = True  # "以下"/"不高于": the cap itself is allowed; "小于": it is not


class Period(_Model):
    start: date
    end: date


class TargetsFile(_Model):
    plan: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    region: str
    period: Period
    note: str = ""
    county: list[CountyEntry] = Field(default_factory=list)
    period_caps: list[CapEntry] = Field(default_factory=list)
    monthly: list[MonthlyEntry] = Field(default_factory=list)
    dust_fall: list[DustEntry] = Field(default_factory=list)


# -- the values rules use ----------------------------------------------------------------------


def round_half_up(value: float, places: int = 1) -> float:
    """Round as people do (62.05 -> 62.1), not as floats do (banker's rounding)."""
    step = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def pm25_target(baseline: float, reduction_pct: Reduction) -> float:
    """Return a county's PM2.5 limit: baseline less the percentage; 持续改善 = the baseline."""
    if reduction_pct == STEADY:
        return float(baseline)
    exact = Decimal(str(baseline)) * (1 - Decimal(str(reduction_pct)) / 100)  # 63 × 0.95 is 59.85, not 59.8499…
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def heavy_days_target(baseline: float, reduction: Reduction) -> float:
    """Return a county's heavy-pollution-day limit: baseline less the days; 持续改善 = baseline."""
    if reduction == STEADY:
        return float(baseline)
    return max(float(baseline) - float(reduction), 0.0)


@dataclass(frozen=True)
class PeriodTarget:
    """A limit a region's value over a period must not exceed (mean concentration or day count)."""

    plan: str
    region: str
    metric: str
    start: date
    end: date
    limit: float
    aggregate: Aggregate
    basis: str  # how the limit was set, in Chinese, e.g. 基数66微克/立方米，下降6%
    source: str
    steady: bool = False  # 持续改善: no worse than the baseline
    baseline: float | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class DustCap:
    """A monthly dust-fall ceiling for one region (a county, or every county of a city)."""

    plan: str
    region: str
    cap: float
    inclusive: bool
    source: str
    quote: str

    def exceeded(self, value: float) -> bool:
        return value > self.cap if self.inclusive else value >= self.cap

    @property
    def wording(self) -> str:
        return f"{'不高于' if self.inclusive else '低于'}{self.cap:g}吨/月·平方公里"


@dataclass(frozen=True)
class PlanTargets:
    """One plan's targets as loaded, with the file they came from."""

    plan: str
    region: str
    start: date
    end: date
    targets: tuple[PeriodTarget, ...]
    dust: tuple[DustCap, ...]
    file: str
    entries: TargetsFile = field(repr=False, compare=False, default=None)  # type: ignore[assignment]


def _month_end(year: int, month: int) -> date:
    return date(year, month, month_calendar.monthrange(year, month)[1])


def _build(doc: TargetsFile, filename: str) -> PlanTargets:
    start, end = doc.period.start, doc.period.end
    found: list[PeriodTarget] = []
    for entry in doc.county:
        steady = entry.pm25_reduction_pct == STEADY
        basis = (f"2018-2019年同期{entry.pm25_baseline:g}微克/立方米，"
                 + ("持续改善（不高于基数）" if steady else f"下降{float(entry.pm25_reduction_pct):g}%"))
        found.append(PeriodTarget(doc.plan, entry.region, "PM2.5", start, end,
                                  pm25_target(entry.pm25_baseline, entry.pm25_reduction_pct), "mean", basis,
                                  entry.source, steady, entry.pm25_baseline))
        steady_days = entry.heavy_days_reduction == STEADY
        basis = (f"2018-2019年同期{entry.heavy_days_baseline:g}天，"
                 + ("持续改善（不多于基数）" if steady_days else f"减少{float(entry.heavy_days_reduction):g}天"))
        found.append(PeriodTarget(doc.plan, entry.region, "heavy_pollution_days", start, end,
                                  heavy_days_target(entry.heavy_days_baseline, entry.heavy_days_reduction), "count",
                                  basis, entry.source, steady_days, entry.heavy_days_baseline))
    for cap in doc.period_caps:
        aggregate: Aggregate = "count" if METRICS[cap.metric].monthly else "mean"
        found.append(PeriodTarget(doc.plan, cap.region, cap.metric, cap.start, cap.end, cap.cap, aggregate,
                                  f"方案控制目标{cap.cap:g}{METRICS[cap.metric].unit}以内", cap.source))
    for month in doc.monthly:
        first = date(month.year, month.month or 1, 1)
        last = _month_end(month.year, month.month or 12)
        label = f"{month.year}年{month.month}月预控制目标" if month.month else f"{month.year}年全年预控制目标"
        for metric, value in month.values.items():
            found.append(PeriodTarget(doc.plan, month.region, metric, first, last, value, "mean", label, month.source))
    dust = tuple(DustCap(doc.plan, d.region, d.cap, d.inclusive, d.source, d.quote) for d in doc.dust_fall)
    return PlanTargets(doc.plan, doc.region, start, end, tuple(found), dust, filename, doc)


def parse_targets(text: str, filename: str) -> PlanTargets:
    """Validate one targets file's YAML text; raise InputError naming file, line and field."""
    data, lines = load_yaml_text(text, filename)
    return _build(validate(TargetsFile, data, filename, lines), filename)


def load_targets_file(path: str | Path) -> tuple[PlanTargets, LineMap]:
    data, lines = load_yaml_file(path)
    return _build(validate(TargetsFile, data, str(path), lines), str(path)), lines


@dataclass
class TargetBook:
    """Every plan's targets, looked up by plan, region and metric."""

    plans: dict[str, PlanTargets] = field(default_factory=dict)

    def for_plan(self, plan: str) -> PlanTargets | None:
        return self.plans.get(plan)

    def targets(self, plan: str, metric: str | None = None, region: str | None = None) -> list[PeriodTarget]:
        found = self.plans.get(plan)
        if found is None:
            return []
        return [t for t in found.targets
                if (metric is None or t.metric == metric) and (region is None or t.region == region)]

    def all_targets(self) -> Iterable[PeriodTarget]:
        for plan in self.plans.values():
            yield from plan.targets


def load_target_book(folder: str | Path, regions: Regions | None = None) -> TargetBook:
    """Load every data/targets/*.yaml; collect all problems (bad fields, unknown regions, a plan twice)."""
    folder = Path(folder)
    book = TargetBook()
    problems: list[Problem] = []
    if not folder.is_dir():
        return book
    for path in sorted(folder.glob("*.yaml")):
        try:
            loaded, lines = load_targets_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if loaded.plan in book.plans:
            problems.append(Problem(str(path), lines.line_of(("plan",)),
                                    f"计划 {loaded.plan} 的目标已见于 {book.plans[loaded.plan].file}", "plan"))
            continue
        if regions is not None:
            problems.extend(_unknown_regions(loaded, lines, regions))
        book.plans[loaded.plan] = loaded
    if problems:
        raise InputError(problems)
    return book


def _unknown_regions(loaded: PlanTargets, lines: LineMap, regions: Regions) -> list[Problem]:
    problems = []
    doc = loaded.entries
    for section in ("county", "period_caps", "monthly", "dust_fall"):
        for index, entry in enumerate(getattr(doc, section)):
            found = regions.resolve(entry.region)
            if found is None or found.name != entry.region:
                hint = f"（应写作“{found.name}”）" if found is not None else ""
                problems.append(Problem(loaded.file, lines.line_of((section, index, "region")),
                                        f"未知的地区：{entry.region}{hint}", f"{section}.{index}.region"))
    return problems
