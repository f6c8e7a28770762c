"""Small ledgers and actions the store tests share, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.escalation.facts import Action
from scheduler.plans.ledger import Ledger
from scheduler.plans.units import UnitDirectory

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2019, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DIRECTORY = UnitDirectory.load(ROOT / "data" / "units.yaml")


def ledger(deadline: str = "2019年12月底前", responsible: tuple[str, ...] = ("潞城区政府", "襄垣县政府"),
           extra_task: bool = True, title: str = "压减焦炭产能", measures: str = "") -> Ledger:
    """Return the two-task test plan; the arguments edit its first task."""
    tasks = [dict(id="t-2019/1", title=title, deadline_text=deadline, lead_units=["市工信局"],
                  responsible_units=list(responsible), measures=measures, source="seed.txt:198")]
    if extra_task:
        tasks.append(dict(id="t-2019/2", title="散乱污整治", deadline_text="长期坚持",
                          lead_units=["市生态环境局"], responsible_units=["各县区政府"],
                          source="seed.txt:221"))
    return Ledger.model_validate(dict(
        plan=dict(id="t-2019", title="测试方案", issuer="长治市", region="长治市",
                  period_start="2019-10-01", period_end="2020-03-31", plan_year=2019, source_file="seed.txt"),
        tasks=tasks))


def action(key: str, unit: str = "潞城区人民政府", level: str = "warning", due: date | None = date(2019, 12, 31),
           task: str = "t-2019/1", kind: str = "overdue", facts: dict | None = None) -> Action:
    """Return a notice the rules might want; warnings and interviews need review."""
    return Action(key=key, level=level, rule_id="overdue-warning", ruleset_id="default", ruleset_version="1",
                  plan_id="t-2019", task_id=task, unit=unit, due=due, kind=kind,
                  needs_review=level in ("warning", "interview"), clause="001 五（五）", explanation="测试",
                  facts=facts or {})


def unit_name(written: str) -> str:
    """Return the canonical name of a unit as 长治 writes it."""
    return DIRECTORY.resolve(written, "长治市").units[0].name
