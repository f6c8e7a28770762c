"""Seed 003's OCR-scrambled attachment (晋城市 2020-2021 任务清单) and its hand-repair overlay."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.plans.importers.ocr_table import (
    clean_deadline,
    find_anchors,
    import_ocr_attachment,
    load_repairs,
    parse_units,
    split_rows,
    unit_fragment,
)

SEED = Path(__file__).resolve().parents[3] / "data" / "sources" / "003_fc497d6f985ed3f6.txt"
REPAIRS = Path(__file__).resolve().parents[3] / "data" / "repairs" / "jincheng-2020-attachment.yaml"
PLAN = "jincheng-2020"
FILE = "003_fc497d6f985ed3f6.txt"
ATTACHMENT_LINE = 756  # "附件：晋城市 2020-2021 年秋冬季大气污染综合治理攻坚"
ALL_COUNTIES = "各县（市、区）人民政府"

# Counted by hand: the 完成时限 cells of the attachment sit on lines 772, 781, 787, 795, 809, 825
# (page 1: 6), 836, 844, 853, 859, 870, 874, 879, 888, 896 (page 2: 9), 910, 915, 920, 931, 935,
# 941, 948, 956 (page 3: 8), 966, 972, 977, 982, 986, 998, 1004, 1010, 1015 (page 4: 9), 1026,
# 1034, 1039, 1048, 1056, 1064, 1072 (page 5: 7) — 39 rows. "持续开展" on line 792 is prose.
ROWS = 39


@pytest.fixture(scope="module")
def result():
    return import_ocr_attachment(SEED, PLAN, REPAIRS, start_line=ATTACHMENT_LINE)


@pytest.fixture(scope="module")
def tasks(result):
    return {task.id.split("/")[1]: task for task in result.tasks}


def test_it_reads_all_39_rows_in_table_order(result):
    assert [t.id for t in result.tasks] == [f"{PLAN}/A{n}" for n in range(1, ROWS + 1)]
    assert result.problems == []
    firsts = [int(t.source.split(":")[1].split("-")[0]) for t in result.tasks]
    assert firsts == sorted(firsts)


def test_it_reads_the_first_row_relocation_of_polluting_firms(tasks):
    task = tasks["A1"]
    assert task.category == "产业结构调整"
    assert task.key_work == "产业布局调整"
    assert task.title == "建成区及周边重污染企业搬迁"
    assert task.deadline_text == "2020年12月底前"
    assert task.measures.startswith("晋城市春晨兴汇实业有限公司（15万吨）、山西汉通鑫宇科技有限公司")
    assert task.measures.endswith("晋城市太阳石实业有限公司（100万米）等4家企业完成搬迁。")
    assert task.responsible_units == ["市工信局", "城区人民政府", "开发区管委会"]
    assert task.lead_units == [] and task.cooperating_units == []
    assert task.source == f"{FILE}:768-779"


def test_it_fixes_the_misread_deadline_of_the_steel_row_and_notes_it(tasks):
    task = tasks["A5"]
    assert task.key_work == "工业源污染治理"
    assert task.title == "钢铁行业超低排放改造和评估监测"
    assert task.deadline_text == "2020年9月底前"  # OCR: "2020 年 9 月底首"
    assert any("2020年9月底首" in note and "2020年9月底前" in note for note in task.notes)
    assert task.responsible_units == [
        "市生态环境局", "市工信局", "城区人民政府", "泽州县人民政府", "高平市人民政府",
        "陵川县人民政府", "沁水县人民政府"]
    assert "宪成" not in task.measures and "玫造" not in task.measures
    assert task.measures.endswith("完成铁路专用线建设并尽早投运。")
    assert task.source == f"{FILE}:800-819"


def test_it_reads_the_scattered_row_with_its_long_standing_deadline(tasks):
    task = tasks["A4"]
    assert task.key_work == "“散乱污”企业和集群综合整治"
    assert task.title == "“散乱污”企业、集群综合整治"
    assert task.deadline_text == "长期坚持"
    assert task.measures == ("持续开展“散乱污”企业和集群排查整治行动，坚决杜绝“散乱污”企业死灰复燃、"
                             "异地转移等现象，对“散乱污”企业实施动态清零。")
    assert task.responsible_units == ["市生态环境局", "市工信局", ALL_COUNTIES]
    assert task.source == f"{FILE}:790-798"


def test_it_reads_the_kiln_row_with_its_emission_limits(tasks):
    task = tasks["A12"]
    assert task.title == "工业炉窑废气深度治理"
    assert task.deadline_text == "2020年9月底前"
    assert "不高于10mg/m³、50mg/m³、100mg/m³的标准" in task.measures
    assert task.responsible_units == [
        "市生态环境局", "泽州县人民政府", "高平市人民政府", "阳城县人民政府", "陵川县人民政府"]
    assert task.source == f"{FILE}:872-877"


def test_it_reads_the_whole_year_row_for_old_trucks(tasks):
    task = tasks["A22"]
    assert task.category == "运输结构调整"
    assert task.deadline_text == "全年"
    assert task.measures == "淘汰国三及以下营运柴油货车2967辆。"
    assert task.responsible_units == ["市交通局", ALL_COUNTIES]
    assert task.source == f"{FILE}:948-951"


def test_it_reads_the_dust_fall_row_and_the_last_row(tasks):
    dust = tasks["A34"]
    assert dust.title == "强化降尘量控制"
    assert dust.deadline_text == "长期坚持"
    assert dust.measures == "每月平均降尘量小于9吨/月·平方公里，力争同比改善。"
    assert dust.responsible_units == [ALL_COUNTIES]
    last = tasks["A39"]
    assert last.category == "重污染天气应对"
    assert last.title == "错峰生产"
    assert last.deadline_text == "2021年3月底前"
    assert last.responsible_units == ["市工信局", "市生态环境局", ALL_COUNTIES]
    assert last.source == f"{FILE}:1069-1073"


def test_every_row_has_units_and_a_clean_deadline(result):
    for task in result.tasks:
        assert task.responsible_units, task.id
        assert " " not in task.deadline_text and "底首" not in task.deadline_text
        assert "voes" not in task.measures and "宪成" not in task.measures, task.id


def test_it_is_deterministic():
    first = import_ocr_attachment(SEED, PLAN, REPAIRS, start_line=ATTACHMENT_LINE)
    second = import_ocr_attachment(SEED, PLAN, REPAIRS, start_line=ATTACHMENT_LINE)
    assert [t.model_dump() for t in first.tasks] == [t.model_dump() for t in second.tasks]


def test_without_repairs_every_anchor_becomes_a_task_or_a_problem():
    result = import_ocr_attachment(SEED, PLAN, None, start_line=ATTACHMENT_LINE)
    # 39 rows plus the prose "持续开展" on line 792, which only the overlay can rule out.
    assert len(result.tasks) + len(result.problems) == ROWS + 1
    # Four rows keep no readable unit: 787's units are glued to a label ("泽州县人民控制"), 795's
    # were taken by the prose anchor 792 above it, 986 shares a merged unit cell with 998, and
    # 1015 shares one with 1004 and 1010 (the page ends after it, so it cannot borrow 1023's).
    assert [p.line for p in result.problems] == [786, 795, 985, 1015]
    assert all("无法恢复" in p.message and p.file == FILE for p in result.problems)
    assert "786-788" in result.problems[0].message
    first = result.tasks[0]
    assert first.deadline_text == "2020年12月底前"
    assert first.responsible_units == ["市工信局", "城区人民政府", "开发区管委会"]
    assert any("自动识别" in note for note in first.notes)
    by_first = {task.source.split(":")[1]: task for task in result.tasks}
    # The road-dust row starts after the page header, so it keeps its own whole unit list, and the
    # boiler row's "沁水县" (the end of its measures) is not read as a unit.
    assert by_first["1022-1029"].responsible_units == ["市城市管理局", ALL_COUNTIES, "开发区管委会"]
    assert by_first["938-946"].responsible_units == ["市生态环境局", ALL_COUNTIES]


# The automatic pass on a small scrambled snippet: a label split over two lines, a unit name cut
# at a line end, a page number, a repeated header and an OCR'd "底首".
SNIPPET = """附件：任务清单
类别 重点工作 主要任务 完成时限 工 程 措 施 责任单位
产业布局
调整 企业搬迁 2020 年 12 月底前 甲公司完成搬迁。 市工信局， 城区人民政
府
2
类别 重点工作 主要任务 完成时限 工 程 措 施 责任单位
压减产能 2021年3月底首 压减焦化产能 40 万吨。 市生态环境局、 各县（市、
区）人民政府
""".splitlines()


def test_the_automatic_pass_finds_anchors_on_a_scrambled_snippet():
    assert [(a.line, a.raw) for a in find_anchors(SNIPPET, 1, len(SNIPPET))] == [
        (4, "2020 年 12 月底前"), (8, "2021年3月底首")]


def test_the_automatic_pass_groups_lines_and_units_around_anchors():
    rows = split_rows(SNIPPET, 3, len(SNIPPET))
    assert [(r.first, r.last) for r in rows] == [(3, 5), (8, 9)]
    assert rows[0].deadline == "2020年12月底前"
    assert rows[0].units == ["市工信局", "城区人民政府"]
    assert rows[1].deadline == "2021年3月底前"
    assert rows[1].units == ["市生态环境局", ALL_COUNTIES]
    assert [n for n, _ in rows[0].text] == [3, 4]


def test_the_snippet_imports_without_repairs(tmp_path):
    path = tmp_path / "snippet.txt"
    path.write_text("\n".join(SNIPPET) + "\n", encoding="utf-8")
    result = import_ocr_attachment(path, "demo", None, start_line=1)
    assert [t.id for t in result.tasks] == ["demo/A1", "demo/A2"]
    assert [t.source for t in result.tasks] == ["snippet.txt:3-5", "snippet.txt:8-9"]
    assert result.tasks[1].deadline_text == "2021年3月底前"
    assert result.problems == []


def test_it_ignores_open_deadline_words_inside_prose():
    lines = ["全年市县两级抽检车用汽柴油", "运输结构 老旧车淘汰 全年 淘汰国三"]
    assert [a.line for a in find_anchors(lines, 1, 2)] == [2]


def test_it_cleans_deadlines_and_splits_units():
    assert clean_deadline("2020 年 9 月底首") == (
        "2020年9月底前", ["完成时限 OCR 修正：「2020年9月底首」→「2020年9月底前」"])
    assert clean_deadline("2020 年9月底前") == ("2020年9月底前", [])
    assert parse_units("市工信局， 城区人民政府、开发区管委会") == ["市工信局", "城区人民政府", "开发区管委会"]
    assert parse_units("市 生 态 环 境 局， 各县（市、 区）人民政府") == ["市生态环境局", ALL_COUNTIES]


def test_a_label_made_of_unit_characters_is_not_a_unit():
    assert unit_fragment("工业源") == ""
    assert unit_fragment("调整") == ""
    assert unit_fragment("政府、沁水县人民政府") == "政府、沁水县人民政府"
    # Line 944: a county list in the measures ends next to the cut name "各县 | （市、区）人民政府".
    assert unit_fragment("陵川县138台、 沁水县 （市、 区）人民政府") == "（市、区）人民政府"
    assert unit_fragment("市生态环境局， 各县 （市、 区）人民政府") == "市生态环境局，各县（市、区）人民政府"


def test_the_overlay_validator_names_file_line_and_field_of_a_bad_repair(tmp_path):
    path = tmp_path / "repairs.yaml"
    path.write_text(
        "source: 003_fc497d6f985ed3f6.txt\n"
        "rows:\n"
        "  - anchor: 772\n"
        "    title: 建成区及周边重污染企业搬迁\n"
        "    colour: red\n"
        "  - anchor: 781\n"
        "    lines: [786, 781]\n"
        "    title: 压减焦炭产能\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_repairs(path)
    problems = caught.value.problems
    assert [(p.file, p.line, p.where) for p in problems] == [
        (str(path), 5, "rows.0.colour"), (str(path), 6, "rows.1")]
    assert "结束行早于起始行" in problems[1].message


def test_the_overlay_validator_rejects_a_missing_title_and_a_duplicate_anchor(tmp_path):
    missing = tmp_path / "missing.yaml"
    missing.write_text("source: x.txt\nrows:\n  - anchor: 772\n    category: 产业结构调整\n",
                       encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_repairs(missing)
    assert [(p.line, p.where) for p in caught.value.problems] == [(3, "rows.0.title")]
    duplicate = tmp_path / "duplicate.yaml"
    duplicate.write_text("source: x.txt\nrows:\n  - anchor: 772\n    title: a\n"
                         "  - anchor: 772\n    title: b\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_repairs(duplicate)
    assert [(p.line, p.where) for p in caught.value.problems] == [(5, "rows.1.anchor")]


def test_a_repair_for_an_unknown_anchor_without_a_range_is_a_problem(tmp_path):
    path = tmp_path / "snippet.txt"
    path.write_text("\n".join(SNIPPET) + "\n", encoding="utf-8")
    repairs = tmp_path / "repairs.yaml"
    repairs.write_text("source: snippet.txt\nrows:\n  - anchor: 5\n    title: 无锚点\n"
                       "  - anchor: 9\n    lines: [9, 9]\n    deadline: 2021年6月底前\n"
                       "    title: 补录行\n    responsible_units: [市能源局]\n", encoding="utf-8")
    result = import_ocr_attachment(path, "demo", repairs, start_line=1)
    assert [t.title for t in result.tasks][-1] == "补录行"
    assert [t.source for t in result.tasks] == ["snippet.txt:3-5", "snippet.txt:8-9",
                                                "snippet.txt:9-9"]
    assert [(p.file, p.line, p.where) for p in result.problems] == [
        (str(repairs), 3, "rows.0.anchor")]
    assert "锚点 5" in result.problems[0].message


def test_a_repair_file_for_another_source_is_refused(tmp_path):
    path = tmp_path / "snippet.txt"
    path.write_text("\n".join(SNIPPET) + "\n", encoding="utf-8")
    repairs = tmp_path / "repairs.yaml"
    repairs.write_text("source: other.txt\nrows: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="other.txt"):
        import_ocr_attachment(path, "demo", repairs, start_line=1)


def test_it_reads_the_railway_rows_that_share_one_unit_cell(tasks):
    freight, sidings = tasks["A28"], tasks["A29"]
    assert freight.key_work == sidings.key_work == "公转铁"
    assert freight.title == "提升铁路货运量"
    assert freight.measures == "全市铁路货运量较2017年增加1500万吨。"
    assert sidings.title == "推进铁路专用线建设"
    assert sidings.measures.startswith("完成晋城国睿运通物流有限公司专用铁路线、山西盛世鑫海能源有限公司")
    units = ["市交通局", "市发展改革委", "市工信局", ALL_COUNTIES]
    assert freight.responsible_units == units and sidings.responsible_units == units
    assert (freight.source, sidings.source) == (f"{FILE}:985-989", f"{FILE}:991-1001")


def test_the_road_dust_row_keeps_the_tail_of_its_merged_key_work_cell(tasks):
    task = tasks["A33"]
    assert task.key_work == "扬尘综合整治"  # 1028 "扬尘综合" + 1031 "整治"
    assert task.title == "道路扬尘综合整治"
    assert task.responsible_units == ["市城市管理局", ALL_COUNTIES, "开发区管委会"]
    assert task.source == f"{FILE}:1022-1031"


def _snippet_with(tmp_path, overlay: str) -> tuple[Path, Path]:
    path = tmp_path / "snippet.txt"
    path.write_text("\n".join(SNIPPET) + "\n", encoding="utf-8")
    repairs = tmp_path / "repairs.yaml"
    repairs.write_text("source: snippet.txt\n" + overlay, encoding="utf-8")
    return path, repairs


def test_lines_a_repair_leaves_out_are_reported_not_dropped(tmp_path):
    path, repairs = _snippet_with(tmp_path, "rows:\n  - anchor: 4\n    lines: [4, 4]\n"
                                  "    title: 企业搬迁\n")
    result = import_ocr_attachment(path, "demo", repairs, start_line=1)
    assert [t.source for t in result.tasks] == ["snippet.txt:4-4", "snippet.txt:8-9"]
    # Line 3 ("产业布局") and line 5 ("府") belong to no row now; 6-7 are a page number and a header.
    assert [(p.file, p.line) for p in result.problems] == [("snippet.txt", 3), ("snippet.txt", 5)]
    assert "第 3-3 行未归入任何一行" in result.problems[0].message
    assert "「府」" in result.problems[1].message


def test_the_overlay_validator_rejects_a_range_without_its_anchor_and_overlapping_ranges(tmp_path):
    path = tmp_path / "repairs.yaml"
    path.write_text("source: x.txt\nrows:\n"
                    "  - anchor: 772\n    lines: [768, 779]\n    title: 搬迁\n"
                    "  - anchor: 781\n    lines: [779, 786]\n    title: 压减焦炭产能\n"
                    "  - anchor: 795\n    lines: [800, 810]\n    title: 整治\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_repairs(path)
    assert [(p.line, p.where) for p in caught.value.problems] == [(9, "rows.2")]
    assert "不含锚点行 795" in caught.value.problems[0].message
    path.write_text("source: x.txt\nrows:\n"
                    "  - anchor: 772\n    lines: [768, 779]\n    title: 搬迁\n"
                    "  - anchor: 781\n    lines: [779, 786]\n    title: 压减焦炭产能\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_repairs(path)
    assert [(p.file, p.line, p.where) for p in caught.value.problems] == [
        (str(path), 7, "rows.1.lines")]
    assert "779-786" in caught.value.problems[0].message and "768-779" in caught.value.problems[0].message


def test_an_ignored_anchor_on_a_line_without_a_deadline_is_a_problem(tmp_path):
    path, repairs = _snippet_with(tmp_path, "ignore_anchors:\n  - line: 5\n    reason: 不是时限\n")
    result = import_ocr_attachment(path, "demo", repairs, start_line=1)
    assert len(result.tasks) == 2
    assert [(p.file, p.line, p.where) for p in result.problems] == [
        (str(repairs), 3, "ignore_anchors.0.line")]


def test_a_repaired_row_keeps_the_deadline_fix_but_not_the_automatic_unit_guesses(tasks):
    # Without the overlay, row 787's units read "市工信局，泽州县人民控制…政府" and leave "政府" over.
    assert not any("无法识别" in note or "已接回" in note for task in tasks.values()
                   for note in task.notes)
    assert tasks["A3"].responsible_units == ["市工信局", "泽州县人民政府"]
    assert any("底首" in note for note in tasks["A5"].notes)


def test_the_automatic_pass_takes_back_a_unit_tail_set_inside_prose():
    # As on lines 885-890 and 867-870 of seed 003.
    lines = ["甲 2020 年 12 月底前 对全市企业 市 生 态 环 境 局， 各县",
             "（市、 区）人民政府业， 实施专项检查。",
             "乙 2021年3月底前 加快项目建设， 完成 市工信局， 泽州县人民",
             "政府EPC工程总承包招标。"]
    first, second = split_rows(lines, 1, 4)
    assert (first.first, first.last, second.first, second.last) == (1, 2, 3, 4)
    assert first.units == ["市生态环境局", ALL_COUNTIES]
    assert all("人民政府" not in text for _, text in first.text)
    assert first.notes == ["责任单位「各县」的后半「（市、区）人民政府」在第 2 行行中，已接回"]
    assert second.units == ["市工信局", "泽州县人民政府"]
    assert second.text[-1] == (4, "EPC工程总承包招标。")
