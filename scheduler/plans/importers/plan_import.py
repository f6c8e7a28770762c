"""Import any plan document into a ledger, inferring what the document says about itself.

The order follows how a coordinator reads a plan: task tables first, wherever they stand and
whatever their columns are called (`task_tables`); then tables that reached us as text
(`text_tables`); and only when neither holds a task, the numbered items of the text itself
(the narrative importer). Title, issuer, period and region come from the document (`metadata`);
what it does not say is listed in `Draft.missing` for the caller to ask, all at once.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.errors import Problem
from scheduler.plans.importers import ImportResult
from scheduler.plans.importers.documents import KIND_NAMES, Document, read_document
from scheduler.plans.importers.metadata import PlanFacts, plan_id_for, read_facts
from scheduler.plans.ledger import Ledger, PlanMeta, Task

DRAFT_ID = "draft"  # tasks are numbered under this id until the plan's own id is known
_YEAR_IN_CELL = re.compile(r"(20\d{2})\s*年")


@dataclass
class Draft:
    """What one document yielded: the tasks, how they were found, and everything seen on the way."""

    document: Document
    facts: PlanFacts
    result: ImportResult
    method: str  # "表格" or "正文条目" (or "" when nothing was found)
    seen: list[str] = field(default_factory=list)  # one Chinese line per table or attempt
    assessment: tuple[str, int] | None = None  # the plan's 考核 clause and its line, if quoted

    def report(self) -> list[str]:
        """Return what the importer saw, for a user whose import found nothing or too little."""
        lines = [f"文件：{self.document.file}（{KIND_NAMES.get(self.document.kind, self.document.kind)}）"]
        lines += [f"  {note}" for note in self.document.notes]
        lines.append(f"表格：{len(self.document.grids)} 个")
        lines += [f"  {line}" for line in self.seen]
        rejected = self.document.problems + self.result.problems
        if rejected:
            lines.append(f"未导入或需核对的行：{len(rejected)} 处")
            lines += [f"  {p}" for p in rejected[:30]]
            if len(rejected) > 30:
                lines.append(f"  …… 另有 {len(rejected) - 30} 处")
        return lines


def read_draft(path: str | Path) -> Draft:
    """Read a plan document of any supported kind into a draft ledger's tasks."""
    from scheduler.plans.importers.task_tables import import_task_tables
    from scheduler.plans.importers.text_tables import run_on_headers, text_grids

    path = Path(path)
    document = read_document(path)
    facts = read_facts(document.lines)
    cell_problems = [grid.problem(cell, f"单元格的值无法读取（{cell.error}），按空白处理")
                     for grid in document.grids for row in grid.rows for cell in row if cell.error]
    result, tables = import_task_tables(document.grids, DRAFT_ID)
    seen = [t.describe() for t in tables]
    if not result.tasks and document.kind not in ("text", "markdown"):
        flattened = text_grids(document.file, document.lines)
        if flattened:
            result, tables = import_task_tables(flattened, DRAFT_ID)
            seen += [f"正文中的文字表格：{t.describe()}" for t in tables]
    if not result.tasks:
        seen += [f"第{line}行：任务表的表头（{'、'.join(names)}）与表格内容挤在同一行（PDF 文字层被拉平），"
                 "各列文字前后交错，无法按列读出；请改用原 PDF、Word 或 Excel 版本导入，或整理为每行一项任务"
                 for line, names in run_on_headers(document.lines)]
    result.problems[:0] = cell_problems
    draft = Draft(document, facts, result, "表格" if result.tasks else "", seen)
    if not result.tasks:
        _narrative(path, draft)
    return draft


def _narrative(path: Path, draft: Draft) -> None:
    """Read the numbered items of the text, as the narrative importer does for a plain-text plan."""
    from scheduler.plans.importers.narrative import find_assessment_clause, import_narrative

    with tempfile.TemporaryDirectory(prefix="duban-import-") as work:
        text_path = path
        if draft.document.kind not in ("text", "markdown"):
            text_path = Path(work) / draft.document.file  # sources cite the paragraph's line in its text
            text_path.write_text("\n".join(draft.document.lines) + "\n", encoding="utf-8")
        result = import_narrative(text_path, DRAFT_ID)
        if result.tasks:
            draft.assessment = find_assessment_clause(text_path)
    draft.seen.append(f"正文条目（带责任单位的编号事项）：{len(result.tasks)} 项")
    if result.tasks:
        draft.result = result
        draft.method = "正文条目"
    else:
        draft.result.problems += result.problems


