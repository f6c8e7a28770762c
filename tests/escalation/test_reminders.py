"""The reminder triggers end to end through `evaluate`: the whole notice each one proposes (key,
wording, facts), and each boundary tried on both sides — the request day itself and the day after,
a task that starts or ends on the request day, a catch-up across a year end, a request day that
spills into the next period, a window end on a holiday, an occurrence on the sweep day.

Days from the 2019-20 calendar: 2019-12-02 is a Monday and the first working day of December;
元旦 2020-01-01 is off; 国庆 2019-10-01..07 is off; 2019-12-31 is a Tuesday.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from scheduler.escalation.calendar import WorkCalendar
from scheduler.escalation.evaluate import evaluate
from scheduler.escalation.facts import Assignment, TaskFacts
from scheduler.escalation.ruleset import RuleBook, load_rulebook, parse_ruleset
from scheduler.plans.deadlines import Deadline, Milestone

RULES = load_rulebook(Path(__file__).resolve().parents[2] / "rules")
CAL = WorkCalendar()
LEAD = "市能源局"
COUNTY = "潞州区人民政府"
TASK = "changzhi-2019/1"
ONGOING = Deadline("长期坚持", "ongoing")
WINDOW = Deadline("2019年10—12月", "window", start=date(2019, 10, 1), end=date(2019, 12, 31))
MONTHLY = Deadline("每月5日前", "recurring", rrule="FREQ=MONTHLY;BYMONTHDAY=5")


def task(deadline: Deadline, **changes) -> TaskFacts:
    fields = dict(
        task_id=TASK,
        plan_id="changzhi-2019",
        title="洗煤行业整治",
        deadline=deadline,
        assignments=(Assignment(LEAD, "lead"), Assignment(COUNTY, "responsible")),
        plan_period_start=date(2019, 10, 1),
        plan_period_end=date(2020, 3, 31),
    )
    fields.update(changes)
    return TaskFacts(**fields)


def one_rule(trigger: str, *, non_workdays: bool = False) -> RuleBook:
    """A rule book of one reminder rule for every plan."""
    text = (
        "id: one\nversion: 1\ntitle: 测试\napplies_to: \"*\"\nclause: {source: s, text: t}\nrules:\n"
        f"  - id: r\n    level: reminder\n    trigger: {trigger}\n    to: [lead, responsible]\n"
        f"    clause: c\n    label: 提醒\n    send_on_non_workdays: {'true' if non_workdays else 'false'}\n"
    )
    return RuleBook([parse_ruleset(text, "one.yaml")])


def of_kind(actions, kind: str) -> list:
    return [a for a in actions if a.kind == kind]


def fired(actions, kind: str) -> list[tuple[str, str]]:
    """(unit, fire day) of each notice of `kind`."""
    return sorted((a.unit, a.facts["fire_day"]) for a in of_kind(actions, kind))


def both(fire_day: str) -> list[tuple[str, str]]:
    return sorted([(LEAD, fire_day), (COUNTY, fire_day)])


def said(label: str, rule: str, clause: str) -> str:
    """The opening of a default rule's explanation: level, rule and clause."""
    return f"【提醒】依据规则「{label}」（default/{rule} 第2版，{clause}）："


def whole(action) -> dict:
    found = asdict(action)
    found.pop("rule_snapshot")
    return found


# -- progress_request: periodic ----------------------------------------------------------------------


