"""Count and rank: the pure computation of a 通报 (plain facts and a period in, a Bulletin out).

The counting rules are in the package docstring (scheduler/letters/bulletin/__init__.py).
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.escalation.status import past_due
from scheduler.letters.body import FACT_TABLE, TableSpec
from scheduler.letters.content import PlanBasis, zh_date

LOCAL_KINDS = ("county_government", "zone_committee", "town_government")  # ranked as 县区
COUNTY_TABLE, UNIT_TABLE = "县区排名表", "单位排名表"
RANK_HEADS = ("排名", "单位", "到期", "完成", "完成率", "逾期", "逾期天数", "函件", "签收", "签收天数")
RANK_WIDTHS = (13, 33, 13, 13, 17, 13, 15, 13, 13, 13)  # mm, the 156 mm type area; 12 pt heads fit
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """The days a bulletin covers, both ends included."""

    start: date
    end: date
    label: str  # as the bulletin prints it: 2019年12月

    @classmethod
    def month(cls, text: str) -> Period:
        """Read YYYY-MM."""
        match = _MONTH.match(text.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"月份应为 YYYY-MM，如 2019-12：{text!r}")
        year, month = int(match[1]), int(match[2])
        last = month_calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), f"{year}年{month}月")

    @property
    def key(self) -> str:
        return f"{self.start.year}-{self.start.month:02d}" if self.start.day == 1 else self.start.isoformat()


def previous_month(day: date) -> Period:
    """Return the month before `day`'s month."""
    last = date(day.year, day.month, 1) - timedelta(days=1)
    return Period.month(f"{last.year}-{last.month:02d}")


@dataclass(frozen=True)
class TaskRecord:
    """One task as the bulletin needs it: one record per date its units hold it at (a unit with its
    own approved extension gets a record of its own, at its own date)."""

    task_id: str
    title: str
    due: date | None  # the last due date; None for tasks without one (ongoing, unresolved)
    done_on: date | None  # the day it was signed off (销号), if it was
    units: tuple[str, ...]  # accountable units: lead and responsible
    progress: str = "未报送进展"
    waived: bool = False
    reported_on: date | None = None  # the first day a unit reported it done (counts as on track)


@dataclass(frozen=True)
class LetterRecord:
    """One 预警通知函 or 约谈通知 sent to a unit."""

    key: str
    unit: str
    level: str
    sent_on: date
    acknowledged_on: date | None


@dataclass(frozen=True)
class Standing:
    """One ranked row: a county or a unit, or the totals (rank 0)."""

    name: str
    due: int
    done: int
    overdue: int
    days_overdue: int
    letters: int
    acknowledged: int
    ack_days: int  # summed over the acknowledged letters
    rank: int = 0

    @property
    def completion(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def unacknowledged(self) -> int:
        return self.letters - self.acknowledged

    @property
    def mean_ack_days(self) -> float | None:
        return self.ack_days / self.acknowledged if self.acknowledged else None

    def rank_key(self) -> tuple[int, int, float, int, float]:
        """Worse standing sorts later; a unit with nothing due is not penalised for completion."""
        completion = 1.0 if self.completion is None else self.completion
        return (self.overdue, self.days_overdue, -completion, self.unacknowledged, self.mean_ack_days or 0.0)

    def cells(self) -> tuple[str, ...]:
        """Return the row as the ranking tables print it."""
        rate = "—" if self.completion is None else f"{self.completion:.0%}"
        mean = "—" if self.mean_ack_days is None else f"{self.mean_ack_days:.1f}"
        return (str(self.rank) if self.rank else "合计", self.name, str(self.due), str(self.done), rate,
                str(self.overdue), str(self.days_overdue), str(self.letters), str(self.acknowledged), mean)

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "name": self.name, "due": self.due, "done": self.done,
            "completion": None if self.completion is None else round(self.completion, 4),
            "overdue": self.overdue, "days_overdue": self.days_overdue, "letters": self.letters,
            "acknowledged": self.acknowledged,
            "mean_ack_days": None if self.mean_ack_days is None else round(self.mean_ack_days, 2),
        }


@dataclass(frozen=True)
class OverdueTask:
    """A task still not done at the period's end, with the units accountable for it."""

    task_id: str
    title: str
    units: tuple[str, ...]
    due: date
    days: int
    progress: str


@dataclass(frozen=True)
class Bulletin:
    """What a bulletin says, computed; rendering adds issuer, number and date."""

    region: str
    period: Period
    counties: tuple[Standing, ...]
    units: tuple[Standing, ...]
    totals: Standing
    overdue: tuple[OverdueTask, ...]
    plans: tuple[PlanBasis, ...] = ()

    @property
    def citations(self) -> str:
        """Return the plans the bulletin rests on, cited the way letters cite them."""
        return "、".join(p.citation for p in self.plans) or "有关大气污染防治工作方案"

    @property
    def last_counties(self) -> tuple[Standing, ...]:
        """Return the counties ranked last (all that share the worst rank) if any is behind."""
        return _last(self.counties)

    @property
    def last_units(self) -> tuple[Standing, ...]:
        return _last(self.units)

    def tables(self) -> dict[str, TableSpec]:
        """Return the body's tables: the two rankings and the overdue tasks (事实表)."""
        return {
            COUNTY_TABLE: _rank_table(self.counties, "县区"),
            UNIT_TABLE: _rank_table(self.units, "单位"),
            FACT_TABLE: TableSpec(
                heads=("序号", "任务", "责任单位", "完成时限", "逾期情况", "进展情况"),
                widths_mm=(11, 45, 36, 24, 19, 21),
                rows=tuple((str(i), t.title, units_text(t.units), zh_date(t.due), f"逾期{t.days}天", t.progress)
                           for i, t in enumerate(self.overdue, start=1)),
            ),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
                       "label": self.period.label},
            "totals": self.totals.to_json(),
            "counties": [s.to_json() for s in self.counties],
            "units": [s.to_json() for s in self.units],
            "overdue": [{"task": t.task_id, "title": t.title, "units": list(t.units), "due": t.due.isoformat(),
                         "days": t.days, "progress": t.progress} for t in self.overdue],
            "plans": [p.citation for p in self.plans],
        }


