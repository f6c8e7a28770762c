"""Finding notices the way a coordinator names them: by the letter's 文号, or by a unit and a task's
number in its plan, besides the internal key (`duban explain`)."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.store import schema as m

_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕"})


def normalize_number(text: str) -> str:
    """A 文号 as typed (square or round brackets, spaces, a leading zero) in its standard form."""
    plain = re.sub(r"\s+", "", text).translate(_BRACKETS)
    return re.sub(r"〕0*(\d+)号$", lambda found: f"〕{found.group(1)}号", plain)


def looks_like_number(text: str) -> bool:
    """True when `text` reads as a document number: 代字〔年〕序号号."""
    return re.fullmatch(r".+〔\d{4}〕\d+号", normalize_number(text)) is not None


def notices_of_letter(session: Session, number: str) -> list[m.Notice]:
    """Return the notices the letter numbered `number` carries, in order; empty when no such letter."""
    letter = session.scalar(select(m.Letter).where(m.Letter.number == normalize_number(number)))
    if letter is None:
        return []
    return list(session.scalars(
        select(m.Notice).where(or_(m.Notice.letter_key == letter.notice_key, m.Notice.key == letter.notice_key))
        .order_by(m.Notice.id)))


def notices_of_unit_task(session: Session, units: list[str], number: int) -> list[m.Notice]:
    """Return the notices (oldest first) sent to one of `units` about a task whose number in its
    plan is `number` (the r017 of changzhi-2019/r017, the 17 a printed 台账 shows)."""
    rows = session.scalars(select(m.Notice).where(m.Notice.unit.in_(units), m.Notice.task_id.is_not(None))
                           .order_by(m.Notice.created_on, m.Notice.id))
    return [n for n in rows if _task_number(n.task_id or "") == number]


def _task_number(task_id: str) -> int | None:
    found = re.search(r"(\d+)$", task_id.rsplit("/", 1)[-1])
    return int(found.group(1)) if found else None