def test_a_monthly_request_on_the_first_working_day_is_the_whole_notice_per_unit():
    actions = of_kind(evaluate([task(ONGOING)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request")
    assert [whole(a) for a in actions] == [
        {
            "key": f"progress-monthly|{TASK}|{unit}|P2019-12-01", "level": "reminder", "rule_id": "progress-monthly",
            "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK,
            "unit": unit, "due": None, "kind": "progress_request", "needs_review": False,
            "clause": "督办通用做法：每月调度重点任务进展",
            "explanation": said("每月进展报送提醒", "progress-monthly", "督办通用做法：每月调度重点任务进展")
                           +
                           f"任务「洗煤行业整治」（时限：长期坚持）正在实施，请{role_zh}{unit}报送2019年12月进展情况"
                           "（每月第1个工作日提醒）。",
            "facts": {"period": "2019-12-01", "every": "month", "fire_day": "2019-12-02", "task": TASK,
                      "plan": "changzhi-2019", "unit": unit, "role": role, "due": None, "as_of": "2019-12-02"},
        }
        for unit, role, role_zh in [(LEAD, "lead", "牵头单位"), (COUNTY, "responsible", "责任单位")]
    ]


def test_a_request_is_sent_on_its_day_and_not_again_the_day_after():
    assert fired(evaluate([task(ONGOING)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request") == \
        both("2019-12-02")
    assert fired(evaluate([task(ONGOING)], RULES, CAL, {}, date(2019, 12, 3)), "progress_request") == []


def test_a_catch_up_sends_the_missed_request_once_and_says_when_it_was_due():
    actions = evaluate([task(ONGOING)], RULES, CAL, {}, date(2019, 12, 4), since=date(2019, 12, 1))
    assert fired(actions, "progress_request") == both("2019-12-02")
    requests = of_kind(actions, "progress_request")
    assert all(a.explanation.endswith("（原定2019年12月2日提醒，补发）。") for a in requests)
    # a catch-up that starts on the request day has already passed it
    assert fired(evaluate([task(ONGOING)], RULES, CAL, {}, date(2019, 12, 4), since=date(2019, 12, 2)),
                 "progress_request") == []


def test_a_task_starting_on_the_request_day_is_asked_and_one_starting_after_it_is_not():
    starts_on = task(Deadline("2019年12月2日起", "from", start=date(2019, 12, 2)))
    starts_after = task(Deadline("2019年12月3日起", "from", start=date(2019, 12, 3)))
    assert len(of_kind(evaluate([starts_on], RULES, CAL, {}, date(2019, 12, 2)), "progress_request")) == 2
    assert of_kind(evaluate([starts_after], RULES, CAL, {}, date(2019, 12, 2)), "progress_request") == []


def test_a_task_without_its_own_start_is_asked_from_the_plan_period_start():
    assert len(of_kind(evaluate([task(ONGOING, plan_period_start=date(2019, 12, 2))], RULES, CAL, {},
                                date(2019, 12, 2)), "progress_request")) == 2
    assert of_kind(evaluate([task(ONGOING, plan_period_start=date(2019, 12, 3))], RULES, CAL, {},
                            date(2019, 12, 2)), "progress_request") == []


def test_a_window_ending_on_the_request_day_is_asked_and_one_ended_the_day_before_is_not():
    ends_on = task(Deadline("2019年11—12月2日", "window", start=date(2019, 11, 1), end=date(2019, 12, 2)))
    ended = task(Deadline("2019年11月", "window", start=date(2019, 11, 1), end=date(2019, 12, 1)))
    assert len(of_kind(evaluate([ends_on], RULES, CAL, {}, date(2019, 12, 2)), "progress_request")) == 2
    assert of_kind(evaluate([ended], RULES, CAL, {}, date(2019, 12, 2)), "progress_request") == []


def test_a_task_without_its_own_end_stops_being_asked_at_the_plan_period_end():
    assert len(of_kind(evaluate([task(ONGOING, plan_period_end=date(2019, 12, 2))], RULES, CAL, {},
                                date(2019, 12, 2)), "progress_request")) == 2
    assert of_kind(evaluate([task(ONGOING, plan_period_end=date(2019, 12, 1))], RULES, CAL, {},
                            date(2019, 12, 2)), "progress_request") == []


def test_a_year_long_task_ends_on_its_last_due_date_not_the_plan_period_end():
    year_long = Deadline("2019年全年", "year_long", due=(date(2019, 11, 30),))
    assert of_kind(evaluate([task(year_long)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request") == []
    later = Deadline("2019年全年", "year_long", due=(date(2019, 12, 31),))
    assert len(of_kind(evaluate([task(later)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request")) == 2


def test_a_task_with_a_plain_due_date_gets_no_periodic_request():
    due = Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),))
    assert of_kind(evaluate([task(due)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request") == []


def test_a_weekly_request_on_the_second_working_day_names_its_week():
    rules = one_rule("{type: progress_request, every: week, nth_workday: 2}")
    [first, *_] = evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 12, 3))
    assert first.key == f"r|{TASK}|{LEAD}|P2019-12-02"
    assert first.facts["period"] == "2019-12-02" and first.facts["every"] == "week"
    assert "报送2019年12月2日当周进展情况（每周第2个工作日提醒）。" in first.explanation
    assert evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 12, 2)) == []  # the Monday is too early


def test_a_request_day_that_spills_into_the_next_week_is_no_request_of_its_week():
    fifth = one_rule("{type: progress_request, every: week, nth_workday: 5}")
    sixth = one_rule("{type: progress_request, every: week, nth_workday: 6}")
    assert fired(evaluate([task(ONGOING)], fifth, CAL, {}, date(2019, 12, 6)), "progress_request") == \
        both("2019-12-06")
    # the sixth working day of the week of 12-02 is Monday 12-09, already the next week
    assert evaluate([task(ONGOING)], sixth, CAL, {}, date(2019, 12, 9), since=date(2019, 12, 1)) == []


def test_before_this_months_request_day_a_catch_up_finds_last_years_december_request():
    # January's second working day is 2020-01-03 (元旦 off), so on 01-02 the latest request is December's.
    rules = one_rule("{type: progress_request, every: month, nth_workday: 2}")
    actions = evaluate([task(ONGOING)], rules, CAL, {}, date(2020, 1, 2), since=date(2019, 12, 2))
    assert fired(actions, "progress_request") == both("2019-12-03")
    assert all(a.facts["period"] == "2019-12-01" and "报送2019年12月进展情况" in a.explanation for a in actions)


def test_a_quarterly_request_waits_for_the_first_working_day_after_the_national_day_holiday():
    rules = one_rule("{type: progress_request, every: quarter}")
    [first, *_] = evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 10, 8))
    assert first.facts["fire_day"] == "2019-10-08" and first.facts["period"] == "2019-10-01"
    assert "报送2019年第4季度进展情况（每季度第1个工作日提醒）" in first.explanation


def test_a_rule_sent_on_non_workdays_asks_on_the_first_of_the_month_even_a_sunday():
    rules = one_rule("{type: progress_request, every: month, nth_workday: 1}", non_workdays=True)
    assert fired(evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 12, 1)), "progress_request") == \
        both("2019-12-01")
    second = one_rule("{type: progress_request, every: month, nth_workday: 2}", non_workdays=True)
    assert fired(evaluate([task(ONGOING)], second, CAL, {}, date(2019, 12, 2)), "progress_request") == \
        both("2019-12-02")


def test_a_rule_limited_to_some_kinds_asks_no_other_kind():
    rules = one_rule("{type: progress_request, kinds: [window]}")
    assert evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 12, 2)) == []
    assert len(evaluate([task(WINDOW)], rules, CAL, {}, date(2019, 12, 2))) == 2


# -- progress_request: before each occurrence of a recurring task -------------------------------------


def test_a_recurring_task_is_reminded_three_working_days_before_each_occurrence():
    actions = of_kind(evaluate([task(MONTHLY)], RULES, CAL, {}, date(2019, 12, 2)), "progress_request")
    assert [whole(a) for a in actions][0] == {
        "key": f"progress-monthly|{TASK}|{LEAD}|2019-12-05|3wd", "level": "reminder", "rule_id": "progress-monthly",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": LEAD,
        "due": date(2019, 12, 5), "kind": "progress_request", "needs_review": False,
        "clause": "督办通用做法：每月调度重点任务进展",
        "explanation": said("每月进展报送提醒", "progress-monthly", "督办通用做法：每月调度重点任务进展")
                           +
                       "周期性任务「洗煤行业整治」（每月5日前）本期时限为2019年12月5日，"
                       "按规定提前3个工作日提醒牵头单位市能源局完成并报送进展。",
        "facts": {"offset": "3wd", "fire_day": "2019-12-02", "rrule": "FREQ=MONTHLY;BYMONTHDAY=5", "task": TASK,
                  "plan": "changzhi-2019", "unit": LEAD, "role": "lead", "due": "2019-12-05", "as_of": "2019-12-02"},
    }
    assert [a.unit for a in actions] == [LEAD, COUNTY]
    assert fired(evaluate([task(MONTHLY)], RULES, CAL, {}, date(2019, 12, 3)), "progress_request") == []


def test_a_catch_up_reminds_of_an_occurrence_on_the_sweep_day_but_not_of_one_already_past():
    on_the_day = evaluate([task(MONTHLY)], RULES, CAL, {}, date(2019, 12, 5), since=date(2019, 11, 29))
    assert fired(on_the_day, "progress_request") == both("2019-12-02")
    assert all(a.explanation.endswith("（原定2019年12月2日提醒，补发）。") for a in on_the_day)
    assert evaluate([task(MONTHLY)], RULES, CAL, {}, date(2019, 12, 6), since=date(2019, 11, 29)) == []


def test_no_occurrence_after_the_plan_period_end_is_reminded():
    assert len(evaluate([task(MONTHLY, plan_period_end=date(2019, 12, 5))], RULES, CAL, {}, date(2019, 12, 2))) == 2
    assert evaluate([task(MONTHLY, plan_period_end=date(2019, 12, 4))], RULES, CAL, {}, date(2019, 12, 2)) == []


def test_a_recurring_task_counts_from_its_own_start_else_from_the_plan_period_start():
    own_start = Deadline("每月5日前", "recurring", start=date(2019, 11, 1), rrule="FREQ=MONTHLY;BYMONTHDAY=5")
    assert len(evaluate([task(own_start, plan_period_start=None)], RULES, CAL, {}, date(2019, 12, 2))) == 2
    assert evaluate([task(MONTHLY, plan_period_start=None)], RULES, CAL, {}, date(2019, 12, 2)) == []
    no_rule = Deadline("每月5日前", "recurring")
    assert evaluate([task(no_rule)], RULES, CAL, {}, date(2019, 12, 2)) == []


def test_a_rule_without_recurring_reminders_leaves_recurring_tasks_alone():
    rules = one_rule("{type: progress_request, recurring: false}")
    assert evaluate([task(MONTHLY)], rules, CAL, {}, date(2019, 12, 2)) == []
    assert len(evaluate([task(ONGOING)], rules, CAL, {}, date(2019, 12, 2))) == 2


# -- before_due ---------------------------------------------------------------------------------------


def test_a_due_date_reminder_is_the_whole_notice():
    due = Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),))
    [lead, county] = evaluate([task(due)], RULES, CAL, {}, date(2019, 12, 24))
    assert whole(lead) == {
        "key": f"remind-before-due|{TASK}|{LEAD}|2019-12-31|7d", "level": "reminder", "rule_id": "remind-before-due",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": LEAD,
        "due": date(2019, 12, 31), "kind": "before_due", "needs_review": False,
        "clause": "督办通用做法：到期前提醒（30天、7天、3个和1个工作日前）",
        "explanation": said("到期前提醒", "remind-before-due", RULES.rules_for("changzhi-2019").rules[0].clause)
                       +
                       "任务「洗煤行业整治」的完成时限为2019年12月31日，距今7天，按规定提前7天提醒牵头单位市能源局按期完成。",
        "facts": {"offset": "7d", "fire_day": "2019-12-24", "milestone": None, "task": TASK, "plan": "changzhi-2019",
                  "unit": LEAD, "role": "lead", "due": "2019-12-31", "as_of": "2019-12-24"},
    }
    assert county.unit == COUNTY and "提醒责任单位潞州区人民政府按期完成" in county.explanation


