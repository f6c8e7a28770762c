"""The store's invariants as code: what must hold after any crash, restart or concurrent run.

Exactly-once is promised by the database (unique keys, conditional claims, one transaction per
outcome), so after kill -9 at any point, a restore or two instances at once, these checks must
still pass: every sent notice has a sent delivery, no message twice per channel and address,
document numbers unique and gapless per issuer and year, no dangling references, and (given the
time) no "sending" row whose lease ran out. Each finding is one Chinese sentence for an operator.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from scheduler.glossary import DELIVERY_STATUSES, NOTICE_STATUSES
from scheduler.ladder import LETTER_LEVELS
from scheduler.letters.digest import digest_key
from scheduler.store import schema as m
from scheduler.store.letters import record_problems

_LETTERS = tuple(sorted(LETTER_LEVELS))
MAX_LISTED = 20  # findings of one kind beyond this are summarised, not listed


@dataclass
class IntegrityReport:
    """What the check found: `problems` break an invariant; `counts` say what was looked at."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems, "counts": self.counts}


def _add(report: IntegrityReport, what: str, items: list[str]) -> None:
    """Record up to MAX_LISTED findings of one kind and say how many more there were."""
    for item in items[:MAX_LISTED]:
        report.problems.append(f"{what}：{item}")
    if len(items) > MAX_LISTED:
        report.problems.append(f"{what}：另有 {len(items) - MAX_LISTED} 处")


def check_store(session: Session, now: datetime | None = None) -> IntegrityReport:
    """Check every invariant; with `now`, a "sending" row whose lease ended before it is a finding
    too (run it after recovery: a live sender holds its lease, a crashed one must be resumed)."""
    report = IntegrityReport()
    _engine_checks(session, report)
    _foreign_keys(session, report)
    _notices(session, report)
    _deliveries(session, report, now)
    _letters(session, report)
    _notices_sent_once(session, report)
    _letter_files(session, report)
    return report


