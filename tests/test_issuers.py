"""The issuer table is the office's configuration: config.yaml's `issuers:`, the shipped table when
the section is absent, none when it is empty, and a bad entry refused with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.errors import InputError
from scheduler.issuers import SHIPPED, Issuer, Issuers
from scheduler.letters.numbers import DocNumber

ROOT = Path(__file__).resolve().parents[1]
CHAOZHOU = Issuer("潮州市大气污染防治工作领导小组办公室", "潮大气办函")


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("database: sqlite:///x.db\n" + text, encoding="utf-8")
    return path


def test_a_config_without_the_section_keeps_the_shipped_table(tmp_path):
    issuers = load_config(config_file(tmp_path, "timezone: Asia/Shanghai\n")).letter_issuers
    assert issuers == SHIPPED
    assert issuers.for_region("泽州县") == Issuer("晋城市大气污染防治工作领导组办公室", "晋城大气办函")
    assert issuers.names() == ["长治市大气污染防治工作领导组办公室", "晋中市大气污染防治工作领导组办公室",
                               "晋城市大气污染防治工作领导组办公室"]


def test_the_shipped_config_yaml_shows_exactly_the_default():
    assert load_config(ROOT / "config.yaml").letter_issuers == SHIPPED


def test_a_configured_region_gets_its_office_and_the_others_keep_theirs(tmp_path):
    path = config_file(tmp_path, "issuers:\n  潮州: {name: 潮州市大气污染防治工作领导小组办公室, prefix: 潮大气办函}\n"
                                 "  长治: {name: 长治市大气污染防治工作领导组办公室, prefix: 长大气办函}\n")
    issuers = load_config(path).letter_issuers
    assert issuers.for_region("潮州市") == CHAOZHOU
    assert issuers.for_region("长治市").prefix == "长大气办函"
    assert not issuers.covers("晋中市")  # a section replaces the shipped table, it does not add to it


def test_an_empty_section_means_no_office_and_says_where_to_add_one(tmp_path):
    issuers = load_config(config_file(tmp_path, "issuers: {}\n")).letter_issuers
    assert issuers == Issuers() and issuers.names() == []
    every_entry_commented_out = "issuers:\n  # 长治: {name: 长治市大气办, prefix: 长大气办函}\n"
    assert load_config(config_file(tmp_path, every_entry_commented_out)).letter_issuers == Issuers()
    with pytest.raises(LookupError) as caught:
        issuers.for_region("长治市")
    assert "没有为地区“长治市”配置发文机关，无法编发文号" in str(caught.value)
    assert "config.yaml 的 issuers" in str(caught.value)


@pytest.mark.parametrize("prefix", ["潮大气办函2", "潮 大气办函", "潮大气〔办〕函", "潮大气办函（一）", "''"])
def test_a_bad_prefix_is_refused_with_file_line_and_key(tmp_path, prefix):
    path = config_file(tmp_path, "issuers:\n  长治: {name: 长治市大气污染防治工作领导组办公室, prefix: 长大气办函}\n"
                                 f"  潮州:\n    name: 潮州市大气污染防治工作领导小组办公室\n    prefix: {prefix}\n")
    with pytest.raises(InputError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.where) == (str(path), 6, "issuers.潮州.prefix")
    assert "机关代字" in problem.message


def test_an_entry_without_a_name_is_refused_at_its_line(tmp_path):
    path = config_file(tmp_path, "issuers:\n  潮州: {name: ' ', prefix: 潮大气办函}\n")
    with pytest.raises(InputError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.where) == (3, "issuers.潮州.name") and "发文机关名称不能为空" in problem.message


def test_a_key_that_an_earlier_key_shadows_is_refused(tmp_path):
    path = config_file(tmp_path, "issuers:\n  晋城: {name: 晋城市大气办, prefix: 晋城大气办函}\n"
                                 "  晋城市城区: {name: 城区大气办, prefix: 城大气办函}\n")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert "“晋城市城区”含有排在它前面的“晋城”" in caught.value.problems[0].message


def test_the_prefix_rule_is_the_document_numbers_own():
    assert str(DocNumber(CHAOZHOU.prefix, 2019, 1)) == "潮大气办函〔2019〕1号"
    with pytest.raises(ValueError, match="机关代字无效"):
        DocNumber("潮大气〔办〕函", 2019, 1)


def test_offices_are_matched_as_a_coordinator_writes_them():
    issuers = Issuers.of([("潮州", CHAOZHOU), *SHIPPED.entries])
    assert issuers.matching("潮州市大气办") == [CHAOZHOU.name]
    assert issuers.matching("晋城") == ["晋城市大气污染防治工作领导组办公室"]
    assert issuers.matching("") == [] and issuers.office_of("太原市") is None
