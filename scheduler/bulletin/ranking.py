"""通报: the periodic bulletin that ranks counties and city departments on their plan tasks.

For one region and one period (a month by default), everything is counted as it stood on the
period's last day, so a bulletin printed later says the same thing:
- 到期任务: tasks whose (last) due date falls in the period; 已完成: of those, signed off (销号)
  by the period's end; 完成率 = 已完成 / 到期任务.
- 逾期未完成: tasks due by the period's last day and not signed off when it was over, whichever
  month they fell due in; 逾期天数: calendar days from each one's due date to the end of the
  period's last day (a task due on 12月31日 and not done is 1 day late on the 12月 bulletin).
- 函件: 预警通知函 and 约谈通知 sent in the period; 已签收 by the period's end; 平均签收用时:
  days from sending to 签收, over the signed ones.
A task counts for its lead units and its responsible units (cooperating units are not
accountable for it); waived tasks (核减) count nowhere. Counties (county and town governments,
development zones) and city departments (everything else) are ranked separately, best first:
fewer overdue tasks, then fewer overdue days, then a higher completion rate, then fewer unsigned
letters, then faster 签收; equal keys share a rank (1, 2, 2, 4).

The computation is pure (`compute_bulletin`: plain facts and a period in, a Bulletin out);
`bulletin_facts` is the thin store query and `publish_bulletins` the edge that writes the
HTML, DOCX and PDF drafts for coordinators to sign off.
"""

from __future__ import annotations

import calendar as month_calendar
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.letterbody import FACT_TABLE, TableSpec
from scheduler.letters import DEFAULT_CC, KIND_NAMES, FactRow, LetterContext, PlanBasis, zh_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from scheduler.config import Config
    from scheduler.render import Renderer
    from scheduler.store import Store
    from scheduler.workcal import WorkCalendar

LOCAL_KINDS = ("county_government", "zone_committee", "town_government")  # ranked as 县区
ACCOUNTABLE_ROLES = ("lead", "responsible")
LETTER_LEVELS = ("warning", "interview")
COUNTY_TABLE, UNIT_TABLE = "县区排名表", "单位排名表"
RANK_HEADS = ("排名", "单位", "到期", "完成", "完成率", "逾期", "逾期天数", "函件", "签收", "签收天数")
RANK_WIDTHS = (13, 33, 13, 13, 17, 13, 15, 13, 13, 13)  # mm, the 156 mm type area; 12 pt heads fit
ADDRESSEE = "各县（市、区）人民政府，市直有关单位"
REPLY_WORKDAYS = 10
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


@dataclass(frozen=True)
class TaskRecord:
    """One task as the bulletin needs it."""

    task_id: str
    title: str
    due: date | None  # the last due date; None for tasks without one (ongoing, unresolved)
    done_on: date | None  # the day it was signed off (销号), if it was
    units: tuple[str, ...]  # accountable units: lead and responsible
    progress: str = "未报送进展"
    waived: bool = False


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
    """Due by the period's last day and not signed off when that day was over."""
    return task.due is not None and task.due <= end and not (task.done_on and task.done_on <= end)


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
         for t in live if _late(t, end)),
        key=lambda t: (-t.days, t.task_id),
    )
    return Bulletin(
        region=region,
        period=period,
        counties=rank(counties),
        units=rank(units),
        totals=_standing("合计", live, sent, period),
        overdue=tuple(overdue),
        plans=tuple(plans),
    )


# --- the bulletin as a document -------------------------------------------------------------


def first_workday_after(period: Period, is_workday: Callable[[date], bool]) -> date:
    """Return the first working day after the period: when the monthly bulletin is drawn up."""
    day = period.end + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def draft_number(prefix: str, year: int) -> str:
    """Return a document number with the serial left blank for the office to fill in at sign-off."""
    return f"{prefix}〔{year}〕　号"


def bulletin_letter(
    bulletin: Bulletin, issuer: str, number: str, issued: date, reply_by: date, *, contact: str = "",
) -> LetterContext:
    """Return the head of the bulletin (issuer, number, title, addressee …) as letters have it."""
    rows = tuple(FactRow(i, t.task_id, t.title, units_text(t.units), zh_date(t.due), f"逾期{t.days}天", t.progress)
                 for i, t in enumerate(bulletin.overdue, start=1))
    basis = bulletin.plans[0] if bulletin.plans else PlanBasis("有关大气污染防治工作方案", "", "")
    by = zh_date(reply_by)
    return LetterContext(
        kind="bulletin",
        kind_name=KIND_NAMES["bulletin"],
        issuer=issuer,
        number=number,
        title=f"关于{bulletin.period.label}大气污染防治重点任务进展情况的通报",
        addressee=ADDRESSEE,
        unit="",
        rows=rows,
        basis=basis,
        reasons=(),
        rectification=(
            "各单位对照通报事项认真查摆问题，举一反三，加快推进逾期任务，确保尽快完成。",
            "排名靠后的单位要深入分析原因，制定整改措施，明确责任人和完成时限。",
            "收到预警通知函、约谈通知的单位要及时签收，按要求报送书面整改情况。",
            f"于{by}前将整改落实情况书面报送市大气办。",
        ),
        reply_by=reply_by,
        signature=issuer,
        date=issued,
        contact=contact,
        cc=DEFAULT_CC["bulletin"],
        attachments=(),
        notice_keys=(),
        period=bulletin.period.label,
    )


