"""The ledger (台账): one YAML file per plan in data/, validated on load with file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.errors import InputError, Problem
from scheduler.plans.deadlines import Deadline, DeadlineContext, parse_deadline
from scheduler.yamlsource import load_yaml_file, validate

SOURCE_REF = re.compile(r"^[^:\s]+:\d+(-\d+)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanMeta(Strict):
    """Plan metadata, as the document states it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    issuer: str
    document_number: str = ""  # e.g. 长政办发〔2023〕14号; empty when the source has none
    issue_date: date | None = None
    region: str  # 长治市, 晋中市, 晋城市, 泽州县
    period_start: date
    period_end: date
    plan_year: int
    source_file: str
    assessment_clause: str = ""  # the plan's 考核督察 text, quoted
    assessment_source: str = ""  # file:line of that clause

    @model_validator(mode="after")
    def _period_in_order(self) -> PlanMeta:
        if self.period_end < self.period_start:
            raise ValueError("period_end 早于 period_start")
        return self


class PersonRef(Strict):
    """A named responsible person (责任人) and the unit the row pairs them with."""

    name: str
    unit: str = ""


class Task(Strict):
    """One task row or numbered item of a plan."""

    id: str = Field(pattern=r"^[a-z0-9-]+/[A-Za-z0-9.-]+$")  # <plan id>/<local id>
    category: str = ""  # 类别 / 任务类别
    key_work: str = ""  # 重点工作
    title: str  # 主要任务, or the item's lead sentence
    measures: str = ""  # 工程措施 / 具体措施
    deadline_text: str = ""  # the cell as written (cleaned of line breaks); may be empty
    lead_units: list[str] = Field(default_factory=list)
    cooperating_units: list[str] = Field(default_factory=list)
    responsible_units: list[str] = Field(default_factory=list)
    responsible_persons: list[PersonRef] = Field(default_factory=list)
    standing: bool = False  # the plan sets no deadline because the work is continuous (视为长期)
    remarks: str = ""
    source: str  # "<seed file>:<line>" or "<file>:<first>-<last>"
    notes: list[str] = Field(default_factory=list)  # importer notes: OCR fixes, hand repairs

    @field_validator("source")
    @classmethod
    def _source_ref(cls, value: str) -> str:
        if not SOURCE_REF.match(value):
            raise ValueError(f"source 应为 文件名:行号，得到 {value!r}")
        return value


class CountyTarget(Strict):
    """Seed 000 附件1: PM2.5 and heavy-pollution-day targets per county for the season."""

    region: str
    pm25_baseline: float  # μg/m³, the previous season's value
    pm25_reduction_pct: float | None  # None means 持续改善 (no worse than baseline)
    heavy_days_baseline: float
    heavy_days_reduction: float | None  # None means 持续改善
    source: str


class PeriodCap(Strict):
    """A cap on a metric over a period (seeds 002, 003: city PM2.5 and heavy-pollution days)."""

    region: str
    metric: Literal["PM2.5", "PM10", "heavy_pollution_days", "AQI", "dust_fall"]
    period_start: date
    period_end: date
    cap: float
    unit: str  # μg/m³, 天, 吨/月·平方公里
    source: str


class MonthlyTarget(Strict):
    """Seed 004 附件1: monthly pre-control target per pollutant."""

    region: str
    year: int
    month: int = Field(ge=1, le=12)  # 0 is not used; the yearly value goes in `annual`
    metric: Literal["SO2", "NO2", "PM10", "CO", "O3", "PM2.5"]
    value: float
    source: str


class DustFallCap(Strict):
    """A monthly dust-fall cap (吨/月·平方公里) for the units of a region."""

    region: str
    cap: float
    source: str


class Targets(Strict):
    county: list[CountyTarget] = Field(default_factory=list)
    period_caps: list[PeriodCap] = Field(default_factory=list)
    monthly: list[MonthlyTarget] = Field(default_factory=list)
    annual: list[MonthlyTarget] = Field(default_factory=list)  # month is 12 by convention
    dust_fall: list[DustFallCap] = Field(default_factory=list)


class Ledger(Strict):
    """One plan's ledger file."""

    plan: PlanMeta
    targets: Targets = Field(default_factory=Targets)
    tasks: list[Task]

    @model_validator(mode="after")
    def _ids(self) -> Ledger:
        seen: set[str] = set()
        for task in self.tasks:
            if not task.id.startswith(self.plan.id + "/"):
                raise ValueError(f"任务编号 {task.id} 不以计划编号 {self.plan.id}/ 开头")
            if task.id in seen:
                raise ValueError(f"任务编号重复：{task.id}")
            seen.add(task.id)
        return self

    def deadline_context(self, heating_season_start: tuple[int, int] = (11, 1)) -> DeadlineContext:
        return DeadlineContext(
            plan_year=self.plan.plan_year,
            period_start=self.plan.period_start,
            period_end=self.plan.period_end,
            heating_season_start=heating_season_start,
        )


STANDING_NOTE = "原文未写明时限，按长期工作定期调度"


def task_deadline(deadline_text: str, standing: bool, context: DeadlineContext) -> Deadline:
    """Return a task's parsed deadline; a standing task without a written date is ongoing, not an
    unreadable cell (an empty table cell, by contrast, stays 'unknown' for a coordinator)."""
    if standing and not deadline_text.strip():
        return Deadline(text=deadline_text, kind="ongoing", notes=(STANDING_NOTE,))
    return parse_deadline(deadline_text, context)


def load_ledger(path: str | Path) -> Ledger:
    """Load and validate one ledger file; errors name the file, line and field."""
    data, lines = load_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError.single(str(path), 1, "台账文件应为映射（plan / targets / tasks）")
    return validate(Ledger, data, str(path), lines)


def ledger_paths(data_dir: str | Path) -> list[Path]:
    """Return the plan ledgers in a data folder (every *.yaml except units.yaml)."""
    return sorted(p for p in Path(data_dir).glob("*.yaml") if p.name != "units.yaml")


def load_ledgers(data_dir: str | Path) -> list[Ledger]:
    """Load every ledger in a folder, collecting the problems of all files before raising."""
    ledgers, problems = [], []
    for path in ledger_paths(data_dir):
        try:
            ledgers.append(load_ledger(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    ids = [ledger.plan.id for ledger in ledgers]
    for plan_id in {i for i in ids if ids.count(i) > 1}:
        problems.append(Problem(str(data_dir), None, f"计划编号重复：{plan_id}"))
    if problems:
        raise InputError(problems)
    return ledgers


def dump_ledger(ledger: Ledger) -> str:
    """Serialise a ledger deterministically (same input, same bytes)."""
    data = ledger.model_dump(mode="json", exclude_defaults=False)
    text: str = yaml.dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return text
