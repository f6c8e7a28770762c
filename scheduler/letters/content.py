"""Build what a letter says from notice facts: pure values in, frozen values out.

Rendering (templates/, DOCX, PDF) lives in scheduler.letters.render and the daily digest in
scheduler.letters.digest; this module decides a letter's content — who writes to whom under which
number, which tasks are late by how much, which plan clause the letter rests on and what the unit
must do by when. What each level's letter *is* (title, reply period, 抄送, 签收) the ladder says
(scheduler.ladder). No clock, no store, no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler import ladder
from scheduler.letters.basis import (
    LegalBasis,
    PlanRef,
    addressee_kind,
    legal_basis,
    nest_quotes,
    summoned,
    summoned_short,
)
from scheduler.letters.dates import as_date as as_date  # re-exported: letters read dates from here
from scheduler.letters.dates import zh_date as zh_date
from scheduler.letters.metricfacts import MetricFacts as MetricFacts
from scheduler.letters.metricfacts import metric_facts as metric_facts
from scheduler.letters.numbers import parse_number

# The 通报 is a letter of its own, not a rung of the ladder: no unit's notices make it, nobody signs
# for it, and it goes to every unit of the region at once.
BULLETIN = "bulletin"
BULLETIN_TITLE = "通报"
BULLETIN_CC: tuple[str, ...] = ("市生态环境局", "市政府督查室")


def letter_levels() -> tuple[str, ...]:
    """Return the ladder levels that have a letter template (催办通知 and up), lowest first."""
    return tuple(r.level for r in ladder.LADDER if r.template is not None)


def kind_name(kind: str) -> str:
    """Return a letter kind's name as its title says it (预警通知函, 通报 ...)."""
    return BULLETIN_TITLE if kind == BULLETIN else ladder.rung(kind).letter_title


def needs_ack(level: str) -> bool:
    """Say whether a unit must sign for (签收) a letter of `level`; levels off the ladder never."""
    return ladder.is_known(level) and ladder.rung(level).needs_ack


@dataclass(frozen=True)
class FactRow:
    """One lagging task in the letter's facts table."""

    number: int
    task_id: str
    task: str
    unit: str
    deadline: str  # as the letter prints it, e.g. 2019年12月31日
    overdue: str  # e.g. 逾期12个工作日; empty when not yet late
    progress: str


@dataclass(frozen=True)
class PlanBasis:
    """The plan (or assessment rule) a letter rests on, quoted so the unit can check it."""

    title: str
    number: str  # the plan's own document number, may be empty for a table-only plan
    clause: str

    @property
    def quote(self) -> str:
        """Return the clause as quoted inside a sentence: without its closing full stop."""
        return self.clause.rstrip("。；; ")

    @property
    def citation(self) -> str:
        """Return 《title》（number） as letters cite a document."""
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"


@dataclass(frozen=True)
class InterviewDetails:
    """Who is summoned, by whom, when and where; what to bring (约谈通知 only)."""

    summoned: str  # e.g. 潞州区人民政府主要负责同志, 长治市能源局主要负责同志
    conducted_by: str
    time: str  # as the approving coordinator entered it; 另行通知 only in a preview before approval
    place: str
    attendees: tuple[str, ...]
    bring: tuple[str, ...]
    receipt_by: date  # 回执 deadline
    contact: str = ""  # who answers questions about the interview, with a telephone number


@dataclass(frozen=True)
class PriorLetter:
    """An earlier letter to the same unit that an interview notice recalls: its number and date."""

    number: str
    issued_on: date