SAMPLE_PERIOD = Period.month("2019-12")


def sample_bulletin() -> tuple[Bulletin, LetterContext]:
    """Return a small bulletin and its head, to test-render the template before the service starts."""
    tasks = [
        TaskRecord("cz2019-12", "完成城中村和城乡结合部散煤清洁化替代", date(2019, 11, 30), None,
                   ("长治市能源局", "潞州区人民政府"), "已完成68%"),
        TaskRecord("cz2019-31", "建成区渣土运输车辆全部实现密闭运输", date(2019, 12, 15), date(2019, 12, 13),
                   ("长治市住房和城乡建设局", "潞州区人民政府", "上党区人民政府")),
        TaskRecord("cz2019-40", "完成工业企业无组织排放治理", date(2019, 12, 31), None, ("上党区人民政府",)),
    ]
    letters = [LetterRecord("overdue-warning|cz2019-12|潞州区人民政府|2019-11-30", "潞州区人民政府", "warning",
                            date(2019, 12, 3), date(2019, 12, 5))]
    kinds = {"潞州区人民政府": "county_government", "上党区人民政府": "county_government"}
    plan = PlanBasis("长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案", "长政办发〔2019〕78号",
                     "对重点任务进展缓慢的县区，及时下发预警通知函。")
    bulletin = compute_bulletin("长治市", SAMPLE_PERIOD, tasks, letters, kinds, [plan])
    head = bulletin_letter(bulletin, "长治市大气污染防治工作领导组办公室", draft_number("长大气办函", 2020),
                           date(2020, 1, 2), date(2020, 1, 16), contact="（联系人：王明；联系电话：0355-2021234）")
    return bulletin, head


# --- the store: the thin query --------------------------------------------------------------


def _progress(reports: Sequence[Any]) -> str:
    if not reports:
        return "未报送进展"
    last = reports[-1]
    if last.status == "done":
        return "已报完成，待销号"
    return f"已完成{last.percent}%" if last.percent is not None else "推进中"


def bulletin_facts(
    session: Session, region: str, period: Period,
    heating: Callable[[str], tuple[int, int]] = lambda region: (11, 1),
) -> tuple[list[TaskRecord], list[LetterRecord], dict[str, str], list[PlanBasis]]:
    """Read the tasks, letters and unit kinds of `region`'s plans that run during the period."""
    from sqlalchemy import func, select

    from scheduler.store import models as m
    from scheduler.store.taskfacts import task_facts

    plans = list(session.scalars(
        select(m.Plan).where(m.Plan.region == region, m.Plan.period_start <= period.end,
                             m.Plan.period_end >= period.start).order_by(m.Plan.period_start, m.Plan.id)
    ))
    plan_ids = [p.id for p in plans]
    signed = dict(session.execute(
        select(m.SignOff.task_id, func.max(m.SignOff.on))
        .join(m.Task, m.Task.id == m.SignOff.task_id)
        .where(m.Task.plan_id.in_(plan_ids)).group_by(m.SignOff.task_id)
    ).all())
    tasks = []
    for facts in task_facts(session, period.end, plan_ids, heating):
        units = tuple(dict.fromkeys(a.unit for a in facts.assignments if a.role in ACCOUNTABLE_ROLES))
        tasks.append(TaskRecord(
            task_id=facts.task_id,
            title=facts.title,
            due=facts.deadline.due[-1] if facts.deadline.due else None,
            done_on=signed.get(facts.task_id) if facts.status == "signed_off" else None,
            units=units,
            progress=_progress(facts.reports),
            waived=facts.status == "waived",
        ))
    letters = [
        LetterRecord(key, unit, level, sent_on, acknowledged_on)
        for key, unit, level, sent_on, acknowledged_on in session.execute(
            select(m.Notice.key, m.Notice.unit, m.Notice.level, m.Notice.sent_on, m.Notice.acknowledged_on)
            .where(m.Notice.plan_id.in_(plan_ids), m.Notice.level.in_(LETTER_LEVELS),
                   m.Notice.sent_on >= period.start, m.Notice.sent_on <= period.end)
            .order_by(m.Notice.id)
        )
    ]
    kinds = dict(session.execute(select(m.Unit.name, m.Unit.kind)).all())
    bases = [PlanBasis(p.title, (p.meta or {}).get("document_number", ""), (p.meta or {}).get("assessment_clause", ""))
             for p in plans]
    return tasks, letters, kinds, bases


