"""Plans, tasks, sources and rule sets in words: what every console page shows instead of keys."""

from __future__ import annotations

from scheduler.glossary import AUDIT_ACTIONS, audit_action
from scheduler.web.auditlog import detail_sentence
from scheduler.web.labels import Names, sentence

NAMES = Names({"changzhi-2019": "长治市2019-2020年秋冬季方案", "changzhi-2019x": "另一方案"},
              {"000_ab3fcd49571cab9b.txt": "changzhi-2019"}, {"default": "默认督办规则"})


def test_a_source_reads_as_the_plans_short_title_and_line():
    assert NAMES.source("000_ab3fcd49571cab9b.txt:382") == "《长治市2019-2020年秋冬季方案》第382行"
    assert NAMES.source("999_0000000000000000.txt:5") == "原文件第5行"  # a file no plan claims


def test_a_task_reads_as_its_plan_and_number():
    assert NAMES.task("changzhi-2019/r013") == "《长治市2019-2020年秋冬季方案》013"
    assert NAMES.number("changzhi-2019/r013") == "第013项"
    assert NAMES.task("changzhi-2019x/rail-1") == "《另一方案》rail-1"


def test_free_text_loses_plan_ids_rule_ids_and_file_names():
    text = "依据规则「逾期催办」（default/overdue-urge 第2版）：changzhi-2019/r001 见 000_ab3fcd49571cab9b.txt:20"
    assert NAMES.words(text) == ("依据规则「逾期催办」（《默认督办规则》第2版）：《长治市2019-2020年秋冬季方案》001 "
                                 "见 《长治市2019-2020年秋冬季方案》第20行")
    assert NAMES.words("changzhi-2019x 与 changzhi-2019") == "另一方案 与 长治市2019-2020年秋冬季方案"


def test_a_note_naming_a_seed_document_by_number_reads_as_its_plan():
    assert NAMES.words("原文未写明是哪些县区（如种子000“对保留的焦炉”一行）") == (
        "原文未写明是哪些县区（如《长治市2019-2020年秋冬季方案》“对保留的焦炉”一行）")
    assert NAMES.words("种子007 的一行") == "种子007 的一行"  # no plan came from it: left as written


def test_stored_values_read_as_sentences_never_as_python_reprs():
    assert sentence(["潞州区人民政府", "襄垣县人民政府"], NAMES) == "潞州区人民政府、襄垣县人民政府"
    assert sentence({"a": [1, 2]}, NAMES) == "a：1、2"
    assert sentence([], NAMES) == "（无）" and sentence(True, NAMES) == "是"
    detail = detail_sentence({"from": "pending_review", "to": "approved", "reason": "", "units": ["甲", "乙"]}, NAMES)
    assert detail == "原状态：待审核；新状态：已批准待发；理由：（空）；单位：甲、乙"


def test_every_audit_action_has_words_and_an_unknown_one_shows_its_family():
    assert audit_action("web.login") == "登录控制台" and all(label for label in AUDIT_ACTIONS.values())
    assert audit_action("task.something_new") == "任务：something_new"