@dataclass(frozen=True)
class LetterContext:
    """Everything a letter template and the DOCX layout need, already in printable form."""

    kind: str  # a ladder level with a letter template, or "bulletin"
    kind_name: str
    issuer: str
    number: str
    title: str
    addressee: str
    unit: str
    rows: tuple[FactRow, ...]
    basis: PlanBasis
    reasons: tuple[str, ...]  # one explanation per notice, as the rules worded them
    rectification: tuple[str, ...]
    reply_by: date
    signature: str
    date: date
    contact: str  # 附注, e.g. （联系人：…，联系电话：…）
    cc: tuple[str, ...]
    attachments: tuple[str, ...]
    notice_keys: tuple[str, ...]
    interview: InterviewDetails | None = None
    period: str = ""  # the period a bulletin covers
    metrics: tuple[MetricFacts, ...] = ()  # air-quality facts of a metric-based letter
    ack_url: str = ""  # the signed 签收 link (scheduler.delivery.acklinks), set by delivery; empty: none
    legal: LegalBasis | None = None  # the basis as the letter states it (scheduler.letters.basis)
    addressee_kind: str = "government"  # government, department or enterprise: how the letter words things
    prior: tuple[PriorLetter, ...] = ()  # earlier warning letters an interview notice recalls

    @property
    def opening(self) -> str:
        """Return the basis sentence's head: 根据……的规定 / 按照……要求."""
        return self.legal.opening if self.legal else f"根据{self.basis.citation}的规定"

    @property
    def recall(self) -> str:
        """Return the short basis for the consequences sentence: 依据《……》."""
        return self.legal.recall if self.legal else f"依据{self.basis.citation}"

    @property
    def summoned_short(self) -> str:
        """Return whom a further step would summon: 政府主要负责同志 / 单位主要负责同志."""
        return summoned_short(_KIND_OF_GROUP[self.addressee_kind])

    @property
    def is_government(self) -> bool:
        return self.addressee_kind == "government"

    @property
    def needs_ack(self) -> bool:
        """Say whether the unit must sign for this letter (the ladder says which levels)."""
        return needs_ack(self.kind)

    @property
    def cc_line(self) -> str:
        """Return the 抄送 line, units separated by commas and ending with 。"""
        return "抄送：" + "，".join(self.cc) + "。" if self.cc else ""


def need(data: Mapping[str, Any], key: str, what: str) -> Any:
    """Return data[key], or say in Chinese that a document cannot be made without it."""
    value = data.get(key)
    if value in (None, ""):
        raise ValueError(f"{what}缺少“{key}”，无法生成公文")
    return value


def task_title(notice: Mapping[str, Any]) -> str:
    """Name the task a notice is about as letters print it (a metric notice has none)."""
    facts = notice.get("facts") or {}
    return str(
        notice.get("task_title") or notice.get("title") or facts.get("task_title")
        or notice.get("task_id") or notice.get("task") or "（指标类事项）"
    )


def _progress(notice: Mapping[str, Any]) -> str:
    facts = notice.get("facts") or {}
    return str(notice.get("progress") or facts.get("progress") or "未报送进展")


def notice_due(notice: Mapping[str, Any]) -> date | None:
    """Return the deadline a notice is about: its own, else its task's (an interview notice is
    about an earlier warning, whose deadline delivery copies into `task_due`)."""
    facts = notice.get("facts") or {}
    for value, what in ((notice.get("due"), "due"), (notice.get("task_due"), "task_due"),
                        (facts.get("due"), "facts.due")):
        day = as_date(value, f"通知 {notice.get('key')} 的 {what}")
        if day is not None:
            return day
    return None


def _row(number: int, notice: Mapping[str, Any], issue_date: date,
         workdays_between: Callable[[date, date], int] | None) -> FactRow:
    facts = notice.get("facts") or {}
    due = notice_due(notice)
    late: Any = facts.get("workdays_overdue")
    if due is not None and workdays_between is not None:  # counted to the letter's own date
        late = workdays_between(due, issue_date) if due < issue_date else 0
    return FactRow(
        number=number,
        task_id=str(notice.get("task_id") or notice.get("task") or ""),
        task=task_title(notice),
        unit=str(notice.get("unit", "")),
        deadline=zh_date(due) if due else str(notice.get("deadline_text") or "—"),
        overdue=f"逾期{late}个工作日" if late else ("未逾期" if due is not None else ""),
        progress=_progress(notice),
    )


