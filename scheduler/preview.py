"""What would go out, day by day and unit by unit, if nothing changes: `duban preview` and the
console's 未来将发出 page.

The real sweep runs for every day of the window inside a scratch store (scheduler.store.scratch)
whose every change is rolled back, so the answer comes from the same rules, calendar, catch-up and
ladder as production, and the store is left exactly as it was. "If nothing changes" means: no
progress is reported, nothing is signed off, and each escalation a coordinator must review is
let go on the day it is proposed (it is marked 待审核 in the answer), so the next rung can follow.
Each day's notices go out the way delivery sends them: one digest per unit (reminders, urges) and
one numbered letter per unit and level; the numbers are those the office would give next.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from scheduler.clock import SHANGHAI
from scheduler.glossary import term
from scheduler.issuers import missing_issuer
from scheduler.ladder import LETTER_LEVELS, LEVELS, rung
from scheduler.letters.content import zh_date
from scheduler.letters.numbers import Issuer
from scheduler.store import Store
from scheduler.store.letters import allocate_letter, letter_plan
from scheduler.store.scratch import Outgoing, outgoing, scratch_store, settle_as_sent
from scheduler.sweep import SweepResult

if TYPE_CHECKING:
    from scheduler.runtime import Runtime

MAX_DAYS = 366  # a preview longer than a year is a mistake, not a question


class Sweeper(Protocol):
    def __call__(self, store: Store, day: date) -> SweepResult: ...


@dataclass(frozen=True)
class PreviewItem:
    """One notice in a digest or a letter."""

    key: str
    level: str
    plan: str
    task: str
    title: str
    due: date | None
    rule: str
    review: bool  # a coordinator must approve it first

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "level": self.level, "plan": self.plan, "task": self.task, "title": self.title,
                "due": self.due.isoformat() if self.due else None, "rule": self.rule,
                "needs_review": self.review}


@dataclass
class PreviewLetter:
    """One numbered letter: a unit's notices of one level on one day."""

    level: str
    number: str
    items: list[PreviewItem]

    @property
    def title(self) -> str:
        return rung(self.level).letter_title

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "title": self.title, "number": self.number,
                "needs_review": any(i.review for i in self.items), "items": [i.to_json() for i in self.items]}


@dataclass
class PreviewUnit:
    """What one unit would receive on one day."""

    unit: str
    digest: list[PreviewItem] = field(default_factory=list)
    letters: list[PreviewLetter] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "digest": [i.to_json() for i in self.digest],
                "letters": [letter.to_json() for letter in self.letters]}


@dataclass
class PreviewDay:
    day: date
    workday: bool
    units: list[PreviewUnit] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "workday": self.workday, "note": self.note,
                "units": [u.to_json() for u in self.units]}


@dataclass
class Preview:
    start: date
    end: date
    unit: str | None
    days: list[PreviewDay] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        """Return how many digests and letters of each level would go out."""
        counts = {"digests": 0, **{level: 0 for level in LEVELS}}
        for day in self.days:
            for unit in day.units:
                counts["digests"] += bool(unit.digest)
                for item in unit.digest:
                    counts[item.level] += 1
                for letter in unit.letters:
                    counts[letter.level] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "unit": self.unit,
                "totals": self.totals(), "warnings": self.warnings, "days": [d.to_json() for d in self.days]}


def sweeper(runtime: Runtime) -> Sweeper:
    """Return the sweep the service runs, configured as `runtime` says, for any store it is given."""
    from scheduler.sweep import run_sweep

    def sweep(store: Store, day: date) -> SweepResult:
        return run_sweep(store, runtime.rulebook, runtime.calendar, day,
                         grace_days=runtime.config.service.closed_plan_grace_days,
                         heating=runtime.config.heating_season_start, metrics=runtime.metrics, instance="preview")

    return sweep


def preview(store: Store, sweep: Sweeper, is_workday: Callable[[date], bool], start: date, end: date, *,
            issuer_for: Callable[[str], Issuer], unit: str | None = None,
            offices: Iterable[str] | None = None) -> Preview:
    """Run the sweep for each day from `start` to `end` in a scratch store and say what would go out.

    `issuer_for` names a region's issuing office (config.letter_issuers.for_region); `unit` keeps
    one unit's messages; `offices` (issuing office names) keeps the plans those offices issue. Every
    unit is still swept, so the letter numbers are the ones the office would give."""
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"预览最多 {MAX_DAYS} 天")
    result = Preview(start, end, unit)
    wanted = set(offices) if offices is not None else None
    with scratch_store(store) as scratch:
        day = start
        while day <= end:
            if not is_workday(day):
                result.days.append(PreviewDay(day, False, note="非工作日，不发送"))
            else:
                swept = sweep(scratch, day)
                result.warnings.extend(w for w in swept.warnings if w not in result.warnings)
                result.days.append(_go_out(scratch, day, unit, wanted, issuer_for, result.warnings))
            day += timedelta(days=1)
    return result


