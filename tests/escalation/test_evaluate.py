"""Golden days for the default ladder and the plan rule sets, around 国庆 2019 and 元旦 2020.

Every expectation is worked out by hand from the 2019/2020 State Council holiday arrangements:
国庆 2019-10-01..07 off, 2019-09-29 (Sun) and 2019-10-12 (Sat) worked; 元旦 2020-01-01 off.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, PastNotice, ProgressReport, TaskFacts
from scheduler.escalation.ruleset import load_rulebook
from scheduler.plans.deadlines import Deadline, Milestone

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
LEAD = "市能源局"
COUNTY = "潞州区人民政府"
HELPER = "市生态环境局"
UNITS = (
    Assignment(LEAD, "lead"),
    Assignment(HELPER, "cooperating"),
    Assignment(COUNTY, "responsible"),
)


def task(
    task_id: str = "changzhi-2019/1", deadline: Deadline | None = None, **changes
) -> TaskFacts:
    fields = dict(
        task_id=task_id,
        plan_id="changzhi-2019",
        title="洗煤行业整治",
        deadline=deadline or Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),)),
        assignments=UNITS,
        plan_period_start=date(2019, 10, 1),
        plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def run(tasks, as_of, history=None, since=None, rules=RULES):
    return evaluate(tasks, rules, CAL, history or {}, as_of, since)


def summary(actions):
    return sorted((a.level, a.task_id, a.unit, a.kind, a.rule_id) for a in actions)


def notice(
    key,
    level,
    rule_id,
    unit=COUNTY,
    task_id="changzhi-2019/1",
    created=date(2020, 1, 2),
    status="sent",
    sent=None,
    ack=None,
):
    return PastNotice(
        key=key,
        level=level,
        rule_id=rule_id,
        task_id=task_id,
        unit=unit,
        created_on=created,
        status=status,
        sent_on=sent,
        acknowledged_on=ack,
    )


def as_history(*notices):
    history: dict = {}
    for n in notices:
        history.setdefault((n.task_id, n.unit), []).append(n)
    return history


# -- reminders before the due date -------------------------------------------------------------


def test_nothing_fires_on_a_sunday_thirty_days_before():
    assert run([task()], date(2019, 12, 1)) == []


def test_the_thirty_day_reminder_moves_to_the_friday_before_and_skips_cooperating_units():
    actions = run([task()], date(2019, 11, 29))
    assert summary(actions) == [
        ("reminder", "changzhi-2019/1", LEAD, "before_due", "remind-before-due"),
        ("reminder", "changzhi-2019/1", COUNTY, "before_due", "remind-before-due"),
    ]
    assert {a.key for a in actions} == {
        f"remind-before-due|changzhi-2019/1|{LEAD}|2019-12-31|30d",
        f"remind-before-due|changzhi-2019/1|{COUNTY}|2019-12-31|30d",
    }
    assert all(not a.needs_review and a.due == date(2019, 12, 31) for a in actions)


def test_reminders_come_seven_days_three_and_one_working_day_before():
    assert {a.facts["offset"] for a in run([task()], date(2019, 12, 24))} == {"7d"}
    assert {a.facts["offset"] for a in run([task()], date(2019, 12, 26))} == {
        "3wd"
    }  # Thu: Fri, Mon, Tue left
    assert {a.facts["offset"] for a in run([task()], date(2019, 12, 30))} == {"1wd"}
    assert run([task()], date(2019, 12, 25)) == []
    assert run([task()], date(2019, 12, 27)) == []


def test_a_fire_day_on_national_day_moves_to_the_last_working_day_before():
    due_oct = task(deadline=Deadline("10月底前", "due", due=(date(2019, 10, 31),)))
    # 30 days before 2019-10-31 is 2019-10-01 (国庆): the reminder goes out on Monday 2019-09-30.
    assert [a.facts["offset"] for a in run([due_oct], date(2019, 9, 30))] == ["30d", "30d"]
    assert run([due_oct], date(2019, 10, 1)) == []
    assert run([due_oct], date(2019, 9, 29)) == []  # a worked Sunday, but no fire day


def test_milestones_in_the_measure_text_get_their_own_reminders():
    milestone = Milestone(date(2019, 11, 30), "发证率不少于80%", "11月底前")
    t = task(milestones=(milestone,))
    # 2019-11-30 is a Saturday; 3 working days before it are Fri 29, Thu 28, Wed 27.
    actions = run([t], date(2019, 11, 27))
    assert {(a.due, a.facts["offset"], a.facts["milestone"]) for a in actions} == {
        (date(2019, 11, 30), "3wd", "发证率不少于80%")
    }
    assert "节点「发证率不少于80%」" in actions[0].explanation


# -- catch-up and idempotence ------------------------------------------------------------------


def test_a_catch_up_after_missed_days_sends_only_the_latest_reminder():
    # Down from Tuesday to Thursday: the 7-day (12-24) and 3-working-day (12-26) reminders were
    # missed; Friday's run sends the 3-working-day one once per unit, marked as late.
    actions = run([task()], date(2019, 12, 27), since=date(2019, 12, 23))
    assert sorted((a.unit, a.facts["offset"], a.facts["fire_day"]) for a in actions) == [
        (LEAD, "3wd", "2019-12-26"),
        (COUNTY, "3wd", "2019-12-26"),
    ]
    assert "补发" in actions[0].explanation


def test_a_second_evaluation_gives_the_same_keys():
    first = run([task()], date(2020, 1, 15))
    second = run([task()], date(2020, 1, 15))
    assert [a.key for a in first] == [a.key for a in second]
    assert first == second


def test_occurrences_already_in_the_store_are_not_returned_again():
    history = as_history(
        notice(f"overdue-urge|changzhi-2019/1|{COUNTY}|2019-12-31", "urge", "overdue-urge")
    )
    assert summary(run([task()], date(2020, 1, 3), history)) == [
        ("urge", "changzhi-2019/1", LEAD, "overdue", "overdue-urge")
    ]


# -- overdue escalation -------------------------------------------------------------------------


def test_the_overdue_urge_comes_on_the_first_working_day_after_new_year():
    assert run([task()], date(2020, 1, 1)) == []
    actions = run([task()], date(2020, 1, 2))
    assert summary(actions) == [
        ("urge", "changzhi-2019/1", LEAD, "overdue", "overdue-urge"),
        ("urge", "changzhi-2019/1", COUNTY, "overdue", "overdue-urge"),
    ]
    assert actions[0].facts["workdays_overdue"] == 1 and not actions[0].needs_review


def test_the_warning_comes_ten_working_days_overdue_counted_across_new_year():
    urged = as_history(
        *(
            notice(f"overdue-urge|changzhi-2019/1|{u}|2019-12-31", "urge", "overdue-urge", unit=u)
            for u in (LEAD, COUNTY)
        )
    )
    assert run([task()], date(2020, 1, 14), urged) == []  # 9 working days: Jan 2,3,6..10,13,14
    actions = run([task()], date(2020, 1, 15), urged)
    assert summary(actions) == [
        ("warning", "changzhi-2019/1", LEAD, "overdue", "overdue-warning"),
        ("warning", "changzhi-2019/1", COUNTY, "overdue", "overdue-warning"),
    ]
    assert all(a.needs_review for a in actions)
    assert "2019年12月31日已过10个工作日" in actions[0].explanation
    assert actions[0].rule_snapshot["trigger"] == {
        "type": "overdue",
        "after_workdays": 10,
        "include_milestones": False,
    }


def test_changzhi_2022_sends_its_warning_to_the_counties_only():
    t = task("changzhi-2022/5", plan_id="changzhi-2022")
    urged = as_history(
        *(
            notice(
                f"overdue-urge|changzhi-2022/5|{u}|2019-12-31",
                "urge",
                "overdue-urge",
                unit=u,
                task_id="changzhi-2022/5",
            )
            for u in (LEAD, COUNTY)
        )
    )
    actions = run([t], date(2020, 1, 15), urged)
    assert summary(actions) == [
        ("warning", "changzhi-2022/5", COUNTY, "overdue", "overdue-warning")
    ]
    assert actions[0].ruleset_id == "changzhi-2022" and "五（五）" in actions[0].clause


# -- interviews ---------------------------------------------------------------------------------

OCT = Deadline("10月底前", "due", due=(date(2019, 10, 31),))
T2 = "changzhi-2019/2"


def late_task(deadline: Deadline = OCT, **changes) -> TaskFacts:
    return task(T2, deadline=deadline, assignments=(Assignment(COUNTY, "responsible"),), **changes)


def warned(ack=None, status="sent", due="2019-10-31"):
    return [
        notice(
            f"overdue-urge|{T2}|{COUNTY}|{due}",
            "urge",
            "overdue-urge",
            task_id=T2,
            created=date(2019, 11, 1),
        ),
        notice(
            f"overdue-warning|{T2}|{COUNTY}|{due}",
            "warning",
            "overdue-warning",
            task_id=T2,
            created=date(2019, 11, 14),
            status=status,
            sent=date(2019, 11, 15) if status == "sent" else None,
            ack=ack,
        ),
    ] + ([
        # the 签收 follow-up an earlier sweep made for the unacknowledged letter (tests/test_escalation_ack.py)
        notice(
            f"letter-unacknowledged-urge|{T2}|{COUNTY}|Aoverdue-warning|{T2}|{COUNTY}|{due}",
            "urge",
            "letter-unacknowledged-urge",
            task_id=T2,
            created=date(2019, 11, 20),
        )
    ] if status == "sent" and ack is None else [])


def test_an_unresolved_warning_leads_to_an_interview_fifteen_working_days_after_it():
    history = {(T2, COUNTY): warned()}
    assert run([late_task()], date(2019, 12, 5), history) == []  # 14 working days after 11-15
    actions = run([late_task()], date(2019, 12, 6), history)
    assert summary(actions) == [
        ("interview", T2, COUNTY, "warning_unresolved", "warning-unresolved-interview")
    ]
    [interview] = actions
    assert interview.needs_review
    assert interview.facts["warning_on"] == "2019-11-15"
    assert interview.facts["warning_key"] == f"overdue-warning|{T2}|{COUNTY}|2019-10-31"
    assert "2019年11月15日已向潞州区人民政府发出预警通知函" in interview.explanation


def test_an_acknowledged_warning_gives_five_more_working_days():
    # Due 2019-11-08, so serious delay (30 working days, on 2019-12-20) does not interfere.
    t = late_task(deadline=Deadline("11月8日前", "due", due=(date(2019, 11, 8),)))
    history = {(T2, COUNTY): warned(ack=date(2019, 11, 18), due="2019-11-08")}
    assert run([t], date(2019, 12, 6), history) == []  # 15 working days after the warning
    assert run([t], date(2019, 12, 12), history) == []  # 19
    actions = run([t], date(2019, 12, 13), history)  # 20 = 15 + 5 for the acknowledgement
    assert summary(actions) == [
        ("interview", T2, COUNTY, "warning_unresolved", "warning-unresolved-interview")
    ]
    assert "已于2019年11月18日签收" in actions[0].explanation


def test_serious_delay_and_an_unresolved_warning_share_one_interview():
    history = {(T2, COUNTY): warned(ack=date(2019, 11, 18))}
    # 2019-12-12 is 30 working days after 10-31: serious delay proposes the interview first.
    [interview] = run([late_task()], date(2019, 12, 12), history)
    assert interview.rule_id == "serious-delay-interview"
    history[(T2, COUNTY)].append(
        notice(
            interview.key,
            "interview",
            interview.rule_id,
            task_id=T2,
            created=date(2019, 12, 12),
            status="pending_review",
        )
    )
    assert run([late_task()], date(2019, 12, 13), history) == []


def test_a_warning_held_by_the_coordinator_leads_to_no_interview_however_late_the_task():
    # An interview rests on a warning letter of record; a held one was never issued.
    history = {(T2, COUNTY): warned(status="held")}
    assert run([late_task()], date(2019, 12, 11), history) == []
    assert run([late_task()], date(2019, 12, 12), history) == []  # 30 working days after 10-31
    assert run([late_task()], date(2020, 1, 20), history) == []


def test_no_second_interview_while_one_is_open():
    history = {
        (T2, COUNTY): warned()
        + [
            notice(
                "x",
                "interview",
                "serious-delay-interview",
                task_id=T2,
                created=date(2019, 12, 2),
                status="pending_review",
            )
        ]
    }
    assert run([late_task()], date(2019, 12, 16), history) == []


# -- stop conditions ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["signed_off", "waived", "reported_done"])
def test_a_task_signed_off_waived_or_reported_done_gets_nothing(status):
    assert run([task(status=status)], date(2020, 1, 15)) == []
    assert run([task(status=status)], date(2019, 12, 24)) == []


def test_a_unit_that_reported_done_is_left_out():
    t = task(reports=(ProgressReport(COUNTY, date(2019, 12, 20), 100, "done"),))
    assert summary(run([t], date(2020, 1, 2))) == [
        ("urge", "changzhi-2019/1", LEAD, "overdue", "overdue-urge")
    ]


def test_an_external_deadline_without_a_date_gets_nothing():
    t = task(deadline=Deadline("按国家、省规定完成时限", "external"))
    assert run([t], date(2019, 12, 2)) == []
    assert run([t], date(2020, 1, 15)) == []


# -- inhibition ---------------------------------------------------------------------------------


def test_a_pending_interview_folds_routine_urges_to_that_unit():
    other = notice(
        "interview-elsewhere",
        "interview",
        "serious-delay-interview",
        task_id="changzhi-2019/9",
        created=date(2019, 12, 30),
        status="pending_review",
    )
    actions = run([task()], date(2020, 1, 2), as_history(other))
    assert sorted((a.unit, a.kind) for a in actions) == [
        (LEAD, "overdue"),
        (COUNTY, "overdue|folded"),
    ]
    folded = next(a for a in actions if a.unit == COUNTY)
    assert folded.key == f"overdue-urge|changzhi-2019/1|{COUNTY}|2019-12-31"


def test_an_interview_sent_long_ago_no_longer_folds_urges():
    old = notice(
        "old",
        "interview",
        "serious-delay-interview",
        task_id="changzhi-2019/9",
        created=date(2019, 10, 8),
        status="sent",
        sent=date(2019, 10, 9),
    )
    actions = run([task()], date(2020, 1, 2), as_history(old))
    assert sorted((a.unit, a.kind) for a in actions) == [(LEAD, "overdue"), (COUNTY, "overdue")]


# -- progress requests and windows --------------------------------------------------------------

ONGOING = Deadline("长期坚持", "ongoing")


def test_ongoing_tasks_are_asked_for_progress_on_the_first_working_day_of_the_month():
    t = task(deadline=ONGOING)
    assert run([t], date(2019, 12, 1)) == []
    actions = run([t], date(2019, 12, 2))
    assert summary(actions) == [
        ("reminder", "changzhi-2019/1", LEAD, "progress_request", "progress-monthly"),
        ("reminder", "changzhi-2019/1", COUNTY, "progress_request", "progress-monthly"),
    ]
    assert actions[0].key.endswith("|P2019-12-01")
    # January 2020: the 1st is 元旦, so the request goes out on the 2nd.
    assert len(run([t], date(2020, 1, 2))) == 2
    assert run([t], date(2020, 1, 3)) == []


def test_jincheng_asks_every_week_and_skips_the_national_day_holiday():
    t = task("jincheng-2020/3", plan_id="jincheng-2020", deadline=ONGOING)
    assert run([t], date(2019, 10, 7)) == []
    actions = run([t], date(2019, 10, 8))  # first working day of the week of 10-07
    assert {a.rule_id for a in actions} == {"progress-weekly"}
    assert len(actions) == 2


def test_a_missing_progress_report_is_urged_after_five_working_days():
    t = task(deadline=ONGOING)
    asked = notice(
        f"progress-monthly|changzhi-2019/1|{COUNTY}|P2019-12-01",
        "reminder",
        "progress-monthly",
        created=date(2019, 12, 2),
        sent=date(2019, 12, 2),
    )
    history = as_history(asked)
    assert [a.kind for a in run([t], date(2019, 12, 6), history)] == []
    actions = run([t], date(2019, 12, 9), history)  # Dec 3, 4, 5, 6, 9
    assert summary(actions) == [
        ("urge", "changzhi-2019/1", COUNTY, "progress_missing", "progress-missing")
    ]
    reported = task(deadline=ONGOING, reports=(ProgressReport(COUNTY, date(2019, 12, 5), 40),))
    assert run([reported], date(2019, 12, 9), history) == []


def test_a_window_gets_a_start_and_an_end_notice():
    window = task(
        deadline=Deadline(
            "2019年10—12月", "window", start=date(2019, 10, 1), end=date(2019, 12, 31)
        )
    )
    opening = run([window], date(2019, 10, 8))  # first working day after 国庆
    assert sorted((a.kind, a.unit) for a in opening) == [
        ("progress_request", LEAD),
        ("progress_request", COUNTY),
        ("window_start", LEAD),
        ("window_start", COUNTY),
    ]
    closing = run([window], date(2019, 12, 26))  # 3 working days before 12-31
    assert sorted((a.kind, a.unit) for a in closing) == [
        ("window_end", LEAD),
        ("window_end", COUNTY),
    ]


def test_a_recurring_task_is_reminded_before_each_occurrence():
    monthly = task(
        deadline=Deadline(
            "每月初10日内", "recurring", start=date(2019, 10, 1), rrule="FREQ=MONTHLY;BYMONTHDAY=10"
        )
    )
    # 2019-11-10 is a Sunday: three working days before it is Wednesday 11-06.
    actions = run([monthly], date(2019, 11, 6))
    assert sorted((a.kind, a.unit, a.due) for a in actions) == [
        ("progress_request", LEAD, date(2019, 11, 10)),
        ("progress_request", COUNTY, date(2019, 11, 10)),
    ]
    assert run([monthly], date(2019, 11, 7)) == []


def test_a_rule_that_sends_on_non_workdays_fires_on_the_sunday_itself(tmp_path):
    (tmp_path / "default.yaml").write_text(
        """\
id: weekend
version: 2
title: 周末也提醒
applies_to: "*"
clause: {source: test, text: 周末照常提醒}
rules:
  - id: remind-30
    level: reminder
    trigger: {type: before_due, offsets: [{days: 30}]}
    send_on_non_workdays: true
    clause: test
    label: 三十天提醒
""",
        encoding="utf-8",
    )
    rules = load_rulebook(tmp_path)
    assert run([task()], date(2019, 11, 29), rules=rules) == []
    [lead, county] = run([task()], date(2019, 12, 1), rules=rules)
    assert (lead.unit, county.unit) == (LEAD, COUNTY)
    assert lead.ruleset_version == "2" and lead.rule_snapshot["send_on_non_workdays"] is True
