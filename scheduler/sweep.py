"""The daily sweep: evaluate the pure rules for one business day and store the notices once.

Idempotence comes from the notices' unique occurrence keys (insert-or-nothing), not from
remembering what ran; a repeated sweep of the same day therefore creates nothing. After downtime,
the sweep passes the last swept day as `since`, so one catch-up run covers the missed days and
sends each pending reminder once (the latest one), not once per missed day.

The sweep is incremental: it evaluates only the tasks whose next possible firing day has come or
whose facts or notices changed since the sweep that last evaluated them (scheduler.store.cursors,
scheduler.escalation.wake), and leaves the rest, which would propose nothing. `full=True` evaluates
every task, as the reference the incremental sweep must equal; a dry run always does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from scheduler.escalation.calendar import PROVISIONAL_SOURCE
from scheduler.escalation.facts import Action
from scheduler.store.metrics import read_series


@dataclass
class SweepResult:
    """What one sweep did, in the shape of the `duban sweep --json` contract."""

    as_of: date
    created: list[Action] = field(default_factory=list)
    unchanged: int = 0
    since: date | None = None
    plans: list[str] = field(default_factory=list)
    skipped: str = ""  # why nothing was evaluated (e.g. 非工作日)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "created": [action.to_json() for action in self.created],
            "unchanged": self.unchanged,
            "since": self.since.isoformat() if self.since else None,
            "plans": self.plans,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }


def _span(action: Action, as_of: date) -> tuple[int, int]:
    """Return the first and last year whose working days decided `action`: the sweep day's, its due
    date's and its fire day's, and (counting working days between them) every year in between."""
    low = high = as_of.year
    fire = action.facts.get("fire_day")
    for year in (action.due.year if action.due else None,
                 int(fire[:4]) if isinstance(fire, str) and fire[:4].isdigit() else None):
        if year is not None:
            low, high = min(low, year), max(high, year)
    return low, high


def calendar_years(actions: list[Action], as_of: date) -> range:
    """Return the years whose working days the sweep's decisions used (the sweep day's at least)."""
    first = last = as_of.year
    for action in actions:
        low, high = _span(action, as_of)
        first, last = min(first, low), max(last, high)
    return range(first, last + 1)


def mark_provisional(actions: list[Action], calendar, years: range, as_of: date) -> list[int]:
    """Return the provisional years among `years`, and mark every action decided on one of them
    (facts "calendar" and "calendar_years"), so the notice and `duban explain` say its working days
    were computed provisionally. Actions decided on official years keep their facts as they were."""
    touched = [year for year in years if calendar.is_provisional(year)]
    if touched:
        for action in actions:
            low, high = _span(action, as_of)
            marked = [year for year in touched if low <= year <= high]
            if marked:
                action.facts["calendar"] = PROVISIONAL_SOURCE
                action.facts["calendar_years"] = marked
    return touched


def open_plan_ids(plans: list[tuple[str, date, date]], as_of: date, grace_days: int) -> list[str]:
    """Return the plans still swept on `as_of`: period not ended more than `grace_days` ago."""
    return [plan_id for plan_id, _start, end in plans if as_of <= end + timedelta(days=grace_days)]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a sweep builds millions of acyclic facts and actions.

    Reference counting still frees them; without the pause, full collections rescan every live
    object again and again as the facts grow (about a tenth of a province-scale sweep's CPU).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_sweep(
    store,
    rulebook,
    calendar,
    as_of: date,
    *,
    dry_run: bool = False,
    grace_days: int = 90,
    instance: str = "cli",
    heating=lambda region: (11, 1),
    metrics=None,
    full: bool = False,
) -> SweepResult:
    """Evaluate every open plan as of `as_of` and store the new notices under their keys.

    `metrics` (a scheduler.escalation.metrics.MetricSetup) adds the metric rules' notices: same table, same keys.
    `full` evaluates every task instead of those whose next firing day came or whose facts changed."""
    with _cyclic_gc_paused():
        return _sweep(store, rulebook, calendar, as_of, dry_run, grace_days, instance, heating, metrics, full)


def whole_plans(metrics) -> set[str]:
    """Return the plans whose metric rules read every task (task pace): their tasks are always evaluated."""
    if metrics is None:
        return set()
    found: set[str] = set()
    for loaded in metrics.rules.sets:
        if any(rule.trigger.type == "progress_behind" for rule in loaded.model.rules):
            found.update(loaded.model.applies_to)
    return found


def next_days(facts, rulebook, calendar, history, actions: list[Action], as_of: date):
    """Yield (task id, next day its rules can fire) for the tasks just evaluated, with the day's
    proposals counted as stored (they are, once the sweep commits)."""
    from scheduler.escalation.facts import PastNotice
    from scheduler.escalation.run import TaskRun
    from scheduler.escalation.wake import next_day

    for action in actions:
        if action.task_id is None:
            continue
        folded = action.kind.endswith("|folded")
        status = "folded" if folded else "pending_review" if action.needs_review else "queued"
        history.setdefault((action.task_id, action.unit), []).append(PastNotice(
            action.key, action.level, action.rule_id, action.task_id, action.unit, as_of, status,  # type: ignore[arg-type]
            plan_id=action.plan_id))
    ev = TaskRun(calendar, history, as_of, None)
    for task in facts:
        if task.status == "open" and not task.assignments:  # the sweep warns about it every day: keep it due
            yield task.task_id, as_of
        else:
            yield task.task_id, next_day(ev, task, rulebook.rules_for(task.plan_id))


def _sweep(store, rulebook, calendar, as_of: date, dry_run: bool, grace_days: int, instance: str,
           heating, metrics=None, full: bool = False) -> SweepResult:
    from scheduler import store as repo
    from scheduler.escalation.evaluate import evaluate
    from scheduler.store import cursors

    result = SweepResult(as_of=as_of, dry_run=dry_run)
    if not calendar.is_workday(as_of):
        result.skipped = "非工作日：只有规则注明的事项才会在非工作日生成"
    with store.session() as session:
        result.plans = open_plan_ids(repo.plan_periods(session), as_of, grace_days)
        result.since = repo.last_swept_day(session, before=as_of)
        selection = None
        if not (full or dry_run):
            digest = cursors.world_digest(session, rulebook, calendar, result.plans, heating, as_of)
            selection = cursors.select_tasks(session, as_of, result.plans, digest, whole_plans(metrics))
        picked = selection is not None and not selection.full
        facts = repo.task_facts(session, as_of, plan_ids=result.plans, heating=heating,
                                task_ids=selection.task_ids if selection is not None and picked else None)
        history = repo.history(session, plan_ids=None, picked=picked)  # every unit's interviews inhibit urges
        already = repo.created_on_day(session, as_of, result.plans)
        series = read_series(session, as_of) if metrics is not None else None
    actions = evaluate(facts, rulebook, calendar, history, as_of, since=result.since, plans=result.plans)
    if metrics is not None:  # numbers against targets: pure, like evaluate()
        actions += metrics.evaluate(series, facts, history, calendar, as_of, plans=result.plans)
    facts_seen = [f for f in facts if not f.assignments]  # for the sweep's warning on unaddressed tasks
    wakes = (list(next_days(facts, rulebook, calendar, history, actions, as_of))
             if selection is not None and selection.save else [])
    del facts, history  # a province's facts are hundreds of MB; free them before inserting
    years = calendar_years(actions, as_of)  # the sweep day's at least: a day off is decided too
    result.warnings.extend(calendar.provisional_warning(year)
                           for year in mark_provisional(actions, calendar, years, as_of))
    sources = {str(year): calendar.source(year) for year in years}
    # evaluate() already left out every key in `history`; insert-or-nothing below covers a
    # notice another instance stored in the meantime.
    result.unchanged = already
    if dry_run:
        result.created = actions
        return result
    with store.session() as session:
        result.created = repo.insert_notices(session, actions, as_of)
        result.unchanged += len(actions) - len(result.created)
        repo.record_sweep_run(session, as_of, instance, len(result.created))
        if selection is not None:  # in the notices' transaction: a cursor never runs ahead of them
            cursors.save(session, selection, as_of, wakes, (action.task_id for action in result.created))
        # Which calendar each year of the day's decisions came from: once the official year
        # replaces a provisional one, the audit log shows which notices were decided on which.
        replaced = repo.record_sweep_calendar(session, as_of, instance, sources, {
            "created": len(result.created),
            "provisional": sum(1 for action in result.created if "calendar" in action.facts)})
        result.warnings.extend(
            f"{year} 年工作日已改按正式安排计算（{sources[year]}）；此前按暂算日历生成的通知保持原状，"
            f"之后的期限和提醒日按正式安排重新计算" for year in replaced)
        from scheduler.store.provisional import sweep_warnings

        result.warnings.extend(sweep_warnings(session, facts_seen, result.created))
        session.commit()
    return result
