"""Read-only views of the ledgers: the JSON export, open points for coordinators, a plan table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.config import Config
from scheduler.plans.deadlines import find_milestones
from scheduler.plans.ledger import Ledger, Task, load_ledgers, task_deadline
from scheduler.plans.units import UnitDirectory
from scheduler.text import squeeze


def _directory(data_dir: Path) -> UnitDirectory:
    return UnitDirectory.load(data_dir / "units.yaml")


def _written_units(task: Task) -> list[str]:
    return [*task.lead_units, *task.cooperating_units, *task.responsible_units]


def export_task(ledger: Ledger, task: Task, config: Config, directory: UnitDirectory) -> dict[str, Any]:
    """Return one task as the `ledger export --format json` object of DESIGN.md."""
    context = ledger.deadline_context(config.heating_season_start(ledger.plan.region))
    recipients, _ = directory.recipients(_written_units(task), ledger.plan.region)
    return {
        "plan": ledger.plan.id,
        "id": task.id,
        "category": task.category,
        "key_work": task.key_work,
        "title": task.title,
        "measures": task.measures,
        "deadline_text": task.deadline_text,
        "deadline": task_deadline(task.deadline_text, task.standing, context).to_json(),
        "milestones": [
            {"due": m.due.isoformat(), "phrase": m.phrase, "text": m.text}
            for m in find_milestones(task.measures, context)
        ],
        "lead_units": list(task.lead_units),
        "cooperating_units": list(task.cooperating_units),
        "responsible_units": list(task.responsible_units),
        "responsible_persons": [p.name for p in task.responsible_persons],
        "person_units": [{"name": p.name, "unit": p.unit} for p in task.responsible_persons],
        "recipients": [unit.name for unit in recipients],
        "provisional_units": [unit.name for unit in recipients if unit.provisional],  # to confirm
        "remarks": task.remarks,
        "notes": list(task.notes),
        "source": task.source,
    }


def export_rows(data_dir: Path, config: Config) -> list[dict[str, Any]]:
    """Return every task of every ledger in `data_dir`, in file and row order."""
    directory = _directory(data_dir)
    return [export_task(ledger, task, config, directory)
            for ledger in load_ledgers(data_dir) for task in ledger.tasks]


@dataclass(frozen=True)
class OpenPoint:
    """Something in the ledgers a coordinator must settle before the service can act on it."""

    kind: str  # a key of LABELS: external_deadline, unknown_unit, provisional_unit, no_unit, ...
    task_id: str
    source: str
    written: str
    explanation: str
    unit: str = ""  # the provisional unit a provisional_unit point is about


    def to_json(self) -> dict[str, str]:
        found = {"kind": self.kind, "task": self.task_id, "source": self.source,
                 "written": self.written, "explanation": self.explanation}
        return {**found, "unit": self.unit} if self.unit else found

    def describe(self) -> str:
        return f"{self.source}  {self.task_id}  [{LABELS[self.kind]}] {self.written} — {self.explanation}"


LABELS = {
    "external_deadline": "时限待定",
    "unknown_deadline": "时限无法识别",
    "missing_deadline": "时限空白",
    "deadline_conflict": "时限矛盾",
    "unknown_unit": "单位不明",
    "ambiguous_group": "范围待定",
    "no_unit": "未写明责任单位",
    "name_to_confirm": "名称待确认",
    "provisional_unit": "临时单位待确认",
}


def open_points(data_dir: Path, config: Config) -> list[OpenPoint]:
    """List every unresolved deadline, unknown unit name and ambiguous group, with its source."""
    directory = _directory(data_dir)
    points: list[OpenPoint] = []
    for ledger in load_ledgers(data_dir):
        context = ledger.deadline_context(config.heating_season_start(ledger.plan.region))
        for task in ledger.tasks:
            deadline = task_deadline(task.deadline_text, task.standing, context)
            if deadline.kind == "external":
                points.append(OpenPoint(
                    "external_deadline", task.id, task.source, task.deadline_text,
                    "时限由国家、省规定，需协调人录入具体日期后方可提醒"))
            elif deadline.kind == "unknown" and not task.deadline_text.strip():
                points.append(OpenPoint(
                    "missing_deadline", task.id, task.source, "（空）",
                    "原文此行完成时限为空（合并单元格未能对应），需协调人确认或补录"))
            elif deadline.kind == "unknown":
                points.append(OpenPoint(
                    "unknown_deadline", task.id, task.source, task.deadline_text or "（空）",
                    "无法识别完成时限：" + "；".join(deadline.notes)))
            # only a separate deadline cell can disagree with the measures; in narrative plans the
            # deadline is the first date of the text and later dates are simply the next steps
            own_cell = squeeze(task.deadline_text) not in squeeze(task.measures)
            later = [m for m in find_milestones(task.measures, context)
                     if own_cell and deadline.due and m.due > deadline.due[-1]]
            if later:
                points.append(OpenPoint(
                    "deadline_conflict", task.id, task.source, task.deadline_text,
                    f"完成时限与措施文字不一致：时限为 {deadline.due[-1].isoformat()}，措施写明"
                    f"“{later[-1].text}”（{later[-1].due.isoformat()}），需协调人确认以哪个为准"))
            names = _written_units(task)
            if not names:
                points.append(OpenPoint("no_unit", task.id, task.source, "—",
                                        "原文未写明牵头或责任单位，需协调人指定"))
            _, unresolved = directory.recipients(names, ledger.plan.region)
            for resolution in unresolved:
                if resolution.status == "title":
                    continue
                kind = {"ambiguous": "ambiguous_group", "unknown": "unknown_unit",
                        "provisional": "provisional_unit"}.get(resolution.status, "name_to_confirm")
                unit = resolution.units[0].name if kind == "provisional_unit" and resolution.units else ""
                points.append(OpenPoint(kind, task.id, task.source, resolution.written,
                                        resolution.note or "单位目录中没有此名称", unit))
    return points
