"""The tables-by-meaning reader, with no knowledge of the seeds' layouts, reads the seed tables as
Word and Excel hold them exactly as the seed importers do."""

from __future__ import annotations

import pytest
import yaml

from scheduler.plans.importers.plan_import import read_draft
from tests.plans.importers.seed_tables import ROOT, seed_000_tables, seed_004_tables, write_docx, write_xlsx

FIELDS = ("title", "deadline_text", "lead_units", "cooperating_units", "responsible_units", "category")


def shipped(plan: str) -> list[dict]:
    tasks = yaml.safe_load((ROOT / "data" / f"{plan}.yaml").read_text(encoding="utf-8"))["tasks"]
    return [t for t in tasks if "/rail-" not in t["id"]]


@pytest.mark.slow
def test_seed_000_as_word_tables_reads_like_the_seed_importer(tmp_path):
    draft = read_draft(write_docx(seed_000_tables(), tmp_path / "changzhi.docx"))
    tasks = [t for t in draft.result.tasks if t.source.startswith("changzhi.docx#附件3")]
    expected = shipped("changzhi-2019")
    assert len(tasks) == len(expected)
    for want, got in zip(expected, tasks):
        assert {f: want[f] for f in FIELDS} == {f: getattr(got, f) for f in FIELDS}, want["id"]


def test_seed_004_as_an_excel_workbook_reads_like_the_seed_importer(tmp_path):
    draft = read_draft(write_xlsx(seed_004_tables(), tmp_path / "zezhou.xlsx"))
    expected = shipped("zezhou-2023")
    assert [t.id.split("/", 1)[1] for t in draft.result.tasks] == [t["id"].split("/", 1)[1] for t in expected]
    for want, got in zip(expected, draft.result.tasks):
        assert (want["deadline_text"], want["lead_units"], want["category"]) == (
            got.deadline_text, got.lead_units, got.category), want["id"]