def guess_year(tasks: list[Task]) -> int | None:
    """Return the year most deadline cells name, for a document whose title names none."""
    years = Counter(int(y) for task in tasks for y in _YEAR_IN_CELL.findall(task.deadline_text))
    return years.most_common(1)[0][0] if years else None


@dataclass
class Given:
    """What the user stated on the command line; each overrides what the document says."""

    plan_id: str | None = None
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    document_number: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    plan_year: int | None = None


def plan_meta(draft: Draft, given: Given) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """Combine the document's facts with what the user gave: return the metadata, what is still
    missing (what it is, and the option that supplies it, with an example value), and notes on what
    was assumed."""
    facts = draft.facts
    notes: list[str] = []
    year = given.plan_year or facts.plan_year
    start, end = given.period_start or facts.period_start, given.period_end or facts.period_end
    if year is None and start is not None:
        year = start.year
    if year is None:
        year = guess_year(draft.result.tasks)
        if year is not None:
            notes.append(f"文件标题未写年度，按完成时限中最常见的年份取 {year} 年")
        elif facts.issue_date is not None:
            year = facts.issue_date.year
            notes.append(f"文件标题和完成时限都未写年度，按发文日期取 {year} 年")
        elif re.search(r"\d{4}", facts.document_number):
            year = int(re.findall(r"\d{4}", facts.document_number)[0])
            notes.append(f"文件标题和完成时限都未写年度，按文号 {facts.document_number} 取 {year} 年")
        elif facts.cited_numbers:
            # a plan is made after the documents it implements, mostly in the year of the latest
            cited = max(facts.cited_numbers, key=lambda n: re.findall(r"\d{4}", n)[0])
            year = int(re.findall(r"\d{4}", cited)[0])
            notes.append(f"文件标题、完成时限和发文日期都未写年度，本文也未载文号，"
                         f"按所引文件 {cited} 取 {year} 年，请核对")
    if year is not None and start is None:
        issued = facts.issue_date
        start = issued if issued is not None and issued.year == year else date(year, 1, 1)
    if year is not None and end is None:
        end = max(date(year, 12, 31), start or date(year, 12, 31))
    region = given.region or facts.region
    plan_id = given.plan_id or (plan_id_for(region, year) if region and year else None)
    title = given.title or facts.title
    if not title:
        title = Path(draft.document.file).stem
        notes.append(f"文件中未找到标题，暂以文件名「{title}」为标题")
    issuer = given.issuer or facts.issuer
    if not issuer:
        issuer = f"{region}（文件未载发文机关）" if region else "文件未载发文机关"  # as the seeds write it
        notes.append("文件中未找到发文机关，可用 --issuer 补充")
    missing = []
    if not region:
        missing.append(("地区（发文机关和标题中都没有写明）", "--region 某某市"))
    if year is None:
        missing.append(("年度（标题和完成时限中都没有年份）", "--year 2024"))
    if not plan_id and region and year:
        missing.append(("计划编号（地区名无法转为拼音）", "--plan-id mouxian-2024"))
    meta: dict[str, Any] = dict(
        id=plan_id or "", title=title, issuer=issuer, region=region or "",
        document_number=given.document_number or facts.document_number, issue_date=facts.issue_date,
        period_start=start, period_end=end, plan_year=year, source_file=draft.document.file)
    return meta, missing, notes


def build_ledger(draft: Draft, meta: dict[str, Any]) -> Ledger:
    """Validate the draft's tasks under the plan's own id as a ledger."""
    plan_id = meta["id"]
    if draft.assessment is not None:
        meta = dict(meta, assessment_clause=draft.assessment[0],
                    assessment_source=f"{draft.document.file}:{draft.assessment[1]}")
    tasks = []
    for task in draft.result.tasks:
        local = task.id.split("/", 1)[1]
        update: dict[str, Any] = {"id": f"{plan_id}/{local}"}
        if not task.deadline_text and any("视为长期" in note for note in task.notes):
            update["standing"] = True
        tasks.append(task.model_copy(update=update))
    return Ledger(plan=PlanMeta(**meta), targets=draft.result.targets, tasks=tasks)


def problems_of(draft: Draft) -> list[Problem]:
    """Every row the import could not use or wants a coordinator to check."""
    return draft.document.problems + draft.result.problems