def _dedupe(notices: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Keep one notice per task: a unit named lead and responsible for one task, or two milestones
    of it, is one row of the letter's table (the first, i.e. earliest deadline, stands)."""
    seen: set[str] = set()
    kept = []
    for notice in notices:
        task = str(notice.get("task_id") or notice.get("task") or notice.get("key"))
        if task not in seen:
            seen.add(task)
            kept.append(notice)
    return kept


def _subject(rows: Sequence[FactRow]) -> str:
    first = f"“{nest_quotes(rows[0].task)}”"  # a title such as “两高”项目 quoted inside the quote
    return first if len(rows) == 1 else f"{first}等{len(rows)}项任务"


WARNING_SUBJECTS = {  # a metric warning's title after what was assessed, when all its figures agree
    "aqi_off_scale": "空气质量指数持续“爆表”",
    "dust_fall": "降尘量超过控制要求",
    "task_pace": "重点任务进展落后于序时进度",
}


def _title(kind: str, unit: str, rows: Sequence[FactRow], metrics: Sequence[MetricFacts] = ()) -> str:
    """Title a letter after its lagging tasks, or after what was measured when it has none (`rows` empty)."""
    if kind == "interview":  # the same summons whether tasks or air quality lag
        return f"关于约谈{unit}主要负责同志的通知"
    if kind == "warning":
        if rows:
            return f"关于{unit}大气污染防治重点任务进展缓慢的预警通知函"
        assessed = {m.assessment for m in metrics}
        subject = WARNING_SUBJECTS.get(assessed.pop()) if len(assessed) == 1 else None
        return f"关于{unit}{subject or '环境空气质量改善未达到序时进度要求'}的预警通知函"
    if kind == "urge":
        return f"关于加快办理{_subject(rows)}的催办通知" if rows else f"关于{unit}加强降尘污染控制的催办通知"
    return f"关于{unit}的{kind_name(kind)}"  # a level added to the ladder: its template words the rest


def _rectification(kind: str, reply_by: date) -> tuple[str, ...]:
    by = zh_date(reply_by)
    if kind == "urge":
        return (
            "对照任务清单逐项倒排工期，明确责任人和完成时限，确保尽快完成。",
            f"于{by}前书面报送办理情况（一事一文）；确实无法按期完成的，须在期限前报告进展和原因。",
        )
    if kind == "warning":
        return (
            "深入分析任务滞后的原因，逐项制定整改措施，明确责任人和完成时限。",
            "对预警事项立行立改，加大调度力度，确保按期完成剩余任务。",
            f"于{by}前将书面整改情况报送市大气办。",
        )
    if kind == "interview":
        return (
            "被约谈单位主要负责同志作表态发言，说明问题原因和整改措施。",
            f"约谈后于{by}前报送整改方案，整改情况纳入年度考核。",
        )
    return (f"于{by}前将书面整改情况报送市大气办。",)


def _reply_by(
    kind: str, issue_date: date, plan: Mapping[str, Any],
    add_workdays: Callable[[date, int], date] | None,
) -> date:
    explicit = as_date(plan.get("reply_by"), "plan.reply_by")
    if explicit:
        return explicit
    days = int(plan.get("reply_days", ladder.rung(kind).reply_days or 0))
    if add_workdays is not None:
        return add_workdays(issue_date, days)
    return issue_date + timedelta(days=days)


def _interview(details: Mapping[str, Any], issue_date: date, unit: str, kind: str) -> InterviewDetails:
    receipt = as_date(details.get("receipt_by"), "interview.receipt_by")
    attendees = details.get("attendees") or ("分管负责同志", "相关部门主要负责同志")
    if isinstance(attendees, str):
        attendees = tuple(a for a in re.split(r"[、，,；;\n]+", attendees) if a.strip())
    return InterviewDetails(
        summoned=str(details.get("summoned") or summoned(unit, kind)),
        conducted_by=str(details.get("conducted_by") or "市大气污染防治工作领导组负责同志"),
        time=str(details.get("time") or "另行通知"),
        place=str(details.get("place") or "另行通知"),
        attendees=tuple(str(a).strip() for a in attendees),
        bring=tuple(details.get("bring") or ("情况说明", "整改方案", "表态发言")),
        receipt_by=receipt or issue_date + timedelta(days=3),
        contact=str(details.get("contact") or ""),
    )


def copied_to(cc: Sequence[str], addressee: str) -> tuple[str, ...]:
    """Return the 抄送 list without the addressee itself: the ladder copies a warning to 市生态环境局,
    which is the addressee when the letter goes to that bureau (潮州市生态环境局 ends with it)."""
    return tuple(name for name in cc
                 if name != addressee and not (name[:1] in "市县区" and addressee.endswith(name)))


def _prior(notices: Sequence[Mapping[str, Any]]) -> tuple[PriorLetter, ...]:
    """Collect the earlier letters the notices recall (delivery reads them from the store), oldest first."""
    found: dict[str, PriorLetter] = {}
    for notice in notices:
        for item in notice.get("prior_letters") or ():
            day = as_date(item.get("issued_on"), "prior_letters.issued_on")
            if item.get("number") and day is not None:
                found.setdefault(str(item["number"]), PriorLetter(str(item["number"]), day))
    return tuple(sorted(found.values(), key=lambda p: (p.issued_on, p.number)))


_KIND_OF_GROUP = {"government": "county_government", "department": "city_department", "enterprise": "enterprise"}


def unit_kind(unit: Mapping[str, Any]) -> str:
    """Return the directory kind of an addressee; without one, read it from the name's ending."""
    kind = str(unit.get("kind") or "")
    if kind:
        return kind
    name = str(unit.get("name") or "")
    if name.endswith(("人民政府", "管委会", "管理委员会", "政府")):
        return "county_government"
    return "city_department"


def plan_refs(plan: Mapping[str, Any], notices: Sequence[Mapping[str, Any]]) -> tuple[PlanRef, ...]:
    """Return the plans a letter rests on: `plan["plans"]` when its tasks come from several, else
    the plan itself. Only each plan's own assessment clause is kept; a rule's clause never is."""
    listed = plan.get("plans") or ()
    refs = [PlanRef(str(p.get("title") or ""), str(p.get("number") or ""), str(p.get("clause") or ""))
            for p in listed if p.get("title")]
    if not refs:
        refs = [PlanRef(str(need(plan, "title", "方案")), str(plan.get("number") or ""),
                        str(plan.get("clause") or ""))]
    return tuple(dict.fromkeys(refs))


def build_letter(
    kind: str,
    notices: list[dict[str, Any]],
    plan: dict[str, Any],
    unit: dict[str, Any],
    issue_date: date,
    number: str,
    *,
    add_workdays: Callable[[date, int], date] | None = None,
    workdays_between: Callable[[date, date], int] | None = None,
) -> LetterContext:
    """Gather the notices one unit gets under one document number into a letter's content.

    `plan` holds title, number, clause (the plan's own assessment clause; empty when it has
    none), issuer, contact and optionally plans (several {title, number, clause} when the tasks
    come from several plans), standing_basis (the office's), cc, reply_by/reply_days, period,
    attachments and interview (the approved time, place, attendees and contact). `unit` holds
    name and optionally kind (the directory's) and addressee (the formal 主送机关). `add_workdays`
    makes the reply-by date count working days; `workdays_between` (a work calendar's) counts each
    task's working days overdue up to the letter's date, so the text agrees with the calendar.
    """
    if kind == "bulletin":  # its body needs the counts and ranks, which no unit's notices carry
        raise ValueError("通报不由单个单位的通知生成：请用 duban bulletin（scheduler.letters.bulletin）")
    if kind not in letter_levels():
        raise ValueError(f"未知的公文类型：{kind!r}（应为 {'、'.join(letter_levels())}）")
    if not notices:
        raise ValueError(f"{kind_name(kind)}没有任何通知事项，不能生成空函")
    parsed = parse_number(number, strict=True)
    if parsed.year != issue_date.year:
        raise ValueError(f"发文字号 {number} 的年份与成文日期 {zh_date(issue_date)} 不一致")
    unit_name = str(need(unit, "name", "单位"))
    issuer = str(need(plan, "issuer", "方案"))
    directory_kind = unit_kind(unit)
    metrics = tuple(m for m in (metric_facts(n) for n in notices) if m is not None)
    task_notices = [n for n in notices if metric_facts(n) is None] if metrics else notices
    rows = tuple(_row(i, n, issue_date, workdays_between)
                 for i, n in enumerate(_dedupe(task_notices), start=1))
    refs = plan_refs(plan, notices)
    first = refs[0]
    basis = PlanBasis(first.title, first.number, first.clause)
    legal = legal_basis(refs, kind, directory_kind, str(plan.get("standing_basis") or ""))
    reply_by = _reply_by(kind, issue_date, plan, add_workdays)
    period = str(plan.get("period") or "")
    return LetterContext(
        kind=kind,
        kind_name=kind_name(kind),
        issuer=issuer,
        number=str(parsed),
        title=_title(kind, unit_name, rows, metrics),
        addressee=str(unit.get("addressee") or unit_name),
        unit=unit_name,
        rows=rows,
        basis=basis,
        reasons=tuple(str(n.get("explanation") or "") for n in notices if n.get("explanation")),
        rectification=_rectification(kind, reply_by),
        reply_by=reply_by,
        signature=str(plan.get("signature") or issuer),
        date=issue_date,
        contact=str(plan.get("contact") or ""),
        cc=copied_to(plan.get("cc") or ladder.rung(kind).cc, unit_name),
        attachments=tuple(plan.get("attachments") or ()),
        notice_keys=tuple(str(need(n, "key", "通知")) for n in notices),
        interview=(
            _interview(plan.get("interview") or {}, issue_date, unit_name, directory_kind)
            if kind == "interview" else None
        ),
        period=period,
        metrics=metrics,
        legal=legal,
        addressee_kind=addressee_kind(directory_kind),
        prior=_prior(notices),
    )


def __getattr__(name: str) -> Any:
    """The samples moved to scheduler.letters.samples; older imports from here still find them."""
    if name in ("SAMPLE_PLAN", "SAMPLE_UNIT", "sample_notices", "sample_letter", "sample_digest"):
        from scheduler.letters import samples

        return getattr(samples, name)
    raise AttributeError(name)