def test_a_milestone_reminder_names_the_milestone():
    due = Deadline("2020年3月底前", "due", due=(date(2020, 3, 31),))
    milestone = Milestone(due=date(2019, 12, 31), text="2019年底前完成50%", phrase="完成50%")
    [lead, _county] = evaluate([task(due, milestones=(milestone,))], RULES, CAL, {}, date(2019, 12, 24))
    assert lead.facts["milestone"] == "完成50%"
    assert "任务「洗煤行业整治」的节点「完成50%」为2019年12月31日，距今7天" in lead.explanation


def test_a_catch_up_sends_a_missed_reminder_for_a_date_still_ahead_and_says_so():
    due = Deadline("2019年12月底前", "due", due=(date(2019, 12, 31),))
    actions = evaluate([task(due)], RULES, CAL, {}, date(2019, 12, 25), since=date(2019, 12, 23))
    assert fired(actions, "before_due") == both("2019-12-24")
    assert all("距今6天，按规定提前7天" in a.explanation for a in actions)
    assert all(a.explanation.endswith("（原定2019年12月24日提醒，补发）。") for a in actions)


def test_a_reminder_due_on_the_sweep_day_itself_is_still_sent():
    # 1 working day before Monday 2019-12-02 is Friday 11-29; a catch-up on the due day still sends it.
    due = Deadline("2019年12月2日前", "due", due=(date(2019, 12, 2),))
    actions = evaluate([task(due)], RULES, CAL, {}, date(2019, 12, 2), since=date(2019, 11, 28))
    assert fired(actions, "before_due") == both("2019-11-29")
    # the day after, the date has passed: the overdue rules take over
    assert fired(evaluate([task(due)], RULES, CAL, {}, date(2019, 12, 3), since=date(2019, 11, 28)), "before_due") == []


