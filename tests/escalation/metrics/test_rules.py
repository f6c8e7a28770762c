"""Metric rules: validation that names file and line, the shipped rule files and their clauses, and
golden days — on chosen dates the rules propose exactly the letters a coordinator expects from the
clauses, to the right county government with the right figures (hand-made data of builders.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from scheduler.errors import InputError
from scheduler.escalation.facts import Assignment, PastNotice, ProgressReport, TaskFacts
from scheduler.escalation.metrics import load_setup
from scheduler.escalation.metrics.rules import evaluate_metrics, load_metric_rules, parse_metric_rules
from scheduler.plans.deadlines import Deadline
from tests.escalation.metrics.builders import (
    CALENDAR,
    DIRECTORY,
    LICHENG,
    LUCHENG,
    REGIONS,
    ROOT,
    RULES_YAML,
    SEEDS,
    rule_book,
    series,
    target_book,
)

PM25 = "pm25-prorata-warning|test-2020|{unit}|{day}"


def run(as_of: date, history=None, tasks=()):
    return evaluate_metrics(rule_book(), target_book(), series(), REGIONS, history or {}, CALENDAR, as_of,
                            tasks=tasks)


def past(key: str, level: str, rule: str, unit: str, on: date, status: str = "approved", task=None):
    return PastNotice(key, level, rule, task, unit, on, status)


def history(*notices: PastNotice):
    found: dict = {}
    for notice in notices:
        found.setdefault((notice.task_id, notice.unit), []).append(notice)
    return found


# -- validation ----------------------------------------------------------------------------------


def _problem(text: str):
    with pytest.raises(InputError) as caught:
        parse_metric_rules(text, "rules/metrics/x.yaml")
    return [(p.line, p.where, p.message) for p in caught.value.problems]


def test_an_unknown_trigger_is_named_with_its_line():
    broken = RULES_YAML.replace("type: aqi_off_scale, threshold: 500", "type: aqi_too_high, threshold: 500")
    [(line, where, message)] = _problem(broken)
    assert (line, where) == (22, "rules.2.trigger.type")
    assert message.startswith("未知的触发条件 'aqi_too_high'")


def test_a_level_the_trigger_cannot_produce_is_refused():
    broken = RULES_YAML.replace("level: urge\n    trigger: {type: dust_fall",
                                "level: interview\n    trigger: {type: dust_fall")
    assert _problem(broken) == [
        (31, "rules.4.level", "触发条件 dust_fall_over_cap 只能产生 urge、warning 级别，不能是 interview")]


def test_an_unknown_metric_and_a_duplicate_rule_id_are_refused():
    broken = RULES_YAML.replace("metric: PM2.5, checkpoint", "metric: PM25, checkpoint")
    [(line, where, message)] = _problem(broken)
    assert (line, where) == (12, "rules.0.trigger.metric") and "未知的指标 'PM25'" in message
    broken = RULES_YAML.replace("id: task-pace-warning", "id: dust-fall-urge")
    assert _problem(broken) == [(35, "rules.5.id", "规则编号重复：dust-fall-urge（已见于 rules.4）")]


def test_repeated_warnings_must_count_warning_rules_of_the_set():
    broken = RULES_YAML.replace("{type: repeated_warnings, count: 2}",
                                "{type: repeated_warnings, count: 2, rules: [dust-fall-urge]}")
    assert _problem(broken) == [(17, "rules.1.trigger.rules.0",
                                 "repeated_warnings 计数的规则 dust-fall-urge 不是本规则集中的预警规则")]


def test_a_rule_on_a_plan_or_metric_without_targets_is_refused(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    ozone = RULES_YAML.replace("metric: PM2.5, after_workdays: 5", "metric: O3, after_workdays: 5")
    (folder / "a.yaml").write_text(ozone, encoding="utf-8")
    (folder / "b.yaml").write_text(RULES_YAML.replace("id: test-metrics", "id: other")
                                   .replace("applies_to: [test-2020]", "applies_to: [test-2020, nowhere]"),
                                   encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_metric_rules(folder, target_book())
    found = [(p.file.rsplit("/", 1)[1], p.line, p.message) for p in caught.value.problems]
    assert found == [
        ("a.yaml", 27, "计划 test-2020 没有 O3 的目标"),
        ("b.yaml", 4, "计划 test-2020 已由指标规则集 test-metrics 适用"),
        ("b.yaml", 4, "计划 nowhere 在 data/targets/ 中没有目标"),
    ]


def test_the_shipped_metric_rules_load_with_the_targets():
    setup = load_setup(ROOT / "rules", ROOT / "data", DIRECTORY)
    assert sorted(setup.rules.plans) == ["changzhi-2019", "changzhi-2022", "jincheng-2020", "jinzhong-2020"]
    changzhi = setup.rules.for_plan("changzhi-2019").model
    assert [r.trigger.type for r in changzhi.rules] == [
        "prorata_off_track", "prorata_off_track", "repeated_warnings", "aqi_off_scale", "target_missed",
        "target_missed", "dust_fall_over_cap", "progress_behind"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


COMMON_PRACTICE = "督办通用做法："


def test_every_clause_and_quoted_fragment_stands_in_its_seed():
    seeds = {p.name[:3]: _squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    setup = load_setup(ROOT / "rules", ROOT / "data", DIRECTORY)
    fragments = 0
    for loaded in setup.rules.sets:
        for quote in loaded.model.clause:
            assert _squash(quote.text) in seeds[quote.source[:3]], quote.source
        for rule in loaded.model.rules:
            if rule.clause.startswith(COMMON_PRACTICE):
                continue  # a plan without a clause of its own cites no other plan's
            seed = seeds[rule.clause[:3]]
            inner = rule.clause[rule.clause.index("“") + 1:rule.clause.rindex("”")]
            for fragment in inner.split("……"):
                assert _squash(fragment) in seed, f"{loaded.model.id}/{rule.id}: {fragment}"
                fragments += 1
    assert fragments >= 7


# -- golden days -----------------------------------------------------------------------------------


def test_nothing_before_the_data_of_the_month_settles():
    # January's checkpoint is Friday 31 January, inside the extended Spring Festival holiday (to
    # 2 February); three working days after it is Wednesday 5 February.
    assert run(date(2020, 2, 4)) == []
    assert run(date(2020, 2, 8)) == []  # a Saturday: metric rules do not fire on non-working days


def test_off_track_in_january_warns_lucheng_with_the_figures():
    [action] = run(date(2020, 2, 5))
    assert (action.level, action.unit, action.task_id, action.key) == (
        "warning", LUCHENG, None, PM25.format(unit=LUCHENG, day="2020-01-31"))
    assert action.needs_review and action.kind == "prorata_off_track" and action.plan_id == "test-2020"
    facts = action.facts
    assert (facts["value"], facts["limit"], facts["gap"], facts["required_rest"]) == (70.0, 63.0, 7.0, 59.4)
    assert (facts["rank"], facts["rank_of"], facts["days_with_data"], facts["days_total"]) == (2, 2, 31, 91)
    assert "PM2.5累计平均浓度70.0微克/立方米" in action.explanation
    assert "高于目标63.0微克/立方米（2018-2019年同期70微克/立方米，下降10%）7.0微克/立方米" in action.explanation
    assert "剩余60天平均浓度须控制在59.4微克/立方米以下" in action.explanation
    assert action.explanation.endswith("未达到序时进度，拟向其下发预警通知函。")


def test_dust_fall_over_the_cap_urges_licheng_five_working_days_after_the_month():
    sent = history(past(PM25.format(unit=LUCHENG, day="2020-01-31"), "warning", "pm25-prorata-warning", LUCHENG,
                        date(2020, 2, 5)))
    assert run(date(2020, 2, 6), sent) == []
    [action] = run(date(2020, 2, 7), sent)
    assert (action.level, action.unit, action.key) == ("urge", LICHENG, f"dust-fall-urge|test-2020|{LICHENG}|2020-01")
    assert (action.facts["value"], action.facts["cap"], action.facts["excess"]) == (9.5, 9.0, 0.5)
    assert not action.needs_review


def test_end_of_february_warns_both_counties_including_the_steady_improvement_one():
    sent = history(past(PM25.format(unit=LUCHENG, day="2020-01-31"), "warning", "pm25-prorata-warning", LUCHENG,
                        date(2020, 2, 5)),
                   past(f"dust-fall-urge|test-2020|{LICHENG}|2020-01", "urge", "dust-fall-urge", LICHENG,
                        date(2020, 2, 7), "sent"))
    found = {a.unit: a for a in run(date(2020, 3, 4), sent)}
    assert set(found) == {LUCHENG, LICHENG}
    lucheng, licheng = found[LUCHENG].facts, found[LICHENG].facts
    # 潞城区 (2170 + 1740) / 60 = 65.2, rest (63 × 91 − 3910) / 31 = 58.8, best improvement on baseline
    assert (lucheng["value"], lucheng["gap"], lucheng["required_rest"], lucheng["rank"]) == (65.2, 2.2, 58.8, 1)
    # 黎城县 2843 / 55 = 51.7 against its own baseline 50 (持续改善), 5 days missing, rest 1457 / 31 = 47.0
    assert (licheng["value"], licheng["limit"], licheng["required_rest"], licheng["rank"]) == (51.7, 50.0, 47.0, 2)
    assert (licheng["days_with_data"], licheng["days_elapsed"], licheng["steady"]) == (55, 60, True)
    assert "持续改善（不高于基数）" in found[LICHENG].explanation and "缺测5天" in found[LICHENG].explanation


def _after_march_warnings(interview_status: str | None = None):
    notices = [
        past(PM25.format(unit=LUCHENG, day="2020-01-31"), "warning", "pm25-prorata-warning", LUCHENG, date(2020, 2, 5)),
        past(PM25.format(unit=LUCHENG, day="2020-02-29"), "warning", "pm25-prorata-warning", LUCHENG, date(2020, 3, 4)),
        past(PM25.format(unit=LICHENG, day="2020-02-29"), "warning", "pm25-prorata-warning", LICHENG, date(2020, 3, 4)),
        past(f"dust-fall-urge|test-2020|{LICHENG}|2020-01", "urge", "dust-fall-urge", LICHENG, date(2020, 2, 7),
             "sent"),
    ]
    if interview_status:
        notices.append(past(f"repeated-warnings-interview|test-2020|{LUCHENG}|N2", "interview",
                            "repeated-warnings-interview", LUCHENG, date(2020, 3, 5), interview_status))
    return history(*notices)


def test_a_second_warning_brings_an_interview_for_that_county_only():
    [action] = run(date(2020, 3, 5), _after_march_warnings())
    assert (action.level, action.unit, action.key) == (
        "interview", LUCHENG, f"repeated-warnings-interview|test-2020|{LUCHENG}|N2")
    assert action.facts["warning_count"] == 2
    assert "已被下发预警通知函2次（2020年2月5日、2020年3月4日）" in action.explanation


def test_the_interview_waits_the_rule_sets_working_days_after_the_second_warning():
    from scheduler.escalation.metrics.rules import MetricRuleBook

    waiting = RULES_YAML.replace("{type: repeated_warnings, count: 2}",
                                 "{type: repeated_warnings, count: 2, after_workdays: 15}")
    book = MetricRuleBook([parse_metric_rules(waiting, "rules/metrics/test.yaml")])

    def interviews(as_of):
        return [a.unit for a in evaluate_metrics(book, target_book(), series(), REGIONS, _after_march_warnings(),
                                                 CALENDAR, as_of) if a.level == "interview"]

    # the second warning is of 2020-03-04; its 15th working day after is 03-25, not the next day
    assert interviews(date(2020, 3, 5)) == [] and interviews(date(2020, 3, 24)) == []
    assert interviews(date(2020, 3, 25)) == [LUCHENG]


def test_a_held_or_rejected_warning_does_not_count():
    notices = _after_march_warnings()
    notices[(None, LUCHENG)][1] = past(PM25.format(unit=LUCHENG, day="2020-02-29"), "warning",
                                       "pm25-prorata-warning", LUCHENG, date(2020, 3, 4), "rejected")
    assert run(date(2020, 3, 5), notices) == []


def test_aqi_off_scale_two_days_running_brings_an_interview_unless_one_is_pending():
    assert run(date(2020, 3, 12), _after_march_warnings("pending_review")) == []
    [action] = run(date(2020, 3, 12), _after_march_warnings("sent"))
    assert (action.level, action.unit, action.key) == (
        "interview", LUCHENG, f"aqi-off-scale-interview|test-2020|{LUCHENG}|2020-03-10")
    assert action.facts["values"] == [520, 530]
    assert "2020年3月10日至2020年3月11日连续2天空气质量指数（AQI）超过500" in action.explanation


def test_the_final_target_missed_brings_an_interview_for_lucheng_only():
    notices = _after_march_warnings("sent")
    notices[(None, LUCHENG)].append(past(f"aqi-off-scale-interview|test-2020|{LUCHENG}|2020-03-10", "interview",
                                         "aqi-off-scale-interview", LUCHENG, date(2020, 3, 12), "sent"))
    # five working days after 31 March, across the Qingming holiday (4-6 April), is 8 April
    assert run(date(2020, 4, 7), notices) == []
    [action] = run(date(2020, 4, 8), notices)
    assert (action.level, action.unit, action.key) == (
        "interview", LUCHENG, f"pm25-target-missed-interview|test-2020|{LUCHENG}|2020-03-31")
    # (2170 + 1740 + 1860) / 91 = 63.4 > 63.0; 黎城县 4083 / 86 = 47.5 meets its 50
    assert (action.facts["value"], action.facts["gap"], action.facts["required_rest"]) == (63.4, 0.4, None)
    assert "期末未完成空气质量改善目标任务，拟约谈政府主要负责人" in action.explanation


def test_a_task_behind_its_pro_rata_share_warns_the_unit_that_reported():
    task = TaskFacts(
        task_id="test-2020/r001", plan_id="test-2020", title="完成散煤清洁化替代",
        deadline=Deadline("2020年3月底前", "due", (date(2020, 3, 31),)),
        assignments=(Assignment(LUCHENG, "responsible"), Assignment(LICHENG, "responsible")),
        reports=(ProgressReport(LUCHENG, date(2020, 2, 20), 20), ProgressReport(LICHENG, date(2020, 2, 20), 50)),
        plan_period_start=date(2020, 1, 1), plan_period_end=date(2020, 3, 31),
    )
    sent = history(past(PM25.format(unit=LUCHENG, day="2020-01-31"), "warning", "pm25-prorata-warning", LUCHENG,
                        date(2020, 2, 5)),
                   past(f"dust-fall-urge|test-2020|{LICHENG}|2020-01", "urge", "dust-fall-urge", LICHENG,
                        date(2020, 2, 7), "sent"))
    # one working day after Saturday 29 February is Monday 2 March; 59 of 90 days gone = 65.6 %:
    # 潞城区 reported 20 % (45.6 points behind, margin 30), 黎城县 50 % (15.6 behind)
    [action] = run(date(2020, 3, 2), sent, tasks=[task])
    assert (action.level, action.unit, action.task_id, action.key) == (
        "warning", LUCHENG, "test-2020/r001", f"task-pace-warning|test-2020/r001|{LUCHENG}|2020-02-29")
    assert (action.facts["expected_percent"], action.facts["behind_points"]) == (65.6, 45.6)
    assert "落后序时进度46个百分点" in action.explanation


def test_a_known_key_is_not_proposed_again():
    first = run(date(2020, 2, 5))
    again = history(*(past(a.key, a.level, a.rule_id, a.unit, date(2020, 2, 5), "pending_review") for a in first))
    assert run(date(2020, 2, 5), again) == []
