"""Build data/<plan>.yaml from the five seed documents: plan metadata here, rows from the importers.

Plan metadata that the documents state (title, issuer, number, date) is copied from them; what an
extract does not state is left empty or marked, never invented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.errors import Problem, read_text_input
from scheduler.plans.importers import ImportResult
from scheduler.plans.ledger import Ledger, PlanMeta, Targets, Task, dump_ledger


@dataclass(frozen=True)
class SeedPlan:
    """One seed document and how to read it."""

    file: str
    meta: dict[str, Any]  # PlanMeta's fields: id, title, issuer, region, plan_year, period
    read: Callable[[Path, str], ImportResult]
    narrative: bool = False  # the plan text carries an assessment clause (考核督察) to quote


def _merge(results: list[ImportResult]) -> ImportResult:
    merged = ImportResult()
    for result in results:
        merged.tasks.extend(result.tasks)
        for name in Targets.model_fields:
            getattr(merged.targets, name).extend(getattr(result.targets, name))
        merged.problems.extend(result.problems)
    return merged


def _read_changzhi_2019(path: Path, plan_id: str) -> ImportResult:
    from scheduler.plans.importers.table_text import import_task_breakdown

    return import_task_breakdown(path, plan_id)


def _read_narrative(path: Path, plan_id: str) -> ImportResult:
    from scheduler.plans.importers.narrative import import_narrative

    return import_narrative(path, plan_id)


def _read_jincheng_2020(path: Path, plan_id: str) -> ImportResult:
    from scheduler.plans.importers.narrative import import_narrative
    from scheduler.plans.importers.ocr_table import import_ocr_attachment

    attachment = _attachment_line(path)
    repairs = Path(__file__).resolve().parents[3] / "data" / "repairs" / "jincheng-2020-attachment.yaml"
    return _merge([
        import_narrative(path, plan_id, end_line=attachment - 1),
        import_ocr_attachment(path, plan_id, repairs if repairs.exists() else None,
                              start_line=attachment),
    ])


def _attachment_line(path: Path) -> int:
    """Return the line where seed 003's attachment (任务清单) begins."""
    lines = read_text_input(path).splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("附件") and "任务清单" in "".join(lines[number - 1:number + 2]):
            return number
    return len(lines) + 1


def _read_markdown(path: Path, plan_id: str, region: str, year: int) -> ImportResult:
    from scheduler.plans.importers.markdown import import_markdown_ledger

    return import_markdown_ledger(path, plan_id, region=region, year=year)


def _read_zezhou_2023(path: Path, plan_id: str) -> ImportResult:
    return _read_markdown(path, plan_id, "泽州县", 2023)


SEED_PLANS: tuple[SeedPlan, ...] = (
    SeedPlan(
        file="000_ab3fcd49571cab9b.txt",
        meta=dict(
            id="changzhi-2019",
            title="长治市2019-2020年秋冬季大气污染综合治理攻坚行动方案任务分解",
            issuer="长治市人民政府（摘录仅含附件，未载发文机关）",
            region="长治市", period_start=date(2019, 10, 1), period_end=date(2020, 3, 31),
            plan_year=2019,
        ),
        read=_read_changzhi_2019,
    ),
    SeedPlan(
        file="001_5d70b785daafd91c.txt",
        meta=dict(
            id="changzhi-2022",
            title="长治市空气质量再提升2022－2023年行动计划",
            issuer="长治市人民政府办公室", document_number="长政办发〔2023〕14号",
            issue_date=date(2023, 6, 7),
            region="长治市", period_start=date(2022, 1, 1), period_end=date(2023, 12, 31),
            plan_year=2023,
        ),
        read=_read_narrative,
        narrative=True,
    ),
    SeedPlan(
        file="002_4f45dafb854d9093.txt",
        meta=dict(
            id="jinzhong-2020",
            title="晋中市2020-2021年秋冬季大气污染综合治理攻坚行动实施方案",
            issuer="晋中市人民政府办公室", document_number="市政办发〔2020〕47号",
            issue_date=date(2020, 11, 6),
            region="晋中市", period_start=date(2020, 10, 1), period_end=date(2021, 3, 31),
            plan_year=2020,
        ),
        read=_read_narrative,
        narrative=True,
    ),
    SeedPlan(
        file="003_fc497d6f985ed3f6.txt",
        meta=dict(
            id="jincheng-2020",
            title="晋城市2020-2021年秋冬季大气污染综合治理攻坚行动方案",
            issuer="晋城市人民政府办公室", document_number="晋市政办〔2020〕56号",
            issue_date=date(2020, 10, 28),
            region="晋城市", period_start=date(2020, 10, 1), period_end=date(2021, 3, 31),
            plan_year=2020,
        ),
        read=_read_jincheng_2020,
        narrative=True,
    ),
    SeedPlan(
        file="004_2c352a127e1e31b3.txt",
        meta=dict(
            id="zezhou-2023",
            title="泽州县空气质量再提升2023年行动计划重点工作任务台账",
            issuer="泽州县（摘录仅含附件，未载发文机关）",
            region="泽州县", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31),
            plan_year=2023,
        ),
        read=_read_zezhou_2023,
    ),
)


