"""A plan's title, issuer, number, date, period and region, read from its own text."""

from __future__ import annotations

from datetime import date

from scheduler.plans.importers.metadata import plan_id_for, read_facts


def test_a_cover_letter_gives_issuer_title_number_and_date():
    facts = read_facts(["某某市人民政府办公室文件", "某政办发〔2024〕7号", "某某市人民政府办公室",
                        "关于印发某某市2024年大气污染防治", "重点任务清单的通知",  # a title broken over two lines
                        "各县（市、区）人民政府：", "现将《某某市2024年大气污染防治重点任务清单》印发给你们。",
                        "某某市人民政府办公室", "2024年3月1日"])
    assert facts.title == "某某市2024年大气污染防治重点任务清单"
    assert facts.issuer == "某某市人民政府办公室"
    assert facts.document_number == "某政办发〔2024〕7号"
    assert facts.issue_date == date(2024, 3, 1)
    assert facts.region == "某某市"
    assert (facts.period_start, facts.period_end, facts.plan_year) == (date(2024, 1, 1), date(2024, 12, 31), 2024)


def test_an_autumn_and_winter_plan_runs_october_to_march():
    facts = read_facts(["某某市2019-2020年秋冬季大气污染综合治理攻坚行动方案"])
    assert (facts.period_start, facts.period_end, facts.plan_year) == (date(2019, 10, 1), date(2020, 3, 31), 2019)


def test_a_range_of_years_covers_them_whole_and_its_plan_year_is_the_last():
    facts = read_facts(["某某市人民政府关于印发《某某市空气质量再提升2022－2023年行动计划》的通知"])
    assert facts.title == "某某市空气质量再提升2022－2023年行动计划"
    assert (facts.period_start, facts.period_end, facts.plan_year) == (date(2022, 1, 1), date(2023, 12, 31), 2023)


def test_a_county_named_after_its_city_is_the_region():
    assert read_facts(["某某市某某县人民政府关于印发《某某县2023年重点任务》的通知"]).region == "某某县"
    assert read_facts(["泽州县空气质量再提升2023年行动计划重点工作任务台账"]).region == "泽州县"


def test_a_table_header_is_never_taken_for_the_title():
    facts = read_facts(["序号\t工作任务\t完成时间\t责任部门", "1\t整治燃煤锅炉\t2024年6月底前\t市生态环境局"])
    assert facts.title is None and facts.region is None and facts.plan_year is None


def test_the_issuer_is_found_beside_the_signature_date():
    facts = read_facts(["某某县2024年扬尘治理方案", "一、目标", "……", "某某县人民政府", "2024年5月6日"])
    assert facts.issuer == "某某县人民政府"
    assert facts.issue_date == date(2024, 5, 6)


def test_a_plan_id_is_the_regions_pinyin_and_the_year():
    assert plan_id_for("泽州县", 2023) == "zezhou-2023"
    assert plan_id_for("晋中市", 2020) == "jinzhong-2020"


def test_a_web_page_names_the_plan_inside_the_notices_title():
    notice = "某政发〔2018〕9号《某某市人民政府关于印发〈某某市打赢蓝天保卫战三年行动方案(2018-2020年)〉的通知》"
    facts = read_facts([notice, "某某市人民政府", "2018年6月29日"])
    assert facts.title == "某某市打赢蓝天保卫战三年行动方案(2018-2020年)"
    assert facts.issuer == "某某市人民政府" and facts.region == "某某市"
    assert facts.plan_year == 2018  # the year it was issued in, within the years it covers


def test_a_document_the_plan_cites_is_not_its_title():
    facts = read_facts(["为贯彻落实《国务院关于印发打赢蓝天保卫战三年行动计划的通知》，根据《某省大气污染防治条例》，"
                        "结合实际，制定本方案。"])
    assert facts.title is None and facts.region is None


def test_traditional_characters_are_read_like_simplified():
    facts = read_facts(["日前,湖北某陽印發《某陽市2019年打贏藍天保衛戰工作要點》。全文如下:"])
    assert facts.title == "某陽市2019年打贏藍天保衛戰工作要點" and facts.plan_year == 2019


def test_the_region_descends_from_province_to_city_to_county():
    assert read_facts(["某某省某某市某某县人民政府关于印发《扬尘治理方案》的通知"]).region == "某某县"
    assert read_facts(["上海市某某区环境保护委员会办公室", "2018年8月9日"]).region == "某某区"
    assert read_facts(["某城市城市管理局2024年扬尘治理工作方案"]).region == "某城市"


