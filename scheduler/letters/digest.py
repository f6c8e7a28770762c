"""A unit's daily digest: its open notices sorted into sections, sent as one message a day.

Pure like the letters (scheduler.letters.content): notice facts in, a frozen DigestContext out. The
digest's message key names the unit and the day, so delivery and the store's checks agree on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from scheduler.glossary import TERMS
from scheduler.letters.content import as_date, kind_name, need, needs_ack, task_title


def digest_key(unit: str, day: date) -> str:
    """Return the message key of `unit`'s daily digest for `day`."""
    return f"digest|{unit}|{day.isoformat()}"


def digest_day(key: str) -> date | None:
    """Return the day of a digest's message key; None for any other key (a letter's is its notice's)."""
    try:
        return date.fromisoformat(key.rsplit("|", 1)[1]) if key.startswith("digest|") else None
    except (IndexError, ValueError):
        return None


@dataclass(frozen=True)
class DigestItem:
    """One line of a unit's daily digest."""

    key: str
    task_id: str
    task: str
    level_name: str
    due: date | None
    days: int | None  # days left (due soon) or days late (overdue); None without a date
    note: str
    link: str = ""  # a letter awaiting 签收: its signed acknowledgement link
    plan: str = ""  # the plan's short title, e.g. 长治市2019-2020年秋冬季方案
    number: int | None = None  # the task's number in its plan
    measure: str = ""  # the first words of the task's measures

    @property
    def label(self) -> str:
        """Name the task so two tasks never read alike: plan, number, title and measure."""
        where = " ".join(p for p in (self.plan, f"第{self.number}项" if self.number else "") if p)
        head = f"【{where}】" if where else ""
        return f"{head}{self.task}" + (f"：{self.measure}" if self.measure else "")


@dataclass(frozen=True)
class DigestContext:
    """A unit's daily digest: what is due soon, late, unreported and unacknowledged."""

    unit: str
    day: date
    due_soon: tuple[DigestItem, ...]
    overdue: tuple[DigestItem, ...]
    progress_missing: tuple[DigestItem, ...]
    awaiting_ack: tuple[DigestItem, ...]
    other: tuple[DigestItem, ...]
    notice_keys: tuple[str, ...]
    calendar_note: str = ""  # the footer's line while the year's working days are provisional

    @property
    def total(self) -> int:
        return len(self.notice_keys)


_YEARS = re.compile(r"\d{4}\s*(?:[-－—–~至]\s*\d{4}\s*)?年")
_REGION = re.compile(r"^(.{1,6}?[省市县区旗])")
MEASURE_CHARS = 28


def plan_short_title(title: str) -> str:
    """Shorten a plan's title to region, years and kind (长治市2019-2020年秋冬季方案), so a digest
    line names its plan in a few characters; a title without years is cut instead."""
    years = _YEARS.search(title)
    if years is None:
        return title if len(title) <= 16 else title[:15] + "…"
    region = _REGION.match(title)
    season = "秋冬季" if "秋冬季" in title else ""
    kind = "行动计划" if "计划" in title else "台账" if title.endswith("台账") else "方案"
    span = "".join(years[0].split())
    return f"{region[1] if region else ''}{span}{season}{kind}"


def short_measure(text: str, limit: int = MEASURE_CHARS) -> str:
    """Return the first sentence of a task's measures, cut to `limit` characters."""
    first = re.split(r"[。；;\n]", text.strip(), maxsplit=1)[0].strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _digest_item(notice: Mapping[str, Any], day: date, late: bool) -> DigestItem:
    due = as_date(notice.get("due"), f"通知 {notice.get('key')} 的 due")
    days = None if due is None else ((day - due).days if late else (due - day).days)
    level = str(notice.get("level", "reminder"))
    kind = str(notice.get("kind", ""))
    return DigestItem(
        key=str(need(notice, "key", "通知")),
        task_id=str(notice.get("task_id") or notice.get("task") or ""),
        task=task_title(notice),
        level_name=TERMS.get(kind.split("|")[0], TERMS.get(level, level)),
        due=due,
        days=days,
        note=str(notice.get("number") or notice.get("explanation") or ""),
        link=str(notice.get("ack_url") or ""),
        plan=plan_short_title(str(notice.get("plan_title") or "")) if notice.get("plan_title") else "",
        number=notice.get("task_number"),
        measure=short_measure(str(notice.get("measure") or "")),
    )


def _distinct(items: list[DigestItem]) -> list[DigestItem]:
    """Drop an item that would print the same line as one before it (one task reached by two
    rules or two roles): the unit needs it once."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for item in items:
        line = (item.label, item.due, item.level_name, item.note if item.link else "")
        if line not in seen:
            seen.add(line)
            kept.append(item)
    return kept


def build_digest(unit: dict[str, Any], notices: list[dict[str, Any]], day: date,
                 calendar_note: str = "") -> DigestContext:
    """Sort a unit's open notices into the digest's sections; every notice lands in one section.
    `calendar_note` (WorkCalendar.provisional_note) goes in the footer."""
    name = str(need(unit, "name", "单位"))
    sections: dict[str, list[DigestItem]] = {
        "due_soon": [], "overdue": [], "progress_missing": [], "awaiting_ack": [], "other": [],
    }
    for notice in notices:
        due = as_date(notice.get("due"), f"通知 {notice.get('key')} 的 due")
        kind = str(notice.get("kind", ""))
        if needs_ack(str(notice.get("level", ""))) and not notice.get("acknowledged_on"):
            section, late = "awaiting_ack", False
        elif kind.startswith("progress"):
            section, late = "progress_missing", False
        elif due is not None and due < day:
            section, late = "overdue", True
        elif due is not None:
            section, late = "due_soon", False
        else:
            section, late = "other", False
        item = _digest_item(notice, day, late)
        if section == "awaiting_ack":  # about 签收, not the deadline: name the letter, count no days
            item = replace(item, days=None, level_name=kind_name(str(notice.get("level"))))
            if notice.get("number"):  # a letter lists several tasks: its number names it
                item = replace(item, task=f"{notice['number']}", plan="", number=None, measure="", due=None)
        sections[section].append(item)
    by_date = {k: tuple(_distinct(sorted(v, key=lambda i: (i.due or date.max, i.key))))
               for k, v in sections.items()}
    return DigestContext(
        unit=name,
        day=day,
        notice_keys=tuple(str(n["key"]) for n in notices),
        calendar_note=calendar_note,
        **by_date,
    )
