"""Any plan text at all imports without an exception, and every task it gives has clean units."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.plans.clauses import ALL_ROLE_WORDS
from scheduler.plans.importers.narrative import import_narrative

LINES = st.sampled_from([
    "一、重点任务", "二、保障措施", "（一）调整结构", "（二）推进治理。完成甲。", "1.推进甲。", "2、推进乙。",
    "（1）推进丙。", "①推进丁。", "牵头单位：市环保局", "责任单位：各县（市、区）政府、市交通局等",
    "配合单位：", "完成时间：2024年5月底前。", "（市发改委牵头，市工信局参与）", "〔责任单位：市住建局",
    "以下各项任务均需各区政府落实，不再列出。", "（以上两项由市城管局牵头）", "附件：清单", "- 3 -",
    "2023年6月底前完成改造。", "", "  ", "J", "］", "【", "责任单", "本部分以下各项工作均需各乡镇落实",
])
TEXT = st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=25).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_plan_text_imports_without_an_exception_and_with_clean_units(text):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "plan.txt"
        path.write_text(text, encoding="utf-8")
        result = import_narrative(path, "test-plan")
    for task in result.tasks:
        for name in task.lead_units + task.cooperating_units + task.responsible_units:
            assert not any(word in name for word in ALL_ROLE_WORDS), name
            assert not any(ch in name for ch in "，,；;。：:"), name