def test_page_clutter_around_the_signature_and_title_is_ignored():
    facts = read_facts(["某某市2018年度藍(lán)天保衛(wèi)戰(zhàn)實(shí)施方案", "?????????? ?某某市人民政府",
                        "????? 2018年12月24日"])
    assert facts.title == "某某市2018年度藍天保衛戰實施方案"
    assert facts.issuer == "某某市人民政府" and facts.issue_date == date(2018, 12, 24)


def test_a_title_without_a_year_leaves_the_year_to_the_deadlines_or_the_date():
    facts = read_facts(["某某省人民政府關於印發某某省大氣污染防治行動計畫實施方案的通知", "某政〔2013〕89號",
                        "2013年12月30日"])
    assert facts.title == "某某省大氣污染防治行動計畫實施方案" and facts.document_number == "某政〔2013〕89號"
    assert facts.plan_year is None and facts.issue_date == date(2013, 12, 30)
    assert read_facts(["某某自治區空氣質量持續改善行動實施方案"]).region == "某某自治區"


def test_a_news_page_names_the_region_before_the_plan():
    facts = read_facts(["日前，内蒙古二连浩特市印发《2018年度大气污染防治实施计划》。"])
    assert facts.title == "2018年度大气污染防治实施计划" and facts.region == "二连浩特市"


def test_the_official_division_list_names_the_region():
    assert read_facts(["山西省晋城市泽州县人民政府关于印发《扬尘治理方案》的通知"]).region == "泽州县"
    assert read_facts(["关于进一步帮助市场主体纾困解难的实施细则"]).region is None


def test_a_web_pages_publication_date_stands_in_for_a_missing_signature():
    facts = read_facts(["某某市河长制办公室关于印发《某某市全面推行河长制主要任务分解方案》的通知",
                        "发布日期:2018-07-09     浏览次数:"])
    assert facts.issue_date == date(2018, 7, 9) and facts.region == "某某市"


def test_a_number_after_a_cited_title_is_the_cited_documents_not_the_plans():
    facts = read_facts(["某某市打赢蓝天保卫战实施方案(2019-2020年)",
                        "为落实《某某省人民政府关于印发<某某省打赢蓝天保卫战实施方案(2018-2020年)>的通知》"
                        "(某府〔2018〕128号)部署要求,制定本实施方案。",
                        "2.全面落实《某某市人民政府关于印发某某市整治工作方案的通知》(某市府〔2018〕17号)要求。"])
    assert facts.document_number == ""
    assert facts.title == "某某市打赢蓝天保卫战实施方案(2019-2020年)"


def test_a_number_in_a_sentence_that_cites_by_根据_or_按照_is_no_plans_number():
    for line in ("根据省政府办公厅有关通知(某府办〔2018〕3号)要求，制定本方案。",
                 "按照省大气办部署（某气办〔2019〕5号），结合我市实际，制定本方案。"):
        assert read_facts(["某某市大气污染防治实施方案", line]).document_number == "", line


def test_the_plans_own_number_wins_over_a_cited_one_wherever_each_stands():
    facts = read_facts(["某某市人民政府办公室关于印发某某市2020年大气污染防治实施方案的通知",
                        "各县区人民政府：为贯彻《某某省方案》（某政发〔2019〕9号），现将方案印发给你们。",
                        "某政办发〔2020〕28号"])
    assert facts.document_number == "某政办发〔2020〕28号"
    header = read_facts(["某某市人民政府办公室文件", "（某政办发〔2020〕28号）",
                         "根据《某某省方案》（某政发〔2019〕9号）"])
    assert header.document_number == "某政办发〔2020〕28号"


def test_a_news_page_gives_the_plans_own_number_after_its_own_title():
    facts = read_facts(["近日，某某市人民政府办公室印发《某某市2020年大气污染防治实施方案》（某政办发〔2020〕3号）。"])
    assert facts.title == "某某市2020年大气污染防治实施方案"
    assert facts.document_number == "某政办发〔2020〕3号"


def test_a_number_keeps_no_label_or_title_words_run_into_it():
    assert read_facts(["文号：某政办发〔2018〕61号"]).document_number == "某政办发〔2018〕61号"
    run_on = read_facts(["某某区人民政府办公室关于印发某某区2018年实施计划的通知 某政办发〔2018〕42号"])
    assert run_on.document_number == "某政办发〔2018〕42号"