def _go_out(scratch: Store, day: date, unit: str | None, offices: set[str] | None,
            issuer_for: Callable[[str], Issuer], warnings: list[str]) -> PreviewDay:
    """Deliver `day` in the scratch store the way delivery groups it, and describe it."""
    with scratch.session() as session:
        going = outgoing(session, day)
        plans = {pid: letter_plan(session, pid) for pid in {n.plan_id for n in going}}
    regions = {pid: plan.region if plan is not None else "" for pid, plan in plans.items()}
    now = datetime.combine(day, time(9), SHANGHAI)
    by_unit: dict[str, PreviewUnit] = {}
    grouped: dict[tuple[str, str], list[Outgoing]] = defaultdict(list)
    for notice in going:
        if notice.level in LETTER_LEVELS:
            grouped[notice.unit, notice.level].append(notice)
    letters_of: dict[str, str] = {}
    numbers: dict[tuple[str, str], str] = {}
    for (name, level), carried in grouped.items():
        lead = carried[0]
        try:
            numbers[name, level] = allocate_letter(scratch, lead.key, issuer_for(regions[lead.plan_id]), day,
                                                   now).number
        except LookupError:  # no office for the plan's region: delivery would refuse it too
            numbers[name, level] = "（无发文机关）"
            said = missing_issuer(lead.plan_id, regions[lead.plan_id])
            if said not in warnings:
                warnings.append(said)
        letters_of.update({n.key: lead.key for n in carried})
    for notice in going:
        if (unit is not None and notice.unit != unit) or not _in_offices(regions[notice.plan_id], offices, issuer_for):
            continue
        entry = by_unit.setdefault(notice.unit, PreviewUnit(notice.unit))
        item = PreviewItem(notice.key, notice.level, notice.plan_id, notice.task_id, notice.title, notice.due,
                           notice.rule_id, notice.status == "pending_review")
        if notice.level not in LETTER_LEVELS:
            entry.digest.append(item)
            continue
        letter = next((lt for lt in entry.letters if lt.level == notice.level), None)
        if letter is None:
            entry.letters.append(PreviewLetter(notice.level, numbers[notice.unit, notice.level], [item]))
        else:
            letter.items.append(item)
    with scratch.session() as session:
        settle_as_sent(session, [n.key for n in going], day, letters_of)
        session.commit()
    return PreviewDay(day, True, sorted(by_unit.values(), key=lambda u: u.unit))


def _in_offices(region: str, offices: set[str] | None, issuer_for: Callable[[str], Issuer]) -> bool:
    if offices is None:
        return True
    try:
        return issuer_for(region).name in offices
    except LookupError:
        return False


def describe(result: Preview) -> list[str]:
    """Return the preview as lines a coordinator reads (the CLI prints them)."""
    lines = []
    for day in result.days:
        head = f"{zh_date(day.day)}"
        if not day.workday:
            lines.append(f"{head}：{day.note}")
            continue
        if not day.units:
            lines.append(f"{head}：无")
            continue
        lines.append(f"{head}：{len(day.units)} 个单位")
        for unit in day.units:
            parts = []
            if unit.digest:
                parts.append(f"督办事项汇总 {len(unit.digest)} 项（{_levels(unit.digest)}）")
            for letter in unit.letters:
                pending = "，待审核" if any(i.review for i in letter.items) else ""
                parts.append(f"{letter.title} {letter.number}（{len(letter.items)} 项任务{pending}）")
            lines.append(f"  {unit.unit}：{'；'.join(parts)}")
    totals = result.totals()
    summary = "、".join(f"{term(level)} {totals[level]}" for level in LEVELS if totals[level])
    lines.append(f"合计：督办事项汇总 {totals['digests']} 份" + (f"；{summary}" if summary else ""))
    lines.extend(f"提醒：{w}" for w in result.warnings)
    return lines


def _levels(items: Iterable[PreviewItem]) -> str:
    counts = Counter(item.level for item in items)
    return "、".join(f"{term(level)} {counts[level]}" for level in LEVELS if counts.get(level))
