from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.errors import InputError
from scheduler.letters.content import build_letter, copied_to, zh_date
from scheduler.letters.digest import build_digest
from scheduler.letters.numbers import DocNumber, format_number, next_serial, parse_number
from scheduler.letters.render import Renderer
from scheduler.letters.samples import sample_letter, sample_notices

ISSUE = date(2019, 12, 20)
PLAN = {
    "title": "长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案",
    "number": "长政办发〔2019〕78号",
    "clause": "对重点任务进展缓慢的县区，及时下发预警通知函。",
    "issuer": "长治市大气污染防治工作领导组办公室",
    "contact": "（联系人：王明；联系电话：0355-2021234）",
}
UNIT = {"name": "潞州区人民政府"}


def test_it_formats_document_numbers_with_hexagonal_brackets_and_no_padding():
    assert format_number("长大气办函", 2019, 12) == "长大气办函〔2019〕12号"
    assert str(DocNumber("晋市环函", 2020, 3)) == "晋市环函〔2020〕3号"


def test_it_reads_the_bracket_and_padding_variants_people_type():
    expected = DocNumber("长大气办函", 2019, 12)
    for text in ("长大气办函〔2019〕12号", "长大气办函[2019]12号", "长大气办函【2019】第012号",
                 "长大气办函（2019）12号", " 长大气办函 〔2019〕 12 号 "):
        assert parse_number(text) == expected, text


def test_strict_parsing_refuses_what_the_standard_forbids():
    for text in ("长大气办函[2019]12号", "长大气办函〔2019〕012号", "长大气办函〔19〕12号",
                 "长大气办函〔2019〕第12号"):
        with pytest.raises(InputError):
            parse_number(text, strict=True)


def test_a_bad_number_names_the_file_and_line():
    with pytest.raises(InputError) as caught:
        parse_number("十二号", file="data/letters.yaml", line=7)
    assert str(caught.value).startswith("data/letters.yaml:7: 发文字号无法识别")


def test_the_next_serial_follows_the_highest_without_filling_gaps():
    assert next_serial([]) == 1
    assert next_serial([1, 2, 5]) == 6


def test_it_writes_dates_unpadded_in_arabic_numerals():
    assert zh_date(date(2024, 7, 2)) == "2024年7月2日"


def test_a_warning_letter_carries_issuer_number_basis_rows_and_reply_date():
    letter = build_letter("warning", sample_notices(), PLAN, UNIT, ISSUE, "长大气办函〔2019〕12号")
    assert letter.kind_name == "预警通知函"
    assert letter.title == "关于潞州区人民政府大气污染防治重点任务进展缓慢的预警通知函"
    assert letter.addressee == "潞州区人民政府"
    assert letter.signature == "长治市大气污染防治工作领导组办公室"
    assert letter.basis.citation == (
        "《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案》（长政办发〔2019〕78号）")
    assert letter.basis.quote == "对重点任务进展缓慢的县区，及时下发预警通知函"
    first, second = letter.rows
    assert (first.number, first.task_id, first.deadline, first.overdue, first.progress) == (
        1, "cz2019-12", "2019年11月30日", "逾期12个工作日", "已完成68%")
    assert (second.deadline, second.overdue, second.progress) == (
        "2019年12月15日", "逾期3个工作日", "未报送进展")
    assert letter.reply_by == date(2019, 12, 30)  # ten calendar days without a work calendar
    assert "于2019年12月30日前将书面整改情况报送市大气办。" in letter.rectification
    assert letter.cc_line == "抄送：市生态环境局，市政府督查室。"
    assert letter.notice_keys == tuple(n["key"] for n in sample_notices())


def test_a_letter_to_the_bureau_the_ladder_copies_is_not_copied_to_itself():
    for name in ("长治市生态环境局", "潮州市生态环境局"):
        letter = build_letter("warning", sample_notices(), PLAN, {**UNIT, "name": name}, ISSUE,
                              "长大气办函〔2019〕12号")
        assert letter.cc_line == "抄送：市政府督查室。", name
    county = build_letter("warning", sample_notices(), PLAN, {**UNIT, "name": "襄垣县生态环境局"}, ISSUE,
                          "长大气办函〔2019〕12号")
    assert county.cc_line == "抄送：市生态环境局，市政府督查室。"  # the city bureau is not the county's
    assert copied_to(("市政府督查室", "长治市能源局"), "长治市能源局") == ("市政府督查室",)


def test_an_interview_notice_copies_the_discipline_commission_and_counts_workdays():
    def add_workdays(day: date, n: int) -> date:  # Mon-Fri stand-in for the work calendar
        while n:
            day += timedelta(days=1)
            n -= day.weekday() < 5
        return day

    plan = dict(PLAN, interview={"time": "2019年12月25日上午9:00", "place": "市政府第三会议室"})
    letter = build_letter("interview", sample_notices(), plan, UNIT, ISSUE,
                          "长大气办函〔2019〕13号", add_workdays=add_workdays)
    assert letter.title == "关于约谈潞州区人民政府主要负责同志的通知"
    assert letter.cc == ("市生态环境局", "市政府督查室", "市纪委监委")
    assert letter.reply_by == date(2020, 1, 17)  # 20 working days after Friday 20 December
    assert letter.interview is not None
    assert letter.interview.place == "市政府第三会议室"
    assert letter.interview.bring == ("情况说明", "整改方案", "表态发言")


