"""Provisional units (临时单位): names a plan wrote that the unit directory lacks. `duban load` keeps
each as a unit of kind "provisional" so its tasks still have somebody to remind; a coordinator then
confirms it (it is a real unit), merges it into a known unit (another spelling) or renames it.

Every decision is an audit entry; the latest merge or rename of a name is also what `duban load`
follows next time the plan names it, so a decision outlives a ledger edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.plans.units.regional import guess_kind
from scheduler.store import schema as m
from scheduler.store.repo import StoreError, audit, cancel_pending

PROVISIONAL = "provisional"
MERGED = "merged"  # a provisional unit folded into another; kept so history and notices still point to it
KINDS = ("city_department", "county_government", "zone_committee", "town_government", "enterprise", "other")
_MOVES = ("unit.merge", "unit.rename")


@dataclass(frozen=True)
class ProvisionalUnit:
    """A unit the directory lacks, with the tasks that name it."""

    name: str
    region: str
    kind: str  # provisional until confirmed; merged once folded into another
    tasks: tuple[str, ...]
    into: str = ""  # the unit it was merged into or renamed to


def moves(session: Session) -> dict[str, str]:
    """Return provisional name -> the unit it now stands for (after every merge and rename)."""
    latest: dict[str, str] = {}
    for name, detail in session.execute(
        select(m.AuditEntry.object_id, m.AuditEntry.detail)
        .where(m.AuditEntry.object_type == "unit", m.AuditEntry.action.in_(_MOVES))
        .order_by(m.AuditEntry.at, m.AuditEntry.id)
    ):
        latest[name] = str((detail or {}).get("into", ""))
    resolved: dict[str, str] = {}
    for name in latest:
        target, seen = latest[name], {name}
        while target in latest and target not in seen:  # a merge into a unit merged later
            seen.add(target)
            target = latest[target]
        if target:
            resolved[name] = target
    return resolved


def provisional_units(session: Session, include_settled: bool = False) -> list[ProvisionalUnit]:
    """Return the provisional units (and, when asked, the confirmed and merged ones too)."""
    moved = moves(session)
    tasks: dict[str, list[str]] = {}
    for unit, task_id in session.execute(select(m.Assignment.unit, m.Assignment.task_id).order_by(m.Assignment.id)):
        tasks.setdefault(unit, []).append(task_id)
    confirmed = set(session.scalars(select(m.AuditEntry.object_id).where(
        m.AuditEntry.object_type == "unit", m.AuditEntry.action.in_(("unit.confirm", *_MOVES)))))
    rows = session.execute(select(m.Unit.name, m.Unit.region, m.Unit.kind).order_by(m.Unit.region, m.Unit.name))
    found = []
    for name, region, kind in rows:
        if kind == PROVISIONAL or include_settled and (kind == MERGED or name in confirmed):
            found.append(ProvisionalUnit(name, region, kind, tuple(dict.fromkeys(tasks.get(name, []))),
                                         moved.get(name, "")))
    return found


def _unit(session: Session, name: str) -> m.Unit:
    row = session.get(m.Unit, name.strip())
    if row is None:
        raise StoreError(f"单位目录中没有“{name}”")
    return row


def confirm_unit(session: Session, name: str, by: str, kind: str = "", reason: str = "",
                 now: datetime | None = None) -> str:
    """Confirm a provisional unit as a real one of `kind` (guessed from the name when empty)."""
    row = _unit(session, name)
    if row.kind != PROVISIONAL:
        raise StoreError(f"“{row.name}”不是待确认的临时单位（类型：{row.kind}）")
    kind = kind or guess_kind(row.name)
    if kind not in KINDS:
        raise StoreError(f"单位类型应为 {'、'.join(KINDS)} 之一：{kind}")
    row.kind = kind
    audit(session, by, "unit.confirm", "unit", row.name, {"kind": kind, "reason": reason.strip()},
          now or clock.now())
    return kind


def merge_unit(session: Session, name: str, into: str, by: str, reason: str,
               now: datetime | None = None, action: str = "unit.merge") -> int:
    """Fold a provisional unit into `into`: its tasks move there, its notices not yet delivered are
    cancelled (the next sweep addresses the unit it now is). Return the number of tasks moved."""
    now = now or clock.now()
    row, target = _unit(session, name), _unit(session, into)
    if row.kind != PROVISIONAL:
        raise StoreError(f"只能合并待确认的临时单位；“{row.name}”的类型是 {row.kind}")
    if target.name == row.name or target.kind == MERGED:
        raise StoreError(f"不能合并到“{target.name}”")
    if not reason.strip():
        raise StoreError("请写明依据（如单位来函、协调会议纪要）")
    moved: list[str] = []
    for assignment in list(session.scalars(select(m.Assignment).where(m.Assignment.unit == row.name))):
        moved.append(assignment.task_id)
        holds = session.scalar(select(m.Assignment.id).where(
            m.Assignment.task_id == assignment.task_id, m.Assignment.unit == target.name,
            m.Assignment.role == assignment.role))
        if holds is None:
            assignment.unit = target.name
        else:
            session.delete(assignment)
    session.flush()
    gone = row.name

    def elsewhere(notice: m.Notice) -> bool:
        return notice.unit != gone

    for task_id in dict.fromkeys(moved):
        cancel_pending(session, task_id, by, f"临时单位“{gone}”已并入“{target.name}”", keep=elsewhere, now=now)
    row.kind = MERGED
    audit(session, by, action, "unit", row.name, {"into": target.name, "reason": reason.strip(),
                                                   "tasks": list(dict.fromkeys(moved))}, now)
    return len(set(moved))


def rename_unit(session: Session, name: str, new_name: str, by: str, reason: str, kind: str = "",
                now: datetime | None = None) -> int:
    """Give a provisional unit its right name: a unit of that name is created when the store has none
    (confirmed, of `kind`), then the provisional one is merged into it."""
    row, new_name = _unit(session, name), new_name.strip()
    if not new_name or new_name == row.name:
        raise StoreError("请给出不同的新名称")
    if session.get(m.Unit, new_name) is None:
        kind = kind or guess_kind(new_name)
        if kind not in KINDS:
            raise StoreError(f"单位类型应为 {'、'.join(KINDS)} 之一：{kind}")
        from scheduler.plans.units import provisional_unit

        shaped = provisional_unit(new_name, row.region, "")
        session.add(m.Unit(name=new_name, id=shaped.id.replace("prov-", "named-"), kind=kind, region=row.region,
                           head_title=shaped.head_title))
        session.flush()
    return merge_unit(session, row.name, new_name, by, reason, now=now, action="unit.rename")


def sweep_warnings(session: Session, facts, created) -> list[str]:
    """What a sweep should say about units: open tasks nobody can be reminded of, and notices that
    went to provisional units (their letters reach the office's outbox, not the unit)."""
    warnings = []
    lost = [f.task_id for f in facts if f.status == "open" and not f.assignments]
    if lost:
        warnings.append(f"{len(lost)} 项任务没有可提醒的单位（{'、'.join(lost[:3])}{'等' if len(lost) > 3 else ''}），"
                        "不会生成提醒：请在“待协调事项”中指定单位")
    pending = set(session.scalars(select(m.Unit.name).where(m.Unit.kind == PROVISIONAL)))
    to_provisional = sorted({a.unit for a in created if a.unit in pending})
    if to_provisional:
        warnings.append(f"{sum(1 for a in created if a.unit in pending)} 条通知发给临时单位"
                        f"（{'、'.join(to_provisional[:3])}{'等' if len(to_provisional) > 3 else ''}），"
                        "名录中无其联系方式，将送协调办公室收件箱转达：请用 duban units list 确认或合并")
    return warnings