# -- window_start and window_end ----------------------------------------------------------------------


def test_a_window_end_reminder_is_the_whole_notice():
    [lead, county] = evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 12, 26))
    assert whole(lead) == {
        "key": f"window-end|{TASK}|{LEAD}|2019-12-31", "level": "reminder", "rule_id": "window-end",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": LEAD,
        "due": date(2019, 12, 31), "kind": "window_end", "needs_review": False,
        "clause": "督办通用做法：实施时段结束前提醒",
        "explanation": said("实施时段结束前提醒", "window-end", "督办通用做法：实施时段结束前提醒")
                       +
                       "任务「洗煤行业整治」的实施时段将于2019年12月31日结束（提前3个工作日提醒），请牵头单位市能源局按要求落实。",
        "facts": {"window_start": "2019-10-01", "window_end": "2019-12-31", "fire_day": "2019-12-26", "task": TASK,
                  "plan": "changzhi-2019", "unit": LEAD, "role": "lead", "due": "2019-12-31", "as_of": "2019-12-26"},
    }
    assert county.unit == COUNTY and "请责任单位潞州区人民政府按要求落实" in county.explanation


def test_a_window_start_reminder_is_the_whole_notice():
    [lead, _county] = of_kind(evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 10, 8)), "window_start")
    assert whole(lead) == {
        "key": f"window-start|{TASK}|{LEAD}|2019-10-01", "level": "reminder", "rule_id": "window-start",
        "ruleset_id": "default", "ruleset_version": "2", "plan_id": "changzhi-2019", "task_id": TASK, "unit": LEAD,
        "due": date(2019, 12, 31), "kind": "window_start", "needs_review": False,
        "clause": "督办通用做法：实施时段开始即应落实",
        "explanation": said("实施时段开始提醒", "window-start", "督办通用做法：实施时段开始即应落实")
                       +
                       "任务「洗煤行业整治」的实施时段（2019年10月1日至2019年12月31日）开始，请牵头单位市能源局按要求落实。",
        "facts": {"window_start": "2019-10-01", "window_end": "2019-12-31", "fire_day": "2019-10-08", "task": TASK,
                  "plan": "changzhi-2019", "unit": LEAD, "role": "lead", "due": "2019-12-31", "as_of": "2019-10-08"},
    }