def test_an_urge_for_one_task_names_the_task_in_its_title():
    letter = build_letter("urge", sample_notices()[:1], PLAN, UNIT, ISSUE, "长大气办函〔2019〕14号")
    assert letter.title == "关于加快办理“完成城中村和城乡结合部散煤清洁化替代”的催办通知"


def test_a_letter_refuses_a_number_from_another_year_or_no_notices():
    with pytest.raises(ValueError, match="年份"):
        build_letter("warning", sample_notices(), PLAN, UNIT, ISSUE, "长大气办函〔2018〕12号")
    with pytest.raises(ValueError, match="空函"):
        build_letter("warning", [], PLAN, UNIT, ISSUE, "长大气办函〔2019〕12号")
    with pytest.raises(ValueError, match="issuer"):
        build_letter("warning", sample_notices(), {"title": "x", "clause": "y"}, UNIT, ISSUE,
                     "长大气办函〔2019〕12号")


def test_a_bulletin_is_not_built_from_one_units_notices():
    # The 通报 body counts and ranks every unit (scheduler.letters.bulletin); a unit's notices cannot fill it.
    with pytest.raises(ValueError, match="duban bulletin"):
        build_letter("bulletin", sample_notices(), PLAN, UNIT, ISSUE, "长大气办函〔2019〕12号")
    with pytest.raises(ValueError, match="duban bulletin"):
        sample_letter("bulletin")
    with pytest.raises(ValueError, match="未知的公文类型"):
        build_letter("memo", sample_notices(), PLAN, UNIT, ISSUE, "长大气办函〔2019〕12号")


def test_every_sample_letter_renders_with_its_kinds_body():
    for kind in ("urge", "warning", "interview"):
        letter = sample_letter(kind)
        assert letter.kind == kind and letter.title in Renderer().letter_html(letter)


def test_the_digest_puts_every_notice_in_exactly_one_section():
    notices = [
        {"key": "a", "level": "reminder", "kind": "before_due", "due": "2019-12-27",
         "task_title": "甲"},
        {"key": "b", "level": "urge", "kind": "overdue", "due": "2019-12-10", "task_title": "乙"},
        {"key": "c", "level": "urge", "kind": "progress_missing", "due": None, "task_title": "丙"},
        {"key": "d", "level": "warning", "kind": "overdue", "due": "2019-11-30",
         "task_title": "丁"},
        {"key": "e", "level": "warning", "kind": "overdue", "due": "2019-11-30", "task_title": "戊",
         "acknowledged_on": "2019-12-02"},
        {"key": "f", "level": "reminder", "kind": "recurring", "due": None, "task_title": "己"},
    ]
    digest = build_digest(UNIT, notices, ISSUE)
    assert [i.key for i in digest.due_soon] == ["a"]
    assert digest.due_soon[0].days == 7
    assert [i.key for i in digest.overdue] == ["e", "b"]  # earliest deadline first
    assert digest.overdue[1].days == 10
    assert [i.key for i in digest.progress_missing] == ["c"]
    assert [i.key for i in digest.awaiting_ack] == ["d"]
    assert [i.key for i in digest.other] == ["f"]
    assert digest.total == 6
    assert digest.due_soon[0].level_name == "到期提醒"


def test_digest_lines_name_plan_task_number_and_measure_and_never_repeat():
    base = {"level": "urge", "kind": "overdue", "due": "2020-03-31", "task_title": "钢铁超低排放",
            "plan_title": "长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解"}
    notices = [
        {**base, "key": "a", "task_id": "p/r040", "task_number": 40, "measure": "完成首钢长钢超低排放改造。"},
        {**base, "key": "b", "task_id": "p/r041", "task_number": 41, "measure": "完成潞宝钢铁超低排放改造。"},
        {**base, "key": "c", "task_id": "p/r041", "task_number": 41, "measure": "完成潞宝钢铁超低排放改造。"},
    ]
    digest = build_digest(UNIT, notices, date(2020, 4, 10))
    labels = [i.label for i in digest.overdue]
    assert labels == ["【长治市2019-2020年秋冬季方案 第40项】钢铁超低排放：完成首钢长钢超低排放改造",
                      "【长治市2019-2020年秋冬季方案 第41项】钢铁超低排放：完成潞宝钢铁超低排放改造"]
    text = Renderer().digest_text(digest)
    assert text.count("第41项") == 1 and "时限2020年3月31日" in text


def test_an_interview_for_air_quality_and_tasks_on_one_day_lists_both():
    metric = {"key": "m", "level": "interview", "kind": "aqi_off_scale", "unit": "潞州区人民政府",
              "facts": {"assessment": "aqi_off_scale", "region": "潞州区", "finding": "潞州区AQI连续2天“爆表”",
                        "first_day": "2020-01-15", "last_day": "2020-01-16", "days": 2, "values": [540.0, 565.0],
                        "threshold": 500.0, "threshold_days": 2}}
    letter = build_letter("interview", [metric, *sample_notices()], PLAN, UNIT, ISSUE, "长大气办函〔2019〕13号")
    text = "\n".join(b.text or b.head for b in Renderer().letter_blocks(letter))
    assert "潞州区空气质量指数持续“爆表”，具体情况如下：" in text and "以下2项重点任务进展严重滞后" in text
    assert text.count("540、565") == 1  # each figure once: the lead sentence carries none
    assert len(letter.rows) == 2 and len(letter.metrics) == 1