def _engine_checks(session: Session, report: IntegrityReport) -> None:
    """SQLite's own page and foreign-key checks (PostgreSQL keeps its constraints itself)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    result = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
    if result != ["ok"]:
        _add(report, "SQLite 数据库文件损坏", result)
    broken = [f"{row[0]} 第 {row[1]} 行引用 {row[2]}" for row in session.execute(text("PRAGMA foreign_key_check"))]
    _add(report, "外键引用不存在", broken)


def _foreign_keys(session: Session, report: IntegrityReport) -> None:
    """Every declared foreign key, plus the references the schema keeps without one."""
    found: list[str] = []
    present = set(inspect(session.connection()).get_table_names())  # a feature's migration may be pending
    for table in m.Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name not in present:
                continue
            child, parent = fk.parent, fk.column
            orphans = session.scalar(
                select(func.count()).select_from(table.outerjoin(parent.table, child == parent))
                .where(child.is_not(None), parent.is_(None))
            )
            if orphans:
                found.append(f"{table.name}.{child.name} 有 {orphans} 行指向不存在的 {parent.table.name}")
    undeclared = (
        ("notices.plan_id", m.Notice.plan_id, m.Plan.id),
        ("notices.task_id", m.Notice.task_id, m.Task.id),
    )
    for name, ref, target in undeclared:
        orphans = session.scalar(
            select(func.count()).select_from(m.Notice).outerjoin(target.class_, ref == target)
            .where(ref.is_not(None), target.is_(None))
        )
        if orphans:
            found.append(f"{name} 有 {orphans} 行指向不存在的记录")
    _add(report, "引用不一致", found)


def _notices(session: Session, report: IntegrityReport) -> None:
    rows = session.execute(select(m.Notice.key, m.Notice.status, m.Notice.sent_on, m.Notice.level,
                                  m.Notice.unit)).all()
    report.counts["notices"] = len(rows)
    report.counts["notices_sent"] = sum(1 for r in rows if r.status == "sent")
    _add(report, "通知状态无效", [f"{r.key}：{r.status}" for r in rows if r.status not in NOTICE_STATUSES])
    _add(report, "已发送的通知缺少发送日期", [r.key for r in rows if r.status == "sent" and r.sent_on is None])
    sent_keys = {
        (key, channel)
        for key, channel in session.execute(
            select(m.Delivery.message_key, m.Delivery.channel).where(m.Delivery.status == "sent")
        )
    }
    sent_messages = {key for key, _ in sent_keys}
    missing = []
    for r in rows:
        if r.status != "sent" or r.sent_on is None:
            continue
        message = r.key if r.level in LETTER_LEVELS else digest_key(r.unit, r.sent_on)
        if message not in sent_messages:
            missing.append(f"{r.key}（应由 {message} 送达）")
    if missing:  # a digest retried on a later day carries its own day: look in the audit log
        carried = _carried_by_sent_messages(session, sent_messages)
        missing = [item for item in missing if item.split("（", 1)[0] not in carried]
    _add(report, "通知标记为已发送，但没有已发送的投递记录", missing)


def _carried_by_sent_messages(session: Session, sent_messages: set[str]) -> set[str]:
    carried: set[str] = set()
    for object_id, detail in session.execute(
        select(m.AuditEntry.object_id, m.AuditEntry.detail).where(m.AuditEntry.action == "delivery.sent")
    ):
        if object_id in sent_messages:
            carried.update((detail or {}).get("notices", []))
    return carried


def _deliveries(session: Session, report: IntegrityReport, now: datetime | None) -> None:
    rows = session.execute(select(m.Delivery.id, m.Delivery.message_key, m.Delivery.channel, m.Delivery.address,
                                  m.Delivery.status, m.Delivery.message_id, m.Delivery.next_attempt_at)).all()
    report.counts["deliveries"] = len(rows)
    report.counts["deliveries_sent"] = sum(1 for r in rows if r.status == "sent")
    report.counts["deliveries_dead"] = sum(1 for r in rows if r.status == "dead")
    report.counts["deliveries_sending"] = sum(1 for r in rows if r.status == "sending")
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in rows:
        seen[r.message_key, r.channel, r.address] += 1
    _add(report, "同一消息对同一渠道和地址有多条投递记录",
         [f"{k[0]} -> {k[1]}:{k[2]}（{n} 条）" for k, n in seen.items() if n > 1])
    _add(report, "投递状态无效", [f"{r.message_key}：{r.status}" for r in rows if r.status not in DELIVERY_STATUSES])
    _add(report, "已发送的投递没有 Message-ID",
         [r.message_key for r in rows if r.status == "sent" and not r.message_id])
    _add(report, "“发送中”的投递没有租约", [r.message_key for r in rows
                                     if r.status == "sending" and r.next_attempt_at is None])
    if now is not None:
        _add(report, "“发送中”的投递租约已过期（发送进程崩溃后未恢复）",
             [f"{r.message_key} -> {r.channel}（租约至 {r.next_attempt_at.isoformat()}）" for r in rows
              if r.status == "sending" and r.next_attempt_at is not None and r.next_attempt_at < now])
    keys = {r.message_key for r in rows if not r.message_key.startswith("digest|")}
    known = set(session.scalars(select(m.Notice.key).where(m.Notice.level.in_(_LETTERS)))) if keys else set()
    _add(report, "函件投递没有对应的预警或约谈通知", sorted(keys - known))


def _letters(session: Session, report: IntegrityReport) -> None:
    """Document numbers: unique, serials 1..n without gaps per issuer and year."""
    rows = session.execute(select(m.Letter.issuer, m.Letter.year, m.Letter.serial, m.Letter.number,
                                  m.Letter.notice_key).order_by(m.Letter.issuer, m.Letter.year, m.Letter.serial)).all()
    report.counts["letters"] = len(rows)
    numbers: dict[str, int] = defaultdict(int)
    serials: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r in rows:
        numbers[r.number] += 1
        serials[r.issuer, r.year].append(r.serial)
    _add(report, "发文字号重复", [f"{n}（{c} 次）" for n, c in numbers.items() if c > 1])
    gaps = []
    for (issuer, year), used in serials.items():
        if sorted(used) != list(range(1, len(used) + 1)):
            missing = sorted(set(range(1, max(used) + 1)) - set(used))
            gaps.append(f"{issuer} {year} 年：缺 {missing[:10]}，重复 {sorted({s for s in used if used.count(s) > 1})}")
    _add(report, "发文顺序号不连续", gaps)
    wrong = [r.notice_key for r in rows if f"〔{r.year}〕{r.serial}号" not in r.number]
    _add(report, "发文字号与年份、顺序号不一致", wrong)


def _letter_files(session: Session, report: IntegrityReport) -> None:
    """Letters of record: every kept DOCX, PDF and HTML still has the bytes its hash names."""
    if "letter_files" not in set(inspect(session.connection()).get_table_names()):
        return
    report.counts["letter_files"], changed = record_problems(session)
    _add(report, "存档公文文件与其哈希不符（发出后被改动）", changed)


def _notices_sent_once(session: Session, report: IntegrityReport) -> None:
    """No notice went out in two different messages to the same channel and address.

    A letter (warning, interview) is delivered by its own message; a digest may list it again
    while it awaits 签收, which is a reminder of the letter, not a second delivery of it."""
    letters = set(session.scalars(select(m.Notice.key).where(m.Notice.level.in_(_LETTERS))))
    carriers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    query = select(m.AuditEntry.object_id, m.AuditEntry.detail).where(m.AuditEntry.action == "delivery.sent")
    for message_key, detail in session.execute(query):
        detail = detail or {}
        for notice in detail.get("notices", []):
            if notice in letters and message_key != notice:
                continue
            carriers[notice, detail.get("channel", ""), detail.get("address", "")].add(message_key)
    twice = [f"{notice} 经 {channel} 由 {sorted(keys)} 各发一次" for (notice, channel, _), keys in carriers.items()
             if len(keys) > 1]
    _add(report, "同一通知被不同消息重复发送", twice)
    recorded: dict[tuple[str, str, str], int] = defaultdict(int)
    for message_key, detail in session.execute(query):
        detail = detail or {}
        recorded[message_key, detail.get("channel", ""), detail.get("address", "")] += 1
    _add(report, "同一消息被记录为发送了多次", [f"{k[0]} -> {k[1]}（{n} 次）" for k, n in recorded.items() if n > 1])


def pending_count(session: Session) -> int:
    """Deliveries still to do (pending or sending): zero after a clean recovery run."""
    return session.scalar(select(func.count()).select_from(m.Delivery)
                          .where(m.Delivery.status.in_(("pending", "sending")))) or 0