def units_text(units: Sequence[str], shown: int = 3) -> str:
    """Name up to `shown` units; a task of all counties would fill a page with their names."""
    if len(units) <= shown:
        return "、".join(units) or "—"
    return f"{'、'.join(units[: shown - 1])}等{len(units)}个单位"


def _last(rows: Sequence[Standing]) -> tuple[Standing, ...]:
    if len(rows) < 2 or rows[-1].rank == 1:  # nobody behind anybody
        return ()
    return tuple(r for r in rows if r.rank == rows[-1].rank)


def _rank_table(rows: Sequence[Standing], what: str) -> TableSpec:
    heads = (RANK_HEADS[0], what, *RANK_HEADS[2:])
    return TableSpec(heads, RANK_WIDTHS, tuple(r.cells() for r in rows))


def rank(rows: Iterable[Standing]) -> tuple[Standing, ...]:
    """Order best first and number them; rows with equal keys share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (r.rank_key(), r.name))
    ranked: list[Standing] = []
    for i, row in enumerate(ordered, start=1):
        same = ranked and ranked[-1].rank_key() == row.rank_key()
        ranked.append(_with_rank(row, ranked[-1].rank if same else i))
    return tuple(ranked)


def _with_rank(row: Standing, number: int) -> Standing:
    return Standing(row.name, row.due, row.done, row.overdue, row.days_overdue, row.letters,
                    row.acknowledged, row.ack_days, number)


def _late(task: TaskRecord, end: date) -> bool:
    """Late when the period's last day was over, by the one status rule: due by that day and neither
    signed off nor reported done (已报完成待销号 is on track) by then."""
    if task.waived or task.due is None:
        return False
    closed = min((d for d in (task.done_on, task.reported_on) if d is not None), default=None)
    return past_due((task.due,), end + timedelta(days=1), closed)


def _once_per_task(tasks: Sequence[TaskRecord], end: date) -> list[TaskRecord]:
    """Return one record per task for the totals: a task whose units hold it at different dates (an
    approved extension of one unit) counts once, by its worst record — late at the earliest missed
    date if any unit is late, else at its earliest date."""
    chosen: dict[str, TaskRecord] = {}
    for task in tasks:
        held = chosen.get(task.task_id)
        if held is None or _worse(task, held, end):
            chosen[task.task_id] = task
    return list(chosen.values())


def _worse(task: TaskRecord, than: TaskRecord, end: date) -> bool:
    late, late_than = _late(task, end), _late(than, end)
    if late != late_than:
        return late
    return (task.due or date.max) < (than.due or date.max)


def _days_late(due: date, end: date) -> int:
    """Count whole days late when the period's last day is over: due on that day is 1 day late."""
    return (end - due).days + 1


def _standing(name: str, tasks: Sequence[TaskRecord], letters: Sequence[LetterRecord], period: Period) -> Standing:
    end = period.end
    due = [t for t in tasks if t.due and period.start <= t.due <= end]
    late = [t for t in tasks if _late(t, end)]
    signed = [x for x in letters if x.acknowledged_on and x.acknowledged_on <= end]
    return Standing(
        name=name,
        due=len(due),
        done=sum(1 for t in due if t.done_on and t.done_on <= end),
        overdue=len(late),
        days_overdue=sum(_days_late(t.due, end) for t in late if t.due),
        letters=len(letters),
        acknowledged=len(signed),
        ack_days=sum((x.acknowledged_on - x.sent_on).days for x in signed if x.acknowledged_on),
    )


def compute_bulletin(
    region: str,
    period: Period,
    tasks: Sequence[TaskRecord],
    letters: Sequence[LetterRecord],
    unit_kinds: Mapping[str, str],
    plans: Sequence[PlanBasis] = (),
) -> Bulletin:
    """Count and rank every accountable unit; `unit_kinds` tells counties from departments."""
    live = [t for t in tasks if not t.waived]
    sent = [x for x in letters if period.start <= x.sent_on <= period.end]
    by_unit: dict[str, list[TaskRecord]] = {}
    for task in live:
        for unit in task.units:
            by_unit.setdefault(unit, []).append(task)
    letters_of: dict[str, list[LetterRecord]] = {}
    for letter in sent:
        letters_of.setdefault(letter.unit, []).append(letter)
    counties, units = [], []
    for name in sorted(set(by_unit) | set(letters_of)):
        row = _standing(name, by_unit.get(name, []), letters_of.get(name, []), period)
        if unit_kinds.get(name) in LOCAL_KINDS:
            counties.append(row)  # every county is listed, also with nothing to report
        elif row.due or row.overdue or row.letters:
            units.append(row)
    end = period.end
    overdue = sorted(
        (OverdueTask(t.task_id, t.title, t.units, t.due, _days_late(t.due, end), t.progress)
         for t in live if t.due is not None and _late(t, end)),
        key=lambda t: (-t.days, t.task_id),
    )
    return Bulletin(
        region=region,
        period=period,
        counties=rank(counties),
        units=rank(units),
        totals=_standing("合计", _once_per_task(live, end), sent, period),
        overdue=tuple(overdue),
        plans=tuple(plans),
    )