def test_a_window_notice_is_sent_on_its_day_and_not_the_day_after_nor_before():
    assert fired(evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 12, 25)), "window_end") == []
    assert fired(evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 12, 27)), "window_end") == []


def test_a_catch_up_sends_a_missed_window_end_on_the_last_day_but_not_after_the_window():
    late = evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 12, 31), since=date(2019, 12, 25))
    assert fired(late, "window_end") == both("2019-12-26")
    assert all(a.explanation.endswith("（原定2019年12月26日提醒，补发）。") for a in late)
    assert fired(evaluate([task(WINDOW)], RULES, CAL, {}, date(2020, 1, 2), since=date(2019, 12, 25)),
                 "window_end") == []


def test_a_window_end_on_the_day_itself_moves_back_from_a_holiday_unless_sent_on_non_workdays():
    on_the_day = one_rule("{type: window_end, before_workdays: 0}")
    any_day = one_rule("{type: window_end, before_workdays: 0}", non_workdays=True)
    ends_on_workday = task(Deadline("至12月31日", "window", start=date(2019, 10, 1), end=date(2019, 12, 31)))
    ends_on_holiday = task(Deadline("至1月1日", "window", start=date(2019, 10, 1), end=date(2020, 1, 1)))
    assert fired(evaluate([ends_on_workday], on_the_day, CAL, {}, date(2019, 12, 31)), "window_end") == \
        both("2019-12-31")
    assert fired(evaluate([ends_on_holiday], on_the_day, CAL, {}, date(2019, 12, 31)), "window_end") == \
        both("2019-12-31")
    assert fired(evaluate([ends_on_holiday], any_day, CAL, {}, date(2020, 1, 1)), "window_end") == \
        both("2020-01-01")
    assert "提前0个工作日提醒" in evaluate([ends_on_workday], on_the_day, CAL, {}, date(2019, 12, 31))[0].explanation


