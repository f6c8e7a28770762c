"""Escalation boundaries, each tried on both sides: the 30-day inhibition window after an
interview was sent, which interview statuses fold urges, what counts as a progress request made,
a report filed on the request day, and a window notice from before a deadline change.

Days worked out by hand from the 2019-20 calendar (元旦 2020-01-01 off): a task due 2019-12-31 is
first urged on Thursday 2020-01-02.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, ProgressReport, TaskFacts
from scheduler.escalation.ruleset import load_rulebook
from scheduler.plans.deadlines import Deadline

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
LEAD = "市能源局"
COUNTY = "潞州区人民政府"
TASK = "changzhi-2019/1"
URGE_DAY = date(2020, 1, 2)  # first working day after the 2019-12-31 due date
INHIBIT_DAYS = 30  # rules/default.yaml inhibit_urges_days_after_interview
ONGOING = Deadline("长期坚持", "ongoing")
WINDOW = Deadline("2019年10—12月", "window", start=date(2019, 10, 1), end=date(2019, 12, 31))
REQUEST_DAY = date(2019, 12, 2)  # the December progress request: first working day of the month
FIVE_WORKDAYS_LATER = date(2019, 12, 9)  # Dec 3, 4, 5, 6, 9
BOTH = sorted([LEAD, COUNTY])


def task(deadline: Deadline | None = None, **changes) -> TaskFacts:
    fields = dict(
        task_id=TASK,
        plan_id="changzhi-2019",
        title="洗煤行业整治",
        deadline=deadline or Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),)),
        assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")),
        plan_period_start=date(2019, 10, 1),
        plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def history(*notices: PastNotice) -> dict:
    found: dict = {}
    for n in notices:
        found.setdefault((n.task_id, n.unit), []).append(n)
    return found


def interview(status: str, created: date, sent: date | None = None) -> PastNotice:
    """An interview case of the county on another task (inhibition is per unit, not per task)."""
    return PastNotice(key=f"interview-{status}-{created}", level="interview", rule_id="serious-delay-interview",
                      task_id="changzhi-2019/9", unit=COUNTY, created_on=created, status=status, sent_on=sent)


def county_kind(actions) -> str:
    [county] = [a for a in actions if a.unit == COUNTY]
    return county.kind


# -- inhibition window after a sent interview -------------------------------------------------------


@pytest.mark.parametrize("days_ago, kind", [
    (INHIBIT_DAYS - 1, "overdue|folded"),
    (INHIBIT_DAYS, "overdue|folded"),  # the last day of the window still folds
    (INHIBIT_DAYS + 1, "overdue"),
])
def test_it_folds_urges_up_to_and_including_day_30_after_an_interview_was_sent(days_ago, kind):
    sent = URGE_DAY - timedelta(days=days_ago)
    actions = evaluate([task()], RULES, CAL, history(interview("sent", sent, sent)), URGE_DAY)
    assert county_kind(actions) == kind
    assert [a.kind for a in actions if a.unit == LEAD] == ["overdue"]  # another unit is never folded


@pytest.mark.parametrize("days_ago, kind", [(0, "overdue|folded"), (-1, "overdue")])
def test_it_folds_from_the_day_the_interview_was_sent_not_before(days_ago, kind):
    sent = URGE_DAY - timedelta(days=days_ago)
    actions = evaluate([task()], RULES, CAL, history(interview("sent", sent, sent)), URGE_DAY)
    assert county_kind(actions) == kind


def test_it_counts_the_window_from_the_creation_day_when_a_sent_interview_has_no_send_day():
    on_edge = URGE_DAY - timedelta(days=INHIBIT_DAYS)
    past_edge = on_edge - timedelta(days=1)
    assert county_kind(evaluate([task()], RULES, CAL, history(interview("sent", on_edge)), URGE_DAY)) \
        == "overdue|folded"
    assert county_kind(evaluate([task()], RULES, CAL, history(interview("sent", past_edge)), URGE_DAY)) \
        == "overdue"


# -- which interview cases fold urges --------------------------------------------------------------


@pytest.mark.parametrize("status, kind", [
    ("pending_review", "overdue|folded"),
    ("approved", "overdue|folded"),  # approved but not yet delivered: the case is open
    ("held", "overdue"),
    ("rejected", "overdue"),
    ("cancelled", "overdue"),
])
def test_a_pending_or_approved_interview_folds_urges_however_old_it_is(status, kind):
    long_ago = date(2019, 10, 8)  # far beyond the 30-day window
    actions = evaluate([task()], RULES, CAL, history(interview(status, long_ago)), URGE_DAY)
    assert county_kind(actions) == kind


def test_a_folded_urge_keeps_its_key_so_it_never_fires_later():
    approved = interview("approved", date(2019, 12, 30))
    [folded] = [a for a in evaluate([task()], RULES, CAL, history(approved), URGE_DAY) if a.unit == COUNTY]
    assert folded.key == f"overdue-urge|{TASK}|{COUNTY}|2019-12-31"
    assert folded.level == "urge" and "并入约谈案件" in folded.explanation
    assert "已过1个工作日仍未完成" in folded.explanation  # the finding stays, the note follows it


# -- progress requests: only a delivered request was made -------------------------------------------


def request(status: str, sent: date | None) -> PastNotice:
    return PastNotice(key=f"progress-monthly|{TASK}|{COUNTY}|P2019-12-01", level="reminder",
                      rule_id="progress-monthly", task_id=TASK, unit=COUNTY, created_on=REQUEST_DAY,
                      status=status, sent_on=sent)


def missing(actions) -> list[tuple[str, str]]:
    return [(a.unit, a.facts["requested_on"]) for a in actions if a.kind == "progress_missing"]


def test_a_delivered_progress_request_unanswered_for_five_working_days_is_urged():
    actions = evaluate([task(ONGOING)], RULES, CAL, history(request("sent", REQUEST_DAY)), FIVE_WORKDAYS_LATER)
    assert missing(actions) == [(COUNTY, "2019-12-02")]


@pytest.mark.parametrize("status", ["queued", "cancelled"])
def test_a_progress_request_never_delivered_does_not_count_as_asked(status):
    actions = evaluate([task(ONGOING)], RULES, CAL, history(request(status, None)), FIVE_WORKDAYS_LATER)
    assert missing(actions) == []
    later = evaluate([task(ONGOING)], RULES, CAL, history(request(status, None)), date(2019, 12, 20))
    assert missing(later) == []


@pytest.mark.parametrize("reported_on, urged", [
    (REQUEST_DAY - timedelta(days=1), True),  # a report before the request does not answer it
    (REQUEST_DAY, False),  # one filed the same day does
    (REQUEST_DAY + timedelta(days=1), False),
])
def test_a_report_filed_on_the_request_day_answers_it(reported_on, urged):
    t = task(ONGOING, reports=(ProgressReport(COUNTY, reported_on, 40),))
    actions = evaluate([t], RULES, CAL, history(request("sent", REQUEST_DAY)), FIVE_WORKDAYS_LATER)
    assert missing(actions) == ([(COUNTY, "2019-12-02")] if urged else [])


# -- a window notice from before the deadline changed ------------------------------------------------
# window_end fires 3 working days before 2019-12-31, on Thursday 12-26. A catch-up sweep on Monday
# 12-30 after downtime since 12-25 would still send it, unless the date changed after that day.


def window_ends(changed_on: date | None) -> list[str]:
    t = task(WINDOW, deadline_changed_on=changed_on)
    actions = evaluate([t], RULES, CAL, {}, date(2019, 12, 30), since=date(2019, 12, 25))
    return sorted(a.unit for a in actions if a.kind == "window_end")


def test_a_catch_up_sends_the_window_end_notice_it_missed():
    assert window_ends(None) == BOTH


def test_a_window_end_notice_from_before_the_deadline_changed_is_not_sent():
    assert window_ends(date(2019, 12, 27)) == []


def test_a_window_end_notice_fired_on_the_day_the_deadline_changed_is_sent():
    assert window_ends(date(2019, 12, 26)) == BOTH
    assert window_ends(date(2019, 12, 20)) == BOTH


def test_a_window_start_notice_from_before_the_deadline_changed_is_not_sent():
    # window_start fires on the first working day after 国庆, Tuesday 2019-10-08.
    def starts(changed_on):
        t = task(WINDOW, deadline_changed_on=changed_on)
        actions = evaluate([t], RULES, CAL, {}, date(2019, 10, 10), since=date(2019, 10, 7))
        return sorted(a.unit for a in actions if a.kind == "window_start")

    assert starts(None) == BOTH
    assert starts(date(2019, 10, 8)) == BOTH
    assert starts(date(2019, 10, 9)) == []


def test_a_signed_off_task_does_not_stop_the_tasks_after_it():
    done = task(task_id="changzhi-2019/0", status="signed_off")
    actions = evaluate([done, task()], RULES, CAL, history(), URGE_DAY)
    assert actions and {a.task_id for a in actions} == {TASK}


def test_on_a_non_working_day_a_plan_without_weekend_rules_does_not_stop_a_plan_with_them(tmp_path):
    from tests.escalation.test_ruleset import REMINDER, ruleset_text, write

    write(tmp_path, "default.yaml", ruleset_text(REMINDER))
    weekend = REMINDER + "    send_on_non_workdays: true\n"
    write(tmp_path, "plan.yaml", ruleset_text(weekend, id="plan", applies="[weekend-plan]", extends="default"))
    book = load_rulebook(tmp_path)
    due = Deadline("2019年12月14日前", "due", due=(date(2019, 12, 14),))
    saturday = date(2019, 12, 7)  # seven days before the due date
    weekday_plan = task(deadline=due)
    weekend_plan = task(deadline=due, task_id="weekend-plan/1", plan_id="weekend-plan")
    actions = evaluate([weekday_plan, weekend_plan], book, CAL, history(), saturday)
    assert actions and {a.task_id for a in actions} == {"weekend-plan/1"}
