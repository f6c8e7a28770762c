"""What the one-command import infers about a plan from its text, and what it asks for."""

from __future__ import annotations

from scheduler.plans.importers.plan_import import Given, plan_meta, read_draft

CHAOZHOU_LIKE = """某某市打赢蓝天保卫战实施方案
为落实《某某省人民政府关于印发<某某省打赢蓝天保卫战实施方案(2018-2020年)>的通知》(某府〔2018〕128号)部署要求,制定本实施方案。
二、工作任务
1.制定实施准入清单。完成清单编制工作。〔市生态环境局牵头,各县、区人民政府负责落实〕
"""


def test_a_cited_number_is_not_the_plans_own_but_its_year_is_the_last_guess(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(CHAOZHOU_LIKE, encoding="utf-8")
    draft = read_draft(source)
    assert draft.facts.document_number == ""
    assert draft.facts.cited_numbers == ["某府〔2018〕128号"]
    meta, missing, notes = plan_meta(draft, Given(region="某某市"))
    assert meta["document_number"] == "" and meta["plan_year"] == 2018 and missing == []
    assert any("按所引文件 某府〔2018〕128号 取 2018 年" in note for note in notes)


def test_the_latest_cited_year_is_taken_and_a_date_in_the_tasks_comes_first(tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text(CHAOZHOU_LIKE.replace(
        "部署要求", "和《某某市实施方案》(某市府〔2019〕3号)部署要求"), encoding="utf-8")
    meta, _, _ = plan_meta(read_draft(source), Given(region="某某市"))
    assert meta["plan_year"] == 2019
    source.write_text(CHAOZHOU_LIKE.replace("完成清单编制工作", "2020年6月底前完成清单编制工作"), encoding="utf-8")
    meta, _, notes = plan_meta(read_draft(source), Given(region="某某市"))
    assert meta["plan_year"] == 2020 and not any("所引文件" in note for note in notes)