def test_a_window_start_on_a_holiday_waits_for_a_working_day_unless_sent_on_non_workdays():
    any_day = one_rule("{type: window_start}", non_workdays=True)
    assert fired(evaluate([task(WINDOW)], any_day, CAL, {}, date(2019, 10, 1)), "window_start") == \
        both("2019-10-01")
    assert fired(evaluate([task(WINDOW)], RULES, CAL, {}, date(2019, 10, 8)), "window_start") == \
        both("2019-10-08")


def test_only_a_window_with_both_ends_gets_window_notices():
    rules = one_rule("{type: window_start}", non_workdays=True)
    open_end = task(Deadline("10月起", "window", start=date(2019, 10, 1)))
    not_window = task(Deadline("10月起", "from", start=date(2019, 10, 1), end=date(2019, 12, 31)))
    assert evaluate([open_end], rules, CAL, {}, date(2019, 10, 1)) == []
    assert evaluate([not_window], rules, CAL, {}, date(2019, 10, 1)) == []


def test_a_window_starting_on_a_working_day_is_announced_that_day():
    starts_monday = task(Deadline("12月2日至31日", "window", start=date(2019, 12, 2), end=date(2019, 12, 31)))
    assert fired(evaluate([starts_monday], RULES, CAL, {}, date(2019, 12, 2)), "window_start") == both("2019-12-02")
    assert fired(evaluate([starts_monday], RULES, CAL, {}, date(2019, 12, 3)), "window_start") == []


def test_a_past_occurrence_does_not_stop_the_reminder_of_the_next_one():
    # Occurrences on the 3rd and 6th: a catch-up on Wednesday 12-04 skips the 3rd, which has passed,
    # and still sends the reminder for Friday the 6th that fell due on Tuesday the 3rd.
    twice = task(Deadline("每月3日、6日", "recurring", rrule="FREQ=MONTHLY;BYMONTHDAY=3,6"))
    actions = evaluate([twice], RULES, CAL, {}, date(2019, 12, 4), since=date(2019, 12, 1))
    assert fired(actions, "progress_request") == both("2019-12-03")
    assert {a.due for a in actions} == {date(2019, 12, 6)}
