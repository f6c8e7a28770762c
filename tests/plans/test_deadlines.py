"""Deadline cells of the five seeds and other cities, read into dates (expectations by hand)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from dateutil.rrule import rrulestr

from scheduler.plans.deadlines import (
    KINDS,
    Deadline,
    DeadlineContext,
    Milestone,
    find_milestones,
    parse_deadline,
)

TABLE = yaml.safe_load((Path(__file__).parents[1] / "data" / "seed_deadline_cells.yaml")
                       .read_text(encoding="utf-8"))
CONTEXTS = {name: DeadlineContext(**values) for name, values in TABLE["contexts"].items()}
CASES = TABLE["cases"]

CHANGZHI_2019 = CONTEXTS["changzhi_2019"]
JINZHONG_2020 = CONTEXTS["jinzhong_2020"]
ZEZHOU_2023 = CONTEXTS["zezhou_2023"]


def _case_id(case: dict) -> str:
    """Name a case in ASCII (its seed line, kind and a digest of its text), e.g. "003:896-due-1f0c2a".

    pytest escapes a non-ASCII id, and a second session in the same process (mutmut runs pytest
    that way) escapes an explicit id once more, so an id with Chinese in it is not found again."""
    place = re.sub(r"[^ -~].*", "", case["source"]).strip()  # the ASCII before the first Chinese
    digest = hashlib.sha1(f"{case['source']}|{case['text']}".encode()).hexdigest()[:6]
    return f"{place}-{case['kind']}-{digest}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_it_reads_every_seed_deadline_cell(case: dict) -> None:
    got = parse_deadline(case["text"], CONTEXTS[case["context"]])
    assert got.text == case["text"]
    assert got.kind == case["kind"], (case["source"], case["text"], got.notes)
    assert list(got.due) == case.get("due", [])
    assert got.start == case.get("start")
    assert got.end == case.get("end")
    assert got.rrule == case.get("rrule")
    if "note" in case:
        assert any(case["note"] in note for note in got.notes), got.notes


def test_the_table_covers_every_kind() -> None:
    assert {c["kind"] for c in CASES} == set(KINDS)


def test_it_keeps_the_json_contract() -> None:
    got = parse_deadline("2023 年 3 月和 7 月底前", ZEZHOU_2023).to_json()
    assert got == {"text": "2023 年 3 月和 7 月底前", "kind": "due",
                   "due": ["2023-03-31", "2023-07-31"], "start": None, "end": None,
                   "rrule": None, "notes": []}


def test_it_gives_rrules_that_dateutil_expands_from_the_plan_start() -> None:
    context = DeadlineContext(plan_year=2023, period_start=date(2022, 1, 1))
    got = parse_deadline("每年5月底前", context)
    rule = rrulestr(got.rrule, dtstart=datetime(2022, 1, 1))
    assert rule[0] == datetime(2022, 5, 31)
    assert rule[1] == datetime(2023, 5, 31)
    quarters = rrulestr(parse_deadline("每季度").rrule, dtstart=datetime(2020, 1, 1))
    assert list(quarters[:2]) == [datetime(2020, 3, 31), datetime(2020, 6, 30)]


def test_it_reads_weekdays_of_weekly_work() -> None:
    assert parse_deadline("每周一").rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert parse_deadline("每周五前报送").notes == ()


# --- year from context --------------------------------------------------------------------

def test_it_picks_the_year_that_puts_a_bare_month_inside_the_plan_period() -> None:
    assert parse_deadline("11月底前", CHANGZHI_2019).due == (date(2019, 11, 30),)
    assert parse_deadline("3月底前", CHANGZHI_2019).due == (date(2020, 3, 31),)
    assert parse_deadline("1月15日前", CHANGZHI_2019).due == (date(2020, 1, 15),)


def test_it_falls_back_to_the_plan_year_outside_the_period() -> None:
    got = parse_deadline("9月底前", JINZHONG_2020)
    assert got.due == (date(2020, 9, 30),)
    assert any("2020" in note for note in got.notes)


def test_it_uses_the_plan_year_when_the_plan_has_no_period() -> None:
    got = parse_deadline("3月底前", DeadlineContext(plan_year=2021))
    assert got.due == (date(2021, 3, 31),)
    assert got.notes


def test_it_says_unknown_when_no_year_can_be_found() -> None:
    got = parse_deadline("11月底前")
    assert got.kind == "unknown"
    assert got.notes


def test_it_counts_relative_years_from_the_plan_year() -> None:
    assert parse_deadline("今年12月底前", ZEZHOU_2023).due == (date(2023, 12, 31),)
    assert parse_deadline("次年3月底前", ZEZHOU_2023).due == (date(2024, 3, 31),)
    assert parse_deadline("明年6月底前", ZEZHOU_2023).due == (date(2024, 6, 30),)


def test_it_uses_the_regions_heating_season_start() -> None:
    context = DeadlineContext(plan_year=2020, heating_season_start=(11, 15))
    assert parse_deadline("2020年采暖季前", context).due == (date(2020, 11, 14),)
    assert parse_deadline("当年采暖季前", context).due == (date(2020, 11, 14),)


def test_it_wraps_a_window_across_the_year_end() -> None:
    got = parse_deadline("2020年10月-3月", JINZHONG_2020)
    assert (got.kind, got.start, got.end) == ("window", date(2020, 10, 1), date(2021, 3, 31))
    assert got.notes


# --- Chinese numerals and full-width digits -----------------------------------------------

def test_it_reads_chinese_numerals_in_years_months_and_days() -> None:
    assert parse_deadline("二〇二〇年十月底前").due == (date(2020, 10, 31),)
    assert parse_deadline("二零二一年三月三十一日前").due == (date(2021, 3, 31),)
    assert parse_deadline("二〇一九年十一月二十日前").due == (date(2019, 11, 20),)
    assert parse_deadline("十二月底前", CHANGZHI_2019).due == (date(2019, 12, 31),)


def test_it_reads_full_width_digits_and_dashes() -> None:
    assert parse_deadline("２０２０年１２月底前").due == (date(2020, 12, 31),)
    got = parse_deadline("２０２３年５－９月")
    assert (got.kind, got.start, got.end) == ("window", date(2023, 5, 1), date(2023, 9, 30))


# --- milestones inside measure text -------------------------------------------------------

def test_it_finds_each_milestone_with_the_phrase_it_governs() -> None:
    text = ("完成汽车制造业等14个大行业23个小行业的排污许可证核发。按照国家规定的序时进度，"
            "11月底前发证率不少于80%；12月20日前基本完成排污许可证年度核发任务。")
    got = find_milestones(text, CHANGZHI_2019)
    assert all(isinstance(m, Milestone) for m in got)
    assert [(m.due, m.phrase, m.text) for m in got] == [
        (date(2019, 11, 30), "发证率不少于80%", "11月底前"),
        (date(2019, 12, 20), "基本完成排污许可证年度核发任务", "12月20日前"),
    ]
    assert got[0].notes  # the year came from the plan period


def test_it_finds_a_milestone_fused_with_its_action() -> None:
    text = ("加速淘汰炭化室高度4.3米焦炉，2023年6月底前全面关停退出4.3米焦炉，力争提前淘汰。")
    got = find_milestones(text, CONTEXTS["changzhi_2022"])
    assert [(m.due, m.phrase, m.text) for m in got] == [
        (date(2023, 6, 30), "全面关停退出4.3米焦炉，力争提前淘汰", "2023年6月底前")]


def test_it_finds_a_start_date_as_a_milestone() -> None:
    text = ("北石店镇范围内的工业企业停止使用国二及以下排放标准的工程机械；"
            "2025年1月1日起，停止使用国三及以下排放标准的工程机械。")
    got = find_milestones(text, ZEZHOU_2023)
    assert [(m.due, m.phrase) for m in got] == [
        (date(2025, 1, 1), "停止使用国三及以下排放标准的工程机械")]


def test_it_stops_a_phrase_at_the_next_date() -> None:
    text = "山西新泰钢铁有限公司在9月底前完成超低排放改造（含清洁运输改造），10月底前完成评估监测。"
    got = find_milestones(text, JINZHONG_2020)
    assert [(m.due, m.phrase) for m in got] == [
        (date(2020, 9, 30), "完成超低排放改造（含清洁运输改造）"),
        (date(2020, 10, 31), "完成评估监测")]


def test_it_takes_the_action_before_a_trailing_date() -> None:
    text = "加快推进市区周边 3 家砖厂搬迁或关停退出，2024 年 12 月底前完成。"
    got = find_milestones(text, ZEZHOU_2023)
    assert [(m.due, m.phrase, m.text) for m in got] == [
        (date(2024, 12, 31), "加快推进市区周边3家砖厂搬迁或关停退出，完成", "2024 年 12 月底前")]


def test_it_finds_heating_season_milestones_and_skips_yearly_ones() -> None:
    text = ("2020年采暖季前，完成散煤治理8.44万户。使用活性炭吸附工艺的企业，"
            "在每年5月底前完成一轮活性炭更换。")
    got = find_milestones(text, JINZHONG_2020)
    assert [(m.due, m.phrase) for m in got] == [(date(2020, 10, 31), "完成散煤治理8.44万户")]


def test_it_reads_milestones_across_ocr_line_breaks() -> None:
    text = ("粉状物料等采用密闭、封闭等方式储存和输送， 2020 年 12\n\n月底前，"
            "各县（市、 区）完成一轮无组织排放排查整治。")
    got = find_milestones(text, CONTEXTS["jincheng_2020"])
    assert [(m.due, m.phrase, m.text) for m in got] == [
        (date(2020, 12, 31), "各县（市、区）完成一轮无组织排放排查整治", "2020 年 12 月底前")]


def test_it_ignores_years_that_are_not_deadlines() -> None:
    assert find_milestones("全市煤炭消费总量较2018年实现负增长。", CHANGZHI_2019) == []
    assert find_milestones("方案于2020年10月13日经市政府常务会议研究通过。", JINZHONG_2020) == []
    assert find_milestones("根据2019年一季度和四季度污染水平确定目标。", JINZHONG_2020) == []


def test_it_keeps_the_year_of_a_bare_year_end_in_the_written_text() -> None:
    got = find_milestones("按照要求制定专项整治方案，年底前取缔一批、整合一批。", CHANGZHI_2019)
    assert [(m.due, m.text, m.phrase) for m in got] == [
        (date(2019, 12, 31), "年底前", "取缔一批、整合一批")]


# --- robustness ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\x00\x07\x1b", "月底前", "年", "2019", "底首",
                                  "9999年99月99日前", "0000年1月1日前", "每年13月底前",
                                  "每月99日前", "2020年13月-14月", "十十十月", "一" * 10_000,
                                  "2020年12月底前" * 5_000])
def test_it_never_raises(text: str) -> None:
    got = parse_deadline(text, CHANGZHI_2019)
    assert isinstance(got, Deadline)
    assert got.kind in KINDS
    assert got.text == text
    assert got.kind != "unknown" or got.notes


def test_it_rejects_impossible_dates_with_a_note() -> None:
    got = parse_deadline("2020年2月30日前")
    assert (got.kind, got.due) == ("unknown", ())
    assert got.notes


def test_a_yearly_season_is_a_monthly_recurrence_inside_it():
    # seed 001 item 17: "每年5月—9月" is the ozone season, not a deadline on 31 May
    for text in ("每年5月—9月", "每年5-9月", "每年5月至9月"):
        deadline = parse_deadline(text, DeadlineContext(plan_year=2023))
        assert deadline.kind == "recurring", text
        assert deadline.rrule == "FREQ=MONTHLY;BYMONTH=5,6,7,8,9;BYMONTHDAY=-1", text
        assert deadline.notes