def regions_with_plans(session: Session, period: Period) -> list[str]:
    """Return the regions that have a plan running during the period."""
    from sqlalchemy import select

    from scheduler.store import models as m

    return sorted(set(session.scalars(
        select(m.Plan.region).where(m.Plan.period_start <= period.end, m.Plan.period_end >= period.start)
    )))


# --- the edge: drafts on disk ---------------------------------------------------------------


@dataclass
class PublishedBulletin:
    """One region's bulletin and the files written for it."""

    bulletin: Bulletin
    letter: LetterContext
    files: dict[str, Path] = field(default_factory=dict)  # html, docx, pdf, json

    def to_json(self) -> dict[str, Any]:
        return {**self.bulletin.to_json(), "number": self.letter.number, "date": self.letter.date.isoformat(),
                "issuer": self.letter.issuer, "files": {k: str(v) for k, v in self.files.items()}}


def file_stem(bulletin: Bulletin, draft: bool = True) -> str:
    """Name the files after region and period: 通报-长治市-2019-12（送审稿） for a draft."""
    name = f"通报-{bulletin.region}-{bulletin.period.key}{'（送审稿）' if draft else ''}"
    return re.sub(r"[^\w\-（）]+", "_", name)


def publish_bulletins(
    store: Store, config: Config, calendar: WorkCalendar, period: Period, out_dir: Path, *,
    regions: Sequence[str] | None = None, issued: date | None = None, number: str = "", pdf: bool = True,
    renderer: Renderer | None = None,
) -> list[PublishedBulletin]:
    """Compute each region's bulletin and write it as HTML, DOCX (GB/T 9704) and PDF drafts.

    A draft's document number has its serial blank ("长大气办函〔2020〕　号"): the office numbers the
    bulletin in its own register when it signs it off. `number` prints a number already assigned.
    """
    from scheduler.delivery import issuer_for_region
    from scheduler.docnumber import parse_number
    from scheduler.pdfconvert import docx_to_pdf_batch
    from scheduler.render import Renderer

    renderer = renderer or Renderer(config.path(config.templates_dir))
    day = issued or first_workday_after(period, calendar.is_workday)
    if number:  # typed brackets and padding are normalised; the year must be the date's
        parsed = parse_number(number, file="--number")
        if parsed.year != day.year:
            raise LookupError(f"发文字号 {parsed} 的年份与成文日期 {zh_date(day)} 不一致")
        number = str(parsed)
    published: list[PublishedBulletin] = []
    with store.session() as session:
        wanted = list(regions) if regions else regions_with_plans(session, period)
        for region in wanted:
            tasks, letters, kinds, plans = bulletin_facts(session, region, period, config.heating_season_start)
            if not plans:
                raise LookupError(f"{region}在{period.label}没有执行中的方案，无法生成通报")
            bulletin = compute_bulletin(region, period, tasks, letters, kinds, plans)
            issuer = issuer_for_region(region)
            head = bulletin_letter(bulletin, issuer.name, number or draft_number(issuer.prefix, day.year), day,
                                   calendar.add_workdays(day, REPLY_WORKDAYS))
            published.append(PublishedBulletin(bulletin, head))
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in published:
        stem = out_dir / file_stem(item.bulletin, draft=not number)
        tables = item.bulletin.tables()
        html = stem.with_suffix(".html")
        html.write_text(renderer.document_html(item.letter, tables, bulletin=item.bulletin), encoding="utf-8")
        docx = renderer.document_docx(item.letter, tables, stem.with_suffix(".docx"), bulletin=item.bulletin)
        item.files = {"html": html, "docx": docx}
    if pdf and published:
        for item, path in zip(published, docx_to_pdf_batch([p.files["docx"] for p in published], out_dir)):
            item.files["pdf"] = path
    for item in published:  # the figures, for whoever checks or circulates them by machine
        data = item.files["docx"].with_suffix(".json")
        item.files["json"] = data
        data.write_text(json.dumps(item.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return published


def previous_month(day: date) -> Period:
    """Return the month before `day`'s month."""
    last = date(day.year, day.month, 1) - timedelta(days=1)
    return Period.month(f"{last.year}-{last.month:02d}")


def monthly_drafts(config: Config, day: date, *, pdf: bool = True) -> list[PublishedBulletin]:
    """The service's monthly job: on a working day, draw up last month's drafts unless they exist.

    Runs every day; the first working day of a month writes them, and a service that was down on
    that day catches up on the next working day. The .json file is written last, so a run that
    failed half-way (LibreOffice missing) is retried the next day.
    """
    from scheduler.runtime import Runtime

    runtime = Runtime(config)
    if not runtime.calendar.is_workday(day):
        return []
    period = previous_month(day)
    out = config.path(config.outbox) / "bulletins" / period.key
    if out.is_dir() and any(out.glob("*.json")):
        return []
    try:
        return publish_bulletins(runtime.store, config, runtime.calendar, period, out, issued=day, pdf=pdf)
    finally:
        runtime.store.dispose()
