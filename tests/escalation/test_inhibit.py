"""One inhibition rule for task and metric rules: an interview case stands while it is pending review
or approved (scheduler.ladder.PENDING_STATUSES). A held one is not yet decided, so it folds no urge
and does not stop a further interview, whichever engine proposed it; a metric finding is news of its
own and is never folded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, TaskFacts
from scheduler.escalation.inhibit import Inhibitor, stands
from scheduler.escalation.metrics.rules import evaluate_metrics
from scheduler.escalation.ruleset import load_rulebook
from scheduler.plans.deadlines import Deadline
from tests.escalation.metrics.builders import CALENDAR, LICHENG, LUCHENG, REGIONS, rule_book, series, target_book

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
PLAN = "changzhi-2019"
LEAD, COUNTY = "市能源局", "潞州区人民政府"
URGE_DAY = date(2020, 1, 2)  # first working day after the 2019-12-31 due date: the overdue urge
STATUSES = ["pending_review", "approved", "held", "rejected", "sent"]


def task() -> TaskFacts:
    return TaskFacts(task_id=f"{PLAN}/1", plan_id=PLAN, title="洗煤行业整治",
                     deadline=Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),)),
                     assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")))


def metric_interview(status: str, unit: str = COUNTY, plan: str = PLAN, created: date = date(2019, 10, 8),
                     rule: str = "repeated-warnings-interview") -> PastNotice:
    """A metric rule's interview of a county: no task, stored with its plan (long ago, so a sent one is stale)."""
    return PastNotice(key=f"{rule}|{plan}|{unit}|N2", level="interview", rule_id=rule, task_id=None,
                      unit=unit, created_on=created, status=status, plan_id=plan)


def history(*notices: PastNotice) -> dict[tuple[str | None, str], list[PastNotice]]:
    found: dict[tuple[str | None, str], list[PastNotice]] = {}
    for notice in notices:
        found.setdefault((notice.task_id, notice.unit), []).append(notice)
    return found


@pytest.mark.parametrize("status", STATUSES)
def test_only_a_pending_or_approved_interview_stands(status):
    assert stands(metric_interview(status)) == (status in ("pending_review", "approved"))
    assert not stands(PastNotice("w", "warning", "r", None, COUNTY, URGE_DAY, "pending_review"))


@pytest.mark.parametrize("status, kind", [
    ("pending_review", "overdue|folded"),
    ("approved", "overdue|folded"),
    ("held", "overdue"),  # not yet decided: the urge goes out, as for a task rule's interview
    ("rejected", "overdue"),
])
def test_a_metric_interview_folds_task_urges_only_while_it_stands(status, kind):
    actions = evaluate([task()], RULES, CAL, history(metric_interview(status)), URGE_DAY)
    assert sorted((a.unit, a.kind) for a in actions) == [(LEAD, "overdue"), (COUNTY, kind)]


def test_the_inhibitor_answers_only_for_urges():
    inhibitor = Inhibitor(history(metric_interview("pending_review")), URGE_DAY)
    assert inhibitor.mutes("urge", COUNTY, 30)
    assert not inhibitor.mutes("urge", LEAD, 30)
    assert not any(inhibitor.mutes(level, COUNTY, 30) for level in ("reminder", "warning", "interview"))


# -- the metric rules (hand-made season of builders.py) -----------------------------------------------

AQI_KEY = f"aqi-off-scale-interview|test-2020|{LUCHENG}|2020-03-10"


def run_metrics(as_of: date, notices: dict[tuple[str | None, str], list[PastNotice]]):
    return evaluate_metrics(rule_book(), target_book(), series(), REGIONS, notices, CALENDAR, as_of)


def two_warnings_and(interview: PastNotice | None) -> dict[tuple[str | None, str], list[PastNotice]]:
    key = "pm25-prorata-warning|test-2020|{unit}|{day}"
    notices = [
        PastNotice(key.format(unit=LUCHENG, day="2020-01-31"), "warning", "pm25-prorata-warning", None, LUCHENG,
                   date(2020, 2, 5), "sent"),
        PastNotice(key.format(unit=LUCHENG, day="2020-02-29"), "warning", "pm25-prorata-warning", None, LUCHENG,
                   date(2020, 3, 4), "sent"),
    ]
    return history(*notices, *([interview] if interview else []))


@pytest.mark.parametrize("status, proposed", [
    ("pending_review", []),
    ("approved", []),
    ("held", [AQI_KEY]),  # held: not yet decided, so the next finding proposes its own interview
    ("sent", [AQI_KEY]),
])
def test_a_held_metric_interview_does_not_stop_the_next_one(status, proposed):
    interview = metric_interview(status, LUCHENG, "test-2020", date(2020, 3, 5))
    actions = run_metrics(date(2020, 3, 12), two_warnings_and(interview))
    assert [a.key for a in actions if a.level == "interview"] == proposed


@pytest.mark.parametrize("status", ["pending_review", "held"])
def test_a_metric_urge_is_not_folded_by_an_interview_case(status):
    warned = PastNotice(f"pm25-prorata-warning|test-2020|{LUCHENG}|2020-01-31", "warning", "pm25-prorata-warning",
                        None, LUCHENG, date(2020, 2, 5), "sent")
    case = metric_interview(status, LICHENG, "test-2020", date(2020, 2, 6))
    [urge] = run_metrics(date(2020, 2, 7), history(warned, case))
    assert (urge.unit, urge.level, urge.kind) == (LICHENG, "urge", "dust_fall_over_cap")
    assert "并入约谈案件" not in urge.explanation
