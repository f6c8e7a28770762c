"""Metric facts in letters: a metric notice's figures become the letter's 存在问题 / 约谈事由, rendered
through the shipped templates; task letters are unchanged."""

from __future__ import annotations

from datetime import date

from scheduler.letters.content import SAMPLE_PLAN, build_letter, metric_facts, sample_notices
from scheduler.letters.render import Renderer
from tests.escalation.metrics.builders import LUCHENG, ROOT

NOTICE = {
    "key": f"pm25-prorata-warning|changzhi-2019|{LUCHENG}|2019-12-31", "level": "warning",
    "kind": "prorata_off_track", "unit": LUCHENG, "due": None, "clause": "001 五（五）",
    "explanation": "【预警通知函】……", "task_id": "",
    "facts": {"assessment": "mean", "region": "潞城区", "metric": "PM2.5", "measure_unit": "微克/立方米",
              "period_start": "2019-10-01", "checkpoint": "2019-12-31", "value": 66.7, "limit": 65.1, "gap": 1.6,
              "required_rest": 63.5, "days_with_data": 92, "days_elapsed": 92, "rank": 12, "rank_of": 12,
              "target_basis": "2018-2019年同期70微克/立方米，下降7%",
              "finding": "潞城区PM2.5累计平均浓度66.7微克/立方米，未达到序时进度"},
}


def test_metric_facts_read_the_stored_figures():
    facts = metric_facts(NOTICE)
    assert facts.summary == "潞城区PM2.5累计平均浓度66.7微克/立方米，未达到序时进度"
    assert dict(facts.figures) == {
        "考核时段": "2019年10月1日至2019年12月31日",
        "PM2.5累计平均浓度": "66.7微克/立方米",
        "目标": "65.1微克/立方米（2018-2019年同期70微克/立方米，下降7%）",
        "差距": "高出1.6微克/立方米",
        "有效监测天数": "92天（应有92天）",
        "县区排名": "第12名（共12个县区）",
        "剩余期间须控制在": "63.5微克/立方米以下",
    }
    assert metric_facts(sample_notices()[0]) is None


def test_a_metric_warning_letter_prints_the_figures_and_no_task_table():
    letter = build_letter("warning", [NOTICE], SAMPLE_PLAN, {"name": LUCHENG}, date(2020, 1, 7),
                          "长大气办函〔2020〕3号")
    assert letter.title == f"关于{LUCHENG}环境空气质量改善未达到序时进度要求的预警通知函"
    assert letter.rows == () and len(letter.metrics) == 1
    blocks = Renderer(ROOT / "templates").letter_blocks(letter)
    texts = [b.head + b.text for b in blocks]
    assert "table" not in {b.kind for b in blocks}
    assert "经监测和调度，潞城区PM2.5累计平均浓度高于序时进度目标，未达到序时进度要求，具体情况如下：" in texts
    assert sum(text.count("66.7微克/立方米") for text in texts) == 1  # each figure stated once
    assert "县区排名：第12名（共12个县区）。" in texts
    assert "（三）于2020年1月17日前将书面整改情况报送市大气办。" in texts  # 10 days, no calendar given


def test_a_metric_interview_letter_states_the_figures_as_its_reason():
    notice = {**NOTICE, "level": "interview", "kind": "aqi_off_scale",
              "facts": {"assessment": "aqi_off_scale", "region": "襄垣县", "first_day": "2020-01-15",
                        "last_day": "2020-01-16", "days": 2, "values": [540, 565], "threshold": 500,
                        "threshold_days": 2, "finding": "襄垣县连续2天AQI超过500"}}
    letter = build_letter("interview", [notice], SAMPLE_PLAN, {"name": "襄垣县人民政府"}, date(2020, 1, 20),
                          "长大气办函〔2020〕5号")
    texts = [b.head + b.text for b in Renderer(ROOT / "templates").letter_blocks(letter)]
    assert texts[texts.index("一、约谈事由") + 1] == "襄垣县空气质量指数持续“爆表”，具体情况如下："
    assert "时段：2020年1月15日至2020年1月16日（连续2天）。" in texts
    assert "空气质量指数：540、565。" in texts
    message = Renderer(ROOT / "templates").letter_message(letter)
    assert "有关情况：襄垣县连续2天AQI超过500。" in message and "涉及任务" not in message


def test_task_letters_keep_their_task_table():
    letter = build_letter("warning", sample_notices(), SAMPLE_PLAN, {"name": LUCHENG}, date(2019, 12, 20),
                          "长大气办函〔2019〕12号")
    assert len(letter.rows) == 2 and letter.metrics == ()
    assert "table" in {b.kind for b in Renderer(ROOT / "templates").letter_blocks(letter)}


def test_a_metric_warning_is_titled_after_what_was_assessed():
    def title(facts: dict) -> str:
        notice = {**NOTICE, "facts": {**facts, "region": "潞城区", "finding": "……"}}
        return build_letter("warning", [notice], SAMPLE_PLAN, {"name": LUCHENG}, date(2020, 1, 20),
                            "长大气办函〔2020〕4号").title

    assert title({"assessment": "aqi_off_scale", "first_day": "2020-01-15", "last_day": "2020-01-16", "days": 2,
                  "values": [540, 565], "threshold": 500, "threshold_days": 2}) == \
        f"关于{LUCHENG}空气质量指数持续“爆表”的预警通知函"
    assert title({"assessment": "dust_fall", "month": "2019-12", "value": 9.6, "cap": 9, "excess": 0.6}) == \
        f"关于{LUCHENG}降尘量超过控制要求的预警通知函"
    assert title(NOTICE["facts"]) == f"关于{LUCHENG}环境空气质量改善未达到序时进度要求的预警通知函"