def build_seed_ledger(seed: SeedPlan, seeds_dir: Path) -> tuple[Ledger, list[Problem]]:
    """Import one seed document into a validated ledger, returning the rows it reported."""
    path = seeds_dir / seed.file
    return _assemble(path, seed.read(path, seed.meta["id"]), seed.meta, seed.narrative)


READERS: dict[str, Callable[..., ImportResult]] = {
    "table": lambda path, plan_id, region, year: _read_changzhi_2019(path, plan_id),
    "markdown": lambda path, plan_id, region, year: _read_markdown(path, plan_id, region, year),
    "narrative": lambda path, plan_id, region, year: _read_narrative(path, plan_id),
    "docx": lambda path, plan_id, region, year: _read_docx(path, plan_id, region, year),
    "xlsx": lambda path, plan_id, region, year: _read_xlsx(path, plan_id, region, year),
}


def _read_docx(path: Path, plan_id: str, region: str, year: int) -> ImportResult:
    from scheduler.plans.importers.docx_table import import_docx_tables

    return import_docx_tables(path, plan_id, region, year)


def _read_xlsx(path: Path, plan_id: str, region: str, year: int) -> ImportResult:
    from scheduler.plans.importers.xlsx_table import import_xlsx_tables

    return import_xlsx_tables(path, plan_id, region, year)


def import_plan(path: Path, fmt: str, meta: dict[str, Any]) -> tuple[Ledger, list[Problem]]:
    """Import any plan document with one of the seed importers and the metadata given."""
    result = READERS[fmt](path, meta["id"], meta["region"], meta["plan_year"])
    return _assemble(path, result, meta, fmt == "narrative")


def _assemble(path: Path, result: ImportResult, meta: dict[str, Any], narrative: bool) -> tuple[Ledger, list[Problem]]:
    """Validate what an importer read as a ledger: metadata, the plan's assessment clause when the
    text has one, and standing tasks marked."""
    meta = dict(meta, source_file=path.name)
    if narrative:
        from scheduler.plans.importers.narrative import find_assessment_clause

        found = find_assessment_clause(path)
        if found:
            meta.update(assessment_clause=found[0], assessment_source=f"{path.name}:{found[1]}")
    tasks = [_mark_standing(task) for task in result.tasks]
    return Ledger(plan=PlanMeta(**meta), targets=result.targets, tasks=tasks), result.problems


def _mark_standing(task: Task) -> Task:
    """Narrative items that state no date are continuous work: the importer says so in a note."""
    if not task.deadline_text and any("视为长期" in note for note in task.notes):
        return task.model_copy(update={"standing": True})
    return task


def write_seed_ledgers(seeds_dir: Path, out_dir: Path) -> list[tuple[Path, Ledger, list[Problem]]]:
    """Regenerate every seed ledger in `out_dir`; running it twice writes the same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for seed in SEED_PLANS:
        ledger, problems = build_seed_ledger(seed, seeds_dir)
        target = out_dir / f"{ledger.plan.id}.yaml"
        header = (f"# Generated by `duban ledger build-seeds` from {seed.file}; "
                  "do not edit by hand — fix the importer or data/repairs/.\n")
        target.write_text(header + dump_ledger(ledger), encoding="utf-8")
        written.append((target, ledger, problems))
    return written
