from __future__ import annotations

from scheduler.letters.basis import PlanRef, legal_basis, nest_quotes, split_article, summoned, summoned_short

CLAUSE_2022 = ("（五）强化考核督察。对环境空气质量改善幅度达不到序时进度、重点任务进展缓慢的县区，及时下发预警通知函。"
               "对重点任务进展严重滞后、环境空气质量持续恶化、大气环境问题突出、未完成空气质量改善目标任务、"
               "中央生态环境保护督察反馈问题整改不力的县区，组织开展约谈政府主要负责人，并依法依规对相关责任人进行严肃问责。")
PLAN_2022 = PlanRef("长治市空气质量再提升2022－2023年行动计划", "长政办发〔2023〕14号", CLAUSE_2022)
PLAN_2019 = PlanRef("长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解")
JINZHONG = PlanRef("晋中市2020-2021年秋冬季大气污染综合治理攻坚行动实施方案", "",
                   "（二十一）强化考核督察。市政府将对空气质量指数（AQI）持续“爆表”的县（区、市），公开约谈政府主要负责人。")


def test_a_warning_to_a_county_quotes_its_plans_clause_with_the_article_number():
    basis = legal_basis([PLAN_2022], "warning", "county_government")
    assert basis.opening == (
        "根据《长治市空气质量再提升2022－2023年行动计划》（长政办发〔2023〕14号）第（五）项“强化考核督察”中"
        "“对环境空气质量改善幅度达不到序时进度、重点任务进展缓慢的县区，及时下发预警通知函”的规定")


def test_an_interview_quotes_the_interview_sentence_not_the_warning_one():
    basis = legal_basis([PLAN_2022], "interview", "county_government")
    assert "组织开展约谈政府主要负责人" in basis.opening and "预警通知函" not in basis.opening


def test_a_city_bureau_is_never_quoted_a_sentence_about_counties():
    basis = legal_basis([PLAN_2022], "warning", "city_department")
    assert "县区" not in basis.opening and "政府主要负责" not in basis.opening
    assert basis.opening.startswith("按照《长治市空气质量再提升2022－2023年行动计划》")


def test_a_plan_without_a_clause_cites_the_offices_standing_basis_or_a_neutral_formula():
    standing = "《长治市大气污染防治工作督查督办办法》第八条"
    assert legal_basis([PLAN_2019], "warning", "county_government", standing).opening == (
        f"根据{standing}的规定和《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解》的任务分工")
    neutral = legal_basis([PLAN_2019], "warning", "county_government")
    assert neutral.opening == (
        "按照《长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解》确定的任务分工和完成时限要求")


def test_quotation_marks_inside_a_quotation_become_single_ones():
    assert nest_quotes("持续“爆表”的县") == "持续‘爆表’的县"
    assert nest_quotes("＂爆表”与\"一刀切\"") == "‘爆表’与‘一刀切’"
    basis = legal_basis([JINZHONG], "interview", "county_government")
    assert "“市政府将对空气质量指数（AQI）持续‘爆表’的县（区、市），公开约谈政府主要负责人”" in basis.opening
    assert basis.opening.count("“") == basis.opening.count("”")


def test_the_article_number_and_heading_are_read_off_the_clause():
    assert split_article(CLAUSE_2022)[:2] == ("（五）", "强化考核督察")
    assert split_article("对重点任务进展缓慢的县区，及时下发预警通知函。") == (
        "", "", "对重点任务进展缓慢的县区，及时下发预警通知函。")


def test_who_is_summoned_follows_the_addressees_kind():
    assert summoned("潞州区人民政府", "county_government") == "潞州区人民政府主要负责同志"
    assert summoned("长治市能源局", "city_department") == "长治市能源局主要负责同志"
    assert summoned_short("county_government") == "政府主要负责同志"
    assert summoned_short("city_department") == "单位主要负责同志"
    assert summoned_short("zone_committee") == "政府主要负责同志"
